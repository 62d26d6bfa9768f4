"""Examples per second of `aployee-sim explore`: in-process stubs, the built-in brain, a slow real webhook.

Prints figures only (tests never assert wall-clock durations). Each example builds the scenario's
world, runs one generated call to its end on virtual time and judges it. In-process worlds run
with the default concurrency and one at a time (threads cannot help there: nothing waits);
the real webhook (a receiver process on 127.0.0.1 answering after `--delay` ms, 400 by default,
like an LLM-backed backend) runs one at a time and with `--concurrency` calls in flight.

    .venv/bin/python bench/explore_bench.py [--examples 500] [--slow-examples 300] [--delay 400]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from webhook_bench import ReceiverProcess

from aployee_sim.explore import explore_scenario
from aployee_sim.explore.session import DEFAULT_CONCURRENCY

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
SLOW = """\
assistants:
  desk: {{name: Di, reasoning_mode: webhook, webhook_url: "{url}"}}
calls:
  - {{assistant: desk, to: +15551234567}}
explore:
  vocabulary: {{phrases: [hello, I want a refund, what is my balance, bye]}}
  carrier: [answer]
"""


def explore(path: Path, title: str, examples: int, concurrency: int) -> float:
    result = explore_scenario(path, examples=examples, seed=0, database=None, concurrency=concurrency)
    print(f"{title:<28} concurrency {concurrency:>2}: {result.calls} calls in {result.elapsed_s:.2f}s: "
          f"{result.per_second:.1f} examples/s ({'passed' if result.passed else 'FAILED'})", flush=True)
    return result.per_second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=500, help="examples per in-process run")
    parser.add_argument("--slow-examples", type=int, default=300, help="examples of the concurrent slow-webhook run")
    parser.add_argument("--sequential-examples", type=int, default=20,
                        help="examples of the one-at-a-time slow-webhook run (each takes the backend's round trips)")
    parser.add_argument("--delay", type=float, default=400.0, help="the real webhook's answer delay in ms")
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.scenario.yaml"
        for title, text in WORLDS.items():
            path.write_text(text, encoding="utf-8")
            for concurrency in (1, args.concurrency):
                explore(path, title, args.examples, concurrency)
        receiver = ReceiverProcess(args.delay)
        try:
            path.write_text(SLOW.format(url=receiver.url), encoding="utf-8")
            title = f"webhook answering in {args.delay:g} ms"
            one = explore(path, title, args.sequential_examples, 1)
            many = explore(path, title, args.slow_examples, args.concurrency)
        finally:
            receiver.stop()
        print(f"{many / one:.1f}x the examples per second of one at a time")


if __name__ == "__main__":
    main()
