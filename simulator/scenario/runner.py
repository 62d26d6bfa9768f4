"""Running a loaded scenario: build its `Simulator`, place its calls at their virtual times, run to idle.

This is composition (it wires the fakes): the carrier's forced outcomes, the transfer party's
behaviour, stub webhooks routed in-process (any other webhook URL goes out over real HTTP),
and a `ScriptedCaller` per call whose steps keep their scenario line numbers so a caller
expectation that fails points back at its line. A call whose caller ends in a `persona` step gets a
`PersonaCaller` (the script before it is its opening), and `expect: judge:` rubrics are judged once
the engine is idle; both ask their language model through the scenario's cassette
(`scenario.completions`), which is saved when the run is over.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aployee_sim.adapters.speech import VoiceUnavailable
from aployee_sim.adapters.webhook_http import HttpClient
from aployee_sim.api import Simulator
from aployee_sim.contract.errors import ApiError
from aployee_sim.core.clock import DEFAULT_EPOCH
from aployee_sim.core.reasoning import StubRule
from aployee_sim.core.timings import Timings
from aployee_sim.fakes import callers as c
from aployee_sim.scenario.audio import recognize
from aployee_sim.scenario.cassette import CassetteError, cassette_path
from aployee_sim.scenario.completions import Completions, default_record_mode, uses_models
from aployee_sim.scenario.errors import Mark, ScenarioError, ScenarioInvalid, path_text
from aployee_sim.scenario.judge import Verdict, judge, record_text
from aployee_sim.scenario.loader import LoadedScenario
from aployee_sim.scenario.mcp import route_stubs
from aployee_sim.scenario.schema import Call, Scenario, Step


@dataclass
class CallRun:
    """One placed call: which `calls[...]` entry it came from and what the platform made of it."""

    index: int
    label: str
    spec: Call
    stream_key: str  # what the call's random stream is derived from (`stream_key`)
    call_id: str | None = None
    caller: c.ScriptedCaller | c.PersonaCaller | None = None
    error: str | None = None
    verdicts: list[Verdict] = field(default_factory=list)  # of `expect.judge`, in order


@dataclass
class ScenarioRun:
    loaded: LoadedScenario
    sim: Simulator
    seed: int
    calls: list[CallRun] = field(default_factory=list)
    completions: Completions | None = None  # a scenario with persona callers or judges

    @property
    def virtual_ms(self) -> int:
        """When the last call ended (the engine may idle on past it, e.g. to a cancelled call's limit)."""
        ends = [self.sim.record(c.call_id).ended_ms or 0 for c in self.calls if c.call_id is not None]
        return max(ends, default=0)


def epoch(scenario: Scenario) -> datetime:
    """The clock start: local date and time in the scenario's time zone (default: the Calls page's)."""
    if scenario.clock.start is None:
        return DEFAULT_EPOCH
    start = datetime.fromisoformat(scenario.clock.start)
    if start.tzinfo is None:
        start = start.replace(tzinfo=ZoneInfo(scenario.clock.timezone))
    return start


class WorldRefused(Exception):
    """The platform refused part of the scenario's world (an assistant field the format lets through)."""

    def __init__(self, path: tuple, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def build_simulator(scenario: Scenario, seed: int,
                    http: HttpClient | None = None) -> tuple[Simulator, dict[str, str]]:
    """A fresh simulator holding the scenario's world; returns it and the assistant ids by local name.

    `http`: the outside loop and connection pool to share instead of making new ones
    (`aployee-sim run --jobs` and `aployee-sim explore` run many simulators at once on one)."""
    timings = Timings()
    if scenario.timings is not None:
        timings = timings.with_overrides(scenario.timings.model_dump(exclude_none=True))
    shared: dict[str, Any] = {} if http is None else {"outside": http.outside,
                                                      "webhook_transport": http.transport(scenario.webhook_in_flight)}
    sim = Simulator(seed=seed, start=epoch(scenario), timings=timings, webhook_in_flight=scenario.webhook_in_flight,
                    **shared)
    for number, outcome in scenario.carrier.items():
        sim.carrier.force(number, outcome.result, outcome.ring)
    for target, script in scenario.transfer_party.items():
        sim.transfer_party.script(target, list(script.outcomes), ring_ms=script.ring)
    ids = {}
    for name, spec in scenario.assistants.items():
        body = spec.resource_body()
        try:
            ids[name] = sim.create_assistant(body, intents=[i.model_dump() for i in spec.intents],
                                             fallback_reply=spec.fallback_reply, assistant_id=spec.id)["id"]
        except ApiError as exc:  # the platform's own assistant checks, beyond the format's
            sim.close()
            field = str(exc.details.get("field", ""))
            path = ("assistants", name, *(int(p) if p.isdigit() else p for p in field.split(".") if p))
            raise WorldRefused(path, exc.message) from None
    if scenario.numbers:
        sim.directory.update(scenario.directory_config(ids), source=f"scenario {scenario.name or ''}".strip())
    for url, rules in scenario.webhooks.items():
        sim.route_webhook(url, [StubRule(match=r.when, pattern=r.pattern, reply=r.reply, state=r.state,
                                         update=r.update, action=r.action, target=r.target, delay_ms=r.delay,
                                         fail=r.fail, status=r.status) for r in rules])
    route_stubs(sim, scenario.mcp_tools)
    return sim, ids


def _step(step: Step, line: int, base: Path) -> c.Step:
    kind = step.action
    if kind == "say":
        made = c.say(step.say or "", pause_ms=step.pause, confidence=step.confidence)
    elif kind == "say_audio":  # recognised now: the caller says what vosk heard (aployee_sim.scenario.audio)
        heard, seconds = recognize(step, base)
        made = (c.say(heard.text, pause_ms=step.pause, confidence=heard.confidence) if heard.text
                else c.silence(round(seconds * 1000)))
    elif kind == "expect":
        made = c.expect(step.expect or "", **({"timeout_ms": step.timeout} if step.timeout is not None else {}))
    elif kind == "wait":
        made = c.wait(step.wait or 0)
    elif kind == "silence":
        made = c.silence(step.silence or 0)
    elif kind == "digits":
        made = c.press(step.digits or "")
    elif kind == "barge_in":
        made = c.barge_in(step.barge_in or "", **({"after_ms": step.after} if step.after is not None else {}))
        made.confidence = step.confidence
    else:
        made = c.hang_up()
    made.line_no = line
    return made


def _audio_checked(loaded: LoadedScenario, call: int, k: int, step: Step) -> c.Step:
    """The caller step; a speech model that cannot load or hear the phrase list is reported at its line."""
    where: tuple[object, ...] = ("calls", call, "caller", k)
    try:
        return _step(step, loaded.line(*where), loaded.path.parent)
    except VoiceUnavailable as exc:
        where = (*where, "vosk_model" if step.vosk_model else "say_audio")
        message = f"cannot recognise audio: {exc}"
    except ValueError as exc:  # a phrase list with words the model does not know
        where, message = (*where, "phrases"), str(exc)
    mark = loaded.marks.existing(where)
    raise ScenarioInvalid([ScenarioError(loaded.marks.value(mark), f"{path_text(mark)}: {message}")])


def _placements(loaded: LoadedScenario) -> list[tuple[int, int, str, CallRun]]:
    """Every call to place, as (at_ms, order, number, run), in placement order."""
    placements: list[tuple[int, int, str, CallRun]] = []
    for index, spec in enumerate(loaded.model.calls):
        identity = _identity(spec)  # once per entry: a campaign entry lists thousands of numbers
        for n, number in enumerate(spec.to):
            label = spec.name or f"calls[{index}]"
            if len(spec.to) > 1:
                label += f" #{n + 1}"
            placements.append((spec.at + n * spec.every, len(placements), number,
                               CallRun(index, label, spec, f"{identity} -> {number}")))
    placements.sort(key=lambda p: (p[0], p[1]))
    return placements


def _completions(loaded: LoadedScenario, record: str | None) -> Completions | None:
    """The scenario's model access, or None when it uses no model; a cassette that cannot be used is
    reported as the scenario's error, at the cassette file."""
    if not uses_models(loaded):
        return None
    try:
        return Completions(loaded, record or default_record_mode())
    except CassetteError as exc:
        shown = cassette_path(Path(loaded.display))
        raise ScenarioInvalid([ScenarioError(Mark(str(shown), exc.line or 1, 1), exc.message)]) from None


def _caller(loaded: LoadedScenario, call: CallRun, sim: Simulator,
            completions: Completions | None) -> c.ScriptedCaller | c.PersonaCaller | None:
    spec = call.spec
    if not spec.caller:
        return None
    steps = [_audio_checked(loaded, call.index, k, s) for k, s in enumerate(spec.caller) if s.persona is None]
    script = c.ScriptedCaller(steps, think_ms=sim.timings.caller_think_ms)
    last = spec.caller[-1]
    if last.persona is None:
        return script
    assert completions is not None and last.goal is not None, "uses_models and the schema see to these"
    complete = completions.completer(f"{call.label} persona", last.model, loaded.model.model)
    return c.PersonaCaller(last.persona, last.goal, complete, max_turns=last.max_turns or 8,
                           think_ms=sim.timings.caller_think_ms, opening=script if steps else None,
                           line_no=loaded.line("calls", call.index, "caller", len(spec.caller) - 1, "persona"))


def _judge_all(run: ScenarioRun, completions: Completions) -> None:
    """Each call's `expect.judge` rubrics, judged on the finished call (not when its caller's dialogue has
    already left the cassette: that failure is the one to read)."""
    for call in run.calls:
        rubrics = call.spec.expect.judge
        if not rubrics or call.call_id is None or f"{call.label} persona" in completions.missed:
            continue
        record = record_text(run.sim.call_details(call.call_id), run.sim.exchanges(call.call_id, wall_clock=False))
        call.verdicts = [judge(spec, k, record, completions.completer(f"{call.label} judge {k + 1}", spec.model,
                                                                     run.loaded.model.model))
                         for k, spec in enumerate(rubrics)]


def run_scenario(loaded: LoadedScenario, seed: int | None = None,
                 on_built: Callable[[Simulator], object] | None = None, *,
                 http: HttpClient | None = None, record: str | None = None) -> ScenarioRun:
    """Run every call of the scenario to its end on virtual time (each call is bounded by max_duration).

    `on_built` sees the simulator before any call is placed (e.g. to attach a store writer);
    `http` goes to `build_simulator`; `record` is the cassette's record mode (new, none or all;
    default: none when $CI is set, else new).
    """
    scenario = loaded.model
    seed = scenario.seed if seed is None else seed
    completions = _completions(loaded, record)
    try:
        sim, ids = build_simulator(scenario, seed, http)
    except WorldRefused as exc:
        where = loaded.marks.existing(exc.path)
        raise ScenarioInvalid([ScenarioError(loaded.marks.value(where), f"{path_text(where)}: {exc.message}")]) \
            from None
    run = ScenarioRun(loaded, sim, seed, completions=completions)
    if on_built is not None:
        on_built(sim)
    try:
        for at_ms, _, number, call in _placements(loaded):
            if at_ms > sim.now_ms:
                sim.run(until_ms=at_ms)
            spec = call.spec
            call.caller = _caller(loaded, call, sim, completions)
            try:
                call.call_id = _place(sim, ids.get(spec.assistant or ""), number, call)
            except ApiError as exc:
                call.error = f"the platform refused the call: {exc.message}"
            run.calls.append(call)
        sim.run()
        if completions is not None:
            _judge_all(run, completions)
            completions.save()
    finally:
        sim.close()
        if completions is not None:
            completions.close()
    return run


def _place(sim: Simulator, assistant_id: str | None, number: str, call: CallRun) -> str:
    spec, key = call.spec, call.stream_key
    if spec.inbound:
        assert spec.from_ is not None, "checks.py requires `from` on an inbound call"
        return sim.place_inbound(spec.from_, number, caller=call.caller, key=key)["id"]
    return sim.start_call(assistant_id or "", number, spec.from_, spec.initial_state, caller=call.caller,
                          key=key)["id"]


def _identity(spec: Call) -> str:
    """What a scenario call's random streams are derived from (with the number each dials): its
    name, or (unnamed) its whole content. Not its position in the file, so adding, removing or
    reordering other calls changes nothing of this one (identical calls get numbered twins by the
    platform)."""
    return spec.name if spec.name is not None else spec.model_dump_json(by_alias=True)
