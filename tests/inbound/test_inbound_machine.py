"""A Hypothesis state machine over inbound calls, IVR menus and transfers (a sibling of the core
lifecycle machine in tests/core/test_lifecycle_machine.py).

Random arrival times, time zones and windows, caller scripts (keys, option words, requests for a
person, escalation keywords, hang-ups), webhook answers (replies, failures, valid, foreign and
bogus transfer targets) and receiving-party behaviours; after every step: statuses move only
along the table and the record agrees with its log; only the routed number's calls exist; the
front desk never lets reasoning run; at most one transfer rings at a time; a call is
`transferred` exactly when its last transfer was accepted; warm hand-offs carry context, cold
ones none; `assistant_id` follows the routing.
"""

from datetime import UTC, datetime

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from aployee_sim.api import Simulator
from aployee_sim.contract.errors import ApiError
from aployee_sim.contract.events import to_json
from aployee_sim.contract.lifecycle import INITIATED, TERMINAL, TRANSITIONS
from aployee_sim.fakes.callers import ScriptedCaller, expect, hang_up, press, say, wait

HOOK = "https://hooks.test/inbound-machine"
ROUTED, DIRECT, UNPROVISIONED = "+15550100", "+15550101", "+15550999"
AGENT, FOREIGN = "+15550001111", "+442079460000"
CALLER = "+15559870000"

words = st.sampled_from(["sales", "support", "operator", "billing", "back", "two", "pizza", "hello there",
                         "transfer me to a human", "I want a refund", "fine thanks"])
steps = st.lists(st.one_of(
    words.map(say), words.map(say), st.sampled_from("0129#7").map(press), st.integers(0, 8000).map(wait),
    st.sampled_from(["press", "speaking", "couldn't"]).map(lambda p: expect(p, timeout_ms=6000)), st.just(hang_up()),
), max_size=6)
stub_rules = st.lists(st.fixed_dictionaries({}, optional={
    "match": st.sampled_from(["hello", "fine", "e"]),
    "reply": st.sampled_from(["Sure.", "Let me see."]),
    "fail": st.sampled_from(["http_500", "timeout"]),
    "delay_ms": st.integers(0, 4000),
    "action": st.just("transfer"),
    "target": st.sampled_from([AGENT, FOREIGN, "bogus"]),
}), max_size=3)
behaviour = st.lists(st.sampled_from(["accept", "decline", "no_answer"]), min_size=1, max_size=3)


