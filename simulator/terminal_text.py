"""Text from outside made safe to show on a terminal: the one place that neutralises control
characters and markup (docs/contract.md §7, "Text shown on a terminal").

A webhook reply, a tool result, caller text, an assistant's name or an error message can hold
escape sequences: shown raw they set the terminal's title (OSC 0), write its clipboard (OSC 52),
clear the screen (CSI 2J) or move the cursor back over earlier lines (CR, CSI K). Every front end
that prints such text (`run`'s failures, progress and table, `trigger`, the TUI) passes it through
`printable` (plain output), `shown` (Rich/Textual widgets, where `[red]` would also be markup) or
`in_markup` (a value inside our own markup).

Each control character becomes one visible character (C0 and DEL their Unicode control picture,
ESC as `␛`; C1 and the bidirectional overrides `�`), so the length of a text never changes: a
Rich `Text` keeps its styles at the same offsets, and columns stay aligned.
"""

from __future__ import annotations

from rich.markup import escape
from rich.text import Text

_PICTURES = 0x2400  # U+2400 CONTROL PICTURES: "␀" is the picture of 0x00, "␛" of 0x1b
_REPLACEMENT = "\ufffd"
# Bidirectional embeddings, overrides and isolates reorder what follows them on screen.
_BIDI = (*range(0x202A, 0x202F), *range(0x2066, 0x206A))


def _table(keep: str) -> dict[int, str]:
    table = {code: chr(_PICTURES + code) for code in range(0x20) if chr(code) not in keep}
    table[0x7F] = "\u2421"  # ␡
    table.update({code: _REPLACEMENT for code in (*range(0x80, 0xA0), *_BIDI)})
    return table


_LINES = _table("\n\t")  # a report keeps its line breaks and tabs
_ONE_LINE = _table("")   # a cell, a title, a progress line: nothing may break or move the line


def printable(text: str, *, multiline: bool = True) -> str:
    """`text` with every control character replaced by a visible one of the same length; with
    `multiline` newlines and tabs stay."""
    return text.translate(_LINES if multiline else _ONE_LINE)


def shown(value: str | Text, *, multiline: bool = True, style: str = "") -> Text:
    """A widget's content: a string as plain Rich `Text` in `style` (never parsed as markup), a
    `Text` with its characters made printable and its styles kept."""
    if isinstance(value, str):
        return Text(printable(value, multiline=multiline), style=style)
    safe = value.copy()
    safe.plain = printable(value.plain, multiline=multiline)
    return safe


def in_markup(text: str) -> str:
    """`text` to place inside Rich/Textual markup (`f"[b red]{in_markup(message)}[/]"`): printable,
    on one line, and its `[` escaped so that it is shown, never read as a tag."""
    return escape(printable(text, multiline=False))
