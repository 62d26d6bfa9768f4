"""The calls list: a paged DataTable with status, assistant and text filters and a sort."""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from aployee_sim.terminal_text import in_markup, printable, shown
from aployee_sim.tui import rows as vm
from aployee_sim.tui.model import CallRow
from aployee_sim.tui.screens.common import OpenCall, StartRolePlay, background
from aployee_sim.tui.sources import CallSource


class CallsScreen(Screen):
    BINDINGS = [
        Binding("enter", "open", "Open", show=False),
        Binding("slash", "search", "Search"),
        Binding("s", "status", "Status"),
        Binding("a", "assistant", "Assistant"),
        Binding("u", "run", "Run", show=False),
        Binding("o", "sort", "Sort"),
        Binding("r", "reverse", "Reverse", show=False),
        Binding("right_square_bracket", "page(1)", "Next page", show=False),
        Binding("left_square_bracket", "page(-1)", "Prev page", show=False),
        Binding("c", "clear", "Clear", show=False),
        Binding("p", "roleplay", "Role-play"),
        Binding("l", "attach", "Attach", show=False),
    ]

    def __init__(self, source: CallSource, *, threaded: bool, poll_seconds: float | None) -> None:
        super().__init__()
        self.source = source
        self.threaded = threaded
        self.poll_seconds = poll_seconds
        self.filter = vm.CallFilter()
        self.all_rows: list[CallRow] = []
        self.names: dict[str, str] = {}
        self.page = 0
        self.shown: list[CallRow] = []
        self.with_runs = False       # a Run column and filter, once rows come from scenario runs
        self._revision: object = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="filters")
        yield Input(placeholder="search: call id, number, assistant, status — esc to leave", id="search")
        table: DataTable = DataTable(id="calls", cursor_type="row", zebra_stripes=True)
        table.add_columns(*vm.COLUMNS)
        yield table
        yield Static("loading…", id="message")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "aployee-sim"
        self.sub_title = printable(f"calls — {self.source.label}", multiline=False)
        self.query_one("#search").display = False
        self.query_one("#calls").focus()
        self.reload()
        if self.poll_seconds:
            self.set_interval(self.poll_seconds, self.poll)

    # --- data --------------------------------------------------------------------------------
    def reload(self) -> None:
        def fetch():
            return self.source.revision(), self.source.call_rows(), self.source.assistant_names()

        background(self, fetch, self._loaded, self._failed, threaded=self.threaded, group="calls")

    def poll(self) -> None:
        if not self.is_current:  # another screen is on top: catch up when it is shown again
            return

        def changed():
            return self.source.revision()

        def maybe_reload(revision: object) -> None:
            if revision != self._revision:
                self.reload()

        background(self, changed, maybe_reload, self._failed, threaded=self.threaded, group="poll")

    def on_screen_resume(self) -> None:
        self.poll()

    def _loaded(self, result: tuple[object, list[CallRow], dict[str, str]]) -> None:
        self._revision, self.all_rows, self.names = result
        self.refresh_table()

    def _failed(self, message: str) -> None:
        self.query_one("#message", Static).update(f"[b red]{in_markup(message)}[/]")

    def refresh_table(self) -> None:
        table = self.query_one("#calls", DataTable)
        selected = self.selected_row()
        with_runs = any(r.run_id for r in self.all_rows)
        if with_runs != self.with_runs:
            self.with_runs = with_runs
            table.clear(columns=True)
            table.add_columns(*vm.columns(with_runs))
        matching = vm.apply_filter(self.all_rows, self.filter)
        self.shown, self.page, pages = vm.page_of(matching, self.page)
        table.clear()
        for row in self.shown:
            table.add_row(*(shown(cell, multiline=False) for cell in vm.row_cells(row, with_runs)), key=row.key)
        if selected is not None and selected.key in table.rows:
            table.move_cursor(row=table.get_row_index(selected.key))
        self.query_one("#filters", Static).update(shown(self.filter.describe(self.names, runs=with_runs),
                                                        multiline=False))
        counted = f"{len(matching)} of {len(self.all_rows)} calls"
        if pages > 1:
            counted += f" — page {self.page + 1}/{pages} (] next, [ previous)"
        self.query_one("#message", Static).update(counted if self.all_rows else
                                                  "No calls yet. Press p to role-play one.")

    def selected_row(self) -> CallRow | None:
        table = self.query_one("#calls", DataTable)
        if not self.shown or table.cursor_row >= len(self.shown):
            return None
        return self.shown[table.cursor_row]

    def selected_id(self) -> str | None:
        row = self.selected_row()
        return None if row is None else row.id

    def _open(self, row: CallRow | None) -> None:
        if row is not None:
            self.post_message(OpenCall(row.id, row.run_id))

    # --- actions -----------------------------------------------------------------------------
    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self._open(next((r for r in self.shown if r.key == event.row_key.value), None))

    def action_open(self) -> None:
        self._open(self.selected_row())

    def action_search(self) -> None:
        box = self.query_one("#search", Input)
        box.display = True
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.filter = replace(self.filter, text=event.value)
        self.page = 0
        self.refresh_table()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#calls", DataTable).focus()

    def key_escape(self) -> None:
        box = self.query_one("#search", Input)
        if box.has_focus:
            box.display = bool(box.value)
            self.query_one("#calls", DataTable).focus()

    def _set_filter(self, flt: vm.CallFilter) -> None:
        self.filter = flt
        self.page = 0
        self.refresh_table()

    def action_status(self) -> None:
        self._set_filter(self.filter.cycle_status())

    def action_assistant(self) -> None:
        self._set_filter(self.filter.cycle_assistant(sorted(self.names, key=lambda i: (self.names[i], i))))

    def action_run(self) -> None:
        if self.with_runs:
            self._set_filter(self.filter.cycle_run(vm.run_ids(self.all_rows)))

    def action_sort(self) -> None:
        self._set_filter(self.filter.cycle_sort())

    def action_reverse(self) -> None:
        self._set_filter(replace(self.filter, descending=not self.filter.descending))

    def action_clear(self) -> None:
        box = self.query_one("#search", Input)
        box.value = ""
        box.display = False
        self._set_filter(vm.CallFilter())

    def action_page(self, step: int) -> None:
        self.page += step
        self.refresh_table()

    def action_roleplay(self) -> None:
        self.post_message(StartRolePlay())

    def action_attach(self) -> None:
        call_id = self.selected_id()
        if call_id is not None:
            self.post_message(StartRolePlay(call_id))
