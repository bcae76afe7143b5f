"""Quick intake driven key by key in the pilot at 80x24 (screens/intake.py)."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import pytest
from textual.screen import Screen
from textual.widgets import Label

from citeslab_tui.domain.models import Interview, Person, QueueEntry, QueueStatus, StageEvent
from citeslab_tui.services import drafts, people
from citeslab_tui.services.workspace import Workspace
from citeslab_tui.ui.app import CitesLabApp

NOW = datetime(2026, 11, 26, 14, 5).astimezone()
DUPLICATES_WAIT = 0.3  # the people already known are looked up 0.2 s after the last key
TODAY = date(2026, 11, 26)


class IntakeTestApp(CitesLabApp):
    """The real app on a blank start screen: these tests do not depend on the
    permanence screen (another area) and run with a fixed "today"."""

    SCREENS = {**CitesLabApp.SCREENS, "blank": Screen}
    START_SCREEN = "blank"

    def data_loaded(self) -> None:
        pass


def configure(data_dir: Path) -> None:
    with Workspace.open(data_dir) as ws:
        ws.configure(
            structure="Mife du Calvados",
            staff=["Céline Perriot"],
            device="portable-test",
            sites=["Caen – Chemin Vert"],
        )


def make_app(data_dir: Path) -> IntakeTestApp:
    return IntakeTestApp(str(data_dir), now=lambda: NOW)


async def started(pilot) -> None:
    """Wait for the workspace (opened in a worker thread)."""
    app = pilot.app
    for _ in range(200):
        if app.workspace is not None:
            break
        await pilot.pause(0.01)
    assert app.workspace is not None, [
        getattr(s, "message", type(s).__name__) for s in app.screen_stack
    ]
    await pilot.pause()


async def type_text(pilot, value: str) -> None:
    """Type a text key by key."""
    await pilot.press(*["space" if ch == " " else ch for ch in value])


async def fill(pilot, screen, **values: str) -> None:
    """Set fields directly (as a paste would): for tests whose point is not typing."""
    for key, value in values.items():
        screen.form.field(key).value = value
    await pilot.pause(DUPLICATES_WAIT)


async def open_intake(pilot):
    from citeslab_tui.ui.screens.intake import IntakeScreen

    await pilot.press("ctrl+n")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(pilot.app.screen, IntakeScreen)
    return pilot.app.screen


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "donnees"
    configure(folder)
    return folder


async def test_full_intake_by_keys_then_search_without_accents(data):
    from citeslab_tui.ui.dialogs.search import SearchDialog
    from citeslab_tui.ui.screens.person import PersonScreen

    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        screen = await open_intake(pilot)
        # page 1: the notice, the names, the commune first; Tab goes to the next field
        await pilot.press("space")  # information notice given: on to the family name
        await type_text(pilot, "Dïallo")
        await pilot.press("tab")
        await type_text(pilot, "Héloïse")
        await pilot.press("tab")
        await type_text(pilot, "herou")
        await pilot.pause()
        await pilot.press("right")  # accept the first entry of the list
        await pilot.press("tab")
        await type_text(pilot, "grand parc")  # anywhere in the name
        await pilot.pause()
        await pilot.press("tab", "space", "tab")  # Tab accepts, then goes on
        await pilot.press("enter", "down", "enter")  # civility: Madame
        await pilot.press("tab")
        await type_text(pilot, "12/03/1987")
        await pilot.press("tab")
        await type_text(pilot, "0612345678")
        await pilot.press("tab", "tab")  # no e-mail
        await type_text(pilot, "Café")
        await pilot.press("f6")  # page 2
        await pilot.pause()
        assert screen.form.page == 2
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, PersonScreen)
        person = app.workspace.repo.get(Person, app.screen.person_id)
        assert person.family_name == "Dïallo" and person.first_name == "Héloïse"
        assert person.civility.value == "madame"
        assert person.phone == "+33612345678" and person.birth_date == date(1987, 3, 12)
        assert person.commune == "Hérouville-Saint-Clair" and person.qpv == "herouville"
        assert person.qpv_checked and person.notice_given_on == TODAY
        assert person.project_idea == "Café"
        repo = app.workspace.repo
        assert [i.on for i in repo.all(Interview)] == [TODAY]
        assert [s.stage.value for s in repo.all(StageEvent)] == ["sensitized"]
        (entry,) = repo.all(QueueEntry)
        assert entry.person_id == person.id and entry.status is QueueStatus.IN_INTERVIEW
        assert drafts.load_draft(data) is None
        # back, then Ctrl+F "heloise" (no accents) finds her
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+f")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, SearchDialog)
        await type_text(pilot, "heloise")
        await pilot.pause()
        assert [h.person_id for h in app.screen.hits] == [person.id]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PersonScreen) and app.screen.person_id == person.id


def seed_person(data: Path, **fields) -> str:
    with Workspace.open(data) as ws:
        values = {"family_name": "Diallo", "first_name": "Héloïse", "phone": "0612345678"}
        values.update(fields)
        return people.create_person_with_intake(ws, values, today=TODAY).person.id


async def test_duplicate_warning_and_open_existing(data):
    from citeslab_tui.ui.screens.person import PersonScreen

    known = seed_person(data)
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        screen = await open_intake(pilot)
        panel = screen.query_one("#intake-duplicates")
        assert not panel.display
        await fill(pilot, screen, family_name="dialo")  # no accent, one letter missing
        screen.form.field("first_name").focus()
        await type_text(pilot, "heloise")
        await pilot.pause(DUPLICATES_WAIT)  # looked up once typing pauses
        assert panel.display
        assert [d.person_id for d in screen.duplicates] == [known]
        assert "nom proche" in screen.duplicates[0].reasons
        await pilot.press("ctrl+e")  # open the existing file instead
        await pilot.pause()
        await pilot.press("enter")  # the focus is on "Rester": nothing is abandoned
        await pilot.pause()
        assert app.screen is screen and screen.form.value("first_name") == "heloise"
        await pilot.press("ctrl+e")
        await pilot.pause()
        await pilot.press("left", "enter")  # "Ouvrir la fiche": the typed intake is abandoned
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, PersonScreen) and app.screen.person_id == known
        assert app.workspace.repo.count("person") == 1
        assert drafts.load_draft(data) is None


async def test_same_phone_is_a_duplicate(data):
    known = seed_person(data, family_name="Martin", first_name="Paul")
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        screen = await open_intake(pilot)
        await fill(pilot, screen, phone="+33 6 12 34 56 78")
        assert [d.person_id for d in screen.duplicates] == [known]
        assert screen.duplicates[0].reasons == ("même téléphone",)


async def test_leaving_a_field_checks_that_field_only(data):
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        screen = await open_intake(pilot)
        screen.form.field("phone").focus()
        await pilot.pause()
        await type_text(pilot, "06 12")
        await pilot.press("tab")  # leaves the phone for the e-mail
        await pilot.pause()
        assert "10 chiffres" in screen.form.error("phone")
        assert screen.form.error("family_name") == ""  # empty, never left: not reported
        await type_text(pilot, "awa@exemple")
        await pilot.press("tab")
        await pilot.pause()
        assert "e-mail" in screen.form.error("email")
        assert "10 chiffres" in screen.form.error("phone")  # still shown until corrected
        assert app.workspace.repo.count("person") == 0


async def test_invalid_fields_keep_the_form(data):
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        screen = await open_intake(pilot)
        await fill(pilot, screen, first_name="Awa", birth="31/02/1990", phone="06 12 34")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen  # not saved, still open
        assert app.workspace.repo.count("person") == 0
        assert "obligatoire" in screen.form.error("family_name")
        assert "impossible" in screen.form.error("birth")
        assert "10 chiffres" in screen.form.error("phone")
        assert app.focused is screen.form.field("family_name")
        values = screen.form.values()
        assert (values["first_name"], values["birth"], values["phone"]) == (
            "Awa",
            "31/02/1990",
            "06 12 34",
        )
        # fix them and save
        await type_text(pilot, "Sow")
        screen.form.field("birth").value = "1990"
        screen.form.field("phone").value = "0612345699"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.workspace.repo.count("person") == 1


async def test_markup_characters_in_a_name_show_as_typed(data):
    from citeslab_tui.ui.dialogs.search import SearchDialog
    from citeslab_tui.ui.screens.person import PersonScreen

    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        screen = await open_intake(pilot)
        await fill(pilot, screen, family_name="[b]Ali[/]", first_name="[red]x[/red] [@click=quit]")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, PersonScreen)
        title = app.screen.query_one("#person-name", Label)
        assert str(title.content) == "[B]ALI[/] [red]x[/red] [@click=quit]"
        await pilot.press("ctrl+f")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, SearchDialog)
        await type_text(pilot, "ali")
        await pilot.pause()
        assert app.screen.hits[0].name == "[B]ALI[/] [red]x[/red] [@click=quit]"
        assert app.is_running


async def test_draft_is_written_and_offered_after_a_crash(data):
    # first run: type, the draft is written (as the 1 s timer would), then "crash"
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        screen = await open_intake(pilot)
        screen.form.field("family_name").focus()
        await type_text(pilot, "Koné")
        await pilot.press("tab")
        await type_text(pilot, "Inès")
        screen.write_draft()
        assert drafts.load_draft(data)["values"]["family_name"] == "Koné"
        if os.name == "posix":
            assert drafts.draft_path(data).stat().st_mode & 0o777 == 0o600
        app.workspace.close()  # no save, no discard: the process "dies"
        app.workspace = None
    # a new app instance offers the draft when the intake opens
    from citeslab_tui.ui.dialogs.confirm import ConfirmDialog

    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "Inès Koné" in app.screen.question
        await pilot.press("enter")  # Reprendre
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        assert screen.form.value("family_name") == "Koné"
        assert screen.form.value("first_name") == "Inès"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.workspace.repo.count("person") == 1
        assert drafts.load_draft(data) is None


async def test_escape_asks_before_discarding(data):
    from citeslab_tui.ui.dialogs.confirm import ConfirmDialog
    from citeslab_tui.ui.screens.intake import IntakeScreen

    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        screen = await open_intake(pilot)
        screen.form.field("family_name").focus()
        await type_text(pilot, "Sow")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")  # Non: keep typing
        await pilot.pause()
        assert app.screen is screen and screen.form.value("family_name") == "Sow"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("enter")  # the focus is on "Continuer la saisie"
        await pilot.pause()
        assert app.screen is screen and screen.form.value("family_name") == "Sow"
        await pilot.press("escape", "escape")  # Échap twice: still kept
        await pilot.pause()
        assert app.screen is screen and screen.form.value("family_name") == "Sow"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("left", "enter")  # Abandonner, chosen on purpose
        await pilot.pause()
        assert not isinstance(app.screen, IntakeScreen)
        assert drafts.load_draft(data) is None
        assert app.workspace.repo.count("person") == 0


async def test_store_error_keeps_the_form(data, monkeypatch):
    from citeslab_tui.store.errors import StoreError
    from citeslab_tui.ui.dialogs.message import MessageDialog

    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        screen = await open_intake(pilot)
        screen.form.field("family_name").focus()
        await type_text(pilot, "Sow")

        def full(*_records, **_kw):
            raise StoreError("Enregistrement impossible : le disque est plein.")

        monkeypatch.setattr(app.workspace.repo, "save", full)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, MessageDialog)
        assert "disque est plein" in app.screen.text
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and screen.form.value("family_name") == "Sow"


async def test_offer_draft_at_start(data):
    from citeslab_tui.ui.dialogs.confirm import ConfirmDialog
    from citeslab_tui.ui.screens.intake import offer_draft_at_start

    drafts.save_draft(data, {"values": {"family_name": "Koné"}, "saved_at": "x"})
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        assert offer_draft_at_start(app)
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")  # Échap is the safe answer: the draft is resumed
        await pilot.pause()
        await pilot.pause()
        assert app.screen.form.value("family_name") == "Koné"
        assert drafts.load_draft(data) is not None
        app.screen.action_leave()
        await pilot.pause()
        await pilot.press("left", "enter")  # Abandonner, on purpose
        await pilot.pause()
        assert drafts.load_draft(data) is None
        assert not offer_draft_at_start(app)


async def test_quitting_right_after_typing_keeps_the_draft(data):
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        screen = await open_intake(pilot)
        screen.form.field("family_name").focus()
        await type_text(pilot, "Sy")
        await pilot.press("ctrl+q")  # before the 1 s draft timer fired
        await pilot.pause()
    assert drafts.load_draft(data)["values"]["family_name"] == "Sy"


async def minimal_intake_by_keys(pilot, commune: str, *, tab: bool = False) -> list[str]:
    """The minimal intake of docs/guide.md, from the queue screen, key by key; returns
    the keys pressed besides the typed text."""
    keys = ["ctrl+n", "space"]
    await pilot.press("ctrl+n")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("space")  # the notice is given: an explicit act
    await type_text(pilot, "durand")
    await pilot.press("enter")
    await type_text(pilot, "paul")
    await pilot.press("enter")
    await type_text(pilot, commune)
    keys += ["enter", "enter"]
    if tab:
        await pilot.pause()
        await pilot.press("tab")
        keys.append("tab")
    await pilot.press("ctrl+s")
    keys.append("ctrl+s")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return keys


@pytest.mark.parametrize(
    ("typed", "tab", "commune"),
    [
        ("caen", False, "Caen"),
        ("HEROUVILLE SAINT CLAIR", False, "Hérouville-Saint-Clair"),
        ("herou", True, "Hérouville-Saint-Clair"),
    ],
)
async def test_minimal_intake_in_six_keys_at_most(data, typed, tab, commune):
    """Ctrl+N, Espace, nom, Entrée, prénom, Entrée, commune, Ctrl+S (Tab only to
    complete a partial commune): saved, the person's file shown."""
    from citeslab_tui.ui.screens.person import PersonScreen

    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        keys = await minimal_intake_by_keys(pilot, typed, tab=tab)
        assert len(keys) <= 6
        assert isinstance(app.screen, PersonScreen), type(app.screen).__name__
        ws = app.workspace
        person = ws.repo.get(Person, app.screen.person_id)
        assert (person.family_name, person.first_name) == ("durand", "paul")
        assert person.notice_given_on == TODAY
        assert person.commune == commune


async def test_minimal_intake_from_the_queue_screen(data):
    """The same keys from the real first screen (the permanence queue)."""
    from citeslab_tui.ui.screens.permanence import PermanenceScreen
    from citeslab_tui.ui.screens.person import PersonScreen

    app = CitesLabApp(str(data), now=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, PermanenceScreen)
        keys = await minimal_intake_by_keys(pilot, "caen")
        assert len(keys) == 5
        assert isinstance(app.screen, PersonScreen)
        assert app.workspace.repo.get(Person, app.screen.person_id).commune == "Caen"
