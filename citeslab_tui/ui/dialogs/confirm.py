"""A French yes/no question (modal). Dismisses with True (yes) or False (no).

Usage: `self.app.push_screen(ConfirmDialog("Abandonner la saisie ?"), callback)`
or `if await self.app.push_screen_wait(ConfirmDialog(...)):` inside a worker.

Safe defaults: when one answer discards typed data or deletes something, say which
with `safe=` (the other answer). The focus then starts on the safe button and Escape
gives the safe answer, so the keys a hurried person presses (Entrée, Échap twice)
never lose anything; the risky button is shown in red and needs ← or → first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Label

from citeslab_tui.ui.base import AppDialog


class ConfirmDialog(AppDialog[bool]):
    """Ask a question. Without `safe`: Entrée = yes (focused), Échap = no. With
    `safe=False` ("yes" discards): focus on "no", Échap = no. With `safe=True` ("no"
    discards): focus on "yes", Échap = yes."""

    HELP_TITLE = "Question"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "escape", "Annuler", id="confirm_no"),
        Binding("left,right", "switch_focus", "Changer de bouton", id="confirm_switch", show=False),
    ]

    def __init__(
        self, question: str, yes: str = "Oui", no: str = "Non", *, safe: bool | None = None
    ) -> None:
        super().__init__()
        self.question = question
        self.yes_label = yes
        self.no_label = no
        self.safe = safe

    def compose(self) -> ComposeResult:
        risky_yes = self.safe is False
        risky_no = self.safe is True
        with Vertical():
            yield Label(self.question, id="question", markup=False)
            with Horizontal():
                yield Button(self.yes_label, id="yes", variant="error" if risky_yes else "primary")
                yield Button(self.no_label, id="no", variant="error" if risky_no else "default")

    def on_mount(self) -> None:
        self.query_one("#no" if self.safe is False else "#yes", Button).focus()

    def action_escape(self) -> None:
        self.dismiss(bool(self.safe))

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    def action_switch_focus(self) -> None:
        target = "#no" if self.focused is not None and self.focused.id == "yes" else "#yes"
        self.query_one(target, Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")


def typed_values(screen: Screen[Any]) -> dict[str, str]:
    """The text of every field of `screen` (to tell, on Échap, whether anything was typed)."""
    return {field.id: field.value for field in screen.query(Input) if field.id}


def leave_or_ask(
    screen: Screen[Any], changed: bool, leave: Callable[[], object], what: str = "la saisie"
) -> None:
    """Échap in a dialog: `leave()` at once when nothing was typed, else ask first with
    the focus on "Continuer" (Échap twice or Entrée keep what was typed)."""
    if not changed:
        leave()
        return

    def answer(yes: bool | None) -> None:
        if yes:
            leave()

    screen.app.push_screen(
        ConfirmDialog(
            f"Abandonner {what} ? Le texte tapé sera perdu.",
            yes="Abandonner",
            no="Continuer",
            safe=False,
        ),
        answer,
    )
