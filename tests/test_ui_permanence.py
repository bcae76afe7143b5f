"""Pilot tests of today's permanence at 80x24, on real data folders, with a frozen clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from textual.widgets import DataTable

from citeslab_tui.domain.models import (
    FollowUpTask,
    Person,
    QueueEntry,
    QueueStatus,
    TaskKind,
)
from citeslab_tui.services import queue
from citeslab_tui.services.workspace import Workspace
from citeslab_tui.ui.app import CitesLabApp
from citeslab_tui.ui.dialogs.confirm import ConfirmDialog
from citeslab_tui.ui.screens.permanence import PermanenceScreen

PARIS = timezone(timedelta(hours=1))
NOW = datetime(2026, 11, 26, 14, 30, tzinfo=PARIS)
DAY = date(2026, 11, 26)
SITE = "Caen – Chemin Vert"


def frozen() -> datetime:
    return NOW


def make_folder(data_dir: Path, fill=None) -> Path:
    with Workspace.open(data_dir) as ws:
        ws.configure(
            structure="Mife du Calvados",
            staff=["Céline Perriot"],
            device="portable-test",
            sites=[SITE, "Hérouville – Grand Parc"],
        )
        if fill is not None:
            fill(ws)
    return data_dir


async def loaded(pilot) -> PermanenceScreen:
    """Wait for the workspace worker, then for the screen to fill."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = pilot.app.get_screen("permanence")
    assert isinstance(screen, PermanenceScreen)
    return screen


def cells(screen: PermanenceScreen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def stored(data_dir: Path) -> list[QueueEntry]:
    with Workspace.open(data_dir) as ws:
        return queue.entries(ws, DAY, SITE)


async def add(pilot, name: str) -> None:
    await pilot.press("a")
    await pilot.pause()
    await pilot.press(*name)
    await pilot.press("enter")
    await pilot.pause()


async def test_arrivals_move_through_the_queue(data_dir: Path) -> None:
    make_folder(data_dir)
    app = CitesLabApp(str(data_dir), now=frozen)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        assert "jeudi 26/11/2026 — Caen – Chemin Vert" in str(
            screen.query_one("#perm-title").render()
        )
        for name in ("Yasmine", "Karim", "Fatou"):
            await add(pilot, name)
        rows = cells(screen)
        assert [r[1] for r in rows] == ["Yasmine", "Karim", "Fatou"]
        assert rows[0][0] == "14:30" and rows[0][4] == "En attente" and rows[0][3] == "Sans RDV"
        # the cursor is on the last arrival: move Fatou up, then mark her seen
        await pilot.press("ctrl+up")
        await pilot.pause()
        assert [r[1] for r in cells(screen)] == ["Yasmine", "Fatou", "Karim"]
        await pilot.press("r")
        await pilot.pause()
        assert cells(screen)[1][4] == "Reçu"
        # Karim leaves, Yasmine is redirected
        await pilot.press("down", "p")
        await pilot.pause()
        await pilot.press("up", "up", "o")
        await pilot.pause()
        assert "n'a pas de fiche" in app.screen.question  # no orientation can be noted
        await pilot.press("enter")  # mark the row only
        await pilot.pause()
        assert [r[4] for r in cells(screen)] == ["Réorienté", "Reçu", "Parti sans être reçu"]
        await pilot.press("ctrl+down")
        await pilot.pause()
        assert [r[1] for r in cells(screen)] == ["Fatou", "Yasmine", "Karim"]
        await pilot.press("ctrl+q")
    entries = stored(data_dir)
    assert [(e.display_name, e.status) for e in entries] == [
        ("Fatou", QueueStatus.SEEN),
        ("Yasmine", QueueStatus.REDIRECTED),
        ("Karim", QueueStatus.LEFT),
    ]


async def test_missing_name_says_why_and_adds_nothing(data_dir: Path) -> None:
    make_folder(data_dir)
    app = CitesLabApp(str(data_dir), now=frozen)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert "obligatoire" in str(app.screen.query_one("#arrival-error").render())
        await pilot.press("escape")
        await pilot.pause()
        assert cells(screen) == []
    assert stored(data_dir) == []


async def test_markup_name_shown_as_typed(data_dir: Path) -> None:
    make_folder(data_dir)
    app = CitesLabApp(str(data_dir), now=frozen)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        await add(pilot, "[b]Ali[/]")
        assert cells(screen)[0][1] == "[b]Ali[/]"
        await pilot.press("r")  # the notification quotes the name: no markup error either
        await pilot.pause()
        assert cells(screen)[0][4] == "Reçu"
    assert stored(data_dir)[0].display_name == "[b]Ali[/]"


async def test_link_a_known_person_from_the_arrival_dialog(data_dir: Path) -> None:
    def fill(ws: Workspace) -> None:
        ws.repo.save(Person(family_name="Hébert", first_name="Élodie"))

    make_folder(data_dir, fill)
    app = CitesLabApp(str(data_dir), now=frozen)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"hebert")  # no accent typed
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        row = cells(screen)[0]
        assert row[1] == "HÉBERT Élodie" and row[2] == "Suivi"
    (entry,) = stored(data_dir)
    assert entry.person_id is not None and entry.display_name == ""


