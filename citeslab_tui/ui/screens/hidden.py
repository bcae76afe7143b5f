"""Privacy cover (Ctrl+O, or after the idle delay): nothing of the data shows."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Label

from citeslab_tui.resources import style_file
from citeslab_tui.ui.base import AppScreen

HIDDEN_TEXT = "Écran masqué — appuyez sur Entrée pour revenir"


class HiddenScreen(AppScreen[None]):
    """A neutral screen; Enter returns to where the user was."""

    HELP_TITLE = "Écran masqué"
    CSS_PATH = [str(style_file("hidden.tcss"))]
    ALLOWED_GLOBAL_ACTIONS: ClassVar[frozenset[str] | None] = frozenset({"quit", "hide"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "reveal", "Revenir", id="reveal"),
    ]

    def compose(self) -> ComposeResult:
        yield Label(HIDDEN_TEXT, markup=False)

    def action_reveal(self) -> None:
        self.dismiss(None)
