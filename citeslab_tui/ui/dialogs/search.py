"""Find a person from any screen (Ctrl+F): search as you type, ↑/↓ then Entrée opens
the person's file, Échap closes. Accents, case and small typos are ignored.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from citeslab_tui.domain.text import clean_text
from citeslab_tui.services import search
from citeslab_tui.ui.base import AppDialog

LIMIT = 20


class SearchDialog(AppDialog[str | None]):
    """Dismisses with the chosen person's id (after opening the file), or None."""

    HELP_TITLE = "Rechercher une personne"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Fermer", id="search_close"),
        Binding("down", "move(1)", "Suivant", id="search_down", show=False),
        Binding("up", "move(-1)", "Précédent", id="search_up", show=False),
        Binding("enter", "open", "Ouvrir la fiche", id="search_open", priority=True),
    ]

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.initial_query = query
        self.hits: list[search.Hit] = []
        self.index: search.SearchIndex | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(
                "Rechercher une personne (nom, prénom, téléphone, e-mail)", id="search-title"
            )
            yield Input(
                self.initial_query,
                placeholder="ex. : heloise, diallo, 06 12 34…",
                id="search-input",
                compact=True,
            )
            yield Label("", id="search-status", markup=False)
            yield OptionList(id="search-results", compact=True)

    def on_mount(self) -> None:
        self.query_one("#search-results", OptionList).can_focus = False
        self.query_one(Input).focus()
        self.index = search.index_if_built(self.ws.repo)
        if self.index is None:
            self._status("Préparation de la recherche…")
            self._build()
        else:
            self.run_query()

    @work(thread=True, exclusive=True, group="search-index")
    def _build(self) -> None:
        index = search.index_for(self.ws.repo)
        self.app.call_from_thread(self._built, index)

    def _built(self, index: search.SearchIndex) -> None:
        self.index = index
        if self.is_attached:
            self.run_query()

    def _status(self, message: str) -> None:
        self.query_one("#search-status", Label).update(message)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.run_query()

    def run_query(self) -> None:
        if self.index is None:
            return
        self.index.refresh(self.ws.repo)
        query = self.query_one(Input).value
        results = self.query_one("#search-results", OptionList)
        results.clear_options()
        self.hits = self.index.search(query, LIMIT) if query.strip() else []
        for hit in self.hits:
            results.add_option(Option(Text(clean_text(hit.summary(), 300)), id=hit.person_id))
        if self.hits:
            results.highlighted = 0
        if not query.strip():
            self._status(f"{len(self.index)} personnes. Tapez pour chercher.")
        elif not self.hits:
            self._status("Aucune personne trouvée.")
        else:
            more = " (les premières)" if len(self.hits) >= LIMIT else ""
            self._status(f"{len(self.hits)} résultat(s){more} — ↑↓ puis Entrée : ouvrir la fiche")

    def action_move(self, step: int) -> None:
        results = self.query_one("#search-results", OptionList)
        if not self.hits:
            return
        current = results.highlighted or 0
        results.highlighted = max(0, min(len(self.hits) - 1, current + step))

    def action_open(self) -> None:
        results = self.query_one("#search-results", OptionList)
        if not self.hits or results.highlighted is None:
            return
        person_id = self.hits[results.highlighted].person_id
        from citeslab_tui.ui.screens.person import PersonScreen

        self.dismiss(person_id)
        self.app.push_screen(PersonScreen(person_id))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def action_close(self) -> None:
        self.dismiss(None)
