"""Examples per second of `aployee-sim explore` against in-process stub webhooks and the built-in brain.

Prints figures only (tests never assert wall-clock durations). Each example builds the scenario's
world, runs one generated call to its end on virtual time and judges it.

    .venv/bin/python bench/explore_bench.py [EXAMPLES]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from aployee_sim.explore import explore_scenario

WORLDS = {
    "stub webhook": """\
assistants:
  desk: {name: Di, reasoning_mode: webhook, webhook_url: "https://hooks.test/d", end_call_phrases: [talk soon]}
webhooks:
  https://hooks.test/d:
    - {when: refund, reply: Refund started., update: {topic: refund}}
    - {when: bye, reply: "Thanks, talk soon!"}
    - {reply: Sure.}
calls:
  - {assistant: desk, to: +15551234567}
explore:
  vocabulary: {phrases: [hello, I want a refund, what is my balance, bye]}
""",
    "built-in brain": """\
assistants:
  bot:
    name: Bo
    intents:
      - {keywords: [refund], reply: Refund started., update: {topic: refund}}
      - {keywords: [balance], reply: Ten dollars.}
calls:
  - {assistant: bot, to: +15551234567}
explore:
  vocabulary: {phrases: [hello, I want a refund, what is my balance, bye]}
""",
}


def main() -> None:
    examples = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    with tempfile.TemporaryDirectory() as folder:
        for title, text in WORLDS.items():
            path = Path(folder) / "bench.scenario.yaml"
            path.write_text(text, encoding="utf-8")
            result = explore_scenario(path, examples=examples, seed=0, database=None)
            print(f"{title:<15} {result.calls} calls in {result.elapsed_s:.2f}s: {result.per_second:.0f} examples/s "
                  f"({'passed' if result.passed else 'FAILED'})")


if __name__ == "__main__":
    main()
