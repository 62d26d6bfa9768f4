"""Rubric judges: a language model decides whether a finished call meets a rubric (`expect: judge:`).

The judge is shown what the other expectations read: the call's status and end reason, its transcript,
its final state and its reasoning exchanges (webhook requests and MCP tool calls). It answers with one
strict JSON object, `{"verdict": "pass" | "fail", "reason": "one line"}`; an answer of another shape is
recorded and retried like a persona caller's (`fakes.callers.MAX_INVALID_ANSWERS`), then the rubric
fails with what was wrong. Judging happens in the runner, after the engine is idle and before the
cassette is saved, so the judge's answers are recorded and replayed like every other completion.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aployee_sim.contract import strict_json
from aployee_sim.core.chat import Completer, Message, ModelError
from aployee_sim.fakes.callers import MAX_INVALID_ANSWERS
from aployee_sim.scenario.schema import JudgeSpec

MAX_REASON_CHARS = 300
_LAST_EXCHANGES = 30
VERDICT_FORMAT = ('exactly one JSON object and nothing else: {"verdict": "pass", "reason": "..."} or '
                  '{"verdict": "fail", "reason": "..."}, the reason one line of at most '
                  f'{MAX_REASON_CHARS} characters')
SYSTEM = ("You are a strict judge of a finished phone call between a voice assistant and a caller. Decide "
          "from the record alone whether the rubric holds; when the record does not show it, it fails. "
          f"Answer with {VERDICT_FORMAT}.")


@dataclass(frozen=True, slots=True)
class Verdict:
    """The judge's decision on one rubric: `verdict` is pass, fail, or error (no valid verdict)."""

    index: int
    verdict: str
    reason: str


def parse_verdict(answer: str) -> tuple[str, str]:
    """(verdict, reason); `ValueError` says what is wrong with the answer."""
    try:
        value = strict_json.loads(answer)
    except ValueError:
        raise ValueError("it is not a JSON object") from None
    if not isinstance(value, dict) or set(value) != {"verdict", "reason"}:
        raise ValueError('it must be a JSON object with exactly the keys "verdict" and "reason"')
    verdict, reason = value["verdict"], value["reason"]
    if verdict not in ("pass", "fail"):
        raise ValueError('"verdict" must be "pass" or "fail"')
    if not isinstance(reason, str) or not reason.strip() or "\n" in reason.strip():
        raise ValueError('"reason" must be one non-empty line')
    if len(reason) > MAX_REASON_CHARS:
        raise ValueError(f'"reason" must be at most {MAX_REASON_CHARS} characters')
    return verdict, reason.strip()


def record_text(details: dict[str, Any], exchanges: list[dict[str, Any]]) -> str:
    """The call as the judge reads it: plain lines, the state and exchanges as compact JSON."""
    lines = [f"Status: {details['status']} (end reason: {details.get('end_reason') or 'none'})", "", "Transcript:"]
    lines += [f"{t['role']}: {t['content']}" for t in details["transcript"]] or ["(nobody spoke)"]
    lines += ["", "Final state: " + strict_json.dumps(details.get("final_state"), sort_keys=True), "",
              "Reasoning exchanges:"]
    shown = exchanges[-_LAST_EXCHANGES:]
    lines += [strict_json.dumps(x, sort_keys=True) for x in shown] or ["(none)"]
    return "\n".join(lines)


def judge(spec: JudgeSpec, index: int, record: str, complete: Completer) -> Verdict:
    """One rubric's verdict; a model that cannot answer, or never validly, gives verdict `error`."""
    messages: list[Message] = [{"role": "system", "content": SYSTEM},
                               {"role": "user", "content": f"Rubric: {spec.rubric}\n\n{record}"}]
    problem = ""
    try:
        for _ in range(MAX_INVALID_ANSWERS + 1):
            answer = complete(messages)
            try:
                verdict, reason = parse_verdict(answer)
            except ValueError as exc:
                problem = str(exc)
                messages = [*messages, {"role": "assistant", "content": answer},
                            {"role": "user", "content": f"That is not a valid verdict: {problem}. Answer with "
                                                        f"{VERDICT_FORMAT}."}]
                continue
            return Verdict(index, verdict, reason)
    except ModelError as exc:
        return Verdict(index, "error", str(exc))
    return Verdict(index, "error", f"the judge gave no valid verdict in {MAX_INVALID_ANSWERS + 1} answers "
                                   f"(the last: {problem})")