async def test_appointment_of_the_day_appears_and_arrives(data_dir: Path) -> None:
    ids: dict[str, str] = {}

    def fill(ws: Workspace) -> None:
        (person,) = ws.repo.save(Person(family_name="Diallo", first_name="Aïcha"))
        (task,) = ws.repo.save(
            FollowUpTask(
                person_id=person.id,
                task_kind=TaskKind.APPOINTMENT,
                title="Rendez-vous de suivi",
                due=DAY,
                time="15:00",
                site=SITE,
            )
        )
        ids["task"] = task.id

    make_folder(data_dir, fill)
    app = CitesLabApp(str(data_dir), now=frozen)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        assert cells(screen) == [["", "DIALLO Aïcha", "Suivi", "RDV 15:00", "Attendu", ""]]
        await pilot.press("r")  # not arrived yet: refused with a hint, nothing changes
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        assert cells(screen) == [
            ["14:30", "DIALLO Aïcha", "Suivi", "RDV 15:00", "En attente", "0 min"]
        ]
    (entry,) = stored(data_dir)
    assert entry.appointment and entry.task_id == ids["task"]


async def test_close_session_offers_a_callback_per_person_left(
    data_dir: Path, notifications: list[str]
) -> None:
    """Issue #14 point 2: closing counts the day's interviews from every path, closes
    every row, proposes call-backs only for people with a file and a phone."""
    from citeslab_tui.services import people

    def fill(ws: Workspace) -> None:
        def person(family: str, first: str, phone: str | None) -> str:
            (saved,) = ws.repo.save(Person(family_name=family, first_name=first, phone=phone))
            return saved.id

        awa = person("Ba", "Awa", "06 00 00 00 01")
        bilal = person("Amrani", "Bilal", "06 00 00 00 02")
        chloe = person("Roux", "Chloé", "06 00 00 00 03")
        yasmine = person("Haddad", "Yasmine", "06 00 00 00 04")
        karim = person("Benali", "Karim", "06 00 00 00 05")
        for i, pid in enumerate([awa, bilal, chloe, yasmine, karim]):
            queue.add_arrival(
                ws, day=DAY, site=SITE, now=NOW - timedelta(hours=3 - i / 2), person_id=pid
            )
        queue.add_arrival(ws, day=DAY, site=SITE, now=NOW, name="Aïcha")  # no file
        rows = queue.entries(ws, DAY, SITE)
        queue.set_status(ws, rows[0].id, QueueStatus.SEEN, now=NOW)
        people.log_interview(ws, yasmine, on=DAY, notes="Ctrl+L", today=DAY)
        people.log_interview(ws, yasmine, on=DAY, notes="encore", today=DAY)
        queue.start_interview(ws, rows[4].id, now=NOW)

    make_folder(data_dir, fill)
    app = CitesLabApp(str(data_dir), now=frozen)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")  # close
        await pilot.pause()
        assert "Bilal" in app.screen.question
        await pilot.press("enter")  # plan the callback
        await pilot.pause()
        assert "Chloé" in app.screen.question
        await pilot.press("escape")  # no callback for Chloé
        await pilot.pause()
        assert app.screen is screen  # nobody else: Yasmine was seen, Aïcha has no file
        assert [r[4] for r in cells(screen)] == [
            "Reçu",
            "Parti sans être reçu",
            "Parti sans être reçu",
            "Reçu",
            "Reçu",
            "Parti sans être reçu",
        ]
        assert notifications[-1] == (
            "Permanence clôturée : 3 reçus, 3 partis sans être reçus, 1 rappel prévu. "
            "Pas de rappel possible (sans fiche ou sans téléphone) : Aïcha."
        )
    with Workspace.open(data_dir) as ws:
        tasks = [t for t in ws.repo.all(FollowUpTask) if t.task_kind is TaskKind.CALL]
    assert len(tasks) == 1
    assert "Bilal" in tasks[0].title and tasks[0].due == date(2026, 11, 27)


async def test_change_site_is_remembered(data_dir: Path) -> None:
    make_folder(data_dir)
    app = CitesLabApp(str(data_dir), now=frozen)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press(*"herou", "enter", "enter")  # two matches: Enter goes to the list
        await pilot.pause()
        assert screen.site == "Hérouville – Grand Parc"
        assert "Hérouville – Grand Parc" in str(screen.query_one("#perm-title").render())
    with Workspace.open(data_dir) as ws:
        assert ws.settings.last_site == "Hérouville – Grand Parc"


