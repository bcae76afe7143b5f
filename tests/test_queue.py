"""services.queue: today's permanence queue, on a real data folder."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.models import (
    FollowUpTask,
    Person,
    QueueReason,
    QueueStatus,
    TaskKind,
    TaskStatus,
)
from citeslab_tui.services import queue
from citeslab_tui.services.workspace import Workspace

PARIS = timezone(timedelta(hours=1))
DAY = date(2026, 11, 26)  # a Thursday
SITE = "Caen – Chemin Vert"


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 26, hour, minute, tzinfo=PARIS)


def names(ws: Workspace) -> list[str]:
    return [queue.entry_name(ws, e) for e in queue.entries(ws, DAY, SITE)]


def test_arrivals_in_order_with_waiting_time(workspace: Workspace) -> None:
    queue.add_arrival(workspace, day=DAY, site=SITE, now=at(14, 0), name="Yasmine")
    queue.add_arrival(
        workspace,
        day=DAY,
        site=SITE,
        now=at(14, 10),
        name="Karim",
        reason=QueueReason.INFORMATION,
    )
    rows = queue.queue_rows(workspace, DAY, SITE, at(15, 5))
    assert [(r.arrival, r.name, r.reason, r.appointment, r.status, r.wait) for r in rows] == [
        ("14:00", "Yasmine", "Premier contact", "Sans RDV", "En attente", "1 h 05"),
        ("14:10", "Karim", "Information", "Sans RDV", "En attente", "55 min"),
    ]
    # another site or another day sees nothing
    assert queue.queue_rows(workspace, DAY, "Hérouville", at(15)) == []
    assert queue.entries(workspace, DAY + timedelta(days=1), SITE) == []


def test_missing_name_refused_nothing_saved(workspace: Workspace) -> None:
    with pytest.raises(ValidationError, match="obligatoire"):
        queue.add_arrival(workspace, day=DAY, site=SITE, now=at(14), name="   ")
    assert queue.entries(workspace, DAY, SITE) == []


def test_statuses_and_wait_frozen_at_interview(workspace: Workspace) -> None:
    entry = queue.add_arrival(workspace, day=DAY, site=SITE, now=at(14), name="Ali")
    queue.start_interview(workspace, entry.id, now=at(14, 20))
    row = queue.queue_rows(workspace, DAY, SITE, at(16))[0]
    assert (row.status, row.wait) == ("En entretien", "20 min")
    queue.set_status(workspace, entry.id, QueueStatus.SEEN, now=at(14, 50))
    assert queue.queue_rows(workspace, DAY, SITE, at(16))[0].status == "Reçu"
    with pytest.raises(ValidationError, match="Déjà"):
        queue.set_status(workspace, entry.id, QueueStatus.SEEN, now=at(15))


def test_move_swaps_neighbours_and_stops_at_ends(workspace: Workspace) -> None:
    ids = [
        queue.add_arrival(workspace, day=DAY, site=SITE, now=at(14, i), name=n).id
        for i, n in enumerate(["Awa", "Bilal", "Chloé"])
    ]
    assert queue.move(workspace, ids[2], -1)
    assert names(workspace) == ["Awa", "Chloé", "Bilal"]
    assert not queue.move(workspace, ids[0], -1)
    assert queue.move(workspace, ids[0], 1)
    assert names(workspace) == ["Chloé", "Awa", "Bilal"]


def test_appointment_expected_then_arrived_then_task_done(workspace: Workspace) -> None:
    (person,) = workspace.repo.save(Person(family_name="Diallo", first_name="Aïcha"))
    (task,) = workspace.repo.save(
        FollowUpTask(
            person_id=person.id,
            task_kind=TaskKind.APPOINTMENT,
            title="Rendez-vous de suivi",
            due=DAY,
            time="14:30",
            site=SITE,
        )
    )
    row = queue.queue_rows(workspace, DAY, SITE, at(14))[0]
    assert (row.expected, row.name, row.appointment, row.status) == (
        True,
        "DIALLO Aïcha",
        "RDV 14:30",
        "Attendu",
    )
    entry = queue.arrive_appointment(workspace, task.id, day=DAY, site=SITE, now=at(14, 25))
    assert entry.appointment and entry.task_id == task.id and entry.person_id == person.id
    rows = queue.queue_rows(workspace, DAY, SITE, at(14, 40))
    assert len(rows) == 1 and not rows[0].expected and rows[0].appointment == "RDV 14:30"
    with pytest.raises(ValidationError):
        queue.arrive_appointment(workspace, task.id, day=DAY, site=SITE, now=at(14, 26))
    queue.set_status(workspace, entry.id, QueueStatus.SEEN, now=at(15))
    assert workspace.repo.get(FollowUpTask, task.id).status is TaskStatus.DONE


def test_close_session_marks_waiting_left_and_plans_callbacks(workspace: Workspace) -> None:
    (fatou,) = workspace.repo.save(
        Person(family_name="Sow", first_name="Fatou", phone="06 12 34 56 78")
    )
    seen = queue.add_arrival(workspace, day=DAY, site=SITE, now=at(14), name="Ali")
    queue.set_status(workspace, seen.id, QueueStatus.SEEN, now=at(14, 30))
    waiting = queue.add_arrival(workspace, day=DAY, site=SITE, now=at(15), person_id=fatou.id)
    closing = queue.close_session(workspace, DAY, SITE, now=at(17))
    assert [e.id for e in closing.left] == [waiting.id]
    assert [e.id for e in closing.callbacks] == [waiting.id]
    task = queue.plan_callback(workspace, waiting.id)
    assert task.task_kind is TaskKind.CALL
    assert task.due == date(2026, 11, 27)
    assert "Fatou" in task.title and task.person_id == fatou.id
    assert queue.has_callback(workspace, closing.left[0])
    assert queue.close_session(workspace, DAY, SITE, now=at(18)).callbacks == []


def test_close_session_counts_interviews_from_every_path(workspace: Workspace) -> None:
    """Issue #14 point 2: a person interviewed that day (intake, Ctrl+L on the file, the
    queue) is received, not "left"; no row stays in interview; call-backs only for
    people with a file and a phone."""
    from citeslab_tui.services import people

    def person(family: str, first: str, phone: str | None) -> Person:
        (saved,) = workspace.repo.save(Person(family_name=family, first_name=first, phone=phone))
        return saved  # type: ignore[return-value]

    yasmine = person("Haddad", "Yasmine", "06 00 00 00 01")
    karim = person("Benali", "Karim", "06 00 00 00 02")
    nophone = person("Martin", "Paul", None)
    # Yasmine waits in the queue; her file gets two interviews by Ctrl+L
    row_y = queue.add_arrival(workspace, day=DAY, site=SITE, now=at(14), person_id=yasmine.id)
    for notes in ("Premier point", "Suite"):
        people.log_interview(workspace, yasmine.id, on=DAY, notes=notes, today=DAY)
    # Karim is in interview (queue `e`) when the permanence closes
    row_k = queue.add_arrival(workspace, day=DAY, site=SITE, now=at(14, 5), person_id=karim.id)
    queue.start_interview(workspace, row_k.id, now=at(14, 30))
    # an intake from the queue leaves its row "in interview"
    row_i = queue.add_arrival(workspace, day=DAY, site=SITE, now=at(14, 10), name="Inès")
    intake = people.create_person_with_intake(
        workspace,
        {"notice_given": True, "family_name": "Koné", "first_name": "Inès", "commune": "Caen"},
        site=SITE,
        today=DAY,
        now=at(14, 40),
        queue_entry_id=row_i.id,
    )
    # Karim came twice: his second row still waits, though he was seen (queue path)
    row_k2 = queue.add_arrival(workspace, day=DAY, site=SITE, now=at(16), person_id=karim.id)
    # left unseen: an arrival with no file, a person without a phone
    row_a = queue.add_arrival(workspace, day=DAY, site=SITE, now=at(15), name="Aïcha Diallo")
    row_p = queue.add_arrival(workspace, day=DAY, site=SITE, now=at(15, 5), person_id=nophone.id)
    closing = queue.close_session(workspace, DAY, SITE, now=at(17))
    statuses = {e.id: e.status for e in queue.entries(workspace, DAY, SITE)}
    assert statuses == {
        row_y.id: QueueStatus.SEEN,
        row_k.id: QueueStatus.SEEN,
        row_k2.id: QueueStatus.SEEN,
        row_i.id: QueueStatus.SEEN,
        row_a.id: QueueStatus.LEFT,
        row_p.id: QueueStatus.LEFT,
    }
    assert intake.person.id in queue.interviewed_on(workspace, DAY)
    assert closing.callbacks == []
    assert {e.id for e in closing.unreachable} == {row_a.id, row_p.id}
    with pytest.raises(ValidationError, match="pas de fiche"):
        queue.plan_callback(workspace, row_a.id)
    with pytest.raises(ValidationError, match="pas de téléphone"):
        queue.plan_callback(workspace, row_p.id)
    assert [t for t in workspace.repo.all(FollowUpTask) if t.task_kind is TaskKind.CALL] == []


def test_next_working_day_skips_weekends_and_holidays() -> None:
    assert queue.next_working_day(date(2026, 11, 27)) == date(2026, 11, 30)  # Friday -> Monday
    assert queue.next_working_day(date(2026, 11, 10)) == date(2026, 11, 12)  # 11 Nov
    assert queue.next_working_day(date(2026, 4, 3)) == date(2026, 4, 7)  # Easter Monday 6 Apr
    assert queue.next_working_day(date(2026, 5, 13)) == date(2026, 5, 15)  # Ascension 14 May


def test_site_is_remembered(workspace: Workspace) -> None:
    queue.set_site(workspace, "Hérouville – Grand Parc")
    assert queue.current_site(workspace) == "Hérouville – Grand Parc"
    with pytest.raises(ValidationError):
        queue.set_site(workspace, " ")


def test_expected_appointment_late_after_its_time(workspace: Workspace) -> None:
    (task,) = workspace.repo.save(
        FollowUpTask(task_kind=TaskKind.APPOINTMENT, title="RDV", due=DAY, time="10:30", site=SITE)
    )
    assert queue.queue_rows(workspace, DAY, SITE, at(10, 30))[0].status == "Attendu"
    late = queue.queue_rows(workspace, DAY, SITE, at(16, 12))[0]
    assert (late.status, late.late) == ("Attendu, en retard", True)
    # without a time: late only once the day is over
    workspace.repo.save(task.model_copy(update={"time": None}))
    assert not queue.queue_rows(workspace, DAY, SITE, at(23, 59))[0].late
