"""Every modelled duration and threshold, with its documented default, in one place.

All values are virtual milliseconds unless the name says otherwise. Ranges are (low, high) and
drawn from the seeded random source, so they vary per call but never between runs.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class Timings:
    # Carrier
    dial_ms: int = 1000                            # initiated -> ringing
    ring_ms: tuple[int, int] = (2000, 6000)        # ringing -> answered
    ring_timeout_ms: int = 30000                   # ringing -> failed (no_answer)
    # Speech
    assistant_words_per_minute: int = 165
    caller_words_per_minute: int = 150
    min_speech_ms: int = 300
    caller_think_ms: int = 600                     # a scripted caller's pause before it answers
    asr_ms: tuple[int, int] = (80, 180)            # modelled recogniser latency (latency endpoint)
    tts_ms: tuple[int, int] = (90, 220)            # modelled synthesis latency (latency endpoint)
    response_gap_ms: tuple[int, int] = (200, 400)  # conversation agent: reply ready -> speech starts
    # Reasoning
    builtin_reasoning_ms: tuple[int, int] = (300, 700)
    webhook_latency_ms: tuple[int, int] = (150, 450)  # modelled round trip of a webhook
    webhook_timeout_ms: int = 10000
    mcp_latency_ms: tuple[int, int] = (150, 450)     # modelled round trip of one MCP tool call (docs/contract.md §4b)
    mcp_timeout_ms: int = 30000                    # one MCP turn's deadline (wall clock for real calls)
    hold_music_after_ms: int = 3000                # hold music once reasoning runs longer (docs/contract.md §4)
    context_turns: int = 10                        # dialogue lines sent as webhook `context`
    # Turn-taking and endings
    silence_detect_ms: int = 6000                  # caller silent this long -> silence_detected + prompt
    silence_timeout_ms: int = 15000                # caller silent this long -> call ends (silence_timeout)
    max_duration_ms: int = 1800000                 # 30 minutes, then the call ends (max_duration)
    # Transfers
    transfer_ring_ms: tuple[int, int] = (2000, 6000)
    transfer_timeout_ms: int = 30000

    def with_overrides(self, overrides: dict[str, Any]) -> Timings:
        """A copy with some values replaced; an unknown name is an error that lists the known ones."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(f"unknown timing {unknown[0]!r}; known timings: {', '.join(sorted(known))}")
        values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in overrides.items()}
        return replace(self, **values)

    def overrides(self) -> dict[str, Any]:
        """The values that differ from the defaults, JSON-shaped (a scenario's `timings:`), so a
        replay of a call runs with the same timings."""
        default = Timings()
        changed = {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) != getattr(default, f.name)}
        return {name: list(v) if isinstance(v, tuple) else v for name, v in changed.items()}


@functools.lru_cache(maxsize=4096)  # scripts and replies repeat their lines across calls and turns
def speech_ms(text: str, words_per_minute: int, minimum_ms: int) -> int:
    """How long saying `text` takes at a speaking rate: words × (60 000 / wpm), at least the minimum."""
    words = len(text.split())
    return max(minimum_ms, words * 60000 // words_per_minute)