async def test_start_interview_of_walk_in_opens_intake_prefilled(data_dir: Path) -> None:
    make_folder(data_dir)
    app = CitesLabApp(str(data_dir), now=frozen)
    opened: list[tuple] = []
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        screen.open_interview = lambda *args: opened.append(args)  # colleague's screens
        await add(pilot, "Yasmine")
        await pilot.press("e")
        await pilot.pause()
        assert cells(screen)[0][4] == "En entretien"
    entry = stored(data_dir)[0]
    assert opened == [(entry.id, None, "Yasmine")]


async def test_waiting_time_updates_live_and_person_file_opens(data_dir: Path) -> None:
    clock = {"now": NOW}

    def fill(ws: Workspace) -> None:
        (person,) = ws.repo.save(Person(family_name="Koné", first_name="Issa"))
        queue.add_arrival(ws, day=DAY, site=SITE, now=NOW, person_id=person.id)
        queue.add_arrival(ws, day=DAY, site=SITE, now=NOW, name="Awa")

    make_folder(data_dir, fill)
    app = CitesLabApp(str(data_dir), now=lambda: clock["now"])
    opened: list[tuple] = []
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        screen.open_interview = lambda *args: opened.append(args)
        assert [r[5] for r in cells(screen)] == ["0 min", "0 min"]
        await pilot.press("e")  # Issa is known: his file opens
        await pilot.pause()
        clock["now"] = NOW + timedelta(minutes=75)
        screen.tick()  # what the 30-second timer calls
        await pilot.pause()
        assert [r[5] for r in cells(screen)] == ["0 min", "1 h 15"]
    entries = stored(data_dir)
    assert opened == [(entries[0].id, entries[0].person_id, "")]


async def test_redirect_asks_the_partner_and_records_an_orientation(
    data_dir: Path, notifications: list[str]
) -> None:
    """Issue #14 point 6: `o` asks for the partner (suggestions as on the file) and
    records an orientation with the row "Réorienté"; an arrival with no file is told why."""
    from textual.widgets import Input

    from citeslab_tui.domain.models import Orientation
    from citeslab_tui.ui.dialogs.orientation import OrientationDialog

    def fill(ws: Workspace) -> None:
        (saved,) = ws.repo.save(Person(family_name="Haddad", first_name="Yasmine"))
        queue.add_arrival(
            ws, day=DAY, site=SITE, now=NOW - timedelta(minutes=20), person_id=saved.id
        )
        queue.add_arrival(ws, day=DAY, site=SITE, now=NOW - timedelta(minutes=10), name="Aïcha")

    make_folder(data_dir, fill)
    app = CitesLabApp(str(data_dir), now=frozen)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        screen.query_one(DataTable).focus()
        await pilot.press("o")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, OrientationDialog)
        assert "HADDAD Yasmine" in dialog.TITLE_TEXT
        await pilot.press(*"france t")
        await pilot.pause()
        await pilot.press("right")  # take the suggestion
        assert dialog.query_one("#partner", Input).value == "France Travail"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        assert cells(screen)[0][4] == "Réorienté"
        assert cells(screen)[1][4] == "En attente"
        # no file: no orientation can be noted; said so, Échap changes nothing
        await pilot.press("down", "o")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "n'a pas de fiche" in app.screen.question
        await pilot.press("escape")
        await pilot.pause()
        assert cells(screen)[1][4] == "En attente"
    with Workspace.open(data_dir) as ws:
        (orientation,) = ws.repo.all(Orientation)
        assert orientation.partner == "France Travail" and orientation.on == DAY
        statuses = [e.status for e in queue.entries(ws, DAY, SITE)]
    assert statuses == [QueueStatus.REDIRECTED, QueueStatus.WAITING]


async def test_late_appointment_is_marked_late_by_the_app_clock(data_dir: Path) -> None:
    """Issue #14 point 12: "RDV 10:30 Attendu" at 16:12 was not marked late. The app's
    clock decides (here frozen at 14:30, whatever the real time)."""
    clock = {"now": NOW}

    def fill(ws: Workspace) -> None:
        (person,) = ws.repo.save(Person(family_name="Diallo", first_name="Aïcha"))
        for hour in ("10:30", "14:45"):
            ws.repo.save(
                FollowUpTask(
                    person_id=person.id,
                    task_kind=TaskKind.APPOINTMENT,
                    title="Rendez-vous de suivi",
                    due=DAY,
                    time=hour,
                    site=SITE,
                )
            )

    make_folder(data_dir, fill)
    app = CitesLabApp(str(data_dir), now=lambda: clock["now"])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        assert [(r[3], r[4]) for r in cells(screen)] == [
            ("RDV 10:30", "Attendu, en retard"),
            ("RDV 14:45", "Attendu"),
        ]
        status = str(screen.query_one("#perm-status").render())
        assert "2 rendez-vous attendus dont 1 en retard" in status
        clock["now"] = NOW + timedelta(minutes=20)  # 14:50: the second one is late too
        screen.tick()
        await pilot.pause()
        assert [r[4] for r in cells(screen)] == ["Attendu, en retard"] * 2
