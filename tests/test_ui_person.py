"""The person's file (screens/person.py) and its dialogs, plus snapshots at 80x24."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Label

from citeslab_tui.domain.models import FollowUpTask, Orientation, Outcome, Person, TaskKind
from citeslab_tui.services import people
from citeslab_tui.services.workspace import Workspace
from tests.test_ui_intake import TODAY, configure, make_app, started, type_text


def seed(data: Path) -> str:
    configure(data)
    with Workspace.open(data) as ws:
        pid = people.create_person_with_intake(
            ws,
            {
                "notice_given": True,
                "civility": "madame",
                "family_name": "Dïallo",
                "first_name": "Héloïse",
                "birth": "12/03/1987",
                "phone": "06 12 34 56 78",
                "email": "heloise.diallo@exemple.fr",
                "commune": "Hérouville-Saint-Clair",
                "qpv": "Grand Parc",
                "qpv_checked": True,
                "project_idea": "Traiteur pour événements",
                "sector": "Restauration et alimentation",
                "approach": "individual",
            },
            today=date(2026, 9, 15),
        ).person.id
        people.log_interview(
            ws,
            pid,
            on="02/10/2026",
            channel="phone",
            notes="Étude de marché à faire.",
            today=TODAY,
        )
        people.change_stage(ws, pid, "detected", on="02/10/2026", today=TODAY)
        people.add_orientation(ws, pid, "Adie", on="10/10/2026", today=TODAY)
        ws.repo.save(
            FollowUpTask(
                person_id=pid,
                task_kind=TaskKind.APPOINTMENT,
                title="Rendez-vous de suivi",
                due=date(2026, 12, 3),
                time="10:30",
                site="Caen – Chemin Vert",
            )
        )
    return pid


@pytest.fixture
def person_data(tmp_path: Path) -> tuple[Path, str]:
    data = tmp_path / "donnees"
    return data, seed(data)


async def open_person(pilot, pid: str):
    from citeslab_tui.ui.screens.person import PersonScreen

    await started(pilot)
    await pilot.app.push_screen(PersonScreen(pid))
    await pilot.pause()
    return pilot.app.screen


async def test_file_shows_identity_stage_and_timeline(person_data):
    data, pid = person_data
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_person(pilot, pid)
        assert str(screen.query_one("#person-name", Label).content) == "DÏALLO Héloïse"
        identity = str(screen.query_one("#person-identity").content)
        assert "Étape : Détecté" in identity and "06 12 34 56 78" in identity
        assert "notice remise le 15/09/2026" in identity
        table = screen.query_one(DataTable)
        whats = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert whats == ["Rendez-vous", "Orientation", "Étape", "Entretien", "Étape", "Entretien"]


async def test_keys_log_interview_stage_orientation_outcome(person_data):
    data, pid = person_data
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_person(pilot, pid)
        repo = app.workspace.repo
        # interview: date defaults to today, channel, then the notes; Enter saves
        await pilot.press("ctrl+l")
        await pilot.pause()
        await pilot.press("tab", "tab")
        await type_text(pilot, "Point budget")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        notes = [r.detail for r in people.timeline(app.workspace, pid) if r.on == TODAY]
        assert notes == ["Permanence · Caen – Chemin Vert · Céline Perriot — Point budget"]
        # stage: proposes the next one (Émergence), bad date refused, then today
        await pilot.press("ctrl+g")
        await pilot.pause()
        dialog = app.screen
        date_input = dialog.query_one("#on", Input)
        date_input.value = "31/13/2026"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog
        assert "impossible" in str(dialog.query_one("#dialog-error", Label).content)
        date_input.value = "26/11/2026"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert people.current_stage(app.workspace, pid).value == "emergence"
        # orientation with accent-insensitive completion, under an older name too
        await pilot.press("ctrl+r")
        await pilot.pause()
        await type_text(pilot, "pole")
        await pilot.pause()
        await pilot.press("right", "enter")
        await pilot.pause()
        partners = sorted(o.partner for o in repo.all(Orientation))
        assert partners == ["Adie", "France Travail"]  # saved under its current name
        # outcome: the dialog says what a positive exit is
        await pilot.press("ctrl+u")
        await pilot.pause()
        dialog = app.screen
        helps = [str(lbl.content) for lbl in dialog.query(".dialog-help")]
        assert any("sorties positives" in h for h in helps)
        await pilot.press("enter", "down", "down", "down", "enter")  # "Entrée en formation"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert [o.outcome.value for o in repo.all(Outcome)] == ["training"]
        assert app.screen is screen


async def test_edit_person_field_errors_then_save(person_data):
    data, pid = person_data
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_person(pilot, pid)
        await pilot.press("ctrl+e")
        await pilot.pause()
        dialog = app.screen
        phone = dialog.form.field("phone")
        phone.value = "12 34"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog and "0 ou +33" in dialog.form.error("phone")
        phone.value = "07 11 22 33 44"
        await pilot.press("f6")
        await pilot.pause()
        dialog.form.field("usage_name").value = "Martin"
        await pilot.press("ctrl+s")
        await pilot.pause()
        person = app.workspace.repo.get(Person, pid)
        assert person.phone == "+33711223344" and person.usage_name == "Martin"
        assert str(app.screen.query_one("#person-name", Label).content) == "MARTIN Héloïse"


async def test_plan_task_opens_quick_task_for_this_person(person_data):
    data, pid = person_data
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_person(pilot, pid)
        await pilot.press("ctrl+k")
        await pilot.pause()
        assert type(app.screen).__name__ == "QuickTaskDialog"
        assert app.screen.person_id == pid


def _no_blink(app) -> None:
    for widget in app.screen.query(Input):
        widget.cursor_blink = False


def test_snapshot_person_file(person_data, snap_compare):
    data, pid = person_data

    async def run_before(pilot) -> None:
        await open_person(pilot, pid)
        _no_blink(pilot.app)
        await pilot.pause()

    assert snap_compare(make_app(data), terminal_size=(80, 24), run_before=run_before)


def test_snapshot_intake(tmp_path, snap_compare):
    data = tmp_path / "donnees"
    configure(data)

    async def run_before(pilot) -> None:
        from citeslab_tui.ui.screens.intake import IntakeScreen

        await started(pilot)
        await pilot.app.push_screen(IntakeScreen(first_name="Awa"))
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        screen = pilot.app.screen
        screen.form.field("family_name").focus()
        await type_text(pilot, "Sow")
        screen.form.field("phone").focus()
        await type_text(pilot, "06 12")
        await pilot.press("ctrl+s")  # refused: the phone says why
        await pilot.pause()
        pilot.app.clear_notifications()
        _no_blink(pilot.app)
        await pilot.pause()

    assert snap_compare(make_app(data), terminal_size=(80, 24), run_before=run_before)


async def test_enter_on_a_line_shows_it_whole(person_data):
    from citeslab_tui.ui.dialogs.message import MessageDialog

    data, pid = person_data
    long_note = "Notes [b]longues[/b] : " + "budget prévisionnel, " * 10
    with Workspace.open(data) as ws:
        people.log_interview(ws, pid, on=TODAY, notes=long_note, today=TODAY)
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_person(pilot, pid)
        table = screen.query_one(DataTable)
        shown = str(table.get_row_at(1)[2])  # today's interview, after the appointment
        assert shown.endswith("…") and len(shown) < 60
        table.move_cursor(row=1)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MessageDialog)
        assert app.screen.text.endswith(long_note.strip())
        assert app.screen.title_text == "Entretien du 26/11/2026"
