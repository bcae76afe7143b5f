"""Choose the site of the permanence: type to filter, ↓ and Entrée to pick.

Entrée in the field with no match keeps the typed name (a new site). Dismisses with
the site name, or None when cancelled.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from citeslab_tui.domain.text import fold
from citeslab_tui.ui.base import AppDialog


class SiteDialog(AppDialog[str | None]):
    HELP_TITLE = "Changer de site"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Annuler", id="site_cancel"),
    ]

    def __init__(self, sites: list[str], current: str = "") -> None:
        super().__init__()
        self.sites = sites
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Site de la permanence", id="site-title")
            yield Input(id="site-filter", placeholder="Tapez pour filtrer, ou un nouveau site")
            yield OptionList(id="site-list")
            yield Label("↓ puis Entrée : choisir · Échap : annuler", id="site-hint")

    def on_mount(self) -> None:
        self.fill("")
        self.query_one("#site-filter", Input).focus()

    def matching(self, typed: str) -> list[str]:
        key = fold(typed)
        return [s for s in self.sites if key in fold(s)]

    def fill(self, typed: str) -> None:
        options = self.query_one("#site-list", OptionList)
        options.clear_options()
        for index, site in enumerate(self.matching(typed)):
            mark = " (actuel)" if site == self.current else ""
            options.add_option(Option(Text(site + mark), id=str(index)))
        options.highlighted = 0 if options.option_count else None

    def on_input_changed(self, event: Input.Changed) -> None:
        self.fill(event.value)

    def on_key(self, event: Any) -> None:
        options = self.query_one("#site-list", OptionList)
        if event.key == "down" and self.focused is not options and options.option_count:
            event.stop()
            options.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        typed = event.value.strip()
        found = self.matching(typed)
        exact = [s for s in found if typed and fold(s) == fold(typed)]
        if exact:
            self.dismiss(exact[0])
        elif typed and len(found) == 1:
            self.dismiss(found[0])
        elif typed and not found:
            self.dismiss(typed)  # a new site
        elif found:
            self.query_one("#site-list", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        typed = self.query_one("#site-filter", Input).value
        self.dismiss(self.matching(typed)[int(event.option.id or 0)])

    def action_cancel(self) -> None:
        self.dismiss(None)
