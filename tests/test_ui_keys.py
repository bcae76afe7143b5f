"""Issue #14, point 1: keys from the app. The first-start screen and the sync screen
install the office's identity from a file on the USB stick (typed with completion)
or pasted text, after showing its fingerprint; F6 without it says in French what is
missing and which keys fix it; the office enrols a laptop from the app."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Label, Static
from uikit import OpenApp

from citeslab_tui.domain.models import Person
from citeslab_tui.services import keys as key_service
from citeslab_tui.services.workspace import Workspace
from citeslab_tui.ui.app import CitesLabApp
from citeslab_tui.ui.dialogs.confirm import ConfirmDialog
from citeslab_tui.ui.dialogs.keys import KeysDialog
from citeslab_tui.ui.dialogs.message import MessageDialog
from citeslab_tui.ui.screens.permanence import PermanenceScreen
from citeslab_tui.ui.screens.setup import SetupScreen
from citeslab_tui.ui.screens.sync import SyncScreen

NOW = datetime(2026, 11, 30, 17, 0).astimezone()


class Host(OpenApp):
    def __init__(self, ws: Any) -> None:
        super().__init__(ws)

    def on_mount(self) -> None:
        self.push_screen(SyncScreen())


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.fixture
def office(tmp_path: Path) -> Path:
    """The office's data folder, configured; its identity written on the stick."""
    folder = tmp_path / "bureau"
    stick = tmp_path / "cle"
    stick.mkdir()
    with Workspace.open(folder) as ws:
        ws.configure(structure="Mife", staff=["Bureau"], device="bureau", role="office")
        key_service.export_identity(ws, stick / "identite-bureau.txt")
    return folder


def office_fingerprint(tmp_path: Path) -> str:
    return key_service.read_identity(tmp_path / "cle" / "identite-bureau.txt").fingerprint


async def test_f6_without_the_office_key_says_what_and_how_from_the_app(workspace, tmp_path):
    workspace.repo.save(Person(family_name="Diallo", first_name="Fatou"))
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.query_one("#sync-folder", Input).value = str(tmp_path)
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, MessageDialog)
        text = app.screen.text
        assert "identité du bureau n'est pas installée" in text
        assert "F9 Clés" in text and "citeslab keys" not in text


async def test_sync_screen_installs_the_office_key_typed_with_completion(
    workspace, office, tmp_path
):
    stick = tmp_path / "cle"
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.query_one("#sync-folder", Input).value = str(stick)
        await pilot.press("f9")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, KeysDialog)
        summary = str(dialog.query_one("#keys-summary", Static).content)
        assert "Bureau : identité non installée (son fichier dans le champ" in summary
        path = dialog.query_one("#keys-path", Input)
        assert path.value == f"{stick}/"
        await pilot.press("i")
        await pilot.pause()
        await pilot.press("tab")  # completes the file name
        await pilot.pause()
        assert path.value == f"{stick}/identite-bureau.txt"
        await pilot.press("enter")
        await pilot.pause()
        question = app.screen
        assert isinstance(question, ConfirmDialog)
        assert office_fingerprint(tmp_path) in question.question
        assert "six groupes" in question.question
        await pilot.press("enter")  # a hurried Entrée: focus on "Ne pas installer"
        await pilot.pause()
        assert app.screen is dialog and key_service.office_fingerprint(workspace) is None
        assert "Rien n'a été installé" in str(dialog.query_one("#keys-error", Label).content)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("left", "enter")  # "Identiques : installer"
        await pilot.pause()
        assert key_service.office_fingerprint(workspace) == office_fingerprint(tmp_path)
        message = str(dialog.query_one("#keys-error", Label).content)
        assert "Identité du bureau installée" in message and "Ctrl+E" in message
        # this laptop's identity, written on the stick for the office
        path.value = str(stick)
        await pilot.press("ctrl+e")
        await pilot.pause()
        written = list(stick.glob("identite-portable*.txt"))
        assert len(written) == 1
        assert key_service.read_identity(written[0]).device == workspace.settings.device_id
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SyncScreen)


