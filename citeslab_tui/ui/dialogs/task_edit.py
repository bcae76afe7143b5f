"""Edit a task: title, due date and time, kind, site, notes. Dismisses the saved task or None."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, Select

from citeslab_tui.domain import duedates
from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.domain.models import FollowUpTask, TaskKind
from citeslab_tui.services import tasks as task_service
from citeslab_tui.ui.dialogs.confirm import leave_or_ask, typed_values
from citeslab_tui.ui.dialogs.task_base import TaskDialog, options
from citeslab_tui.ui.widgets.choice import LetterSelect


class TaskEditDialog(TaskDialog[FollowUpTask | None]):
    HELP_TITLE = "Modifier une tâche"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Enregistrer", id="task_edit_save"),
        Binding("escape", "cancel", "Annuler", id="task_edit_cancel"),
    ]

    def __init__(self, task_id: str) -> None:
        super().__init__()
        self.task_id = task_id
        self._start: dict[str, str] = {}  # the fields as shown (Échap asks if changed)

    def compose(self) -> ComposeResult:
        task = self.ws.repo.get(FollowUpTask, self.task_id)
        self.edited = task
        sites = self.ws.site_names()
        if task is not None and task.site and task.site not in sites:
            sites.append(task.site)
        due_text = ""  # a task deleted meanwhile: the dialog closes when mounted
        if task is not None:
            due_text = f"{task.due:%d/%m/%Y}" + (f" {task.time}" if task.time else "")
        with Vertical():
            yield Label("Modifier la tâche", classes="title", markup=False)
            yield Label("Intitulé", classes="hint", markup=False)
            yield Input(task.title if task else "", id="title", compact=True, max_length=200)
            yield Label(
                "Échéance (12/03/2027 14h30, demain, lundi, +3…)", classes="hint", markup=False
            )
            yield Input(due_text, id="due", compact=True, max_length=60)
            yield Label("", id="preview", classes="preview", markup=False)
            yield LetterSelect(
                options([(f"Type : {kind.label}", kind.value) for kind in TaskKind]),
                allow_blank=False,
                value=task.task_kind.value if task else TaskKind.OTHER.value,
                id="kind",
                compact=True,
            )
            yield LetterSelect(
                options([("Site : aucun", "")] + [(f"Site : {name}", name) for name in sites]),
                allow_blank=False,
                value=task.site if task else "",
                id="site",
                compact=True,
            )
            yield Label("Note", classes="hint", markup=False)
            yield Input(task.notes if task else "", id="notes", compact=True, max_length=4000)
            yield Label("", id="error", classes="error", markup=False)
            yield Label(
                "Ctrl+S ou Entrée : enregistrer · Échap : annuler", classes="hint", markup=False
            )

    def on_mount(self) -> None:
        if self.edited is None:
            self.dismiss(None)
            return
        self.query_one("#error", Label).display = False
        self._preview(self.query_one("#due", Input).value)
        self.query_one("#title", Input).focus()
        self._start = typed_values(self)

    def _preview(self, value: str) -> None:
        self.show_due_preview(lambda: duedates.parse_due(value, self.today))

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "due":
            self._preview(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        task = self.edited
        if task is None:
            return
        try:
            due, time = duedates.parse_due(self.query_one("#due", Input).value, self.today)
        except CitesLabError as exc:
            self.show_error(exc)
            return
        title = self.query_one("#title", Input).value
        kind = TaskKind(str(self.query_one("#kind", Select).value))
        site = str(self.query_one("#site", Select).value or "")
        notes = self.query_one("#notes", Input).value

        def save() -> None:
            saved = self.run_service(
                lambda: task_service.edit(
                    self.ws,
                    self.task_id,
                    title=title,
                    due=due,
                    time=time,
                    task_kind=kind,
                    site=site,
                    notes=notes,
                    person_id=task.person_id,
                ),
                refused=self.show_error,
            )
            if saved is not None:
                self.dismiss(saved)

        if due < self.today and due != task.due:
            self.confirm_past(due, save)
        else:
            save()

    def action_cancel(self) -> None:
        changed = typed_values(self) != self._start
        leave_or_ask(self, changed, lambda: self.dismiss(None), "les modifications")
