"""Log an interview from the person's file: date (default today), channel, notes."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input

from citeslab_tui.domain import text
from citeslab_tui.domain.models import Channel
from citeslab_tui.services import people
from citeslab_tui.ui.dialogs.record import RecordDialog
from citeslab_tui.ui.widgets.choice import LetterSelect


class InterviewDialog(RecordDialog):
    TITLE_TEXT = "Nouvel entretien"

    def __init__(self, person_id: str) -> None:
        super().__init__(self._submit)
        self.person_id = person_id

    def rows(self) -> ComposeResult:
        today = text.format_date(self.today)
        yield self.row("Date", Input(today, placeholder="jj/mm/aaaa", id="on", compact=True))
        yield self.row(
            "Canal",
            LetterSelect(
                [(c.label, c.value) for c in Channel],
                value=Channel.PERMANENCE.value,
                allow_blank=False,
                id="channel",
                compact=True,
            ),
        )
        yield self.row(
            "Notes",
            Input(placeholder="faits, démarches, décisions", id="notes", compact=True),
        )

    def on_mount(self) -> None:
        self.query_one("#on", Input).focus()  # top to bottom: date, channel, notes

    def _submit(self, values: dict[str, Any]) -> Any:
        ws = self.ws
        return people.log_interview(
            ws,
            self.person_id,
            on=values["on"],
            channel=values["channel"],
            notes=values["notes"],
            today=self.today,
        )
