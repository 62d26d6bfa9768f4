"""Pipelined webhook delivery against a real loopback receiver: same records as sequential
delivery, per-call order and state, a hanging call holds nobody else, the in-flight limit holds."""

from __future__ import annotations

import random
from collections import defaultdict
from pathlib import Path

import pytest

from aployee_sim.api import Simulator
from aployee_sim.core.timings import Timings
from aployee_sim.fakes.callers import ScriptedCaller, say
from aployee_sim.scenario.export import export_run
from aployee_sim.scenario.loader import load_scenario
from aployee_sim.scenario.runner import run_scenario
from tests.pipeline.receiver import Receiver, answer_for

UTTERANCES = ["I'd like to renew", "the annual plan", "card ending 42", "yes", "thanks, bye"]

CAMPAIGN = """\
name: pipelined campaign
seed: 5
webhook_in_flight: {in_flight}
assistants:
  alex:
    name: Alex
    reasoning_mode: webhook
    webhook_url: {url}
    first_message: Hi, this is Alex from Acme. How can I help?
calls:
  - name: renewals
    assistant: alex
    to: [{numbers}]
    every: 700ms
    initial_state: {{campaign: renewal}}
    caller:
{steps}
"""


def _campaign(tmp_path: Path, url: str, in_flight: int) -> Path:
    numbers = ", ".join(f"+1555124{n:04d}" for n in range(12))
    steps = "\n".join(f"      - say: {text}" for text in UTTERANCES) + "\n      - hangup"
    path = tmp_path / f"campaign-{in_flight}.scenario.yaml"
    path.write_text(CAMPAIGN.format(in_flight=in_flight, url=url, numbers=numbers, steps=steps), encoding="utf-8")
    return path


def _export(path: Path, out: Path) -> dict[str, bytes]:
    run = run_scenario(load_scenario(path))
    folder = export_run(run, out, set())
    return {file.name: file.read_bytes() for file in sorted(folder.iterdir())}


def test_pipelined_export_is_byte_identical_to_sequential(tmp_path):
    with Receiver() as receiver:
        sequential = _export(_campaign(tmp_path, receiver.url, 1), tmp_path / "sequential")
        assert receiver.max_active == 1
        rng = random.Random(3)  # answers in a shuffled order: varied delays, unrelated to the requests
        receiver.delay = lambda body: rng.uniform(0, 0.03)
        pipelined = _export(_campaign(tmp_path, receiver.url, 64), tmp_path / "pipelined")
        assert receiver.max_active > 1  # requests really overlapped
        received = receiver.received
    assert len(sequential) == 12 and pipelined == sequential
    assert len(received) == 2 * 12 * len(UTTERANCES)


def test_each_call_sends_in_order_with_the_state_it_was_given(tmp_path):
    with Receiver() as receiver:
        rng = random.Random(8)
        receiver.delay = lambda body: rng.uniform(0, 0.02)
        _export(_campaign(tmp_path, receiver.url, 64), tmp_path / "out")
        received = receiver.received
    by_call = defaultdict(list)
    for body in received:
        by_call[body["call_id"]].append(body)
    assert len(by_call) == 12
    for bodies in by_call.values():
        assert [b["utterance"] for b in bodies] == UTTERANCES
        assert bodies[0]["state"] == {"campaign": "renewal"}
        for previous, body in zip(bodies, bodies[1:], strict=False):
            assert body["state"] == answer_for(previous)["state"]  # the state the last answer returned


def _two_calls(sim: Simulator, url: str) -> tuple[str, str]:
    assistant = sim.create_assistant(name="Alex", reasoning_mode="webhook", webhook_url=url, first_message="Hi.")
    ids = [sim.start_call(assistant["id"], number, caller=ScriptedCaller([say("hello"), say("bye")]))["id"]
           for number in ("+15551230001", "+15551230002")]
    return ids[0], ids[1]


