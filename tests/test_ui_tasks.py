"""Pilot tests of the tasks screen and the quick-add dialog, at 80x24, with a fixed today."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from textual.widgets import DataTable, Input, Label

from citeslab_tui.domain.models import (
    Civility,
    FollowUpTask,
    Orientation,
    Person,
    TaskKind,
    TaskStatus,
)
from citeslab_tui.services import tasks as task_service
from citeslab_tui.services.workspace import Workspace
from citeslab_tui.ui.app import CitesLabApp
from citeslab_tui.ui.screens.tasks import TasksScreen

TODAY = date(2026, 11, 26)  # a Thursday
SITE = "Caen – Chemin Vert"


class TasksHarness(CitesLabApp):
    """The real app (global keys, dialogs) starting on the tasks screen with an open workspace."""

    START_SCREEN = "tasks"

    def __init__(self, ws: Workspace) -> None:
        super().__init__(str(ws.data_dir), now=lambda: datetime.combine(TODAY, time(10, 0)))
        self.workspace = ws

    def open_workspace(self) -> None:  # type: ignore[override]
        """The workspace is already open."""


def person(ws: Workspace, family: str = "Diallo", first: str = "Aïcha") -> Person:
    (saved,) = ws.repo.save(Person(civility=Civility.MADAME, family_name=family, first_name=first))
    return saved  # type: ignore[return-value]


def task(ws: Workspace, **fields: Any) -> FollowUpTask:
    fields.setdefault("title", "Rappeler")
    fields.setdefault("due", TODAY)
    (saved,) = ws.repo.save(FollowUpTask(**fields))
    return saved  # type: ignore[return-value]


def table_keys(app: CitesLabApp) -> list[str]:
    table = app.screen.query_one(DataTable)
    return [row.key.value for row in table.ordered_rows]


async def test_opens_on_overdue_with_marker(workspace: Workspace) -> None:
    late = task(workspace, title="Envoyer la liste", due=TODAY - timedelta(days=3))
    task(workspace, title="Aujourd'hui", due=TODAY)
    app = TasksHarness(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert table_keys(app) == [late.id]
        table = app.screen.query_one(DataTable)
        status = table.get_row_at(0)[0]
        assert "⚠ en retard" in status.plain and "red" in str(status.style)
        await pilot.press("v")
        await pilot.pause()
        assert app.screen.view == "today"
        assert len(table_keys(app)) == 1


async def test_opens_on_the_first_view_with_tasks_when_nothing_is_late(
    workspace: Workspace,
) -> None:
    soon = task(workspace, title="Envoyer la liste", due=TODAY + timedelta(days=2))
    app = TasksHarness(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.view == "week"
        assert table_keys(app) == [soon.id]


async def test_quick_add_with_ctrl_t(workspace: Workspace) -> None:
    app = TasksHarness(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+t")
        await pilot.pause()
        for ch in "Rappeler Mme Diallo jeudi 14h":
            await pilot.press("space" if ch == " " else ch)
        await pilot.pause()
        preview = app.screen.query_one("#preview", Label)
        assert "jeudi 03/12/2026 à 14:00" in str(preview.content)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TasksScreen)
        (saved,) = workspace.repo.all(FollowUpTask)
        assert (saved.title, saved.due, saved.time) == (
            "Rappeler Mme Diallo",
            date(2026, 12, 3),
            "14:00",
        )
        assert saved.task_kind is TaskKind.CALL
        assert app.screen.board is not None
        assert app.screen.board.counts(today=TODAY)["later"] == 1  # next week


async def test_quick_add_unreadable_keeps_the_line(workspace: Workspace) -> None:
    app = TasksHarness(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        line = app.screen.query_one("#line", Input)
        line.value = "Rappeler Mme Diallo la semaine prochaine"
        await pilot.press("enter")
        await pilot.pause()
        assert line.value == "Rappeler Mme Diallo la semaine prochaine"
        error = str(app.screen.query_one("#error", Label).content)
        assert "Formes comprises" in error and "demain" in error
        assert workspace.repo.all(FollowUpTask) == []


async def test_quick_add_past_date_asks(workspace: Workspace) -> None:
    from citeslab_tui.ui.dialogs.confirm import ConfirmDialog

    app = TasksHarness(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+t")
        await pilot.pause()
        app.screen.query_one("#line", Input).value = "Envoyer le dossier 01/11/2026"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")  # "Corriger": nothing saved, the line is kept
        await pilot.pause()
        assert app.screen.query_one("#line", Input).value == "Envoyer le dossier 01/11/2026"
        assert workspace.repo.all(FollowUpTask) == []
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")  # "Enregistrer"
        await pilot.pause()
        (saved,) = workspace.repo.all(FollowUpTask)
        assert saved.due == date(2026, 11, 1)


async def test_complete_and_reopen(workspace: Workspace) -> None:
    t = task(workspace, title="Rappeler", due=TODAY - timedelta(days=1))
    app = TasksHarness(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        done = workspace.repo.get(FollowUpTask, t.id)
        assert done is not None and done.status is TaskStatus.DONE and done.done_on == TODAY
        assert table_keys(app) == []
        app.screen.show_view("done")
        await pilot.pause()
        assert table_keys(app) == [t.id]
        await pilot.press("c")  # in the "done" view: reopen
        await pilot.pause()
        assert workspace.repo.get(FollowUpTask, t.id).status is TaskStatus.OPEN


async def test_complete_check_asks_whether_met(workspace: Workspace) -> None:
    p = person(workspace)
    (o,) = workspace.repo.save(Orientation(person_id=p.id, partner="Adie", on=TODAY))
    t = task(
        workspace,
        person_id=p.id,
        task_kind=TaskKind.CHECK_ORIENTATION,
        title="Vérifier Adie",
        due=TODAY - timedelta(days=2),
        orientation_id=o.id,
    )
    app = TasksHarness(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        assert workspace.repo.get(Orientation, o.id).met is True
        assert workspace.repo.get(FollowUpTask, t.id).status is TaskStatus.DONE


async def test_postpone_by_plus_n(workspace: Workspace) -> None:
    t = task(workspace, title="Rappeler", due=TODAY - timedelta(days=5))
    app = TasksHarness(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("plus", "3")
        await pilot.pause()
        assert "dimanche 29/11/2026" in str(app.screen.query_one("#preview", Label).content)
        await pilot.press("enter")
        await pilot.pause()
        assert workspace.repo.get(FollowUpTask, t.id).due == TODAY + timedelta(days=3)
        assert isinstance(app.screen, TasksScreen)
        assert table_keys(app) == []  # no longer overdue


async def test_delete_asks_first(workspace: Workspace) -> None:
    t = task(workspace, title="[bold]Rappeler[/]", due=TODAY - timedelta(days=1))
    app = TasksHarness(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("escape")  # no
        await pilot.pause()
        assert workspace.repo.get(FollowUpTask, t.id) is not None
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("enter")  # the focus is on "Garder"
        await pilot.pause()
        assert workspace.repo.get(FollowUpTask, t.id) is not None
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("left", "enter")  # "Supprimer", chosen on purpose
        await pilot.pause()
        assert workspace.repo.get(FollowUpTask, t.id) is None
        assert workspace.repo.doc("task", t.id)["meta"]["deleted"] is True


async def test_reassign(workspace: Workspace) -> None:
    t = task(workspace, due=TODAY, assigned_to="Céline Perriot")
    app = TasksHarness(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.show_view("today")
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert workspace.repo.get(FollowUpTask, t.id).assigned_to == "Karim Benali"


async def test_suggestion_accept_and_dismiss(workspace: Workspace) -> None:
    a = person(workspace, "Camara", "Moussa")
    b = person(workspace, "Lefèvre", "Julie")
    workspace.repo.save(Orientation(person_id=a.id, partner="Chambre de métiers", on=TODAY))
    workspace.repo.save(Orientation(person_id=b.id, partner="Adie", on=TODAY))
    app = TasksHarness(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("V")  # overdue -> suggestions (previous view)
        await pilot.pause()
        assert app.screen.view == "suggestions"
        assert len(table_keys(app)) == 2
        first = app.screen.current_suggestion()
        await pilot.press("o")
        await pilot.pause()
        (created,) = workspace.repo.all(FollowUpTask)
        assert created.person_id == first.person_id
        assert created.due == TODAY + timedelta(days=21)
        assert len(table_keys(app)) == 1
        await pilot.press("i")
        await pilot.pause()
        assert table_keys(app) == []
        assert task_service.suggestions(workspace, TODAY) == []


async def test_appointment_reaches_the_queue_of_its_day(workspace: Workspace) -> None:
    p = person(workspace, "Lefèvre", "Julie")
    app = TasksHarness(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+t")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#line", Input).value = "RDV suivi 12/12 14h30"
        dialog.query_one("#person", Input).value = "lefevre"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
    (saved,) = workspace.repo.all(FollowUpTask)
    assert saved.task_kind is TaskKind.APPOINTMENT and saved.site == SITE
    assert saved.person_id == p.id
    day = date(2026, 12, 12)
    assert [t.id for t in task_service.appointments_for(workspace, day, SITE)] == [saved.id]
    assert task_service.appointments_for(workspace, day + timedelta(days=1), SITE) == []
    assert task_service.appointments_for(workspace, day, "Colombelles") == []
    from citeslab_tui.services import queue

    expected = queue.expected_appointments(workspace, day, SITE)
    assert [t.id for t in expected] == [saved.id]


async def test_appointment_shows_in_permanence_screen(workspace: Workspace) -> None:
    from citeslab_tui.ui.screens import permanence

    p = person(workspace, "Lefèvre", "Julie")
    other_day = task_service.create_task(
        workspace,
        title="RDV",
        due=TODAY + timedelta(days=1),
        time="10:00",
        task_kind=TaskKind.APPOINTMENT,
        site=SITE,
    )
    app = TasksHarness(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+t")
        await pilot.pause()
        app.screen.query_one("#line", Input).value = "RDV suivi aujourd'hui 14h30"
        app.screen.query_one("#person", Input).value = "Lefèvre Julie"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        (saved,) = [t for t in workspace.repo.all(FollowUpTask) if t.id != other_day.id]
        assert (saved.due, saved.time, saved.site, saved.person_id) == (TODAY, "14:30", SITE, p.id)
        await pilot.press("f2")  # the first switch away from the app's first screen
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, permanence.PermanenceScreen)
        screen.load()  # what the app does once the workspace is open
        await pilot.pause()
        keys = [row.key.value for row in screen.query_one(DataTable).ordered_rows]
        assert f"task:{saved.id}" in keys
        assert f"task:{other_day.id}" not in keys
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, TasksScreen)


async def test_long_lists_load_by_pages(workspace: Workspace) -> None:
    from citeslab_tui.ui.widgets.task_table import PAGE_SIZE

    workspace.repo.save(
        *[FollowUpTask(title=f"Tâche {i}", due=TODAY - timedelta(days=1 + i)) for i in range(100)]
    )
    app = TasksHarness(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count == PAGE_SIZE
        for _ in range(5):
            await pilot.press("ctrl+end")
            await pilot.pause()
        assert table.row_count == 100
        assert table.get_row_at(99)[5].plain == "Tâche 0"  # oldest first: most overdue on top


async def test_agenda_key_writes_the_calendar(workspace: Workspace, tmp_path) -> None:
    """Issue #15: the tasks screen writes the staff's calendar (.ics) with one key."""
    from icalendar import Calendar

    aicha = person(workspace)
    rdv = task(
        workspace,
        person_id=aicha.id,
        title="Point",
        task_kind=TaskKind.APPOINTMENT,
        time="10:30",
        site=SITE,
        due=TODAY + timedelta(days=1),
        assigned_to=workspace.repo.staff,
    )
    app = TasksHarness(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        app.screen.query_one("#folder-path", Input).value = str(tmp_path)
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Calendrier écrit" in str(app.screen.query_one("#title", Label).content)
    [written] = list(tmp_path.glob("agenda-citeslab-*.ics"))
    [event] = Calendar.from_ical(written.read_bytes()).walk("VEVENT")
    assert str(event["UID"]) == f"{rdv.id}@citeslab"
    assert event.decoded("DTSTART").hour == 10


async def test_one_name_per_task_type_everywhere(workspace: Workspace) -> None:
    """Issue #14 point 5: a call-back was "Rappeler" in the preview, "Appel" in the
    table and "Rendez-vous 09:00 Rappeler : …" on the person's file."""
    from citeslab_tui.services import exports, people

    p = person(workspace)
    app = TasksHarness(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press(*["space" if ch == " " else ch for ch in "Rappeler Mme Diallo 26/11 9h"])
        await pilot.pause()
        preview = str(app.screen.query_one("#preview", Label).content)
        assert preview.endswith(f"· {TaskKind.CALL.label}")
        app.screen.person_id = p.id
        await pilot.press("ctrl+s")
        await pilot.pause()
        (saved,) = workspace.repo.all(FollowUpTask)
        assert saved.task_kind is TaskKind.CALL and saved.time == "09:00"
    app = TasksHarness(workspace)  # opens on the first view with tasks
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        row = [str(c) for c in table.get_row_at(0)]
        assert row[3] == TaskKind.CALL.label
    (line,) = [r for r in people.timeline(workspace, p.id) if r.kind == "task"]
    assert line.label == "Tâche"  # a call with a time is not an appointment
    assert line.detail.startswith(f"09:00 {TaskKind.CALL.label} : ")
    title, columns, docs = exports.tables(workspace.repo)["tasks"]
    (exported,) = [[c.get(d) for c in columns] for d in docs]
    assert TaskKind.CALL.label in exported
    # and each type's name is whole in the table's Type column
    from citeslab_tui.ui.widgets.task_table import TASK_COLUMNS

    width = dict(TASK_COLUMNS)["Type"]
    assert all(len(kind.label) < width for kind in TaskKind)  # one blank column after
    assert len({kind.label for kind in TaskKind}) == len(TaskKind)
