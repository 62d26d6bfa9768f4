"""`Simulator`: the Python API. The platform core wired to the fake world and real HTTP webhooks.

This is a composition module (it may import `fakes/`): the carrier, the far-end callers and
the transfer party default to the fakes, webhook URLs without an in-process route go out over
real HTTP.

    sim = Simulator(seed=7)
    asst = sim.create_assistant(name="Alex", reasoning_mode="webhook", webhook_url="https://hooks.test/r")
    sim.route_webhook("https://hooks.test/r", lambda req: {"reply": "Sure.", "state": req["state"]})
    call = sim.start_call(asst["id"], "+15551234567", caller=ScriptedCaller([say("Hi"), hang_up()]))
    sim.run()
    sim.call_details(call["id"])
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from aployee_sim.adapters.mcp_client import McpClientPool, is_sdk_server
from aployee_sim.adapters.outside_loop import AroundWait, OutsideLoop
from aployee_sim.adapters.webhook_http import HttpWebhookTransport
from aployee_sim.config_file import load_config
from aployee_sim.core.reasoning import DEFAULT_IN_FLIGHT
from aployee_sim.core.timings import Timings
from aployee_sim.core.transfers import DEFAULT_TRANSFER_PHRASES
from aployee_sim.fakes.callers import LiveCaller
from aployee_sim.fakes.carrier import FakeCarrier
from aployee_sim.fakes.transfer import FakeTransferParty
from aployee_sim.platform.platform import Platform


class Simulator(Platform):
    def __init__(self, seed: int = 0, *, start: datetime | str | None = None, timings: Timings | None = None,
                 carrier: Any = None, transfer_party: Any = None, webhook_transport: Any = None,
                 transfer_phrases: Any = DEFAULT_TRANSFER_PHRASES, directory: Any = None,
                 webhook_in_flight: int = DEFAULT_IN_FLIGHT, outside: OutsideLoop | None = None) -> None:
        """`directory`: organizations, phone numbers and routing (a YAML path or a mapping of the
        same shape, see aployee_sim.platform.directory and aployee_sim.config_file); more can be added later
        through `self.directory`.
        `webhook_in_flight`: real webhook requests in flight at once across calls (pipelined delivery;
        1 sends and awaits each one when it is due). Records do not depend on it.
        `outside`: the loop for outside I/O (webhooks, MCP sessions) to share with other simulators
        (`aployee-sim run --jobs`); left running by `close`. Without it the simulator makes its own."""
        timings = timings or Timings()
        self.carrier = carrier or FakeCarrier(timings)
        self.transfer_party = transfer_party or FakeTransferParty(timings)
        # One background loop for all outside-world I/O: webhook requests and MCP sessions.
        self._owns_outside = outside is None
        self._outside = outside if outside is not None else OutsideLoop()
        self._http = webhook_transport or HttpWebhookTransport(in_flight=webhook_in_flight, outside=self._outside)
        super().__init__(carrier=self.carrier, default_caller=lambda record: LiveCaller(), seed=seed, start=start,
                         timings=timings, webhook_transport=self._http, transfer_party=self.transfer_party,
                         transfer_phrases=transfer_phrases)
        self._mcp_client = McpClientPool(loop=self._outside)
        self.mcp.router.fallback = self._mcp_client
        if isinstance(directory, str | os.PathLike):
            load_config(self.directory, directory)
        elif directory is not None:
            self.directory.update(directory)

    def route_mcp(self, url: str, tools: Any) -> None:
        """Serve the MCP server at `url` in-process: an SDK server object (`MCPServer`, no socket),
        declarative tool stubs (a list of dicts), or any tool port (docs/mcp.md)."""
        if is_sdk_server(tools):
            self._mcp_client.route(url, tools)
            tools = self._mcp_client
        super().route_mcp(url, tools)

    def around_outside_waits(self, around: AroundWait | None) -> None:
        """Run every wait on the outside world (a due webhook answer, an MCP tool call) inside
        `around(wait)`: for a host that runs the engine on its own thread under its own lock, like
        the server (`ServerThread`), which releases its lock there. A `webhook_transport` given to
        the constructor waits on its own loop, outside this."""
        self._outside.around_waits(around)

    def close(self) -> None:
        self._mcp_client.close()
        close = getattr(self._http, "close", None)
        if close is not None:
            close()
        if self._owns_outside:
            self._outside.close()

    def __enter__(self) -> Simulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
