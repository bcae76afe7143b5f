"""services/tasks.py: views, filters, changes (each durable), suggestions, appointments."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.models import (
    Civility,
    FollowUpTask,
    Interview,
    Orientation,
    Outcome,
    OutcomeKind,
    Person,
    Stage,
    StageEvent,
    SuggestionDismissal,
    TaskKind,
    TaskStatus,
)
from citeslab_tui.services import tasks as ts
from citeslab_tui.services.workspace import Workspace

TODAY = date(2026, 11, 26)  # Thursday
SITE = "Caen – Chemin Vert"


def person(ws: Workspace, family: str = "Diallo", first: str = "Aïcha") -> Person:
    (saved,) = ws.repo.save(Person(civility=Civility.MADAME, family_name=family, first_name=first))
    return saved  # type: ignore[return-value]


def task(ws: Workspace, **fields: Any) -> FollowUpTask:
    fields.setdefault("title", "Rappeler")
    fields.setdefault("due", TODAY)
    (saved,) = ws.repo.save(FollowUpTask(**fields))
    return saved  # type: ignore[return-value]


def reopen(ws: Workspace) -> Workspace:
    folder = ws.data_dir
    ws.close()
    return Workspace.open(folder)


def test_views_partition_tasks(workspace: Workspace) -> None:
    ids = {
        "overdue": task(workspace, due=TODAY - timedelta(days=1)).id,
        "today": task(workspace, due=TODAY).id,
        "week": task(workspace, due=date(2026, 11, 29)).id,  # Sunday
        "later": task(workspace, due=date(2026, 11, 30)).id,  # next Monday
        "done": task(workspace, due=TODAY, status=TaskStatus.DONE, done_on=TODAY).id,
    }
    board = ts.TaskBoard(workspace)
    for view, task_id in ids.items():
        assert board.ids(view, today=TODAY) == [task_id]
    assert board.counts(today=TODAY) == dict.fromkeys(ts.VIEWS, 1)
    (row,) = board.rows(board.ids("overdue", today=TODAY), TODAY)
    assert row.overdue and row.status_label == "⚠ en retard"
    with pytest.raises(ValidationError):
        board.ids("nimporte", today=TODAY)


def test_views_sorted_and_cache_follows_changes(workspace: Workspace) -> None:
    b = task(workspace, due=TODAY, time="14:00").id
    a = task(workspace, due=TODAY, time="09:30").id
    c = task(workspace, due=TODAY).id  # no time: last
    board = ts.TaskBoard(workspace)
    assert board.ids("today", today=TODAY) == [a, b, c]
    ts.complete(workspace, a, today=TODAY)
    assert board.ids("today", today=TODAY) == [b, c]
    assert board.ids("done", today=TODAY) == [a]
    # the day turns: today's tasks become overdue
    assert board.ids("overdue", today=TODAY + timedelta(days=1)) == [b, c]


def test_filters(workspace: Workspace) -> None:
    p = person(workspace)
    mine = task(workspace, person_id=p.id, task_kind=TaskKind.CALL, assigned_to="Céline Perriot")
    rdv = task(
        workspace,
        task_kind=TaskKind.APPOINTMENT,
        time="14:30",
        site="Caen – Chemin Vert",
        assigned_to="Karim Benali",
    )
    board = ts.TaskBoard(workspace)
    assert board.ids("today", ts.TaskFilter(person_id=p.id), TODAY) == [mine.id]
    assert board.ids("today", ts.TaskFilter(site="Colombelles"), TODAY) == []
    assert board.ids("today", ts.TaskFilter(site="caen - chemin vert"), TODAY) == [rdv.id]
    assert board.ids("today", ts.TaskFilter(kind=TaskKind.CALL), TODAY) == [mine.id]
    assert board.ids("today", ts.TaskFilter(staff="Karim Benali"), TODAY) == [rdv.id]
    assert not ts.TaskFilter().active and ts.TaskFilter(staff="x").active


def test_quick_add_infers_kind_and_is_durable(workspace: Workspace) -> None:
    p = person(workspace)
    t = ts.quick_add(workspace, "Rappeler Mme Diallo jeudi 14h", today=TODAY, person_id=p.id)
    assert (t.task_kind, t.due, t.time, t.person_id) == (
        TaskKind.CALL,
        date(2026, 12, 3),
        "14:00",
        p.id,
    )
    assert t.assigned_to == "Céline Perriot"
    rdv = ts.quick_add(workspace, "RDV Mme Lefèvre 12/12 14h30", today=TODAY)
    assert rdv.task_kind is TaskKind.APPOINTMENT and rdv.site == SITE
    assert ts.infer_kind("Envoyer la liste") is TaskKind.DOCUMENT
    assert ts.infer_kind("Rendez-vous avec") is TaskKind.APPOINTMENT
    assert ts.infer_kind("Vérifier CMA") is TaskKind.CHECK_ORIENTATION
    assert ts.infer_kind("Préparer") is TaskKind.OTHER
    ws = reopen(workspace)
    try:
        assert {x.id for x in ws.repo.all(FollowUpTask)} == {t.id, rdv.id}
    finally:
        ws.close()


def test_refusals_change_nothing(workspace: Workspace) -> None:
    with pytest.raises(ValidationError, match="Formes comprises"):
        ts.quick_add(workspace, "Rappeler un jour", today=TODAY)
    with pytest.raises(ValidationError, match="heure"):
        ts.quick_add(workspace, "RDV suivi 12/12", today=TODAY)
    with pytest.raises(ValidationError, match="site"):
        ts.create_task(
            workspace, title="RDV", due=TODAY, time="10:00", task_kind=TaskKind.APPOINTMENT
        )
    with pytest.raises(ValidationError, match="obligatoire"):
        ts.create_task(workspace, title="   ", due=TODAY)
    with pytest.raises(ValidationError, match="personne"):
        ts.create_task(workspace, title="x", due=TODAY, person_id="absent")
    t = task(workspace)
    with pytest.raises(ValidationError):
        ts.postpone(workspace, t.id, "bientôt", today=TODAY)
    with pytest.raises(ValidationError):
        ts.reassign(workspace, t.id, "  ")
    assert workspace.repo.get(FollowUpTask, t.id) == t
    assert workspace.repo.count("task") == 1
    with pytest.raises(ValidationError, match="n'existe plus"):
        ts.complete(workspace, "absent")


def test_postpone_rules(workspace: Workspace) -> None:
    late = task(workspace, due=TODAY - timedelta(days=10), time="09:00")
    ahead = task(workspace, due=TODAY + timedelta(days=5))
    # +N counts from today for an overdue task, from the due date otherwise
    assert ts.postpone(workspace, late.id, "+3", today=TODAY).due == TODAY + timedelta(days=3)
    assert ts.postpone(workspace, ahead.id, "+1s", today=TODAY).due == TODAY + timedelta(days=12)
    moved = ts.postpone(workspace, late.id, "lundi", today=TODAY)
    assert (moved.due, moved.time) == (date(2026, 11, 30), "09:00")  # time kept
    moved = ts.postpone(workspace, late.id, "12/03 15h", today=TODAY)
    assert (moved.due, moved.time) == (date(2027, 3, 12), "15:00")


def test_edit_reassign_delete(workspace: Workspace) -> None:
    t = task(workspace, title="Rappeler")
    edited = ts.edit(
        workspace,
        t.id,
        title="Rappeler pour le dossier",
        due=date(2026, 12, 1),
        time="10:00",
        task_kind=TaskKind.APPOINTMENT,
        site=SITE,
        notes="Apporter le devis",
    )
    assert (edited.title, edited.task_kind, edited.site) == (
        "Rappeler pour le dossier",
        TaskKind.APPOINTMENT,
        SITE,
    )
    assert ts.reassign(workspace, t.id, "Karim Benali").assigned_to == "Karim Benali"
    assert "Karim Benali" in ts.staff_names(workspace)
    ts.delete(workspace, t.id)
    assert workspace.repo.get(FollowUpTask, t.id) is None
    assert workspace.repo.doc("task", t.id)["meta"]["deleted"] is True  # tombstone


def test_complete_check_records_met(workspace: Workspace) -> None:
    p = person(workspace)
    (o,) = workspace.repo.save(Orientation(person_id=p.id, partner="Adie", on=TODAY))
    linked = task(
        workspace, person_id=p.id, task_kind=TaskKind.CHECK_ORIENTATION, orientation_id=o.id
    )
    assert ts.orientation_to_check(workspace, linked).id == o.id
    done = ts.complete(workspace, linked.id, met=False, today=TODAY)
    assert done.status is TaskStatus.DONE and done.done_on == TODAY
    assert workspace.repo.get(Orientation, o.id).met is False
    # a hand-written check task (no link) finds the person's latest unchecked orientation
    (o2,) = workspace.repo.save(Orientation(person_id=p.id, partner="CCI", on=TODAY))
    loose = task(workspace, person_id=p.id, task_kind=TaskKind.CHECK_ORIENTATION)
    ts.complete(workspace, loose.id, met=True, today=TODAY)
    assert workspace.repo.get(Orientation, o2.id).met is True
    # reopening keeps the answer; a plain task has no orientation to check
    assert ts.reopen(workspace, loose.id).status is TaskStatus.OPEN
    assert ts.orientation_to_check(workspace, task(workspace)) is None


def test_appointments_for_day_and_site(workspace: Workspace) -> None:
    p = person(workspace)
    day = date(2026, 12, 12)
    late = task(
        workspace, person_id=p.id, task_kind=TaskKind.APPOINTMENT, due=day, time="15:00", site=SITE
    )
    early = task(
        workspace, task_kind=TaskKind.APPOINTMENT, due=day, time="09:30", site="caen – chemin vert"
    )
    task(workspace, task_kind=TaskKind.APPOINTMENT, due=day, time="10:00", site="Colombelles")
    task(workspace, task_kind=TaskKind.CALL, due=day)
    gone = task(workspace, task_kind=TaskKind.APPOINTMENT, due=day, time="11:00", site=SITE)
    ts.complete(workspace, gone.id, today=TODAY)
    assert [t.id for t in ts.appointments_for(workspace, day, SITE)] == [early.id, late.id]
    assert ts.appointments_for(workspace, day - timedelta(days=1), SITE) == []
    assert [t.id for t in ts.tasks_for_person(workspace, p.id)] == [late.id]


def test_suggestions_accept_dismiss(workspace: Workspace) -> None:
    oriented = person(workspace, "Camara", "Moussa")
    emergent = person(workspace, "Traoré", "Awa")
    quiet = person(workspace, "Martin", "Léa")
    finished = person(workspace, "Koné", "Issa")
    r = workspace.repo
    (o,) = r.save(
        Orientation(
            person_id=oriented.id, partner="Chambre de métiers", on=TODAY - timedelta(days=2)
        )
    )
    r.save(
        Orientation(person_id=oriented.id, partner="Adie", on=TODAY - timedelta(days=400))
    )  # too old
    r.save(StageEvent(person_id=emergent.id, stage=Stage.EMERGENCE, on=TODAY - timedelta(days=30)))
    r.save(Interview(person_id=quiet.id, on=TODAY - timedelta(days=100)))
    r.save(Interview(person_id=finished.id, on=TODAY - timedelta(days=100)))
    r.save(
        Outcome(person_id=finished.id, outcome=OutcomeKind.CREATION, on=TODAY - timedelta(days=50))
    )
    found = {s.reason: s for s in ts.suggestions(workspace, TODAY)}
    assert set(found) == {"check_orientation", "emergence_idle", "no_contact"}
    check = found["check_orientation"]
    assert check.person_id == oriented.id and check.orientation_id == o.id
    assert check.due == TODAY + timedelta(days=19)  # three weeks after the orientation
    assert found["emergence_idle"].person_id == emergent.id
    assert found["no_contact"].person_id == quiet.id
    assert "18/08/2026" in found["no_contact"].text
    assert r.count("task") == 0  # nothing created silently

    created = ts.accept_suggestion(workspace, check)
    assert created.orientation_id == o.id and created.task_kind is TaskKind.CHECK_ORIENTATION
    ts.dismiss_suggestion(workspace, found["no_contact"], TODAY)
    ts.accept_suggestion(workspace, found["emergence_idle"])
    assert ts.suggestions(workspace, TODAY) == []
    ws = reopen(workspace)  # dismissals are durable
    try:
        assert ts.suggestions(ws, TODAY) == []
        assert ws.repo.count(SuggestionDismissal.kind) == 1
        # a new contact, then three more months of silence: suggested again
        ws.repo.save(Interview(person_id=quiet.id, on=TODAY))
        later = TODAY + timedelta(days=120)
        again = [s for s in ts.suggestions(ws, later) if s.reason == "no_contact"]
        assert [s.person_id for s in again] == [quiet.id]
    finally:
        ws.close()


def test_erased_person_gets_no_suggestion(workspace: Workspace) -> None:
    p = person(workspace)
    workspace.repo.save(Orientation(person_id=p.id, partner="Adie", on=TODAY))
    workspace.repo.delete(workspace.repo.get(Person, p.id))
    assert ts.suggestions(workspace, TODAY) == []
