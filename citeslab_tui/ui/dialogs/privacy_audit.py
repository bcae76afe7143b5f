"""Audit trail of a person: who (staff), which device and when each record was
created or changed, from the records' meta. Read-only: rectification is ordinary
editing, and shows here as a "Modification" line."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Label

from citeslab_tui.domain.display import show_instant
from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.ui.base import AppDialog

COLUMNS = ("Date", "Qui (appareil)", "Enregistrement et action")


class AuditTrailDialog(AppDialog[None]):
    """`AuditTrailDialog(person_id)`: the person's audit trail, oldest first."""

    HELP_TITLE = "Historique des modifications"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Fermer", id="privacy_audit_close"),
    ]

    def __init__(self, person_id: str) -> None:
        super().__init__()
        self.person_id = person_id

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(
                "Historique : qui a enregistré ou modifié quoi, quand, sur quel appareil",
                classes="privacy-title",
                markup=False,
            )
            yield DataTable(id="audit-table", cursor_type="row", zebra_stripes=True)
            yield Label("", id="audit-status", classes="privacy-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        from citeslab_tui.services import privacy

        table = self.query_one("#audit-table", DataTable)
        table.add_columns(*COLUMNS)
        try:
            entries = privacy.audit_trail(self.ws, self.person_id)
        except CitesLabError as exc:
            self.query_one("#audit-status", Label).update(exc.message)
            return
        for entry in entries:
            table.add_row(  # two lines a row: readable at 80 columns
                Text(show_instant(entry.when)),
                Text(f"{entry.staff or 'inconnu'}\n{entry.device or 'appareil inconnu'}"),
                Text(f"{entry.record}\n{entry.action}"),
                height=2,
            )
        count = len(entries)
        self.query_one("#audit-status", Label).update(
            f"{count} ligne{'s' if count > 1 else ''} ; lecture seule (les corrections se font "
            "sur la fiche et apparaissent ici)."
        )
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
