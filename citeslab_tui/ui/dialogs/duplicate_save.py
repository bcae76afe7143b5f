"""Saving an intake whose name matches people already known: one question before a
second file is created for the same person.

The list shows the people who look the same (with why). Safe default: Entrée (and
Échap) go back to the form with everything typed kept; nothing is lost or created by
a hurried key. O opens the highlighted file (the typed intake is then abandoned),
C creates the new person anyway. Dismisses with ("open", person id), ("create",
None) or None (back to the form).
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
    """Go back to the form (default), open the existing file, or create anyway."""

    HELP_TITLE = "Déjà connu ?"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "back", "Revenir à la saisie", id="dup_back_enter", priority=True),
        Binding("o", "open", "Ouvrir la fiche", id="dup_open"),
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
                "↑ ↓ : choisir · O : ouvrir sa fiche (la saisie en cours est abandonnée) · "
                "C : créer quand même une nouvelle personne · Entrée ou Échap : revenir à "
                "la saisie (rien n'est perdu)",
                id="dup-help",
            )
            with Horizontal():
                yield Button("Revenir à la saisie", id="back", variant="primary")
                yield Button("Ouvrir la fiche (O)", id="open")
                yield Button("Créer quand même (C)", id="create")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def action_back(self) -> None:
        focused = self.focused.id if self.focused is not None else None
        if focused == "create":  # Entrée on a button chosen with Tab: that button
            self.action_create()
        elif focused == "open":
            self.action_open()
        else:
            self.dismiss(None)

    def action_open(self) -> None:
        index = self.query_one(OptionList).highlighted or 0
        self.dismiss(("open", self.duplicates[min(index, len(self.duplicates) - 1)].person_id))

    def action_create(self) -> None:
        self.dismiss(("create", None))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "create":
            self.action_create()
        elif event.button.id == "open":
            self.action_open()
        else:
            self.dismiss(None)
