"""Right of access: the person's whole file as French text, saved as text and JSON.

`AccessExportDialog(person_id)`: shows everything the database holds on a person
(every field, every dated record, who recorded it on which device). Ctrl+S writes
the copy (text and JSON, owner-only) to the data folder's `exports/`; Ctrl+R opens
the audit trail. Read-only: nothing here changes the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, Label, TextArea

from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.ui.base import AppDialog


class AccessExportDialog(AppDialog[str | None]):
    """Dismisses with the path of the text copy written, or None."""

    HELP_TITLE = "Droit d'accès : export des données"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Fermer", id="privacy_access_close"),
        Binding("ctrl+s", "save", "Enregistrer la copie", id="privacy_access_save"),
        Binding("ctrl+r", "trail", "Historique", id="privacy_access_trail"),
    ]

    def __init__(self, person_id: str) -> None:
        super().__init__()
        self.person_id = person_id
        self.saved: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(
                "Droit d'accès : copie de tout ce que la base contient sur la personne",
                classes="privacy-title",
                markup=False,
            )
            yield TextArea("", read_only=True, soft_wrap=True, id="access-text")
            yield Label("", id="access-status", classes="privacy-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        from citeslab_tui.services import privacy

        try:
            content = privacy.render_access(self.ws, self.person_id, "text", self.now())
        except CitesLabError as exc:
            self._status(exc.message, error=True)
            return
        area = self.query_one("#access-text", TextArea)
        area.load_text(content)
        area.focus()
        self._status("Ctrl+S : enregistrer la copie (texte et JSON) dans le dossier exports.")

    def _status(self, message: str, *, error: bool = False) -> None:
        label = self.query_one("#access-status", Label)
        label.update(message)
        label.set_class(error, "-error")

    def action_save(self) -> None:
        from citeslab_tui.services import privacy

        def write() -> tuple[Path, Path]:
            now = self.now()
            text = privacy.write_access_export(self.ws, self.person_id, "text", now=now)
            return text, privacy.write_access_export(self.ws, self.person_id, "json", now=now)

        written = self.run_service(write, refused=lambda exc: self._status(exc.message, error=True))
        if written is None:
            return
        text_path, json_path = written
        self.saved = str(text_path)
        self._status(
            f"Copie enregistrée (lisible par vous seul) : {text_path.name} et {json_path.name} "
            f"dans {text_path.parent}."
        )

    def action_trail(self) -> None:
        from citeslab_tui.ui.dialogs.privacy_audit import AuditTrailDialog

        self.app.push_screen(AuditTrailDialog(self.person_id))

    def action_close(self) -> None:
        self.dismiss(self.saved)
