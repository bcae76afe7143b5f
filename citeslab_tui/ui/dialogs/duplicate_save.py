"""Saving an intake whose name matches people already known: one question before a
second file is created for the same person.

The list shows the people who look the same (with why); Entrée opens the highlighted
file (the safe default: nothing is created, the typed intake is abandoned), C creates
the new person anyway, Échap goes back to the form with everything typed kept.
Dismisses with ("open", person id), ("create", None) or None (back to the form).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, OptionList
from textual.widgets.option_list import Option

from citeslab_tui.domain import text
from citeslab_tui.services.search import Duplicate
from citeslab_tui.ui.base import AppDialog

Answer = tuple[str, str | None] | None


class DuplicateSaveDialog(AppDialog[Answer]):
    """Open the existing file (default), create anyway, or go back to the form."""

    HELP_TITLE = "Déjà connu ?"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Ouvrir la fiche", id="dup_open", priority=True),
        Binding("c", "create", "Créer quand même", id="dup_create"),
        Binding("escape", "back", "Revenir à la saisie", id="dup_back"),
    ]

    def __init__(self, duplicates: list[Duplicate]) -> None:
        super().__init__()
        self.duplicates = duplicates

    def compose(self) -> ComposeResult:
        count = len(self.duplicates)
        with Vertical():
            yield Label(
                f"{count} personne(s) déjà connue(s) ressemble(nt) à cet accueil. "
                "Est-ce la même personne ?",
                id="dup-question",
            )
            options = OptionList(id="dup-list")
            for dup in self.duplicates:
                line = f"{dup.hit.summary()} — {', '.join(dup.reasons)}"
                options.add_option(Option(Text(text.clean_text(line, 300)), id=dup.person_id))
            yield options
            yield Label(
                "Entrée : ouvrir la fiche choisie (la saisie en cours est abandonnée) · "
                "C : créer quand même une nouvelle personne · Échap : revenir à la saisie",
                id="dup-help",
            )
            with Horizontal():
                yield Button("Ouvrir la fiche", id="open", variant="primary")
                yield Button("Créer quand même", id="create")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def action_open(self) -> None:
        if self.focused is not None and self.focused.id == "create":
            self.action_create()
            return
        index = self.query_one(OptionList).highlighted or 0
        self.dismiss(("open", self.duplicates[min(index, len(self.duplicates) - 1)].person_id))

    def action_create(self) -> None:
        self.dismiss(("create", None))

    def action_back(self) -> None:
        self.dismiss(None)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "create":
            self.action_create()
        else:
            self.action_open()
