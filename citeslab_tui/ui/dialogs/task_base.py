"""Shared parts of the task dialogs: French labels, error line, past-date confirmation
(their frame: `TaskDialog` in styles/dialogs.tcss)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from rich.text import Text
from textual.screen import ScreenResultType
from textual.widgets import Label

from citeslab_tui.domain import duedates
from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.ui.base import AppDialog


def options(pairs: list[tuple[str, Any]]) -> list[tuple[Text, Any]]:
    """Select options whose labels are never read as markup."""
    return [(Text(label), value) for label, value in pairs]


class TaskDialog(AppDialog[ScreenResultType]):
    """Base: the due-date preview, the error line, a confirmation before a past date."""

    def show_error(self, exc: CitesLabError) -> None:
        """The French reason in the `#error` line (kept until the next try)."""
        label = self.query_one("#error", Label)
        label.update(exc.message)
        label.display = True

    def show_due_preview(self, parse: Callable[[], tuple[date, str | None]]) -> None:
        """The `#preview` label: the date `parse()` understood, or that it understood none."""
        label = self.query_one("#preview", Label)
        try:
            due, time = parse()
        except CitesLabError:
            label.update("→ date non comprise")
            label.set_classes("hint")
            return
        label.update(Text(f"→ {duedates.describe_due(due, time)}"))
        label.set_classes("preview")

    def confirm_past(self, due: date, then: Callable[[], None]) -> None:
        """Run `then` at once, or after a "yes" when `due` is before today."""
        if due >= self.today:
            then()
            return
        from citeslab_tui.ui.dialogs.confirm import ConfirmDialog

        question = (
            f"Le {duedates.describe_due(due)} est déjà passé "
            f"({duedates.relative_label(due, self.today)}). Enregistrer quand même ?"
        )

        def answered(yes: bool | None) -> None:
            if yes:
                then()

        self.app.push_screen(ConfirmDialog(question, yes="Enregistrer", no="Corriger"), answered)
