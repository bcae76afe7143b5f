"""Change the stage of a person's project (sensibilisé, détecté, Émergence) on a date."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input, Select

from citeslab_tui.domain import text
from citeslab_tui.domain.models import STAGE_ORDER, Stage
from citeslab_tui.services import people
from citeslab_tui.ui.dialogs.record import RecordDialog
from citeslab_tui.ui.widgets.choice import LetterSelect


class StageDialog(RecordDialog):
    TITLE_TEXT = "Changer d'étape"

    def __init__(self, person_id: str, current: Stage | None = None) -> None:
        super().__init__(self._submit)
        self.person_id = person_id
        self.current = current

    def rows(self) -> ComposeResult:
        if self.current is None:
            proposed = STAGE_ORDER[0]
        else:
            position = STAGE_ORDER.index(self.current)
            proposed = STAGE_ORDER[min(position + 1, len(STAGE_ORDER) - 1)]
        yield self.row(
            "Étape",
            LetterSelect(
                [(s.label, s.value) for s in STAGE_ORDER],
                value=proposed.value,
                allow_blank=False,
                id="stage",
                compact=True,
            ),
        )
        today = text.format_date(self.today)
        yield self.row("Date", Input(today, placeholder="jj/mm/aaaa", id="on", compact=True))

    def on_mount(self) -> None:
        self.query_one("#stage", Select).focus()

    def _submit(self, values: dict[str, Any]) -> Any:
        ws = self.ws
        return people.change_stage(
            ws, self.person_id, values["stage"], on=values["on"], today=self.today
        )
