"""Record an outcome (issue / sortie) of a person's project."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input, Label, Select

from citeslab_tui.domain import text
from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.models import OutcomeKind
from citeslab_tui.services import people
from citeslab_tui.ui.dialogs.record import RecordDialog
from citeslab_tui.ui.widgets.choice import LetterSelect


class OutcomeDialog(RecordDialog):
    TITLE_TEXT = "Issue du parcours (sortie)"

    def __init__(self, person_id: str) -> None:
        super().__init__(self._submit)
        self.person_id = person_id

    def rows(self) -> ComposeResult:
        yield self.row(
            "Issue",
            LetterSelect(
                [(k.label, k.value) for k in OutcomeKind],
                prompt="(choisir)",
                id="outcome",
                compact=True,
            ),
        )
        yield Label(people.POSITIVE_NOTE, classes="dialog-help")
        today = text.format_date(self.today)
        yield self.row("Date", Input(today, placeholder="jj/mm/aaaa", id="on", compact=True))
        yield self.row("Notes", Input(id="notes", compact=True))

    def on_mount(self) -> None:
        self.query_one("#outcome", Select).focus()

    def _submit(self, values: dict[str, Any]) -> Any:
        if not values["outcome"]:
            raise ValidationError("Choisissez l'issue.")
        ws = self.ws
        return people.add_outcome(
            ws,
            self.person_id,
            values["outcome"],
            on=values["on"],
            notes=values["notes"],
            today=self.today,
        )
