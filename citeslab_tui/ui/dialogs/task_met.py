"""Completing a "check the orientation" task: did the person meet the partner?"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label

from citeslab_tui.ui.dialogs.task_base import TaskDialog


class TaskMetDialog(TaskDialog[bool | None | str]):
    """Dismisses True (met), False (not met), None (unknown) or CANCEL (task left open)."""

    CANCEL = "cancel"
    HELP_TITLE = "Vérifier l'orientation"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "answer('yes')", "Oui, rencontré", id="task_met_yes"),
        Binding("n", "answer('no')", "Non", id="task_met_no"),
        Binding("s", "answer('unknown')", "Ne sait pas", id="task_met_unknown"),
        Binding("escape", "answer('cancel')", "Annuler", id="task_met_cancel"),
        Binding("left", "app.focus_previous", show=False),
        Binding("right", "app.focus_next", show=False),
    ]

    def __init__(self, person_name: str, partner: str) -> None:
        super().__init__()
        self.person_name = person_name or "La personne"
        self.partner = partner

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Terminer la vérification", classes="title", markup=False)
            yield Label(
                f"{self.person_name} a-t-elle rencontré « {self.partner} » ?",
                classes="field",
                markup=False,
            )
            with Horizontal():
                yield Button("Oui (O)", id="yes", variant="success", compact=True)
                yield Button("Non (N)", id="no", variant="warning", compact=True)
                yield Button("Ne sait pas (S)", id="unknown", compact=True)
                yield Button("Annuler (Échap)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    def action_answer(self, answer: str) -> None:
        self.dismiss({"yes": True, "no": False, "unknown": None}.get(answer, self.CANCEL))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_answer(event.button.id or "cancel")
