"""A French yes/no question (modal). Dismisses with True (yes) or False (no).

Usage: `self.app.push_screen(ConfirmDialog("Abandonner la saisie ?"), callback)`
or `if await self.app.push_screen_wait(ConfirmDialog(...)):` inside a worker.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label

from citeslab_tui.ui.base import AppDialog


class ConfirmDialog(AppDialog[bool]):
    """Ask a question; Enter/O = yes (button focused), Escape/N = no."""

    HELP_TITLE = "Question"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "answer(False)", "Non", id="confirm_no"),
        Binding("left,right", "switch_focus", "Changer de bouton", id="confirm_switch", show=False),
    ]

    def __init__(self, question: str, yes: str = "Oui", no: str = "Non") -> None:
        super().__init__()
        self.question = question
        self.yes_label = yes
        self.no_label = no

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question, id="question", markup=False)
            with Horizontal():
                yield Button(self.yes_label, id="yes", variant="primary")
                yield Button(self.no_label, id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    def action_switch_focus(self) -> None:
        target = "#no" if self.focused is not None and self.focused.id == "yes" else "#yes"
        self.query_one(target, Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")
