"""Type the period of the bilan: two dates dd/mm/yyyy (both included).

Dismisses with a `domain.bilan.Period`, or None when cancelled (Échap).
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label

from citeslab_tui.domain.bilan import Period
from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.domain.text import format_date, parse_date
from citeslab_tui.ui.base import AppDialog


class BilanPeriodDialog(AppDialog[Period | None]):
    HELP_TITLE = "Période du bilan"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Annuler", id="bilan_period_cancel"),
    ]

    def __init__(self, period: Period) -> None:
        super().__init__()
        self.period = period

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Période du bilan (dates incluses, jj/mm/aaaa)", id="period-title")
            with Horizontal():
                yield Label("Du", classes="period-label")
                yield Input(format_date(self.period.start), id="period-start", compact=True)
            with Horizontal():
                yield Label("Au", classes="period-label")
                yield Input(format_date(self.period.end), id="period-end", compact=True)
            yield Label("", id="period-error", markup=False)
            yield Label(
                "Entrée : valider · Tab : champ suivant · Échap : annuler", id="period-hint"
            )

    def on_mount(self) -> None:
        self.query_one("#period-start", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "period-start":
            self.query_one("#period-end", Input).focus()
            return
        self.submit()

    def submit(self) -> None:
        error = self.query_one("#period-error", Label)
        try:
            start = parse_date(self.query_one("#period-start", Input).value)
        except CitesLabError as exc:
            error.update(f"Début : {exc.message}")
            self.query_one("#period-start", Input).focus()
            return
        try:
            end = parse_date(self.query_one("#period-end", Input).value)
        except CitesLabError as exc:
            error.update(f"Fin : {exc.message}")
            return
        try:
            period = Period(start, end)
        except CitesLabError as exc:
            error.update(exc.message)
            return
        self.dismiss(period)

    def action_cancel(self) -> None:
        self.dismiss(None)
