"""Cassettes: every language-model answer of a scenario, with its exact request, in a file beside it.

`billing.scenario.yaml` keeps its answers in `billing.cassette.json`. A replay looks every request up
by its exact content (model name, parameters, messages) and how many times the same request was asked
before in the run, so the same scenario replays byte for byte and needs no model. Only model traffic
is recorded: webhooks and MCP tools are the integrator's real code under test and always run.

JSON rather than YAML: the file is written and compared byte for byte, read back under the strict
JSON policy, and pretty-printed one message a line so a diff in review shows which turn changed.
Each interaction carries the digest of its request and answer, so a cassette edited by hand is an
error (record again instead); a truncated file, another version, or the cassette of another scenario
are errors too, each naming the file.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aployee_sim.contract import strict_json

FORMAT = 1
MAX_CASSETTE_BYTES = 16 << 20
"""A cassette larger than this is refused (about 8 000 full-length turns)."""
_SUFFIXES = (".scenario.yaml", ".scenario.yml", ".yaml", ".yml")


class CassetteError(Exception):
    """The cassette cannot be used: unreadable, truncated, edited by hand, of another scenario."""

    def __init__(self, path: Path, message: str, line: int | None = None) -> None:
        super().__init__(f"{path}: {message}")
        self.path, self.message, self.line = path, message, line


def cassette_path(scenario: Path) -> Path:
    """`x.scenario.yaml` -> `x.cassette.json`, in the same folder."""
    name = scenario.name
    stem = next((name[: -len(s)] for s in _SUFFIXES if name.endswith(s)), name)
    return scenario.with_name(stem + ".cassette.json")


@dataclass(frozen=True, slots=True)
class Interaction:
    """One completion: who asked (`for`, e.g. `calls[0] persona`), the request body, the answer text."""

    asker: str
    request: dict[str, Any]
    answer: str

    @property
    def key(self) -> str:
        return request_key(self.request)

    def digest(self) -> str:
        body = strict_json.dumps({"request": self.request, "answer": self.answer}, sort_keys=True)
        return "sha256:" + hashlib.sha256(body.encode()).hexdigest()

    def as_dict(self) -> dict[str, Any]:
        return {"for": self.asker, "request": self.request, "answer": self.answer, "digest": self.digest()}


def request_key(request: dict[str, Any]) -> str:
    return strict_json.dumps(request, sort_keys=True)


class Cassette:
    """The interactions recorded for one scenario, looked up by (request, occurrence)."""

    def __init__(self, path: Path, scenario: str, interactions: list[Interaction], text: str | None) -> None:
        self.path, self.scenario, self.interactions, self.text = path, scenario, interactions, text
        self._answers: dict[tuple[str, int], str] = {}
        seen: Counter[str] = Counter()
        for item in interactions:
            key = item.key
            self._answers[(key, seen[key])] = item.answer
            seen[key] += 1

    @classmethod
    def load(cls, path: Path, scenario: str) -> Cassette:
        """The cassette at `path` (none there: an empty one), checked whole."""
        try:
            raw = path.read_bytes() if path.is_file() else None
        except OSError as exc:
            raise CassetteError(path, f"cannot read the cassette: {exc.strerror or exc}") from None
        if raw is None:
            return cls(path, scenario, [], None)
        if len(raw) > MAX_CASSETTE_BYTES:
            raise CassetteError(path, f"the cassette is over {MAX_CASSETTE_BYTES} bytes")
        try:
            data = strict_json.loads(raw)
        except strict_json.StrictJsonError as exc:
            where = f" at line {exc.line}" if exc.line else ""
            raise CassetteError(path, f"not a cassette: invalid JSON{where} ({exc}); is it truncated? "
                                      "Record it again with --record all", exc.line) from None
        return cls(path, scenario, _interactions(path, scenario, data), raw.decode())

    def answer(self, request: dict[str, Any], occurrence: int) -> str | None:
        return self._answers.get((request_key(request), occurrence))

    def miss(self, asker: str, request: dict[str, Any]) -> str:
        """Why `request` has no recorded answer: the first place its dialogue left the recorded one."""
        if self.text is None:
            return f"there is no cassette {self.path.name} beside the scenario; record one with --record new"
        mine = [i for i in self.interactions if i.asker == asker]
        if not mine:
            return f"{self.path.name} has no answers recorded for {asker}; record them with --record new"
        messages = request.get("messages", [])
        best, shared = mine[0], -1
        for item in mine:
            common = _common_prefix(item.request.get("messages", []), messages)
            if common > shared:
                best, shared = item, common
        recorded = best.request.get("messages", [])
        if shared >= len(messages) and shared >= len(recorded):
            settings = {k: v for k, v in request.items() if k != "messages"}
            before = {k: v for k, v in best.request.items() if k != "messages"}
            return (f"the dialogue is as recorded but the request's settings differ: recorded "
                    f"{strict_json.dumps(before, sort_keys=True)}, now {strict_json.dumps(settings, sort_keys=True)}")
        return (f"the dialogue first differed from {self.path.name} at message {shared + 1}: recorded "
                f"{_line(recorded, shared)}, now {_line(messages, shared)}")

    def render(self, interactions: list[Interaction]) -> str:
        """The file's text for `interactions` (one message a line, keys in a fixed order)."""
        body = {"cassette": FORMAT, "scenario": self.scenario,
                "interactions": [i.as_dict() for i in interactions]}
        return strict_json.dumps(body, indent=1) + "\n"

    def save(self, interactions: list[Interaction]) -> bool:
        """Write the file when it would change; True when it was written."""
        text = self.render(interactions)
        if text == self.text:
            return False
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(self.path)
        self.text = text
        return True


def _interactions(path: Path, scenario: str, data: Any) -> list[Interaction]:
    if not isinstance(data, dict) or set(data) != {"cassette", "scenario", "interactions"}:
        raise CassetteError(path, "not a cassette: expected an object with cassette, scenario and interactions")
    if data["cassette"] != FORMAT:
        raise CassetteError(path, f"cassette format {data['cassette']!r}; this aployee-sim reads format {FORMAT}")
    if data["scenario"] != scenario:
        raise CassetteError(path, f"this cassette was recorded for scenario {data['scenario']!r}, not "
                            f"{scenario!r}")
    if not isinstance(data["interactions"], list):
        raise CassetteError(path, "`interactions` is not a list")
    made = []
    for index, item in enumerate(data["interactions"]):
        if (not isinstance(item, dict) or set(item) != {"for", "request", "answer", "digest"}
                or not isinstance(item["for"], str) or not isinstance(item["request"], dict)
                or not isinstance(item["answer"], str)):
            raise CassetteError(path, f"interaction {index + 1} is not of the form "
                                "{for, request, answer, digest}")
        interaction = Interaction(item["for"], item["request"], item["answer"])
        if item["digest"] != interaction.digest():
            raise CassetteError(path, f"interaction {index + 1} ({interaction.asker}) was changed after it "
                                "was recorded (its digest does not match); record it again with --record all")
        made.append(interaction)
    return made


def _common_prefix(a: list[Any], b: list[Any]) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return n


def _line(messages: list[Any], index: int) -> str:
    if index >= len(messages):
        return "nothing more"
    message = messages[index]
    if not isinstance(message, dict):
        return repr(message)
    text = str(message.get("content", ""))
    return f"{message.get('role')}: {text[:160]!r}" + ("..." if len(text) > 160 else "")
