"""Choose the site of the bilan, or all sites. Dismisses with "" (all sites),
a site name, or None when cancelled."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from citeslab_tui.ui.base import AppDialog

ALL_SITES = "Tous les sites"


class BilanSiteDialog(AppDialog[str | None]):
    HELP_TITLE = "Site du bilan"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Annuler", id="bilan_site_cancel"),
    ]

    def __init__(self, sites: list[str], current: str | None) -> None:
        super().__init__()
        self.sites = sites
        self.current = current or ""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Site du bilan", id="bilan-site-title")
            options = [Option(ALL_SITES, id="all")]
            options += [Option(site, id=f"s{i}") for i, site in enumerate(self.sites)]
            yield OptionList(*options, id="bilan-site-list", markup=False)
            yield Label("↑ ↓ puis Entrée : choisir · Échap : annuler")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        index = self.sites.index(self.current) + 1 if self.current in self.sites else 0
        options.highlighted = index
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or "all"
        self.dismiss("" if option_id == "all" else self.sites[int(option_id[1:])])

    def action_cancel(self) -> None:
        self.dismiss(None)
