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
from textual.widgets import DataTable

from citeslab_tui.domain.models import TaskKind
from citeslab_tui.domain.text import format_int
from citeslab_tui.services import tasks as task_service
from citeslab_tui.ui.widgets.tables import FixedTable

SUGGESTIONS = "suggestions"
VIEW_ORDER = (*task_service.VIEWS, SUGGESTIONS)
VIEW_LABELS = {**task_service.VIEW_LABELS, SUGGESTIONS: "Suggestions"}
PAGE_SIZE = 30  # a DataTable measures every cell it is given: keep pages small
LOAD_MORE_MARGIN = 12

TASK_COLUMNS = (
    ("État", 11),
    ("Échéance", 10),
    ("Heure", 5),
    ("Type", 8),
    ("Personne", 16),
    ("Tâche", 40),
)  # site and staff member show in the detail line under the table (80 columns)
# short kind labels for the narrow "Type" column (the full ones are in filters and dialogs)
SHORT_KIND = {
    TaskKind.CALL: "Appel",
    TaskKind.DOCUMENT: "Document",
    TaskKind.APPOINTMENT: "RDV",
    TaskKind.CHECK_ORIENTATION: "Vérif.",
    TaskKind.OTHER: "Autre",
}
SUGGESTION_COLUMNS = (("Pour le", 10), ("Personne", 18), ("Proposition", 70))


def views_bar(counts: dict[str, int], current: str, width: int) -> Text:
    """The views with their counts, the current one highlighted; two lines if narrow."""
    bar = Text(no_wrap=True, overflow="ellipsis")
    line_width = 0
    for view in VIEW_ORDER:
        label = VIEW_LABELS[view]
        if view != SUGGESTIONS:
            label += f" {format_int(counts[view])}"
        if view == task_service.OVERDUE and counts[view]:
            label = "⚠ " + label
        style = "reverse bold" if view == current else ""
        if view == task_service.OVERDUE and counts[view] and view != current:
            style = "bold red"
        part = f" {label} "
        if line_width and line_width + len(part) + 1 > width:
            bar.append("\n")
            line_width = 0
        bar.append(part, style=style)
        bar.append("│", style="dim")
        line_width += len(part) + 1
    return bar


def task_cells(row: task_service.TaskRow) -> list[Text]:
    warn = "bold red" if row.overdue else ""
    dim = "dim" if row.done else ""
    return [
        Text(row.status_label, style=warn or dim),
        Text(f"{row.due:%d/%m/%Y}", style=warn),
        Text(row.time or ""),
        Text(SHORT_KIND[row.task_kind]),
        Text(row.person_name),
        Text(row.title, style=dim),
    ]


class TaskTable(FixedTable):
    """The rows of one view: its tasks (paged), or the suggestions."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.board: task_service.TaskBoard | None = None
        self.today: date | None = None
        self.ids: list[str] = []  # the tasks of the view, in order
        self.loaded = 0  # how many of them are rows
        self.suggestions: dict[str, task_service.Suggestion] = {}
        self.columns_for: str | None = None

    def _set_columns(self, kind: str) -> None:
        if self.columns_for == kind:
            self.clear()
            return
        self.clear(columns=True)
        columns = SUGGESTION_COLUMNS if kind == SUGGESTIONS else TASK_COLUMNS
        for label, width in columns:
            self.add_column(Text(label), width=width)
        self.columns_for = kind

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
            self.add_row(*task_cells(row), key=row.id)
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
            self.add_row(
                Text(f"{suggestion.due:%d/%m/%Y}"),
                Text(suggestion.person_name),
                Text(suggestion.text),
                key=suggestion.key,
            )
        self.size_now()

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