async def test_pasted_text_and_refusals_change_nothing(workspace, office, tmp_path):
    text = (tmp_path / "cle" / "identite-bureau.txt").read_text(encoding="utf-8")
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        dialog = app.screen
        path = dialog.query_one("#keys-path", Input)
        for bad, said in (
            (str(tmp_path / "absent.txt"), "Fichier introuvable"),
            ("AGE-SECRET-KEY-1XYZ", "clé SECRÈTE"),
            ('{"format": "citeslab-identity", "[b]x": 1}', "endommagé"),
        ):
            path.value = bad
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is dialog
            assert said in str(dialog.query_one("#keys-error", Label).content)
        assert key_service.office_fingerprint(workspace) is None
        path.value = text.splitlines()[-1]  # the JSON line, pasted
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("left", "enter")
        await pilot.pause()
        assert key_service.office_fingerprint(workspace) == office_fingerprint(tmp_path)


async def test_office_enrols_a_laptop_from_the_app(office, tmp_path):
    laptop = tmp_path / "portable"
    with Workspace.open(laptop) as lws:
        lws.configure(structure="Mife", staff=["Céline"], device="portable-1")
        key_service.install_office(
            lws, key_service.read_identity(tmp_path / "cle" / "identite-bureau.txt")
        )
        key_service.export_identity(lws, tmp_path / "cle")
        laptop_id = lws.settings.device_id
    with Workspace.open(office) as ows:
        app = Host(ows)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("f9")
            await settle(pilot)
            dialog = app.screen
            assert "Portables inscrits : aucun" in str(
                dialog.query_one("#keys-summary", Static).content
            )
            dialog.query_one("#keys-path", Input).value = str(
                tmp_path / "cle" / f"identite-{laptop_id}.txt"
            )
            await pilot.press("enter")
            await pilot.pause()
            assert "Portable : portable-1" in app.screen.question
            await pilot.press("left", "enter")
            await pilot.pause()
            assert f"Portable : portable-1 ({laptop_id}), inscrit le" in str(
                dialog.query_one("#keys-summary", Static).content
            )


async def test_first_start_installs_the_office_key(office, tmp_path, data_dir):
    app = CitesLabApp(str(data_dir), now=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        await pilot.press(*"Mife du Calvados", "enter")
        await pilot.press(*"Céline Perriot", "enter")
        await pilot.press(*"portable-1", "enter")
        await pilot.press("enter")  # sites: the reference ones
        await pilot.press(*str(tmp_path / "cle" / "iden"), "tab", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert office_fingerprint(tmp_path) in app.screen.question
        await pilot.press("left", "enter")
        await settle(pilot)
        assert isinstance(app.screen, MessageDialog)  # what to do next stays on screen
        assert "Ctrl+E" in app.screen.text
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PermanenceScreen)
        assert key_service.office_fingerprint(app.workspace) == office_fingerprint(tmp_path)
        assert app.workspace.settings.structure_id


async def test_first_start_with_a_wrong_file_saves_settings_and_says_why(tmp_path, data_dir):
    laptop_file = tmp_path / "autre.txt"
    laptop_file.write_text("\x1b[31m[b]pas une identité[/b]\n", encoding="utf-8")
    app = CitesLabApp(str(data_dir), now=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press(*"Mife", "enter", *"Céline", "enter", *"portable-1", "enter", "enter")
        await pilot.press(*str(laptop_file), "enter")
        await pilot.pause()
        assert app.screen is screen  # stays: the identity was not installed
        error = str(screen.query_one("#setup-error", Label).content)
        assert "Paramètres enregistrés" in error and "n'est pas un fichier d'identité" in error
        assert "\x1b" not in error
        office = screen.query_one("#setup-office", Input)
        assert screen.focused is office
        office.value = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PermanenceScreen)
        assert key_service.office_fingerprint(app.workspace) is None


async def test_f6_at_the_office_says_what_the_office_does(office, tmp_path):
    with Workspace.open(office) as ows:
        ows.repo.save(Person(family_name="Diallo", first_name="Fatou"))
        app = Host(ows)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.screen.query_one("#sync-folder", Input).value = str(tmp_path / "cle")
            await pilot.press("f6")
            await settle(pilot)
            summary = str(app.screen.query_one("#sync-summary", Static).content)
            assert "bureau central" in summary and "F8" in summary
            assert "installez" not in summary
