"""The permanence day at 80x24 (issue #14): nothing hidden, nothing in English, focus
where the next key is typed. Each test drives the real app in the pilot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.containers import VerticalScroll
from textual.widgets import Checkbox, Input

from citeslab_tui.services.workspace import Workspace
from citeslab_tui.ui.docshots import screen_text
from citeslab_tui.ui.screens.help import HelpScreen
from tests import catalogue
from tests.test_qa_day import push
from tests.test_ui_intake import configure, make_app, started, type_text
from tests.uikit import OpenApp


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "donnees"
    configure(folder)
    return folder


async def test_a_toast_never_hides_the_footer(data):
    """A toast covered the right half of the footer for 3 s."""
    from citeslab_tui.ui.screens.permanence import PermanenceScreen
    from citeslab_tui.ui.widgets.footer import KeysFooter

    app = make_app(data)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await started(pilot)
        await push(pilot, PermanenceScreen())  # a footer of two lines
        app.notify("Enregistré.", timeout=30)
        app.notify("Un second message, plus long, sur deux lignes peut-être.", timeout=30)
        await pilot.pause(0.3)
        footer = app.screen.query_one(KeysFooter).region
        assert footer.height == 2
        toasts = [t.region for t in app.screen.query("Toast")]
        assert toasts
        for region in toasts:
            assert not region.overlaps(footer), (region, footer)


# --- every screen and dialog: French only ----------------------------------------------

ENGLISH = re.compile(
    r"Do you want|Press |No matches|Search for|Dismiss|\bSelect\b|\bQuit\b|Screenshot|"
    r"Loading|Copied|\bCancel\b|\bSubmit\b|\bClose\b|\bYes\b|\bNo\b|\bSearch\b|"
    r"[A-Z][a-z]+(Dialog|Screen|Input|Picker)\b"
)


@pytest.fixture
def catalogue_data(tmp_path: Path) -> tuple[Path, catalogue.Ids]:
    folder = tmp_path / "donnees"
    return folder, catalogue.fixed_data(folder)


def open_app(folder: Path) -> OpenApp:
    return OpenApp(Workspace.open(folder), now=catalogue.NOW)


async def show(pilot, name: str, ids: catalogue.Ids) -> None:
    app = pilot.app
    app.data_ready = True  # the screens fill (the test app skips the start-up)
    await app.push_screen(catalogue.build(name)(app, ids))
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_every_screen_and_dialog_is_in_french(catalogue_data):
    """English from Textual itself: Ctrl+C said "Do you want to quit? Press ctrl+q to
    quit the app"; the palette "No matches found"; F1 over a dialog titled its keys
    with the class name "ConfirmDialog"."""
    folder, ids = catalogue_data
    app = open_app(folder)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        for name in catalogue.NAMES:
            await show(pilot, name, ids)
            text = screen_text(app)
            assert not ENGLISH.search(text), (name, ENGLISH.search(text), text)
            if not (app.screen.query(Input) or app.screen.is_modal or name == "masque"):
                # (Ctrl+C copies in a field; a dialog holds the app's keys but F1)
                await pilot.press("ctrl+c")  # the reflex to quit
                await pilot.pause(0.3)
                text = screen_text(app)
                assert "Ctrl+Q" in text and not ENGLISH.search(text), (name, text)
                app.clear_notifications()
            if name not in ("masque", "installation", "erreur", "aide"):
                await pilot.press("f1")
                await pilot.pause()
                assert isinstance(app.screen, HelpScreen), name
                text = screen_text(app)
                assert not ENGLISH.search(text), (name, ENGLISH.search(text), text)
                await pilot.press("escape")
                await pilot.pause()
            while len(app.screen_stack) > 1:
                app.pop_screen()
                await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "zzzz")
        await pilot.pause(0.8)
        text = screen_text(app)
        assert "Aucune commande" in text and not ENGLISH.search(text), text


async def test_first_start_puts_the_cursor_in_the_field_to_fix(tmp_path):
    """Ctrl+S with no project lead: the message showed but the cursor stayed in the
    structure's name, and the names typed next were appended to it."""
    from textual.widgets import Label

    from citeslab_tui.ui.app import CitesLabApp
    from citeslab_tui.ui.screens.setup import SetupScreen

    folder = tmp_path / "neuf"
    app = CitesLabApp(str(folder), now=lambda: catalogue.NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        assert isinstance(app.screen, SetupScreen)
        await type_text(pilot, "Mife du Calvados")
        await pilot.press("ctrl+s")  # no project lead
        await pilot.pause()
        screen = app.screen
        assert "chef de projet" in str(screen.query_one("#setup-error", Label).render())
        assert app.focused is screen.query_one("#setup-staff", Input)
        await type_text(pilot, "Céline Perriot")
        await pilot.press("ctrl+s")  # no device name: the cursor goes there
        await pilot.pause()
        assert app.focused is screen.query_one("#setup-device", Input)
        await type_text(pilot, "portable-1")
        await pilot.press("ctrl+s")
        await pilot.pause()
    with Workspace.open(folder) as ws:
        assert ws.settings.structure == "Mife du Calvados"
        assert ws.settings.staff == ["Céline Perriot"]
        assert ws.settings.device_name == "portable-1"


# --- Tab accepts a suggestion ----------------------------------------------------------


async def test_tab_takes_the_suggestion_then_goes_on(catalogue_data):
    """Suggestions were accepted with → only: "adi" then Tab left "adi"."""
    folder, ids = catalogue_data
    app = open_app(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, "orientation", ids)
        screen = app.screen
        await type_text(pilot, "france tr")
        await pilot.pause()
        await pilot.press("tab")
        assert screen.query_one("#partner", Input).value == "France Travail"
        assert app.focused is screen.query_one("#on", Input)
        assert "Tab" in screen_text(app)  # the hint says so
        # the intake's page 2: the site field
        app.pop_screen()
        await show(pilot, "accueil", ids)
        intake = app.screen
        await pilot.press("f6")
        await pilot.pause()
        assert intake.form.field("site").has_focus
        intake.form.field("site").value = ""
        await type_text(pilot, "herou")
        await pilot.pause()
        await pilot.press("tab")
        assert intake.form.value("site") == "Hérouville – Grand Parc"


async def test_commune_typed_fast_then_tab_is_completed(data):
    """ "herou" then Tab at once (no pause): Hérouville-Saint-Clair."""
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        from citeslab_tui.ui.screens.intake import IntakeScreen

        await push(pilot, IntakeScreen())
        screen = app.screen
        screen.form.field("commune").focus()
        await pilot.pause()
        await type_text(pilot, "herou")
        await pilot.press("tab")
        await pilot.pause()
        assert screen.form.field("commune").text == "Hérouville-Saint-Clair"
        assert "Tab" in screen_text(app) and "suggestion" in screen_text(app)


# --- focus: the first thing to type; no list swallows letters ----------------------------

NOTHING_TO_TYPE = (VerticalScroll, Checkbox)


async def test_every_dialog_starts_on_its_first_field(catalogue_data):
    """The interview dialog (Ctrl+L) started in Notes: Tab Tab then landed on the
    channel list, and the letters typed next were lost."""
    folder, ids = catalogue_data
    app = open_app(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        for name in catalogue.NAMES:
            await show(pilot, name, ids)
            screen = app.screen
            if screen.is_modal:
                chain = [w for w in screen.focus_chain if not isinstance(w, NOTHING_TO_TYPE)]
                assert chain and app.focused is chain[0], (name, app.focused, chain[:2])
            while len(app.screen_stack) > 1:
                app.pop_screen()
                await pilot.pause()


async def test_interview_dialog_in_order_and_letters_never_lost(catalogue_data):
    from citeslab_tui.domain.models import Channel, Interview

    folder, ids = catalogue_data
    app = open_app(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, "entretien", ids)
        screen = app.screen
        assert app.focused is screen.query_one("#on", Input)
        await pilot.press("tab")  # the channel list: a letter chooses, nothing is lost
        await type_text(pilot, "te")
        assert screen.query_one("#channel").value == Channel.PHONE.value
        await pilot.press("tab")
        await type_text(pilot, "Point budget")
        assert screen.query_one("#notes", Input).value == "Point budget"
        await pilot.press("ctrl+s")
        await pilot.pause()
        (interview,) = [i for i in app.workspace.repo.all(Interview) if i.notes == "Point budget"]
        assert interview.channel is Channel.PHONE


async def test_a_letter_on_a_closed_list_chooses_and_an_unknown_one_rings(data):
    """Civility: "mo" gives Monsieur; "x" matches nothing: the bell, nothing changes."""
    from citeslab_tui.ui.screens.intake import IntakeScreen

    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await push(pilot, IntakeScreen())
        screen = app.screen
        civility = screen.form.field("civility")
        civility.focus()
        await pilot.pause()
        await type_text(pilot, "mo")
        assert screen.form.value("civility") == "monsieur"
        bells: list[bool] = []
        app.bell = lambda: bells.append(True)
        await pilot.pause(1.1)  # a new word
        await type_text(pilot, "x")
        assert bells and screen.form.value("civility") == "monsieur"


# --- 80x24: nothing cut that hides meaning ------------------------------------------------


async def test_a_long_field_shows_its_beginning_once_left(data):
    """After leaving a long field the intake showed its end ("ortes / Val / Le Bois…")."""
    from citeslab_tui.ui.screens.intake import IntakeScreen

    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await push(pilot, IntakeScreen())
        screen = app.screen
        screen.form.field("commune").focus()
        await type_text(pilot, "herouville saint clair")
        await pilot.press("enter")
        await type_text(pilot, "grand parc")
        await pilot.pause()
        await pilot.press("tab")  # chosen, on to the next field
        await pilot.pause()
        idea = screen.form.field("project_idea")
        idea.focus()
        await type_text(
            pilot, "Ouvrir un café associatif avec une épicerie solidaire et un atelier vélo"
        )
        await pilot.press("tab")
        await pilot.pause()
        text = screen_text(app)
        assert "Hérouville (Grand Parc" in text, text
        assert "Ouvrir un café" in text, text


async def test_tasks_table_fits_80_columns_and_cuts_with_an_ellipsis(catalogue_data):
    """The tasks table was wider than the screen (→ and Fin hid État and Échéance),
    "dans 7 jour", "Rendez-vous busines"; the view bar wrapped onto two lines."""
    from datetime import timedelta

    from citeslab_tui.domain.models import FollowUpTask, TaskKind

    folder, ids = catalogue_data
    with Workspace.open(folder) as ws:
        ws.repo.save(
            FollowUpTask(
                person_id=ids.person_id,
                task_kind=TaskKind.APPOINTMENT,
                title="Rendez-vous business plan avec la conseillère de la CCI",
                due=catalogue.DAY + timedelta(days=3),
                time="09:30",
            )
        )
    app = open_app(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, "taches", ids)
        screen = app.screen
        table = screen.table
        seen = ""
        for _view in range(6):
            await pilot.pause()
            text = screen_text(app)
            seen += text
            assert table.virtual_size.width <= table.scrollable_content_region.width, text
            bar = screen.query_one("#tasks-views")
            assert bar.size.height == 1 and "Suggestions" in text.splitlines()[0], text
            assert not re.search(r"dans \d+ jour(?!s)", text), text
            await pilot.press("v")
        assert "Rendez-vous business…" in seen, seen
        assert "dans 3 jours" in seen and "dans 7 jours" in seen, seen


async def test_queue_names_whole_when_the_screen_allows(catalogue_data):
    """ "CHEVALIER Stéph…" although the other columns had room to spare."""
    folder, ids = catalogue_data
    app = open_app(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, "permanence", ids)
        app.screen.refresh_rows()
        await pilot.pause()
        text = screen_text(app)
        assert "CHEVALIER Stéphanie-Marie" in text, text
        table = app.screen.table()
        assert table.virtual_size.width <= table.scrollable_content_region.width, text


# --- keys typed at once are not lost ------------------------------------------------------


async def test_keys_typed_while_the_data_opens_are_kept(data):
    """Keys typed within ~300 ms of the first paint were lost (3 of 3 at 0 ms): the
    data folder was still opening and the screen ignored them."""
    from citeslab_tui.ui.app import CitesLabApp
    from citeslab_tui.ui.dialogs.arrival import ArrivalDialog

    app = CitesLabApp(str(data), now=lambda: catalogue.NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.workspace is None  # typed at the first paint
        await pilot.press("a")
        await type_text(pilot, "Nadia")
        await pilot.press("enter")
        await started(pilot)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not isinstance(app.screen, ArrivalDialog)
        assert "Nadia" in screen_text(app)


async def test_keys_typed_early_on_a_new_laptop_go_to_the_setup(tmp_path):
    from citeslab_tui.ui.app import CitesLabApp
    from citeslab_tui.ui.screens.setup import SetupScreen

    app = CitesLabApp(str(tmp_path / "neuf"), now=lambda: catalogue.NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.workspace is None
        await type_text(pilot, "Mife")
        await started(pilot)
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen)
        assert app.screen.query_one("#setup-structure", Input).value == "Mife"


def burst(app, keys: list[str]) -> None:
    """Keys as a terminal sends a burst (no bracketed paste): all queued at once, as the
    driver does, without waiting for any to be handled."""
    from textual import events

    for key in keys:
        character = key if len(key) == 1 else {"enter": "\r", "backspace": "\x7f"}.get(key)
        app.post_message(events.Key(key, character))


async def test_a_burst_of_backspaces_then_text_keeps_every_key(data):
    """Twelve Backspaces then text as one burst lost keys (4 of 6 in tmux; a bare
    Textual 8.2.8 Input gave "" : its Backspaces acted after the letters)."""
    from citeslab_tui.ui.screens.intake import IntakeScreen

    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await push(pilot, IntakeScreen())
        screen = app.screen
        screen.form.field("family_name").focus()
        await type_text(pilot, "abcdefghijkl")
        burst(app, ["backspace"] * 12 + list("bonjour"))
        await pilot.pause(1.0)
        assert screen.form.value("family_name") == "bonjour"


async def test_a_burst_opening_a_dialog_lands_in_it(catalogue_data):
    """ "a" then a name then Entrée as one burst: the letters typed right after "a" went
    to the queue table, not to the arrival dialog being opened."""
    folder, ids = catalogue_data
    app = open_app(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await show(pilot, "permanence", ids)
        burst(app, ["a", *"Quentin", "enter"])
        await pilot.pause(1.0)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Quentin" in screen_text(app)
