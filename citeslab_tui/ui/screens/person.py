"""The person's file: identity and contact, current stage, and a timeline of everything
dated (interviews with notes, stage changes, orientations, outcomes, tasks and
appointments). Keys open small dialogs that call `services.people`; the file is
redrawn after each save.

Other areas add their keys by appending to `PERSON_BINDINGS` (and defining the
matching `action_*` method on PersonScreen), e.g. the privacy area's export and erase.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Label, Static

from citeslab_tui.domain import text
from citeslab_tui.domain.models import (
    Approach,
    Civility,
    Person,
)
from citeslab_tui.domain.places import Places
from citeslab_tui.resources import style_file
from citeslab_tui.services import people
from citeslab_tui.ui.base import AppScreen
from citeslab_tui.ui.widgets.footer import KeysFooter

PERSON_BINDINGS: list[BindingType] = [
    Binding("escape", "back", "Retour", id="person_back"),
    Binding("ctrl+e", "edit", "Modifier", id="person_edit"),
    Binding("ctrl+l", "log_interview", "Entretien", id="person_interview"),
    Binding("ctrl+g", "change_stage", "Étape", id="person_stage"),
    Binding("ctrl+r", "orient", "Orienter", id="person_orientation"),
    Binding("ctrl+u", "outcome", "Issue", id="person_outcome"),
    Binding("ctrl+k", "plan_task", "Planifier", id="person_task"),
    Binding(
        "ctrl+x",
        "privacy_export",
        "Accès RGPD",
        id="person_privacy_export",
        tooltip="Droit d'accès : copie de toute la fiche (texte lisible et JSON)",
    ),
    Binding(
        "ctrl+d",
        "privacy_erase",
        "Effacer",
        id="person_privacy_erase",
        tooltip="Droit à l'effacement : effacer la personne ici et, à la synchro, partout",
    ),
]


def identity_lines(person: Person, stage_label: str, places: Places, today: date) -> list[str]:
    """The identity block, French, one string per line (user text kept as typed).

    Commune and QPV are shown as the reference names them, with their status: "(à
    confirmer)", "(hors carte 2024)", "(non reconnu)" for an older value it does not know."""
    born = (
        text.format_date(person.birth_date)
        if person.birth_date
        else str(person.birth_year)
        if person.birth_year
        else "non renseignée"
    )
    civility = person.civility.label if person.civility != Civility.UNSPECIFIED else ""
    contact = (
        " · ".join(p for p in (text.format_phone(person.phone), person.email or "") if p)
        or "pas de téléphone ni d'e-mail"
    )
    commune = places.commune_value(person.commune_insee, person.commune)
    place = commune.label or "commune non renseignée"
    qpv = places.qpv_label(person.qpv, today)
    if qpv:
        place += f" · QPV : {qpv}" + (" (résidence vérifiée)" if person.qpv_checked else "")
    notice = (
        f"notice remise le {text.format_date(person.notice_given_on)}"
        if person.notice_given_on
        else "notice d'information non remise"
    )
    project = person.project_idea or "idée de projet non renseignée"
    extra = [
        person.sector,
        person.approach.label if person.approach != Approach.UNKNOWN else "",
    ]
    project_line = " · ".join(p for p in [f"Projet : {project}", *extra] if p)
    lines = [
        " · ".join(p for p in (f"Étape : {stage_label}", civility, f"naissance : {born}") if p),
        contact,
        place,
        project_line,
    ]
    more = [
        person.situation,
        person.training_level,
        f"connu par : {person.heard_from}" if person.heard_from else "",
        notice,
    ]
    lines.append(" · ".join(p for p in more if p))
    if person.next_step:
        lines.append(f"Prochaine étape : {person.next_step}")
    if person.notes:
        lines.append(f"Notes : {person.notes}")
    return lines


