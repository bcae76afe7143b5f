"""How the tasks screen shows a view: the bar of views with their counts, and the
table of its tasks (a page at a time) or of the suggested follow-ups.

Rows are loaded PAGE_SIZE at a time, more when the cursor nears the end, into a
table of fixed column widths (nothing to measure): the views of 20,000 tasks switch
in milliseconds. What a view holds comes from `services.tasks` (the board).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rich.text import Text
from textual import events
from textual.widgets import DataTable

from citeslab_tui.domain.text import format_int
from citeslab_tui.services import tasks as task_service
from citeslab_tui.ui.widgets.tables import FixedTable

SUGGESTIONS = "suggestions"
VIEW_ORDER = (*task_service.VIEWS, SUGGESTIONS)
VIEW_LABELS = {**task_service.VIEW_LABELS, SUGGESTIONS: "Suggestions"}
PAGE_SIZE = 30  # a DataTable measures every cell it is given: keep pages small
LOAD_MORE_MARGIN = 12

# (title, width) of each column, the one space between columns included (no cell
# padding): the task's title takes the rest of the width and ends with "…" when cut
# (it is whole in the detail line under the table); site and staff member show there too.
TASK_COLUMNS = (
    ("État", 13),  # "dans 12 jours", "⚠ en retard"
    ("Échéance", 11),
    ("Heure", 6),
    ("Type", 12),  # TaskKind labels, whole (the one name of each type)
    ("Personne", 15),
    ("Tâche", 0),
)
MIN_REST = 12  # the last column never narrower than this
SUGGESTION_COLUMNS = (("Pour le", 11), ("Personne", 20), ("Proposition", 0))


def fitted(columns: Sequence[tuple[str, int]], width: int) -> list[tuple[str, int]]:
    """The columns for a table `width` wide (its scrollbar included): the last one
    takes what is left."""
    used = sum(w for _title, w in columns[:-1])
    rest = max(MIN_REST, width - 1 - used)  # one column for the vertical scrollbar
    return [*columns[:-1], (columns[-1][0], rest)]


def fit(text: Text, width: int) -> Text:
    """A cell cut to its column, "…" at the end when cut, one blank column after it."""
    text.no_wrap = True
    text.truncate(max(1, width - 1), overflow="ellipsis")
    return text


def short_status(label: str) -> str:
    """A status that fits the État column: "dans 120 jours" -> "dans 120 j",
    "faite le 12/11/2026" -> "faite 12/11" (the detail line says it whole)."""
    if label.startswith("faite le "):
        return "faite " + label.removeprefix("faite le ")[:5]
    if len(label) >= TASK_COLUMNS[0][1] and label.endswith(" jours"):
        return label.removesuffix("ours")
    return label


SHORT_VIEW_LABELS = {task_service.OVERDUE: "Retard", task_service.WEEK: "Semaine"}


def _view_parts(counts: dict[str, int], current: str, *, short: bool) -> list[tuple[str, str]]:
    parts: list[tuple[str, str]] = []
    for view in VIEW_ORDER:
        label = (SHORT_VIEW_LABELS.get(view) if short else None) or VIEW_LABELS[view]
        if view != SUGGESTIONS:
            label += f" {format_int(counts[view])}"
        if view == task_service.OVERDUE and counts[view]:
            label = "⚠ " + label
        style = "reverse bold" if view == current else ""
        if view == task_service.OVERDUE and counts[view] and view != current:
            style = "bold red"
        parts.append((label, style))
    return parts


def views_bar(counts: dict[str, int], current: str, width: int) -> Text:
    """The views with their counts on one line, the current one highlighted: shorter
    names, then no padding, when the full ones do not fit the width."""
    for short, padded in ((False, True), (True, True), (True, False)):
        parts = _view_parts(counts, current, short=short)
        pad = " " if padded else ""
        length = sum(len(label) + 2 * len(pad) + 1 for label, _style in parts)
        if length <= width or not padded and short:
            break
    bar = Text(no_wrap=True, overflow="ellipsis")
    for label, style in parts:
        bar.append(f"{pad}{label}{pad}", style=style)
        bar.append("│", style="dim")
    return bar


def task_cells(row: task_service.TaskRow, widths: Sequence[int]) -> list[Text]:
    warn = "bold red" if row.overdue else ""
    dim = "dim" if row.done else ""
    cells = [
        Text(short_status(row.status_label), style=warn or dim),
        Text(f"{row.due:%d/%m/%Y}", style=warn),
        Text(row.time or ""),
        Text(row.task_kind.label),
        Text(row.person_name),
        Text(row.title, style=dim),
    ]
    return [fit(cell, width) for cell, width in zip(cells, widths, strict=True)]


class TaskTable(FixedTable):
    """The rows of one view: its tasks (paged), or the suggestions."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id, cursor_type="row", zebra_stripes=True, cell_padding=0)
        self.board: task_service.TaskBoard | None = None
        self.today: date | None = None
        self.ids: list[str] = []  # the tasks of the view, in order
        self.loaded = 0  # how many of them are rows
        self.suggestions: dict[str, task_service.Suggestion] = {}
        self.columns_for: tuple[str, int] | None = None
        self.widths: list[int] = []

    def _set_columns(self, kind: str) -> None:
        """The columns of `kind` sized to the screen's width (kept while it is the same)."""
        width = self.app.size.width or 80
        if self.columns_for == (kind, width):
            self.clear()
            return
        self.clear(columns=True)
        columns = fitted(SUGGESTION_COLUMNS if kind == SUGGESTIONS else TASK_COLUMNS, width)
        for label, column_width in columns:
            self.add_column(Text(label), width=column_width)
        self.widths = [w for _label, w in columns]
        self.columns_for = (kind, width)

    def show_tasks(self, board: task_service.TaskBoard, ids: list[str], today: date) -> None:
        """The first page of these tasks (in this order)."""
        self._set_columns("tasks")
        self.board, self.today, self.ids, self.loaded = board, today, ids, 0
        self.suggestions = {}
        self.load_more()

    def load_more(self) -> None:
        if self.board is None or self.today is None:
            return
        chunk = self.ids[self.loaded : self.loaded + PAGE_SIZE]
        self.loaded += len(chunk)
        for row in self.board.rows(chunk, self.today):
            self.add_row(*task_cells(row, self.widths), key=row.id)
        self.size_now()

    def show_row(self, row: int) -> None:
        """Load pages until `row` exists (or every task is a row), then put the cursor on it."""
        while row >= self.row_count and self.loaded < len(self.ids):
            self.load_more()
        if self.row_count:
            self.move_cursor(row=min(row, self.row_count - 1), animate=False)

    def show_suggestions(self, found: Sequence[task_service.Suggestion]) -> None:
        self._set_columns(SUGGESTIONS)
        self.ids, self.loaded = [], 0
        self.suggestions = {s.key: s for s in found}
        for suggestion in found:
            cells = (
                Text(f"{suggestion.due:%d/%m/%Y}"),
                Text(suggestion.person_name),
                Text(suggestion.text),
            )
            self.add_row(
                *(fit(c, w) for c, w in zip(cells, self.widths, strict=True)), key=suggestion.key
            )
        self.size_now()

    def on_resize(self, event: events.Resize) -> None:
        """The columns follow the screen's width (the rows are drawn again)."""
        if self.columns_for is None or self.columns_for[1] == (self.app.size.width or 80):
            return
        row = self.cursor_row
        if self.columns_for[0] == SUGGESTIONS:
            self.show_suggestions(list(self.suggestions.values()))
        elif self.board is not None and self.today is not None:
            self.show_tasks(self.board, self.ids, self.today)
        self.show_row(row)

    def current_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except Exception:  # cursor outside the table while it is being redrawn
            return None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Near the end of the rows loaded: the next page (the event goes on to the screen)."""
        if self.loaded < len(self.ids) and event.cursor_row >= self.row_count - LOAD_MORE_MARGIN:
            self.load_more()
