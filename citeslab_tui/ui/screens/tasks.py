"""The tasks screen (F3): what was promised, by view, with keys to act on it.

Views: overdue, today, this week, later, done, and the suggested follow-ups
(`v` cycles them); how a view looks (its bar, its paged table) is
`widgets/task_table.py`. The board (the tasks sorted by view) is cached by the
service between visits and updated in place on saves; the suggestions are computed
in a worker thread. All work goes through `services.tasks`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, ClassVar

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.reactive import var
from textual.widgets import DataTable, Label, Static

from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.domain.models import FollowUpTask
from citeslab_tui.resources import style_file
from citeslab_tui.services import tasks as task_service
from citeslab_tui.ui.base import AppScreen
from citeslab_tui.ui.dialogs.agenda_file import ask_and_write_agenda
from citeslab_tui.ui.widgets.footer import KeysFooter
from citeslab_tui.ui.widgets.task_table import (
    SUGGESTIONS,
    VIEW_LABELS,
    VIEW_ORDER,
    TaskTable,
    views_bar,
)

COMPUTING = "Calcul des suggestions…"
AGENDA_TIP = "Écrire mes rendez-vous et tâches à venir dans un calendrier (.ics)"


class TasksScreen(AppScreen[None]):
    """Follow-up tasks and appointments."""

    HELP_TITLE = "Tâches"
    AUTO_FOCUS = "#tasks-table"
    CSS_PATH = [str(style_file("tasks.tcss"))]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "v",
            "next_view",
            "Vue suivante",
            id="tasks_next_view",
            tooltip="Vue suivante : en retard, aujourd'hui, cette semaine, plus tard, "
            "terminées, suggestions",
        ),
        Binding(
            "V",
            "previous_view",
            "Vue précédente",
            id="tasks_previous_view",
            show=False,
            tooltip="Vue précédente (Maj+V)",
        ),
        Binding(
            "n",
            "quick_add",
            "Ajouter",
            id="tasks_new",
            tooltip="Ajouter une tâche en une ligne (« Rappeler Mme Diallo jeudi 14h »)",
        ),
        Binding(
            "c",
            "complete",
            "(Dé)cocher",
            id="tasks_complete",
            tooltip="Marquer la tâche faite (dans « Terminées » : la rouvrir)",
        ),
        Binding(
            "r",
            "postpone",
            "Reporter",
            id="tasks_postpone",
            tooltip="Reporter à une date (lundi, 12/03 14h) ou de +N jours / +Ns semaines",
        ),
        Binding("e", "edit", "Modifier", id="tasks_edit", tooltip="Modifier la tâche"),
        Binding(
            "a",
            "reassign",
            "Réattribuer",
            id="tasks_reassign",
            tooltip="Confier la tâche à un autre chef de projet",
        ),
        Binding(
            "delete",
            "delete",
            "Supprimer",
            id="tasks_delete",
            tooltip="Supprimer la tâche (après confirmation)",
        ),
        Binding(
            "o",
            "accept",
            "Accepter",
            id="tasks_accept",
            tooltip="Suggestions : accepter (crée la tâche proposée)",
        ),
        Binding(
            "i",
            "ignore",
            "Ignorer",
            id="tasks_dismiss",
            tooltip="Suggestions : ignorer (elle ne reviendra pas)",
        ),
        Binding(
            "f",
            "filter",
            "Filtrer",
            id="tasks_filter",
            tooltip="Filtrer par personne, site, type ou chef de projet",
        ),
        Binding(
            "escape",
            "clear_filter",
            "Sans filtre",
            id="tasks_clear_filter",
            show=False,
            tooltip="Enlever le filtre",
        ),
        Binding(
            "p",
            "open_person",
            "Voir la fiche",
            id="tasks_open_person",
            tooltip="Ouvrir la fiche de la personne (ou Entrée)",
        ),
        Binding("g", "write_agenda", "Agenda .ics", id="tasks_write_agenda", tooltip=AGENDA_TIP),
    ]

    view: var[str] = var(task_service.OVERDUE, init=False, always_update=True)
    """The view shown (setting it shows it, even the same one again)."""
    filter: var[task_service.TaskFilter] = var(task_service.TaskFilter, init=False)
    """What the views are narrowed to (setting another one redraws)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.board: task_service.TaskBoard | None = None
        self._counts: dict[str, int] | None = None
        self.stale = True  # records changed since the table was drawn
        self.drawn_for: date | None = None  # the day the table was drawn for

    # --- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="tasks-views")
        yield Label("", id="tasks-filter", markup=False)
        yield TaskTable(id="tasks-table")
        yield Label("", id="tasks-empty", markup=False)
        yield Label("", id="tasks-detail", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.app.records_changed_signal.subscribe(self, self.records_changed)

    def on_resize(self, event: events.Resize) -> None:
        if self._counts is not None:
            self._draw_views(self._counts)

    def on_screen_resume(self) -> None:
        """Shown (first time, F3, or back from a dialog): redraw if anything changed."""
        if self.stale or self.drawn_for != self.today:
            self.refresh_view(keep_cursor=self.board is not None)

    def records_changed(self, _lseq: int) -> None:
        """A save (here, in a dialog, by a sync): redraw now if shown, else when shown."""
        self.stale = True
        if self.is_active:
            self.refresh_view(keep_cursor=True)

    def watch_view(self) -> None:
        if self.is_mounted:
            self.refresh_view()

    def watch_filter(self) -> None:
        if self.is_mounted:
            self.refresh_view()

    # --- drawing --------------------------------------------------------------------

    @property
    def table(self) -> TaskTable:
        return self.query_one(TaskTable)

    def refresh_view(self, *, keep_cursor: bool = False) -> None:
        """Redraw the view bar and the first page of the current view."""
        if not self.has_data:
            return
        if self.board is None or self.board.ws is not self.ws:
            self.board = task_service.board_for(self.ws)
        table = self.table
        old_row = table.cursor_row if keep_cursor else 0
        counts = self.board.counts(self.filter, self.today)
        self._counts = counts
        if self.drawn_for is None and not counts[self.view]:  # first display: a view with tasks
            pending = [v for v in task_service.VIEWS if v != task_service.DONE and counts[v]]
            if pending:
                self.set_reactive(TasksScreen.view, pending[0])
        self._draw_views(counts)
        self._draw_filter()
        if self.view == SUGGESTIONS:
            self._show_suggestions(self.board)
        else:
            ids = self.board.ids(self.view, self.filter, self.today)
            table.show_tasks(self.board, ids, self.today)
            self._set_empty(
                "" if ids else f"Aucune tâche dans la vue « {VIEW_LABELS[self.view]} »."
            )
        table.show_row(old_row)
        self._show_detail()
        self.stale = False
        self.drawn_for = self.today

    def _draw_views(self, counts: dict[str, int]) -> None:
        width = self.size.width or self.app.size.width or 80
        self.query_one("#tasks-views", Static).update(views_bar(counts, self.view, width))

    def _draw_filter(self) -> None:
        flt = self.filter
        parts = []
        if flt.person_id:
            parts.append("personne : " + task_service.person_name(self.ws, flt.person_id))
        if flt.site:
            parts.append(f"site : {flt.site}")
        if flt.kind:
            parts.append(f"type : {flt.kind.label}")
        if flt.staff:
            parts.append(f"suivi par : {flt.staff}")
        text = ("Filtre — " + " · ".join(parts) + " (Échap : tout voir)") if parts else ""
        label = self.query_one("#tasks-filter", Label)
        label.update(text)
        label.display = bool(parts)

    def _show_suggestions(self, board: task_service.TaskBoard) -> None:
        found = board.cached_suggestions(self.today)
        if found is None:  # computed in a worker; the view is redrawn when they are ready
            self.table.show_suggestions([])
            self._set_empty(COMPUTING)
            self.compute_suggestions(board, self.today)
            return
        if self.filter.person_id:
            found = [s for s in found if s.person_id == self.filter.person_id]
        self.table.show_suggestions(found)
        self._set_empty("" if found else "Aucune suggestion de suivi pour le moment.")

    @work(thread=True, exclusive=True, group="suggestions")
    def compute_suggestions(self, board: task_service.TaskBoard, today: date) -> None:
        """Off the UI thread (~60 ms with 10,000 people): the screen stays responsive."""
        try:
            board.suggestions_in_thread(today)
        except Exception as exc:  # never a traceback: French message, details in the log
            from citeslab_tui.logs import log_unexpected

            log_unexpected(exc)
            self.app.call_from_thread(
                self._set_empty,
                "Les suggestions n'ont pas pu être calculées (détail dans le journal).",
            )
            return
        self.app.call_from_thread(self._suggestions_ready)

    def _suggestions_ready(self) -> None:
        if self.view != SUGGESTIONS or not self.is_attached:
            return
        if self.is_active:
            self.refresh_view(keep_cursor=True)
        else:
            self.stale = True  # redrawn when shown again

    def _set_empty(self, text: str) -> None:
        label = self.query_one("#tasks-empty", Label)
        label.update(text)
        label.display = bool(text)

    def _show_detail(self) -> None:
        """The whole of the current row, which 80 columns cannot show."""
        label = self.query_one("#tasks-detail", Label)
        text = ""
        suggestion = self.current_suggestion()
        if suggestion is not None:
            text = f"{suggestion.person_name} — {suggestion.text}"
        elif self.view != SUGGESTIONS and self.current_key() and self.board is not None:
            rows = self.board.rows([self.current_key() or ""], self.today)
            if rows:
                row = rows[0]
                parts = [row.title, row.person_name, row.kind_label]
                if row.site:
                    parts.append(row.site)
                if row.assigned_to:
                    parts.append(f"suivi par {row.assigned_to}")
                text = " — ".join(p for p in parts if p)
        label.update(text)
        label.display = bool(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_person()

    # --- current row ----------------------------------------------------------------

    def current_key(self) -> str | None:
        return self.table.current_key()

    def current_task_id(self) -> str | None:
        return None if self.view == SUGGESTIONS else self.current_key()

    def current_suggestion(self) -> task_service.Suggestion | None:
        if self.view != SUGGESTIONS:
            return None
        return self.table.suggestions.get(self.current_key() or "")

    def current_person_id(self) -> str | None:
        suggestion = self.current_suggestion()
        if suggestion is not None:
            return suggestion.person_id
        task_id = self.current_task_id()
        doc = self.ws.repo.doc("task", task_id) if task_id and self.has_data else None
        return doc.get("person_id") if doc else None

    # --- keys -----------------------------------------------------------------------

    def _task_or_say(self) -> str | None:
        """The task under the cursor, or None with a French hint (suggestions view, empty)."""
        if self.view == SUGGESTIONS:
            self.notify("Dans les suggestions : O pour accepter, I pour ignorer.")
            return None
        return self.current_task_id()

    def _run(self, change: Callable[[], object], done: str) -> None:
        """Apply a service change (the table redraws when records changed); a refusal
        shows its French reason and changes nothing."""
        self.run_service(change, success=done, refused=self._refused)

    def _refused(self, exc: CitesLabError) -> None:
        self.notify(exc.message, title="Impossible", severity="error")

    def action_next_view(self) -> None:
        self.view = VIEW_ORDER[(VIEW_ORDER.index(self.view) + 1) % len(VIEW_ORDER)]

    def action_previous_view(self) -> None:
        self.view = VIEW_ORDER[(VIEW_ORDER.index(self.view) - 1) % len(VIEW_ORDER)]

    def show_view(self, view: str) -> None:
        if view in VIEW_ORDER:
            self.view = view

    def action_quick_add(self) -> None:
        from citeslab_tui.ui.dialogs.quick_task import QuickTaskDialog

        # the view is redrawn when the screen resumes after the dialog
        self.app.push_screen(QuickTaskDialog(self.filter.person_id))

    def action_complete(self) -> None:
        """Complete the task under the cursor (in the "done" view: reopen it)."""
        task_id = self._task_or_say()
        if task_id is None:
            return
        if self.view == task_service.DONE:
            self.action_reopen()
            return
        task = self.ws.repo.get(FollowUpTask, task_id)
        if task is None:
            return
        orientation = task_service.orientation_to_check(self.ws, task)
        if orientation is None:
            self._run(
                lambda: task_service.complete(self.ws, task_id, today=self.today),
                "Tâche terminée.",
            )
            return
        from citeslab_tui.ui.dialogs.task_met import TaskMetDialog

        name = task_service.person_name(self.ws, task.person_id)

        def answered(answer: bool | None | str) -> None:
            if answer == TaskMetDialog.CANCEL:
                return
            met = answer if isinstance(answer, bool) else None  # None: not known
            self._run(
                lambda: task_service.complete(self.ws, task_id, met=met, today=self.today),
                "Tâche terminée ; rencontre avec le partenaire enregistrée."
                if met is not None
                else "Tâche terminée.",
            )

        self.app.push_screen(TaskMetDialog(name, orientation.partner), answered)

    def action_reopen(self) -> None:
        task_id = self.current_task_id()
        if task_id is not None:
            self._run(lambda: task_service.reopen(self.ws, task_id), "Tâche rouverte.")

    def action_postpone(self) -> None:
        task_id = self._task_or_say()
        if task_id is None:
            return
        from citeslab_tui.ui.dialogs.task_postpone import TaskPostponeDialog

        self.app.push_screen(TaskPostponeDialog(task_id), self._changed("Tâche reportée."))

    def action_edit(self) -> None:
        task_id = self._task_or_say()
        if task_id is None:
            return
        from citeslab_tui.ui.dialogs.task_edit import TaskEditDialog

        self.app.push_screen(TaskEditDialog(task_id), self._changed("Tâche modifiée."))

    def action_reassign(self) -> None:
        task_id = self._task_or_say()
        if task_id is None:
            return
        from citeslab_tui.ui.dialogs.task_assign import TaskAssignDialog

        self.app.push_screen(TaskAssignDialog(task_id), self._changed("Tâche réattribuée."))

    def _changed(self, message: str) -> Callable[[object], None]:
        """After a task dialog: say what was done (the table redraws when shown again)."""

        def callback(result: object) -> None:
            if result is not None:
                self.notify(message)

        return callback

    def action_delete(self) -> None:
        task_id = self._task_or_say()
        if task_id is None:
            return
        from citeslab_tui.ui.dialogs.confirm import ConfirmDialog

        doc = self.ws.repo.doc("task", task_id) or {}
        title = doc.get("title") or "(sans intitulé)"

        def answered(yes: bool | None) -> None:
            if yes:
                self._run(lambda: task_service.delete(self.ws, task_id), "Tâche supprimée.")

        question = f"Supprimer la tâche « {title} » ?"
        self.app.push_screen(ConfirmDialog(question, "Supprimer", "Garder", safe=False), answered)

    def _suggestion_or_say(self) -> task_service.Suggestion | None:
        if self.view != SUGGESTIONS:
            self.notify("Accepter et ignorer concernent la vue « Suggestions » (touche v ou V).")
            return None
        return self.current_suggestion()

    def action_accept(self) -> None:
        suggestion = self._suggestion_or_say()
        if suggestion is not None:
            self._run(
                lambda: task_service.accept_suggestion(self.ws, suggestion),
                f"Tâche créée pour le {suggestion.due:%d/%m/%Y}.",
            )

    def action_ignore(self) -> None:
        suggestion = self._suggestion_or_say()
        if suggestion is not None:
            self._run(
                lambda: task_service.dismiss_suggestion(self.ws, suggestion, self.today),
                "Suggestion ignorée (elle ne reviendra pas).",
            )

    def action_filter(self) -> None:
        from citeslab_tui.ui.dialogs.task_filter import TaskFilterDialog

        def chosen(flt: task_service.TaskFilter | None) -> None:
            if flt is not None:
                self.filter = flt

        self.app.push_screen(TaskFilterDialog(self.filter, self.current_person_id()), chosen)

    def action_clear_filter(self) -> None:
        if self.filter.active:
            self.filter = task_service.TaskFilter()

    def action_open_person(self) -> None:
        person_id = self.current_person_id()
        if not person_id:
            self.notify("Cette ligne ne concerne aucune personne.", severity="warning")
            return
        from citeslab_tui.ui.screens.person import PersonScreen

        self.app.push_screen(PersonScreen(person_id))

    def action_write_agenda(self) -> None:
        ask_and_write_agenda(self)
