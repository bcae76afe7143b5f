"""Every screen and dialog of the app, on fixed data at a frozen time (80x24 checks).

`fixed_data(folder)` fills a data folder (a person with an interview and an
appointment, the day's queue); `CATALOGUE` names each screen and dialog with a
function building it over the app once the data is open. The tests that walk every
screen (French only, focus on the first thing to type, snapshots) read this list:
a new screen or dialog is added here once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from textual.screen import Screen

from citeslab_tui.domain.models import FollowUpTask, QueueReason, TaskKind
from citeslab_tui.services import people, queue
from citeslab_tui.services.workspace import Workspace
from citeslab_tui.ui.app import CitesLabApp

PARIS = timezone(timedelta(hours=1))
NOW = datetime(2026, 11, 26, 15, 0, tzinfo=PARIS)
DAY = date(2026, 11, 26)
SITE = "Caen – Chemin Vert"


@dataclass(frozen=True)
class Ids:
    person_id: str
    task_id: str


def fixed_data(data_dir: Path) -> Ids:
    with Workspace.open(data_dir) as ws:
        ws.configure(
            structure="Mife du Calvados",
            staff=["Céline Perriot", "Karim Benali"],
            device="portable-1",
            sites=[SITE, "Hérouville – Grand Parc"],
        )
        result = people.create_person_with_intake(
            ws,
            {
                "family_name": "Diallo",
                "first_name": "Aïcha",
                "phone": "06 12 34 56 78",
                "commune": "Hérouville-Saint-Clair",
                "notice_given": True,
            },
            site=SITE,
            today=DAY,
            now=NOW,
        )
        person_id = result.person.id
        (task,) = ws.repo.save(
            FollowUpTask(
                person_id=person_id,
                task_kind=TaskKind.APPOINTMENT,
                title="Rendez-vous de suivi",
                due=DAY + timedelta(days=7),
                time="16:30",
                site=SITE,
            )
        )
        for name, minute in (("Yasmine", 10), ("CHEVALIER Stéphanie-Marie", 25)):
            queue.add_arrival(
                ws,
                day=DAY,
                site=SITE,
                now=datetime(2026, 11, 26, 14, minute, tzinfo=PARIS),
                name=name,
                reason=QueueReason.FIRST_CONTACT,
            )
        return Ids(person_id, task.id)


Build = Callable[[CitesLabApp, Ids], Screen[Any]]


def _duplicates(app: CitesLabApp) -> list[Any]:
    from citeslab_tui.services import search

    ws = app.workspace
    assert ws is not None
    return search.index_for(ws.repo).likely_duplicates("Diallo", "Aicha", None, None, limit=5)


def _build(module: str, name: str, *args: Any, **kwargs: Any) -> Screen[Any]:
    import importlib

    cls = getattr(importlib.import_module(f"citeslab_tui.ui.{module}"), name)
    return cls(*args, **kwargs)


def _period() -> Any:
    from citeslab_tui.domain.bilan.periods import Period

    return Period(date(2026, 1, 1), DAY)


def _filter() -> Any:
    from citeslab_tui.services.tasks import TaskFilter

    return TaskFilter()


CATALOGUE: list[tuple[str, Build]] = [
    # screens
    ("permanence", lambda app, ids: _build("screens.permanence", "PermanenceScreen")),
    ("taches", lambda app, ids: _build("screens.tasks", "TasksScreen")),
    ("bilan", lambda app, ids: _build("screens.bilan", "BilanScreen")),
    ("synchro", lambda app, ids: _build("screens.sync", "SyncScreen")),
    ("accueil", lambda app, ids: _build("screens.intake", "IntakeScreen")),
    ("fiche", lambda app, ids: _build("screens.person", "PersonScreen", ids.person_id)),
    ("aide", lambda app, ids: _build("screens.help", "HelpScreen")),
    ("masque", lambda app, ids: _build("screens.hidden", "HiddenScreen")),
    ("installation", lambda app, ids: _build("screens.setup", "SetupScreen")),
    ("erreur", lambda app, ids: _build("dialogs.message", "FatalScreen", "Base illisible.", "")),
    # dialogs
    ("arrivee", lambda app, ids: _build("dialogs.arrival", "ArrivalDialog")),
    (
        "bilan_dossier",
        lambda app, ids: _build(
            "dialogs.bilan_folder", "BilanFolderDialog", "Rapport du bilan", Path("/media/cle")
        ),
    ),
    (
        "bilan_periode",
        lambda app, ids: _build("dialogs.bilan_period", "BilanPeriodDialog", _period()),
    ),
    (
        "bilan_site",
        lambda app, ids: _build("dialogs.bilan_site", "BilanSiteDialog", [SITE], None),
    ),
    (
        "action_collective",
        lambda app, ids: _build("dialogs.collective", "CollectiveDialog", site=SITE),
    ),
    (
        "confirmation",
        lambda app, ids: _build(
            "dialogs.confirm",
            "ConfirmDialog",
            "Abandonner cet accueil ? Les informations saisies seront perdues.",
            yes="Abandonner",
            no="Continuer la saisie",
        ),
    ),
    (
        "doublon",
        lambda app, ids: _build("dialogs.duplicate_save", "DuplicateSaveDialog", _duplicates(app)),
    ),
    (
        "modifier_fiche",
        lambda app, ids: _build("dialogs.edit_person", "EditPersonDialog", ids.person_id),
    ),
    ("entretien", lambda app, ids: _build("dialogs.interview", "InterviewDialog", ids.person_id)),
    (
        "message",
        lambda app, ids: _build(
            "dialogs.message", "MessageDialog", "Envoi impossible", "Clé USB absente."
        ),
    ),
    (
        "orientation",
        lambda app, ids: _build("dialogs.orientation", "OrientationDialog", ids.person_id),
    ),
    ("issue", lambda app, ids: _build("dialogs.outcome", "OutcomeDialog", ids.person_id)),
    (
        "acces",
        lambda app, ids: _build("dialogs.privacy_access", "AccessExportDialog", ids.person_id),
    ),
    (
        "historique",
        lambda app, ids: _build("dialogs.privacy_audit", "AuditTrailDialog", ids.person_id),
    ),
    ("effacement", lambda app, ids: _build("dialogs.privacy_erase", "EraseDialog", ids.person_id)),
    ("notice", lambda app, ids: _build("dialogs.privacy_notice", "NoticeDialog")),
    (
        "tache_rapide",
        lambda app, ids: _build("dialogs.quick_task", "QuickTaskDialog", ids.person_id),
    ),
    ("recherche", lambda app, ids: _build("dialogs.search", "SearchDialog")),
    (
        "site",
        lambda app, ids: _build(
            "dialogs.site", "SiteDialog", [SITE, "Hérouville – Grand Parc"], SITE
        ),
    ),
    ("etape", lambda app, ids: _build("dialogs.stage", "StageDialog", ids.person_id)),
    (
        "reattribuer",
        lambda app, ids: _build("dialogs.task_assign", "TaskAssignDialog", ids.task_id),
    ),
    ("modifier_tache", lambda app, ids: _build("dialogs.task_edit", "TaskEditDialog", ids.task_id)),
    (
        "filtre",
        lambda app, ids: _build(
            "dialogs.task_filter", "TaskFilterDialog", _filter(), ids.person_id
        ),
    ),
    (
        "rencontre",
        lambda app, ids: _build(
            "dialogs.task_met", "TaskMetDialog", "DIALLO Aïcha", "France Travail"
        ),
    ),
    (
        "reporter",
        lambda app, ids: _build("dialogs.task_postpone", "TaskPostponeDialog", ids.task_id),
    ),
]

NAMES = [name for name, _build_it in CATALOGUE]
# Shown with the real clock or random ids (an access copy's date, the audit trail's save
# times and device id, a person's id, the data folder's path): no byte-stable picture.
VOLATILE = frozenset({"acces", "historique", "effacement", "notice"})


def build(name: str) -> Build:
    return dict(CATALOGUE)[name]