class PersonScreen(AppScreen[None]):
    """One person's file."""

    HELP_TITLE = "Fiche de la personne"
    CSS_PATH = [str(style_file("person.tcss"))]
    BINDINGS: ClassVar[list[BindingType]] = PERSON_BINDINGS

    def __init__(self, person_id: str) -> None:
        super().__init__()
        self.person_id = person_id
        self.person: Person | None = None
        self.stale = False  # records changed since the file was drawn

    def compose(self) -> ComposeResult:
        yield Label("", id="person-name", markup=False)
        yield Static("", id="person-identity", markup=False)
        yield Label(
            "Historique (le plus récent en haut ; Entrée : voir la ligne entière)",
            id="person-timeline-title",
        )
        yield DataTable(id="person-timeline", cursor_type="row", zebra_stripes=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Date", key="date", width=10)
        table.add_column("Quoi", key="what", width=11)
        table.add_column("Détail", key="detail", width=self._detail_width())
        self.app.records_changed_signal.subscribe(self, self.records_changed)
        self.refresh_file()
        table.focus()

    def records_changed(self, _lseq: int) -> None:
        """A save (a dialog of this file, a quick task, a sync): redraw now or when shown."""
        self.stale = True
        if self.is_active:
            self.refresh_file()

    def _detail_width(self) -> int:
        """The detail column fills the width left (long notes: Entrée shows them whole)."""
        return max(20, (self.app.size.width or 80) - 10 - 11 - 8)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Entrée on a line: the whole line in a dialog (long notes are cut in the table)."""
        from citeslab_tui.ui.dialogs.message import MessageDialog

        event.stop()
        key = event.row_key.value or ""
        for row in people.timeline(self.ws, self.person_id):
            if f"{row.kind}:{row.record_id}" == key:
                title = f"{row.label} du {text.format_date(row.on)}"
                self.app.push_screen(MessageDialog(title, row.detail))
                return

    def on_screen_resume(self) -> None:
        """Back on the file (after a dialog, another screen): reload if anything was saved."""
        if self.is_mounted and self.stale:
            self.refresh_file()

    def refresh_file(self) -> None:
        """Reload the person and the timeline from the repository."""
        self.stale = False
        person = self.ws.repo.get(Person, self.person_id)
        self.person = person
        name = self.query_one("#person-name", Label)
        identity = self.query_one("#person-identity", Static)
        table = self.query_one(DataTable)
        table.clear()
        if person is None:
            name.update("Personne introuvable")
            identity.update(Text("Cette fiche n'existe plus (effacée ou supprimée)."))
            return
        stage = people.current_stage(self.ws, self.person_id)
        stage_label = stage.label if stage else "aucune"
        name.update(person.display_name)
        lines = identity_lines(person, stage_label, self.ws.reference.places, self.today)
        identity.update(Text("\n".join(lines)))
        width = self._detail_width()
        for row in people.timeline(self.ws, self.person_id):
            detail = row.detail.replace("\n", " ")
            if len(detail) > width:
                detail = detail[: width - 1] + "…"
            table.add_row(
                Text(text.format_date(row.on)),
                Text(row.label),
                Text(detail),
                key=f"{row.kind}:{row.record_id}",
            )

    # --- actions -----------------------------------------------------------------------

    def _saved(self, saved: bool | None) -> None:
        if saved:  # the file is redrawn (records changed)
            self.app.notify("Enregistré.", timeout=3)

    def _exists(self) -> bool:
        if self.person is None:
            self.notify("Cette fiche n'existe plus.", severity="warning")
            return False
        return True

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def action_edit(self) -> None:
        if not self._exists():
            return
        from citeslab_tui.ui.dialogs.edit_person import EditPersonDialog

        self.app.push_screen(EditPersonDialog(self.person_id), self._saved)

    def action_log_interview(self) -> None:
        if not self._exists():
            return
        from citeslab_tui.ui.dialogs.interview import InterviewDialog

        self.app.push_screen(InterviewDialog(self.person_id), self._saved)

    def action_change_stage(self) -> None:
        if not self._exists():
            return
        from citeslab_tui.ui.dialogs.stage import StageDialog

        current = people.current_stage(self.ws, self.person_id)
        self.app.push_screen(StageDialog(self.person_id, current), self._saved)

    def action_orient(self) -> None:
        if not self._exists():
            return
        from citeslab_tui.ui.dialogs.orientation import OrientationDialog

        self.app.push_screen(OrientationDialog(self.person_id), self._saved)

    def action_outcome(self) -> None:
        if not self._exists():
            return
        from citeslab_tui.ui.dialogs.outcome import OutcomeDialog

        self.app.push_screen(OutcomeDialog(self.person_id), self._saved)

    def action_plan_task(self) -> None:
        if not self._exists():
            return
        from citeslab_tui.ui.dialogs.quick_task import QuickTaskDialog

        self.app.push_screen(QuickTaskDialog(self.person_id))

    # --- personal data (privacy area: ui/dialogs/privacy_*.py) ---------------------------

    def action_privacy_export(self) -> None:
        from citeslab_tui.ui.dialogs.privacy_access import AccessExportDialog

        if self._exists():
            self.app.push_screen(AccessExportDialog(self.person_id))

    def action_privacy_erase(self) -> None:
        from citeslab_tui.ui.dialogs.privacy_erase import EraseDialog

        if self._exists():
            self.app.push_screen(EraseDialog(self.person_id), self._erased)

    def _erased(self, message: str | None) -> None:
        if message:  # the file is redrawn (records changed)
            self.app.notify(message, title="Données effacées", timeout=15)
