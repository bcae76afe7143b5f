"""Postpone a task: to a date (`lundi`, `12/03 14h`) or by `+N` / `+Ns`.

`+N` counts from the task's due date, or from today if it is overdue. The new
date shows live; a past date asks for confirmation. Dismisses the saved task or None.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label

from citeslab_tui.domain import duedates
from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.domain.models import FollowUpTask
from citeslab_tui.services import tasks as task_service
from citeslab_tui.ui.dialogs.task_base import TaskDialog


class TaskPostponeDialog(TaskDialog[FollowUpTask | None]):
    HELP_TITLE = "Reporter une tâche"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Annuler", id="task_postpone_cancel"),
    ]

    def __init__(self, task_id: str) -> None:
        super().__init__()
        self.task_id = task_id

    def load_task(self) -> FollowUpTask | None:
        return self.ws.repo.get(FollowUpTask, self.task_id)

    def compose(self) -> ComposeResult:
        task = self.load_task()
        current = duedates.describe_due(task.due, task.time) if task else "?"
        with Vertical():
            yield Label("Reporter la tâche", classes="title", markup=False)
            yield Label(
                f"« {task.title if task else ''} », prévue le {current}",
                classes="field",
                markup=False,
            )
            yield Input(placeholder="+3, +1s, lundi, 12/03 14h…", id="when", compact=True)
            yield Label("", id="preview", classes="hint", markup=False)
            yield Label("", id="error", classes="error", markup=False)
            yield Label(
                "+N : N jours après l'échéance (après aujourd'hui si en retard) · "
                "Entrée : reporter · Échap : annuler",
                classes="hint",
                markup=False,
            )

    def on_mount(self) -> None:
        self.query_one("#error", Label).display = False
        self.query_one("#when", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        task = self.load_task()
        if task is None or not event.value.strip():
            self.query_one("#preview", Label).update("")
            return
        self.show_due_preview(lambda: task_service.postpone_target(task, event.value, self.today))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        task = self.load_task()
        if task is None:
            self.dismiss(None)
            return
        typed = event.value
        try:
            due, _time = task_service.postpone_target(task, typed, self.today)
        except CitesLabError as exc:
            self.show_error(exc)
            return

        def save() -> None:
            saved = self.run_service(
                lambda: task_service.postpone(self.ws, self.task_id, typed, today=self.today),
                refused=self.show_error,
            )
            if saved is not None:
                self.dismiss(saved)

        self.confirm_past(due, save)

    def action_cancel(self) -> None:
        self.dismiss(None)
