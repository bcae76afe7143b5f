"""Record an orientation (referral) to a partner, with completion from the reference table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input

from citeslab_tui.domain import text
from citeslab_tui.services import people
from citeslab_tui.ui.dialogs.person_form import FoldSuggester, SuggestInput
from citeslab_tui.ui.dialogs.record import RecordDialog


class OrientationDialog(RecordDialog):
    """An orientation on a person's file (Ctrl+R there); from the queue (`o`), `submit`
    also marks the arrival "Réorienté" (`people.redirect_queue_entry`)."""

    TITLE_TEXT = "Orienter vers un partenaire"
    HELP_TEXT = (
        "Tab ou → : accepter la suggestion · Ctrl+S ou Entrée : enregistrer · Échap : annuler"
    )

    def __init__(
        self,
        person_id: str,
        submit: Callable[[dict[str, Any]], object] | None = None,
        title: str = "",
    ) -> None:
        super().__init__(submit or self._submit)
        self.person_id = person_id
        if title:
            self.TITLE_TEXT = title

    def rows(self) -> ComposeResult:
        ws = self.ws
        yield self.row(
            "Partenaire",
            SuggestInput(
                placeholder="Adie, France Travail, CCI…",
                # current names first, then the older ones (saved under the current name)
                suggester=FoldSuggester(
                    [e.name for e in ws.reference.places.partners]
                    + [a for e in ws.reference.places.partners for a in e.aliases]
                ),
                id="partner",
                compact=True,
            ),
        )
        today = text.format_date(self.today)
        yield self.row("Date", Input(today, placeholder="jj/mm/aaaa", id="on", compact=True))
        yield self.row("Notes", Input(id="notes", compact=True))

    def on_mount(self) -> None:
        self.query_one("#partner", Input).focus()

    def _submit(self, values: dict[str, Any]) -> Any:
        ws = self.ws
        return people.add_orientation(
            ws,
            self.person_id,
            values["partner"],
            on=values["on"],
            notes=values["notes"],
            today=self.today,
        )
