"""Calls of an in-process `Platform` (or `Simulator`): exact data, no I/O."""

from __future__ import annotations

from typing import Any

from aployee_sim.platform.platform import Platform
from aployee_sim.platform.world import builtin_script
from aployee_sim.tui.model import CallData, CallRow, EventRow
from aployee_sim.tui.sources import api_errors


class PlatformSource:
    def __init__(self, platform: Platform, label: str = "in-process simulator") -> None:
        self.platform = platform
        self.label = label

    def revision(self) -> Any:
        platform = self.platform
        return len(platform.calls), platform.now_ms, len(platform.active)

    def assistant_names(self) -> dict[str, str]:
        return {a.id: a.name for a in self.platform.assistants.values()}

    def call_rows(self) -> list[CallRow]:
        names = self.assistant_names()
        now = self.platform.now_ms
        rows = []
        for process in self.platform.calls.values():
            record = process.record
            rows.append(CallRow(
                id=record.id, status=record.status, direction=record.direction,
                assistant_id=record.assistant_id, assistant_name=names.get(record.assistant_id, ""),
                to=record.to, from_=record.from_, created_at=self.platform.clock.iso_seconds(record.created_ms),
                duration_seconds=record.duration_seconds(now) if record.started_ms is not None else None,
                turns=len(record.dialogue),
            ))
        rows.reverse()  # calls are kept in creation order; the list shows newest first
        return rows

    def call_data(self, call_id: str, run_id: str = "") -> CallData:
        platform = self.platform
        with api_errors():
            record = platform.record(call_id)
        clock = platform.clock
        return CallData(
            details=platform.call_details(call_id),
            direction=record.direction,
            assistant_name=self.assistant_names().get(record.assistant_id, ""),
            transcript=platform.transcript(call_id)["transcript"],
            events=[EventRow.logged(e, record.created_ms, clock) for e in record.events],
            exchanges=platform.exchanges(call_id),
            latency=platform.latency(call_id),
            end_reason=record.end_reason,
            initial_state=dict(record.initial_state),
            assistant=self._assistant_config(record.assistant_id),
            assistants={aid: config for aid in platform.assistants if (config := self._assistant_config(aid))},
            directory=platform.directory.routing_config(),
            in_process_webhooks={*platform.router.routes, *platform.mcp.router.routes},
            timings=platform.timings.overrides(),
        )

    def _assistant_config(self, assistant_id: str) -> dict[str, Any] | None:
        """The assistant resource plus its built-in brain's script (simulator-only, for scenario export)."""
        platform = self.platform
        if assistant_id not in platform.assistants:
            return None
        config = platform.get_assistant(assistant_id)
        script = builtin_script(platform.brains.get(assistant_id))  # (an MCP assistant's backend has no intents)
        return {**config, **script} if script else config

    def close(self) -> None:
        pass

