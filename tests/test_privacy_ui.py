"""Privacy dialogs at 80x24: access copy, audit trail, erase confirmation, notice."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from test_privacy_support import build_file
from textual.widgets import DataTable, Input, Label, TextArea
from uikit import OpenApp

from citeslab_tui.services.workspace import Workspace
from citeslab_tui.ui.dialogs.privacy_access import AccessExportDialog
from citeslab_tui.ui.dialogs.privacy_audit import AuditTrailDialog
from citeslab_tui.ui.dialogs.privacy_erase import EraseDialog
from citeslab_tui.ui.dialogs.privacy_notice import NoticeDialog


class Host(OpenApp):
    def __init__(self, ws: Workspace, now: datetime | None = None) -> None:
        super().__init__(ws, now)
        self.results: list[Any] = []

    def open(self, dialog: Any) -> None:
        self.push_screen(dialog, self.results.append)


async def test_access_dialog_shows_saves_and_opens_trail(workspace: Workspace) -> None:
    person, _ = build_file(workspace, family="[b]Diallo[/]")  # markup-looking name
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open(AccessExportDialog(person.id))
        await pilot.pause()
        area = app.screen.query_one("#access-text", TextArea)
        assert "[b]Diallo[/]" in area.text and "Entretien du 10/09/2024" in area.text
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert len(list((workspace.data_dir / "exports").glob("acces-*"))) == 2
        status = str(app.screen.query_one("#access-status", Label).render())
        assert "Copie enregistrée" in status
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, AuditTrailDialog)
        assert app.screen.query_one(DataTable).row_count == 8
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    assert app.results and app.results[-1].endswith(".txt")


async def test_access_copy_is_dated_by_the_apps_clock(workspace: Workspace) -> None:
    person, _ = build_file(workspace, family="Diallo")
    frozen = datetime(2031, 3, 4, 15, 30).astimezone()
    app = Host(workspace, frozen)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open(AccessExportDialog(person.id))
        await pilot.pause()
        assert "Édité le 04/03/2031 15:30" in app.screen.query_one("#access-text", TextArea).text
        await pilot.press("ctrl+s")
        await pilot.pause()
    saved = list((workspace.data_dir / "exports").glob("acces-*20310304-1530*"))
    assert len(saved) == 2


async def test_erase_dialog_needs_the_word_then_erases(workspace: Workspace) -> None:
    person, _ = build_file(workspace)
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open(EraseDialog(person.id))
        await pilot.pause()
        assert "DIALLO-MARTIN Fatou" in str(app.screen.query_one("#erase-person", Label).render())
        await pilot.press("o", "u", "i", "enter")
        await pilot.pause()
        assert isinstance(app.screen, EraseDialog)
        assert workspace.repo.doc("person", person.id)["family_name"] == "Diallo"
        app.screen.query_one(Input).value = ""
        await pilot.press(*"effacer", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, EraseDialog)
    assert "d'ici 14 jours" in app.results[-1]
    assert workspace.repo.doc("person", person.id)["meta"]["erased"] is True


async def test_erase_dialog_escape_changes_nothing(workspace: Workspace) -> None:
    person, _ = build_file(workspace)
    lseq = workspace.repo.lseq
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open(EraseDialog(person.id))
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None] and workspace.repo.lseq == lseq


async def test_notice_dialog(workspace: Workspace) -> None:
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        app.open(NoticeDialog())
        await pilot.pause()
        text = app.screen.query_one("#notice-text", TextArea).text
        assert "Mife du Calvados" in text and "2 ans" in text
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_app_reminds_retention_once_a_month(data_dir: Path, notifications: list[str]) -> None:
    from datetime import date, datetime, timedelta, timezone

    from citeslab_tui.ui.app import CitesLabApp

    now = datetime(2026, 11, 26, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    with Workspace.open(data_dir) as ws:
        ws.configure(structure="Mife du Calvados", staff=["Céline"], device="poste-test")
        build_file(ws, start=date(2020, 1, 6))
    for expected in (True, False):
        notifications.clear()
        app = CitesLabApp(str(data_dir), now=lambda: now)
        async with app.run_test(size=(80, 24)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert any("Conservation des données" in m for m in notifications) is expected
            assert not any("Diallo" in m for m in notifications)
            await pilot.press("ctrl+q")


async def test_person_file_keys_export_and_erase(
    workspace: Workspace, notifications: list[str]
) -> None:
    from citeslab_tui.ui.screens.person import PersonScreen

    person, _ = build_file(workspace)
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(PersonScreen(person.id))
        await pilot.pause()
        await pilot.press("ctrl+x")
        await pilot.pause()
        assert isinstance(app.screen, AccessExportDialog)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert isinstance(app.screen, EraseDialog)
        await pilot.press(*"EFFACER", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PersonScreen)
        assert str(app.screen.query_one("#person-name", Label).render()) == "(personne effacée)"
        assert any("d'ici 14 jours" in m for m in notifications)
    assert workspace.repo.doc("person", person.id)["meta"]["erased"] is True
