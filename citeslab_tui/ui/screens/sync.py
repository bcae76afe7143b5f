"""The sync screen (F5): send today's changes to the stick, receive bundles, the
office's return file, and the conflicts / possible duplicates to review.

Remembers the last folder (settings.sync_folder). Export and import run in a
worker thread with a progress bar; all work goes through `services.sync`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.reactive import var
from textual.widgets import DataTable, Input, Label, ProgressBar, Static

from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.domain.text import visible
from citeslab_tui.resources import style_file
from citeslab_tui.services import keys as key_service
from citeslab_tui.services import sync as sync_service
from citeslab_tui.ui.base import AppScreen, failure_message
from citeslab_tui.ui.widgets.footer import KeysFooter

MAX_ROWS = 300  # the review list is for people, not for 10,000 rows
COLUMNS = (("Type", 9), ("Fiche", 22), ("Champ / motif", 14), ("Valeur", 24))


class SyncScreen(AppScreen[None]):
    """Synchronisation by file copy (USB stick or shared folder)."""

    HELP_TITLE = "Synchronisation"
    AUTO_FOCUS = "#sync-folder"
    CSS_PATH = [str(style_file("sync.tcss"))]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f6", "export", "Envoyer", id="sync_export", tooltip="Envoyer les changements"),
        Binding("f7", "import", "Recevoir", id="sync_import", tooltip="Importer le dossier"),
        Binding(
            "f8", "return", "Retour", id="sync_return", tooltip="Écrire le fichier retour (bureau)"
        ),
        Binding(
            "f9",
            "keys",
            "Clés",
            id="sync_keys",
            tooltip="Clés : installer l'identité du bureau, inscrire un portable, écrire la sienne",
        ),
        Binding(
            "ctrl+g",
            "keep",
            "Résoudre",
            id="sync_keep",
            tooltip="Garder la valeur choisie, ou fusionner les deux personnes",
        ),
        Binding(
            "ctrl+r",
            "different",
            "Différentes",
            id="sync_different",
            tooltip="Ce sont deux personnes différentes",
        ),
    ]

    busy: var[bool] = var(False, init=False)
    """True while an export or an import runs (its keys are then dimmed)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._rows: dict[str, tuple[str, Any, int]] = {}
        self._conflicts: list[sync_service.ConflictItem] = []
        self._pairs: list[sync_service.DuplicatePair] = []

    def compose(self) -> ComposeResult:
        yield Label("", id="sync-title", markup=False)
        yield Label("Dossier (clé USB ou dossier partagé) :", id="sync-folder-label")
        yield Input(id="sync-folder", placeholder="/media/cle ou E:\\")
        yield Label("", id="sync-pending", markup=False)
        yield ProgressBar(id="sync-progress", total=100, show_eta=False)
        yield Static("", id="sync-summary", markup=False)
        yield Label("", id="sync-review-title", markup=False)
        table: DataTable[Any] = DataTable(id="sync-review", cursor_type="row", zebra_stripes=True)
        yield table
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one("#sync-review", DataTable)
        for label, width in COLUMNS:
            table.add_column(label, width=width)
        if self.has_data:
            self.query_one("#sync-folder", Input).value = self.ws.settings.sync_folder

    def on_screen_resume(self) -> None:
        self.refresh_state()  # what it shows (pending changes, review) is cheap to read

    def watch_busy(self) -> None:
        self.refresh_bindings()

    # --- drawing ----------------------------------------------------------------------

    def refresh_state(self) -> None:
        if not self.has_data:
            return
        settings = self.ws.settings
        role = "bureau central" if settings.role == "office" else "portable"
        self.query_one("#sync-title", Label).update(
            f"Synchronisation — {settings.device_name or settings.device_id} ({role})"
        )
        pending = sync_service.pending_changes(self.ws.repo)
        what = sync_service.describe_counts(pending, empty="rien de nouveau")
        self.query_one("#sync-pending", Label).update(f"Prochain envoi (F6) : {what}.")
        self.refresh_review()
        self.refresh_bindings()

    def refresh_review(self) -> None:
        table = self.query_one("#sync-review", DataTable)
        table.clear()
        self._rows = {}
        self._conflicts = sync_service.list_conflicts(self.ws)
        self._pairs = sync_service.list_duplicates(self.ws.repo)
        rows = 0
        for n, item in enumerate(self._conflicts):
            for v, shown in enumerate(item.shown()):
                if rows >= MAX_ROWS:
                    break
                key = f"c{n}-{v}"
                self._rows[key] = ("conflict", item, v)
                mark = " ✓" if v == 0 else ""
                table.add_row(
                    Text("Conflit" if v == 0 else ""),
                    Text(visible(item.label) if v == 0 else ""),
                    Text(item.field_label if v == 0 else ""),
                    Text(visible(shown) + mark),
                    key=key,
                )
                rows += 1
        for n, pair in enumerate(self._pairs):
            if rows >= MAX_ROWS:
                break
            key = f"d{n}"
            self._rows[key] = ("duplicate", pair, 0)
            table.add_row(
                Text("Doublon ?"),
                Text(visible(pair.label_a)),
                Text("même " + ", ".join(pair.reasons)),
                Text(visible(pair.label_b)),
                key=key,
            )
            rows += 1
        title = (
            f"À examiner : {len(self._conflicts)} conflit(s), {len(self._pairs)} doublon(s) "
            "possible(s) (Ctrl+G : résoudre)"
        )
        if not (self._conflicts or self._pairs):
            title = "Rien à examiner."
        self.query_one("#sync-review-title", Label).update(title)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("export", "import", "return") and self.busy:
            return None  # dimmed until the operation in progress ends
        if action == "return":
            return self.has_data and self.ws.settings.role == "office"
        if action == "keys" and self.busy:
            return None
        if action in ("keep", "different"):
            row = self._current()
            if row is None:
                return None
            return action == "keep" or row[0] == "duplicate" or None
        return True

    def _current(self) -> tuple[str, Any, int] | None:
        table = self.query_one("#sync-review", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._rows.get(str(key))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()

    # --- export / import ----------------------------------------------------------------

    def _folder(self) -> Path | None:
        text = self.query_one("#sync-folder", Input).value.strip()
        if not text:
            self.notify("Indiquez le dossier (clé USB ou dossier partagé).", severity="warning")
            self.query_one("#sync-folder", Input).focus()
            return None
        folder = Path(text).expanduser()
        if folder.is_file():
            self.notify(
                f"{folder} est un fichier : indiquez le dossier qui le contient.",
                severity="warning",
            )
            return None
        if not folder.is_dir():
            self.notify(
                f"Le dossier {folder} n'existe pas (clé USB branchée ?).", severity="warning"
            )
            return None
        settings = self.ws.settings
        if settings.sync_folder != text:
            try:
                self.ws.repo.save_settings(settings.model_copy(update={"sync_folder": text}))
            except CitesLabError:
                pass  # remembering the folder is a convenience
        return folder

    def action_export(self) -> None:
        self._start("export")

    def action_import(self) -> None:
        self._start("import")

    def action_return(self) -> None:
        self._start("return")

    def action_keys(self) -> None:
        from citeslab_tui.ui.dialogs.keys import KeysDialog

        if not self.has_data or self.busy:
            return
        folder = self.query_one("#sync-folder", Input).value.strip()
        if folder and not folder.endswith(("/", os.sep)):
            folder += os.sep  # the field then completes the names in this folder
        self.app.push_screen(KeysDialog(folder), lambda _: self.refresh_state())

    def missing_keys(self, what: str) -> str | None:
        """What a send or a receive needs and this laptop lacks, and how to get it here
        (French); None when nothing is missing (the office enrols laptops: F9 too)."""
        settings = self.ws.settings
        if settings.role == "office" or key_service.office_fingerprint(self.ws) is not None:
            return None
        action = "Envoi" if what == "export" else "Réception"
        return (
            f"{action} impossible : l'identité du bureau n'est pas installée sur ce portable "
            "(les envois sont chiffrés pour le bureau, les retours signés par lui).\n\n"
            "Pour l'installer depuis l'application :\n"
            "1. au bureau : F5 Synchro, F9 Clés, Ctrl+E écrit l'identité du bureau sur la "
            "clé USB ;\n"
            "2. ici : F9 Clés, tapez le chemin du fichier (Tab complète le nom), Entrée ;\n"
            "3. comparez l'empreinte au téléphone avec le bureau, puis « Identiques : "
            "installer » ;\n"
            "4. Ctrl+E écrit l'identité de ce portable sur la clé, pour que le bureau "
            "l'inscrive (F9 au bureau)."
        )

    def _start(self, what: str) -> None:
        if not self.has_data or self.busy:
            return
        folder = self._folder()
        if folder is None:
            return
        missing = self.missing_keys(what) if what in ("export", "import") else None
        if missing is not None:
            self.app.show_message("Clés à installer", missing)
            return
        self.busy = True
        self.query_one("#sync-progress", ProgressBar).update(progress=0)
        self.query_one("#sync-summary", Static).update("En cours…")
        self.run_sync(what, folder)

    def _progress(self, fraction: float, text: str) -> None:
        self.app.call_from_thread(self._show_progress, fraction, text)

    def _progress_ui(self, fraction: float, text: str) -> None:
        self._show_progress(fraction, text)

    def _show_progress(self, fraction: float, text: str) -> None:
        self.query_one("#sync-progress", ProgressBar).update(progress=fraction * 100)
        self.query_one("#sync-summary", Static).update(text)

    @work(thread=True, exclusive=True, group="sync")
    def run_sync(self, what: str, folder: Path) -> None:
        """Reading files, compressing, encrypting and writing run in this thread; every
        repository read or write is sent to the UI thread (the repository's owner)."""
        repo = self.ws.repo
        on_ui = self.app.call_from_thread
        try:
            if what == "import":
                prepared = sync_service.prepare_import(repo, [folder], progress=self._progress)
                report = on_ui(sync_service.apply_import, repo, prepared, self._progress_ui)
                if report.files:
                    lines = report.short_lines()
                else:
                    lines = ["Aucun fichier à importer."]
                ok = not report.refused
            else:
                self._progress(0.05, "Préparation…")
                if what == "export":
                    plan = on_ui(sync_service.plan_export, repo)
                    plans = [] if plan is None else [plan]
                    done = [] if plans else [sync_service.NOTHING_NEW]
                else:  # one return file per laptop
                    planned = on_ui(sync_service.plan_return, repo)
                    plans = planned.plans
                    done = sync_service.ReturnResult([], planned.up_to_date).lines()
                    done = done if planned.up_to_date or not plans else []
                messages = []
                for plan in plans:
                    sync_service.write_export(plan, folder, self._progress)
                    messages.append(on_ui(sync_service.commit_export, repo, plan).message)
                if what == "return" and plans:  # one short line per laptop (80 columns)
                    messages = [
                        f"{len(plans)} fichier(s) retour prêt(s) et vérifié(s) dans {folder} :",
                        *(sync_service.return_line(plan) for plan in plans),
                    ]
                lines, ok = messages + done, True
        except Exception as exc:  # never a traceback: French message, details in the log
            lines, ok = [failure_message(exc)], False
        on_ui(self._done, lines, ok)

    def _done(self, lines: list[str], ok: bool) -> None:
        self.busy = False
        lines = [visible(line) for line in lines]  # file and device names come from files
        self.query_one("#sync-progress", ProgressBar).update(progress=100)
        self.query_one("#sync-summary", Static).update("\n".join(lines))
        self.notify(lines[0], severity="information" if ok else "error", timeout=8, markup=False)
        self.app.publish_records_changed()  # what was received shows on every screen
        self.refresh_state()

    # --- review -----------------------------------------------------------------------------

    def action_keep(self) -> None:
        row = self._current()
        if row is None:
            return
        kind, item, value = row
        repo = self.ws.repo
        if kind == "conflict":
            conflict: sync_service.ConflictItem = item
            self.run_service(
                lambda: sync_service.resolve_conflict(
                    repo, conflict.kind, conflict.record_id, conflict.field, value
                ),
                success=(
                    f"Conflit résolu : {conflict.field_label} = {visible(conflict.shown()[value])}."
                ),
                refused=self._refused,
            )
        else:
            pair: sync_service.DuplicatePair = item
            moved = self.run_service(
                lambda: sync_service.merge_persons(repo, pair.a, pair.b), refused=self._refused
            )
            if moved is not None:
                self.notify(f"Fusionné (historique des deux conservé, {moved} suivi(s) repris).")
        self.refresh_state()

    def action_different(self) -> None:
        row = self._current()
        if row is None or row[0] != "duplicate":
            return
        pair: sync_service.DuplicatePair = row[1]
        self.run_service(
            lambda: sync_service.mark_different(self.ws.repo, pair.a, pair.b),
            success="Noté : ce sont deux personnes différentes.",
            refused=self._refused,
        )
        self.refresh_state()

    def _refused(self, exc: CitesLabError) -> None:
        self.notify(visible(exc.message), severity="error", markup=False)
