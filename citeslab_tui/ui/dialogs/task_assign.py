"""Reassign a task to another staff member (one of this laptop's, or anyone already assigned)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from citeslab_tui.domain.models import FollowUpTask
from citeslab_tui.services import tasks as task_service
from citeslab_tui.ui.dialogs.task_base import TaskDialog


class TaskAssignDialog(TaskDialog[FollowUpTask | None]):
    HELP_TITLE = "Réattribuer une tâche"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Annuler", id="task_assign_cancel"),
    ]

    def __init__(self, task_id: str) -> None:
        super().__init__()
        self.task_id = task_id

    def compose(self) -> ComposeResult:
        task = self.ws.repo.get(FollowUpTask, self.task_id)
        names = task_service.staff_names(self.ws)
        with Vertical():
            yield Label("Confier la tâche à…", classes="title", markup=False)
            yield OptionList(*[Option(Text(name), id=name) for name in names], id="staff")
            yield Label("", id="error", classes="error", markup=False)
            yield Label(
                "↑↓ : choisir · Entrée : confier · Échap : annuler", classes="hint", markup=False
            )
        self.current_staff = task.assigned_to if task else ""

    def on_mount(self) -> None:
        staff = self.query_one("#staff", OptionList)
        names = task_service.staff_names(self.ws)
        if self.current_staff in names:
            staff.highlighted = names.index(self.current_staff)
        self.query_one("#error", Label).display = False
        staff.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        staff = event.option.id or ""
        saved = self.run_service(
            lambda: task_service.reassign(self.ws, self.task_id, staff), refused=self.show_error
        )
        if saved is not None:
            self.dismiss(saved)

    def action_cancel(self) -> None:
        self.dismiss(None)