def test_a_hanging_webhook_holds_no_other_call_before_its_answer_is_due():
    # A long modelled round trip (40 s): the other call's request goes out and is answered while
    # the hanging call's answer is not due yet; the engine must not wait for the receiver meanwhile.
    timings = Timings().with_overrides({"webhook_latency_ms": (40_000, 40_000), "hold_music_after_ms": 50_000,
                                        "webhook_timeout_ms": 60_000})
    with Receiver() as receiver, Simulator(seed=2, timings=timings) as sim:
        hanging, other = _two_calls(sim, receiver.url)
        receiver.hang.add(hanging)
        sim.run(until_ms=20_000)
        assert receiver.wait_hanging(1)
        sent = [e.t_ms for e in sim.events(hanging) if e.type == "reasoning_started"][0]
        sim.run(until_ms=sent + 39_999)
        assert receiver.hanging == 1  # still unanswered: nothing waited for it
        assert receiver.utterances(other, 1) == ["hello"]
        assert [e.type for e in sim.events(other)].count("reasoning_started") == 1
        assert "webhook_called" not in [e.type for e in sim.events(hanging)]
        receiver.release()
        sim.run()
        called = [e for e in sim.events(hanging) if e.type == "webhook_called"]
        assert sim.record(other).status == sim.record(hanging).status == "completed"
        assert [x["error"] for x in sim.exchanges(other)] == [None, None]
    assert called[0].t_ms == sent and called[0].error is None and called[0].duration_ms == 40_000


def test_the_in_flight_limit_is_honoured():
    # Round trips of 8 s virtual: the 12 calls' first requests (sent within the ring spread) overlap.
    timings = Timings().with_overrides({"webhook_latency_ms": (8_000, 8_000), "hold_music_after_ms": 9_000})
    with Receiver() as receiver:
        receiver.delay = lambda body: 0.05
        with Simulator(seed=4, timings=timings, webhook_in_flight=3) as sim:
            assistant = sim.create_assistant(name="Alex", reasoning_mode="webhook", webhook_url=receiver.url,
                                             first_message="Hi.")
            for n in range(12):
                sim.start_call(assistant["id"], f"+1555123{n:04d}", caller=ScriptedCaller([say("hello")]))
            sim.run()
        assert len(receiver.received) == 12
        assert receiver.max_active == 3


def test_a_dripping_answer_times_out_at_the_deadline():
    timings = Timings().with_overrides({"webhook_timeout_ms": 1_500})
    with Receiver() as receiver, Simulator(seed=6, timings=timings) as sim:
        hanging, other = _two_calls(sim, receiver.url)
        receiver.drip.add(hanging)
        sim.run()
        called = [e for e in sim.events(hanging) if e.type == "webhook_called"]
        completed = [e for e in sim.events(hanging) if e.type == "reasoning_completed"]
        assert [x["error"] for x in sim.exchanges(other)] == [None, None]
    assert [e.error for e in called] == ["timeout after 1500 ms"] * 2
    assert [e.duration_ms for e in called] == [1_500, 1_500]
    assert completed[0].t_ms - called[0].t_ms == 1_500  # the timeout is its virtual cost


@pytest.mark.parametrize("in_flight", [0, 10_001, True])
def test_an_in_flight_limit_out_of_range_is_refused(in_flight):
    with pytest.raises(ValueError, match="in-flight limit must be an integer from 1 to 10000"):
        Simulator(webhook_in_flight=in_flight)


def test_the_log_keeps_its_order_when_the_call_acts_before_the_answer_is_due():
    # The caller speaks again while the first answer is still in flight (a 5 s round trip): the
    # answer is collected first, so webhook_called stays right after reasoning_started.
    timings = Timings().with_overrides({"webhook_latency_ms": (5_000, 5_000), "hold_music_after_ms": 9_000})
    with Receiver() as receiver, Simulator(seed=9, timings=timings) as sim:
        assistant = sim.create_assistant(name="Alex", reasoning_mode="webhook", webhook_url=receiver.url,
                                         first_message="Hi.")
        cid = sim.start_call(assistant["id"], "+15551230001")["id"]
        sim.run(until_ms=15_000)
        sim.line(cid).say("first")
        sim.run(until_ms=sim.now_ms + 2_000)
        sim.line(cid).say("second")
        sim.run(until_ms=sim.now_ms + 20_000)
        kinds = [e.type for e in sim.events(cid)]
    first = kinds.index("reasoning_started")
    assert kinds[first:first + 3] == ["reasoning_started", "webhook_called", "user_speech"]
    assert kinds.count("webhook_called") == 2
