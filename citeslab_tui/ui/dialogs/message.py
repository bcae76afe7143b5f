"""A French information or error message (modal). Enter or Escape closes it."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Button, Label

from citeslab_tui.resources import style_file
from citeslab_tui.ui.base import AppDialog, AppScreen


class MessageDialog(AppDialog[None]):
    """Show `title` and `text` (never parsed as markup) until the user closes it."""

    HELP_TITLE = "Message"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Fermer", id="message_close"),
    ]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, id="title", markup=False)
            yield Label(self.text, id="text", markup=False)
            yield Button("Fermer", id="close", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    def action_close(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)


class FatalScreen(AppScreen[None]):
    """Full screen French message when the data cannot be opened; Ctrl+Q quits."""

    HELP_TITLE = "Données indisponibles"
    CSS_PATH = [str(style_file("dialogs.tcss"))]
    ALLOWED_GLOBAL_ACTIONS: ClassVar[frozenset[str] | None] = frozenset({"quit", "hide", "help"})

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__()
        self.message = message
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Impossible d'ouvrir les données", id="title")
            yield Label(self.message, id="text", classes="line", markup=False)
            yield Label(
                " ".join(part for part in ("Rien n'a été modifié.", self.hint) if part),
                classes="line",
                markup=False,
            )
            yield Label("Appuyez sur Ctrl+Q pour quitter.", classes="line")
