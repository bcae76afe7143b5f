"""Choose the folder where the bilan (or an export) is written.

Dismisses with the folder as typed (a `Path`), or None when cancelled.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label

from citeslab_tui.ui.base import AppDialog


class BilanFolderDialog(AppDialog[Path | None]):
    HELP_TITLE = "Dossier d'écriture"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Annuler", id="bilan_folder_cancel"),
    ]

    def __init__(self, title: str, folder: Path) -> None:
        super().__init__()
        self.title_text = title
        self.folder = folder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, id="folder-title", markup=False)
            yield Label("Dossier :")
            yield Input(str(self.folder), id="folder-path", compact=True)
            yield Label("", id="folder-error", markup=False)
            yield Label("Entrée : écrire · Échap : annuler")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        typed = event.value.strip()
        if not typed:
            self.query_one("#folder-error", Label).update("Indiquez un dossier.")
            return
        path = Path(typed).expanduser()
        if path.exists() and not path.is_dir():
            self.query_one("#folder-error", Label).update(
                "Ce chemin est un fichier, pas un dossier."
            )
            return
        if not path.exists() and path != self.folder:
            # A typo, or a USB stick not mounted: never create the folder on the laptop's
            # own disk and write personal files there without anyone noticing.
            self.query_one("#folder-error", Label).update(
                "Ce dossier n'existe pas : vérifiez le chemin (clé USB bien branchée ?)."
            )
            return
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)
