"""Property tests with the MCP strategies: every generated assistant is accepted, and whatever the
tools answer, a failed tool call leaves the state unchanged and the call ends normally."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from aployee_sim.api import Simulator
from aployee_sim.fakes.callers import ScriptedCaller, hang_up, say
from aployee_sim.strategies import mcp_assistants, mcp_tool_results

URL = "https://mcp.test/mcp"


@settings(max_examples=40, deadline=None)
@given(body=mcp_assistants(server_url=URL), stubs=st.lists(mcp_tool_results(st.sampled_from(["lookup", "book"])),
                                                           min_size=1, max_size=3))
def test_generated_assistants_run_and_failures_change_nothing(body, stubs):
    with Simulator(seed=3) as sim:
        sim.route_mcp(URL, stubs)
        created = sim.create_assistant(body)
        assert created["mcp_config"] == body["mcp_config"]
        call = sim.start_call(created["id"], "+15551234567", initial_state={"seed": 1}, caller=ScriptedCaller(
            [say("order 7 please"), say("a ticket and a callback"), say("bye"), hang_up()]))["id"]
        sim.run()
        assert sim.call_details(call)["status"] == "completed"
        changes = [e.state for e in sim.events(call) if e.type == "state_changed"]
        exchanges = sim.exchanges(call)
        if all(x["error"] for x in exchanges):
            assert all(state == {"seed": 1} for state in changes)
        events = [e for e in sim.timeline(call)["events"] if e["type"] == "mcp_tool_called"]
        assert [e["tool"] for e in events] == [x["tool"] for x in exchanges]
