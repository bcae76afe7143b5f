"""F1: every key of the app and of the screen underneath, from the real BINDINGS."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Label

from citeslab_tui.resources import style_file
from citeslab_tui.ui.base import AppScreen
from citeslab_tui.ui.keys import Row, global_rows, rows_for, screen_title


class HelpScreen(AppScreen[None]):
    """Keys of the screen the user came from first, then the keys available everywhere."""

    HELP_TITLE = "Aide"
    CSS_PATH = [str(style_file("help.tcss"))]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Fermer l'aide", id="help_close"),
        Binding("f1", "close", "Fermer l'aide", id="help_close_f1", show=False),
    ]

    def __init__(self, underneath: Screen[Any] | None = None) -> None:
        super().__init__()
        self.underneath = underneath

    def compose(self) -> ComposeResult:
        yield Label("Aide — touches du clavier", id="help-title")
        yield DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)
        yield Label("↑ ↓ pour parcourir, Échap pour revenir.", id="help-hint")

    def help_rows(self) -> list[Row]:
        from citeslab_tui.ui.widgets.picker import PickerInput, ReferencePicker

        rows = []
        if self.underneath is not None:
            underneath = type(self.underneath)
            rows += rows_for(underneath, screen_title(underneath), long=True)
            if self.underneath.query(ReferencePicker):  # the intake, the person's form
                rows += rows_for(PickerInput, long=True)
        return rows + global_rows(long=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Touche", width=10)
        table.add_column("Action", width=64)
        previous = None
        for title, key, description, _id in self.help_rows():
            if title != previous:
                table.add_row(Text(""), Text(title, style="bold underline"))
                previous = title
            # height=None: a long description wraps instead of being cut at 80 columns
            table.add_row(Text(key, style="bold"), Text(description), height=None)
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
