"""One call: conversation with state changes, timeline, webhook exchanges, summary; export."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static, TabbedContent, TabPane

from aployee_sim.terminal_text import in_markup, printable, shown
from aployee_sim.tui import call_text, export
from aployee_sim.tui.model import CallData
from aployee_sim.tui.screens.common import background
from aployee_sim.tui.sources import CallSource

TABS = ("conversation", "timeline", "webhooks", "summary")


class CallScreen(Screen):
    BINDINGS = [
        Binding("escape,backspace", "back", "Back"),
        Binding("1", "tab('conversation')", "Talk", show=False),
        Binding("2", "tab('timeline')", "Timeline", show=False),
        Binding("3", "tab('webhooks')", "Webhooks", show=False),
        Binding("4", "tab('summary')", "Summary", show=False),
        Binding("j", "export_json", "JSON"),
        Binding("y", "export_scenario", "Scenario"),
    ]

    def __init__(self, source: CallSource, call_id: str, *, threaded: bool, export_dir: Path,
                 poll_seconds: float | None, run_id: str = "") -> None:
        super().__init__()
        self.source = source
        self.call_id = call_id
        self.run_id = run_id
        self.threaded = threaded
        self.export_dir = export_dir
        self.poll_seconds = poll_seconds
        self.data: CallData | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="callbar")
        with TabbedContent(id="tabs", initial="conversation"):
            with TabPane("1 Conversation", id="conversation"), VerticalScroll():
                yield Static("loading…", id="conversation-text")
            with TabPane("2 Timeline", id="timeline"):
                table: DataTable = DataTable(id="timeline-table", cursor_type="row", zebra_stripes=True)
                table.add_columns(*call_text.TIMELINE_COLUMNS)
                yield table
            with TabPane("3 Webhooks", id="webhooks"), VerticalScroll():
                yield Static(id="webhooks-text")
            with TabPane("4 Summary", id="summary"), VerticalScroll():
                yield Static(id="summary-text")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "aployee-sim"
        self.sub_title = printable(f"{self.call_id} (run {self.run_id})" if self.run_id else self.call_id,
                                   multiline=False)
        self._focus_pane("conversation")
        self.reload()
        if self.poll_seconds:
            self.set_interval(self.poll_seconds, self._poll)

    def _poll(self) -> None:
        if self.is_current and (self.data is None or self.data.details.get("ended_at") is None):
            self.reload()

    def reload(self) -> None:
        background(self, lambda: self.source.call_data(self.call_id, self.run_id), self.show, self._failed,
                   threaded=self.threaded, group="call")

    def _failed(self, message: str) -> None:
        self.query_one("#callbar", Static).update(f"[b red]{in_markup(message)}[/]")

    def show(self, data: CallData) -> None:
        self.data = data
        details = data.details
        status = details["status"]
        style = call_text.STATUS_STYLES.get(status, "")
        self.query_one("#callbar", Static).update(
            f"[{style}]{in_markup(status)}[/]  {data.direction or ''} {in_markup(details['to'])}  "
            f"{in_markup(data.assistant_name or details['assistant_id'])}  {len(data.transcript)} lines  "
            f"{len(data.exchanges)} webhooks")
        self.query_one("#conversation-text", Static).update(shown(call_text.conversation_text(data)))
        self.query_one("#webhooks-text", Static).update(shown(call_text.exchanges_text(data)))
        self.query_one("#summary-text", Static).update(shown(call_text.summary_text(data)))
        table = self.query_one("#timeline-table", DataTable)
        row = table.cursor_row
        table.clear()
        table.add_rows([tuple(shown(cell, multiline=False) for cell in cells) for cells in call_text.timeline_rows(data)])
        if row < table.row_count:
            table.move_cursor(row=row)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_tab(self, tab: str) -> None:
        self.query_one("#tabs", TabbedContent).active = tab
        self._focus_pane(tab)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._focus_pane(event.pane.id)

    def _focus_pane(self, tab: str | None) -> None:
        """Arrow keys and page up/down scroll the pane in view (a click on a tab lands here too)."""
        if tab is not None:
            self.query_one(f"#{tab} > *").focus()

    def _export(self, write, what: str) -> None:
        if self.data is None:
            return
        try:
            self.export_dir.mkdir(parents=True, exist_ok=True)
            path = write(self.data)
        except OSError as exc:
            self.notify(f"cannot write the {what}: {exc.strerror or exc}", severity="error")
            return
        self.notify(f"{what} written to {path}", title="Exported")

    def action_export_json(self) -> None:
        self._export(lambda data: export.write_json(data, self.export_dir), "JSON")

    def action_export_scenario(self) -> None:
        self._export(lambda data: export.write_scenario(data, self.export_dir), "scenario")
