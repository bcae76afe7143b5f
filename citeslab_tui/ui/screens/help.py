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
from citeslab_tui.ui.keys import Row, bindings_of, global_rows, rows_for, screen_title


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
            hidden = self.refused_ids(self.underneath)
            rows += [
                row
                for row in rows_for(underneath, screen_title(underneath), long=True)
                if row[3] not in hidden
            ]
            if self.underneath.query(ReferencePicker):  # the intake, the person's form
                rows += rows_for(PickerInput, long=True)
        return rows + global_rows(long=True)

    @staticmethod
    def refused_ids(screen: Screen[Any]) -> set[str]:
        """The keys of `screen` that never act here (its `check_action` says False, as
        F8 "Retour" of the office on a laptop): not listed, since they would do nothing.
        Keys only dimmed for now (None) stay listed."""
        from textual.actions import parse

        refused = set()
        for binding in bindings_of(type(screen)):
            _, name, parameters = parse(binding.action)
            if binding.id and screen.check_action(name, parameters) is False:
                refused.add(binding.id)
        return refused

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
