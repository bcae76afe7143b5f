"""The app shell: start-up errors, first set-up, help, privacy cover, keys."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from textual.widgets import DataTable, Label

from citeslab_tui.services.workspace import Workspace
from citeslab_tui.store.lock import DataDirLock
from citeslab_tui.ui.app import CitesLabApp
from citeslab_tui.ui.dialogs.confirm import ConfirmDialog
from citeslab_tui.ui.dialogs.message import FatalScreen, MessageDialog
from citeslab_tui.ui.keys import all_bindings, key_display
from citeslab_tui.ui.screens.help import HelpScreen
from citeslab_tui.ui.screens.hidden import HiddenScreen
from citeslab_tui.ui.screens.permanence import PermanenceScreen
from citeslab_tui.ui.screens.setup import SetupScreen

NOW = datetime(2026, 11, 26, 14, 30, tzinfo=timezone(timedelta(hours=1)))
FORBIDDEN_KEYS = {"ctrl+m", "ctrl+i", "ctrl+h"}
ENGLISH = {"quit", "save", "cancel", "close", "open", "help", "search", "palette", "toggle"}


def configured(data_dir: Path) -> Path:
    with Workspace.open(data_dir) as ws:
        ws.configure(structure="Mife du Calvados", staff=["Céline"], device="poste-test")
    return data_dir


async def started(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_locked_folder_shows_french_message(data_dir: Path) -> None:
    configured(data_dir)
    lock = DataDirLock(data_dir)
    lock.acquire()  # another window holds the folder
    try:
        app = CitesLabApp(str(data_dir), now=lambda: NOW)
        async with app.run_test(size=(80, 24)) as pilot:
            await started(pilot)
            assert isinstance(app.screen, FatalScreen)
            text = str(app.screen.query_one("#text", Label).render())
            assert "déjà ouvertes" in text
            assert app.workspace is None
            await pilot.press("f2", "a", "ctrl+n")  # nothing opens without data
            await pilot.pause()
            assert isinstance(app.screen, FatalScreen)
            await pilot.press("ctrl+q")
        assert app.return_code == 0
    finally:
        lock.release()


async def test_setup_screen_on_unconfigured_folder(data_dir: Path) -> None:
    app = CitesLabApp(str(data_dir), now=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        assert isinstance(app.screen, SetupScreen)
        await pilot.press("ctrl+s")  # empty: refused in French, nothing saved
        await pilot.pause()
        assert "obligatoire" in str(app.screen.query_one("#setup-error", Label).render())
        await pilot.press(*"Mife du Calvados", "enter")
        await pilot.press(*"Céline Perriot, Karim", "enter")
        await pilot.press(*"portable-1", "enter")
        await pilot.press(*"Colombelles", "enter")
        await pilot.press("enter")  # the office's identity: later (F5, F9)
        await pilot.pause()
        assert isinstance(app.screen, PermanenceScreen)
        assert app.screen.site == "Colombelles"
    with Workspace.open(data_dir) as ws:
        assert ws.settings.configured
        assert ws.settings.staff == ["Céline Perriot", "Karim"]


async def test_help_lists_screen_and_app_keys(data_dir: Path) -> None:
    configured(data_dir)
    app = CitesLabApp(str(data_dir), now=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(DataTable)
        shown = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert ["a", "Ajouter une arrivée"] in shown
        assert ["Ctrl+O", "Masquer l'écran (confidentialité)"] in shown
        assert ["", "Permanence du jour"] in shown and ["", "Partout"] in shown
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PermanenceScreen)


async def test_privacy_cover_blocks_everything_until_enter(data_dir: Path) -> None:
    configured(data_dir)
    app = CitesLabApp(str(data_dir), now=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, HiddenScreen)
        await pilot.press("f2", "f1", "a", "ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, HiddenScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PermanenceScreen)


async def test_idle_hides_the_screen(data_dir: Path) -> None:
    configured(data_dir)
    app = CitesLabApp(str(data_dir), now=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        minutes = app.workspace.settings.idle_hide_minutes
        app.hide_if_idle(now=app.last_key_at + minutes * 60 - 1)
        await pilot.pause()
        assert isinstance(app.screen, PermanenceScreen)
        app.hide_if_idle(now=app.last_key_at + minutes * 60 + 1)
        for _ in range(20):  # the screen switch completes over a few message cycles
            await pilot.pause()
            if isinstance(app.screen, HiddenScreen):
                break
        assert isinstance(app.screen, HiddenScreen), app.screen_stack


async def test_generic_dialogs(data_dir: Path) -> None:
    configured(data_dir)
    app = CitesLabApp(str(data_dir), now=lambda: NOW)
    answers: list[bool] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        app.push_screen(ConfirmDialog("Supprimer [b]ceci[/] ?"), answers.append)
        await pilot.pause()
        await pilot.press("enter")
        app.push_screen(ConfirmDialog("Encore ?"), answers.append)
        await pilot.pause()
        await pilot.press("escape")
        app.push_screen(MessageDialog("Erreur", "Disque plein [/]"))
        await pilot.pause()
        assert "Disque plein [/]" in str(app.screen.query_one("#text", Label).render())
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PermanenceScreen)
    assert answers == [True, False]


def test_every_key_has_an_id_and_a_french_description() -> None:
    rows = all_bindings()
    assert len(rows) >= 20
    for title, key, description, binding_id in rows:
        assert binding_id, (title, key)
        assert description.strip(), (title, key)
        assert description.split()[0].lower() not in ENGLISH, description
    keys = {key for _title, key, _d, _id in rows}
    assert "F1" in keys and "Ctrl+Q" in keys and "a" in keys


def test_no_forbidden_or_bare_digit_keys() -> None:
    from textual.binding import Binding

    from citeslab_tui.ui.keys import bindings_of
    from citeslab_tui.ui.screens.permanence import PermanenceScreen

    for owner in (CitesLabApp, PermanenceScreen, HelpScreen, HiddenScreen, SetupScreen):
        for binding in bindings_of(owner):
            assert binding.key not in FORBIDDEN_KEYS
            assert not binding.key.isdigit()
            assert binding.id
    assert key_display(Binding("ctrl+up", "x")) == "Ctrl+↑"
    assert key_display(Binding("escape", "x")) == "Échap"
    assert key_display(Binding("ctrl+n", "x"), short=True) == "^N"


async def test_torn_write_is_reported_once(data_dir: Path, notifications: list[str]) -> None:
    configured(data_dir)
    (journal,) = data_dir.glob("journal-*.jsonl")
    with journal.open("ab") as handle:
        handle.write(b'{"half a line')  # a save that never returned
    app = CitesLabApp(str(data_dir), now=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        assert any("interrompue" in m for m in notifications)
        assert isinstance(app.screen, PermanenceScreen)


async def test_command_palette_lists_keys_in_french_without_accents(data_dir: Path) -> None:
    configured(data_dir)
    app = CitesLabApp(str(data_dir), now=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Ajouter une arrivée" in titles and "Quitter" in titles
        assert len(titles) == len(set(titles))
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"clot")
        await pilot.pause()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "Clôturer" in app.screen.question


async def test_damaged_database_shows_french_message(data_dir: Path) -> None:
    configured(data_dir)
    (data_dir / "citeslab.json").write_bytes(b"\x00garbage{")
    app = CitesLabApp(str(data_dir), now=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        assert isinstance(app.screen, FatalScreen)
        assert app.workspace is None
        await pilot.press("ctrl+q")