class InboundMachine(RuleBasedStateMachine):
    calls = Bundle("calls")

    @initialize(seed=st.integers(0, 2**16), day=st.integers(0, 365), hour=st.integers(0, 23), rules=stub_rules,
                zone=st.sampled_from(["America/New_York", "Europe/London", "Asia/Kolkata"]),
                window=st.tuples(st.integers(0, 23), st.integers(1, 24)).filter(lambda w: w[0] != w[1]),
                warm=st.booleans(), agent=behaviour, forward=behaviour)
    def setup(self, seed, day, hour, rules, zone, window, warm, agent, forward):
        start = datetime(2024, 1, 1, hour, tzinfo=UTC).timestamp() + day * 86400
        self.sim = Simulator(seed=seed, start=datetime.fromtimestamp(start, UTC))
        self.sim.route_webhook(HOOK, rules)
        self.sim.create_assistant(name="Desk", reasoning_mode="webhook", webhook_url=HOOK, transfer_target=AGENT,
                                  transfer_allowlist=["+1555*"], warm_transfer=warm, first_message="Desk speaking.",
                                  escalation=[{"keywords": ["refund"]}, {"webhook_failures": 2}])
        self.sim.create_assistant(name="Sales", telephony="inbound", first_message="Sales speaking.")
        self.sim.transfer_party.script(AGENT, agent)
        self.sim.transfer_party.script("+15550199", forward)
        self.sim.directory.update({
            "menus": {
                "main": {"prompt": "Press 1 for sales, 2 for support, 0 for the operator.", "attempts": 2,
                         "timeout_seconds": 3, "options": [
                             {"digit": "1", "words": ["sales"], "assistant": "Sales"},
                             {"digit": "2", "words": ["support"], "menu": "support"},
                             {"digit": "0", "words": ["operator"], "forward": "+15550199"}]},
                "support": {"prompt": "Press 1 for billing or 9 to go back.", "on_failure": {"assistant": "Desk"},
                            "options": [{"digit": "1", "words": ["billing"], "assistant": "Desk"},
                                        {"digit": "9", "words": ["back"], "menu": "main"}]},
            },
            "routing": {"hours": {"timezone": zone, "default": {"assistant": "Desk"}, "rules": [
                {"days": "mon-fri", "from": f"{window[0]:02d}:00", "to": f"{window[1]:02d}:00", "menu": "main"}]}},
            "phone_numbers": [{"number": ROUTED, "assistant": "Desk", "routing": "hours"},
                              {"number": DIRECT, "assistant": "Desk"}],
        })
        self.created: dict[str, str] = {}
        self.last_now = 0

    def teardown(self):
        self.sim.close()

    @rule(target=calls, number=st.sampled_from([ROUTED, DIRECT, DIRECT]), script=steps, then_ms=st.integers(0, 90_000))
    def arrive(self, number, script, then_ms):
        created = self.sim.place_inbound(CALLER, number, caller=ScriptedCaller(script))
        self.created[created["id"]] = created["assistant_id"]
        self.sim.run(until_ms=self.sim.now_ms + then_ms)
        return created["id"]

    @rule()
    def unprovisioned(self):
        before = len(self.sim.calls)
        try:
            self.sim.place_inbound(CALLER, UNPROVISIONED)
        except ApiError as exc:
            assert exc.status == 404 and exc.details == {"field": "to"}
        else:
            raise AssertionError("an unprovisioned number was answered")
        assert len(self.sim.calls) == before

    @rule(ms=st.integers(0, 20_000))
    def advance(self, ms):
        self.sim.run(until_ms=self.sim.now_ms + ms)

    @rule(call=calls, text=words)
    def speak(self, call, text):
        self.sim.line(call).say(text)

    @rule(call=calls, keys=st.sampled_from(["1", "2", "0", "9#", "5"]))
    def press(self, call, keys):
        self.sim.line(call).press(keys)

    @rule(call=calls)
    def hang_up(self, call):
        self.sim.line(call).hang_up()

    @rule()
    def run_to_idle(self):
        self.sim.run()
        assert all(p.record.status in TERMINAL for p in self.sim.calls.values()), "idle engine left a call live"

    @invariant()
    def time_never_goes_backwards(self):
        assert self.sim.now_ms >= self.last_now
        self.last_now = self.sim.now_ms

    @invariant()
    def records_agree_with_their_logs(self):
        for process in self.sim.calls.values():
            record, log = process.record, process.record.events
            assert record.direction == "inbound" and record.to in (ROUTED, DIRECT) and record.from_ == CALLER
            assert all(a.t_ms <= b.t_ms for a, b in zip(log, log[1:], strict=False)), "log out of order"
            status = INITIATED
            for e in log:
                if e.type == "status_changed":
                    assert e.to in TRANSITIONS[status]
                    status = e.to
            assert status == record.status
            if record.status in TERMINAL:
                assert [e.type for e in log].count("call_ended") == 1 and log[-1].type == "call_ended"
            routed = [e.assistant_id for e in log if e.type == "routed"]
            assert record.assistant_id == (routed[-1] if routed else self.created[record.id])

    @invariant()
    def the_front_desk_never_lets_reasoning_run(self):
        for process in self.sim.calls.values():
            log = process.record.events
            greeted = next((i for i, e in enumerate(log) if e.type == "assistant_speech" and "source" not in to_json(e)), None)
            if greeted is None:
                assert not any(e.type == "reasoning_started" for e in log)
            else:
                assert not any(e.type == "reasoning_started" for e in log[:greeted])
                assert not any(e.type == "platform_prompt" for e in log[greeted:])

    @invariant()
    def transfers_ring_one_at_a_time_and_decide_the_ending(self):
        for process in self.sim.calls.values():
            record, ringing, last_result = process.record, False, None
            for kind, data in [(e.type, to_json(e)) for e in process.record.events]:
                if kind == "transfer_initiated":
                    assert not ringing, "a second transfer started while one was ringing"
                    ringing = True
                    assert ("context" in data) == data["warm"]
                    assert data["warm"] == (data["trigger"] != "routing" and process.assistant.warm_transfer)
                    assert data["target"] != FOREIGN
                elif kind == "transfer_result":
                    assert ringing
                    ringing, last_result = False, data["result"]
            assert (record.status == "transferred") == (last_result == "accept")


InboundMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=20, deadline=None,
                                            suppress_health_check=[HealthCheck.too_slow])
TestInboundMachine = InboundMachine.TestCase
