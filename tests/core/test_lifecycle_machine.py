"""A Hypothesis state machine over the engine and the lifecycle.

Random carrier outcomes, caller actions, webhook replies, MCP tool results (stubs from
`aployee_sim.strategies`), failures and delays, on a webhook and an MCP assistant; after every step
the invariants hold: status moves only along the table, terminal is terminal, virtual time never
goes backwards, log timestamps are ordered, user utterances reach the webhook once each and in
order (the webhook log is a prefix of what the caller said), an idle engine leaves no call live,
the record never contradicts its log, and MCP turns call only allow-listed tools, in virtual-time
order, with one `mcp_tool_called` event per tool call of a call that is still live.
"""

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from aployee_sim.api import Simulator
from aployee_sim.contract.events import to_json
from aployee_sim.contract.exchanges import McpExchange, WebhookExchange
from aployee_sim.contract.lifecycle import INITIATED, TERMINAL, TRANSITIONS
from aployee_sim.fakes.callers import ScriptedCaller, barge_in, expect, hang_up, press, say, silence, wait
from aployee_sim.strategies import mcp_assistants, mcp_tool_results

HOOK = "https://hooks.test/machine"
MCP = "https://mcp.test/mcp"
MCP_TOOLS = ("lookup", "book")
NUMBERS = ["+15551230000", "+15005550001", "+15005550002", "+15005550003", "+15005550004",
           "+15005550005", "+15005550006"]

stub_rules = st.lists(st.fixed_dictionaries({}, optional={
    "match": st.sampled_from(["a", "e", "stop", "x"]),
    "reply": st.sampled_from(["Sure.", "Goodbye now.", "Let me see."]),
    "update": st.dictionaries(st.sampled_from(["k", "j"]), st.integers(0, 3), max_size=2),
    "delay_ms": st.integers(0, 12_000),
    "fail": st.sampled_from(["timeout", "http_500", "bad_json", "connection_error", "oversized"]),
    "action": st.just("transfer"),
    "target": st.sampled_from(["+15557654321", "bogus"]),
}), max_size=3)
words = st.sampled_from(["hello", "stop it", "yes please", "what about my order", "a b c d e f g h", "x",
                         "refund 12 please", "a ticket and a callback"])
steps = st.lists(st.one_of(
    words.map(say), words.map(lambda w: barge_in(w, after_ms=200)), st.integers(0, 9000).map(wait),
    st.integers(0, 20_000).map(silence), st.sampled_from(["Sure", "e", "zzz"]).map(lambda p: expect(p, timeout_ms=5000)),
    st.sampled_from(["1", "#"]).map(press), st.just(hang_up()),
), max_size=6)


class CallMachine(RuleBasedStateMachine):
    calls = Bundle("calls")

    @initialize(seed=st.integers(0, 2**16), rules=stub_rules, end_phrase=st.booleans(),
                mcp=mcp_assistants(server_url=MCP, tools=MCP_TOOLS),
                tools=st.lists(mcp_tool_results(st.sampled_from(MCP_TOOLS)), max_size=4))
    def setup(self, seed, rules, end_phrase, mcp, tools):
        self.sim = Simulator(seed=seed)
        self.sim.route_webhook(HOOK, rules)
        self.sim.route_mcp(MCP, tools)
        self.assistants = [self.sim.create_assistant(
            name="M", reasoning_mode="webhook", webhook_url=HOOK, transfer_target="+15550001111",
            end_call_phrases=["goodbye"] if end_phrase else [])["id"], self.sim.create_assistant(mcp)["id"]]
        self.last_now = 0

    def teardown(self):
        self.sim.close()

    @rule(target=calls, number=st.sampled_from(NUMBERS), script=steps, state=st.dictionaries(
        st.sampled_from(["a", "b"]), st.integers(), max_size=2), which=st.sampled_from([0, 1]))
    def start(self, number, script, state, which):
        return self.sim.start_call(self.assistants[which], number, initial_state=state,
                                   caller=ScriptedCaller(script))["id"]

    @rule(ms=st.integers(0, 30_000))
    def advance(self, ms):
        self.sim.run(until_ms=self.sim.now_ms + ms)

    @rule(call=calls, text=words)
    def say(self, call, text):
        self.sim.line(call).say(text)

    @rule(call=calls)
    def hang_up(self, call):
        self.sim.line(call).hang_up()

    @rule(call=calls, keys=st.sampled_from(["1", "9#"]))
    def press(self, call, keys):
        self.sim.line(call).press(keys)

    @rule()
    def run_to_idle(self):
        self.sim.run()
        for process in self.sim.calls.values():
            assert process.record.status in TERMINAL, "idle engine left a call live"

    @invariant()
    def time_never_goes_backwards(self):
        assert self.sim.now_ms >= self.last_now
        self.last_now = self.sim.now_ms

    @invariant()
    def every_record_agrees_with_its_log(self):
        for process in self.sim.calls.values():
            record = process.record
            log = record.events
            assert all(a.t_ms <= b.t_ms for a, b in zip(log, log[1:], strict=False)), "log out of order"
            status = INITIATED
            for e in log:
                if e.type == "status_changed":
                    assert e.from_ == status and e.to in TRANSITIONS[status]
                    status = e.to
            assert status == record.status
            if record.status in TERMINAL:
                ends = [i for i, e in enumerate(log) if e.type == "call_ended"]
                assert ends == [len(log) - 1], "events after the end, or no single end"
                assert log[-1].t_ms == record.ended_ms and log[-1].status == record.status
            starts = [e.t_ms for e in log if e.type == "call_started"]
            assert starts == ([record.started_ms] if record.started_ms is not None else [])
            states = [e.state for e in log if e.type == "state_changed"]
            assert record.state == (states[-1] if states else record.initial_state)
            details = self.sim.call_details(record.id)
            speech = [e.content for e in log if e.type in ("user_speech", "assistant_speech")]
            assert [line["content"] for line in details["transcript"]] == speech
            assert (details["final_state"] is not None) == (record.status in TERMINAL)

    @invariant()
    def each_utterance_reaches_the_webhook_once_in_order(self):
        for process in self.sim.calls.values():
            utterances = [e.content for e in process.record.events if e.type == "user_speech"]
            webhooks = [x for x in process.exchanges if isinstance(x, WebhookExchange)]
            sent = [x.utterance for x in webhooks]
            assert sent == utterances[:len(sent)]
            sent_at = [x.sent_ms for x in process.exchanges]
            assert sent_at == sorted(sent_at)

    @invariant()
    def mcp_turns_call_allowed_tools_and_log_each_call(self):
        for process in self.sim.calls.values():
            tool_calls = [x for x in process.exchanges if isinstance(x, McpExchange)]
            assert {x.tool for x in tool_calls} <= set(MCP_TOOLS)
            events = [e for e in process.record.events if e.type == "mcp_tool_called"]
            noted = tool_calls[:len(events)]  # one event per finished call, at its end, in order
            assert [(e.t_ms, e.tool) for e in events] == [(x.sent_ms + x.latency_ms, x.tool) for x in noted]
            if process.record.status not in TERMINAL:
                assert all(x.sent_ms + x.latency_ms >= self.sim.now_ms for x in tool_calls[len(events):])
            assert all(("error" in to_json(e)) == (x.error is not None) for e, x in zip(events, tool_calls, strict=False))


CallMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=25, deadline=None,
                                         suppress_health_check=[HealthCheck.too_slow])
TestCallMachine = CallMachine.TestCase
