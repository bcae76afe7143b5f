"""Snapshot of the start screen at 80x24 with fixed data and a frozen clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from citeslab_tui.domain.models import (
    FollowUpTask,
    Person,
    QueueReason,
    QueueStatus,
    TaskKind,
)
from citeslab_tui.services import queue
from citeslab_tui.services.workspace import Workspace
from citeslab_tui.ui.app import CitesLabApp

PARIS = timezone(timedelta(hours=1))
NOW = datetime(2026, 11, 26, 15, 0, tzinfo=PARIS)
DAY = date(2026, 11, 26)
SITE = "Caen – Chemin Vert"


def fixed_folder(data_dir: Path) -> Path:
    with Workspace.open(data_dir) as ws:
        ws.configure(
            structure="Mife du Calvados", staff=["Céline Perriot"], device="poste", sites=[SITE]
        )
        (person,) = ws.repo.save(Person(family_name="Diallo", first_name="Aïcha"))
        ws.repo.save(
            FollowUpTask(
                person_id=person.id,
                task_kind=TaskKind.APPOINTMENT,
                title="Rendez-vous de suivi",
                due=DAY,
                time="16:30",
                site=SITE,
            )
        )
        arrivals = [
            ("Yasmine", QueueReason.FIRST_CONTACT, 14, 0, QueueStatus.SEEN),
            ("Karim", QueueReason.FOLLOW_UP, 14, 10, QueueStatus.IN_INTERVIEW),
            ("[b]Ali[/]", QueueReason.INFORMATION, 14, 25, None),
            ("Fatou", QueueReason.FIRST_CONTACT, 14, 40, None),
        ]
        for name, reason, hour, minute, status in arrivals:
            entry = queue.add_arrival(
                ws,
                day=DAY,
                site=SITE,
                now=datetime(2026, 11, 26, hour, minute, tzinfo=PARIS),
                name=name,
                reason=reason,
            )
            if status is not None:
                queue.set_status(ws, entry.id, status, now=NOW - timedelta(minutes=20))
    return data_dir


def test_start_screen_snapshot(snap_compare, data_dir: Path) -> None:
    app = CitesLabApp(str(fixed_folder(data_dir)), now=lambda: NOW)

    async def loaded(pilot) -> None:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=loaded)
