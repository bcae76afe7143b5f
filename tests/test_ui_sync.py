"""Pilot tests of the sync screen (F5) at 80x24: send to a folder (remembered), receive,
review a conflict and a possible duplicate with the keyboard."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from synckit import link, link_workspaces
from textual.widgets import DataTable, Input
from uikit import OpenApp

from citeslab_tui.domain.models import Person
from citeslab_tui.domain.records import stamp
from citeslab_tui.services import sync
from citeslab_tui.services.workspace import Workspace
from citeslab_tui.ui.screens.sync import SyncScreen


class Host(OpenApp):
    def __init__(self, ws: Any) -> None:
        super().__init__(ws)

    def on_mount(self) -> None:
        self.push_screen(SyncScreen())


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector).content)


async def test_send_to_folder_remembers_it_and_says_what_went(workspace, tmp_path: Path):
    with Workspace.open(tmp_path / "bureau") as office:
        office.configure(structure="S", staff=["B"], device="bureau", role="office")
        link_workspaces(office, workspace)
    workspace.repo.save(Person(family_name="Di[b]allo[/]", first_name="Fatou"))
    stick = tmp_path / "cle"
    stick.mkdir()
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert "Prochain envoi (F6) : 1 personne." in text_of(screen, "#sync-pending")
        folder = screen.query_one("#sync-folder", Input)
        folder.value = str(stick)
        await pilot.press("f6")
        await settle(pilot)
        summary = text_of(screen, "#sync-summary")
        assert "Envoi prêt et vérifié : 1 personne." in summary
        assert "rien de nouveau" in text_of(screen, "#sync-pending")
        assert len(list(stick.glob("*.cslb"))) == 1
        # F8 (return) is for the office only: not offered on a laptop
        assert app.screen.check_action("return", ()) is False
    assert workspace.settings.sync_folder == str(stick)


async def test_missing_folder_is_a_french_message_and_nothing_runs(
    workspace, tmp_path: Path, notifications: list[str]
):
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.query_one("#sync-folder", Input).value = str(tmp_path / "absent")
        await pilot.press("f7")
        await settle(pilot)
        assert app.screen.busy is False
        assert any("n'existe pas" in m for m in notifications)
        # a file typed for the folder is called a file (issue #14, point 12)
        afile = tmp_path / "envoi.cslb"
        afile.write_bytes(b"x")
        app.screen.query_one("#sync-folder", Input).value = str(afile)
        await pilot.press("f7")
        await settle(pilot)
        assert notifications[-1] == f"{afile} est un fichier : indiquez le dossier qui le contient."


def conflicting(ws: Workspace) -> str:
    """A person whose phone was changed concurrently on two laptops, merged here."""
    now = datetime(2026, 11, 26, 9, tzinfo=UTC)
    person = Person(family_name="Martin", first_name="Léa")
    base = stamp(person, None, device="p1", staff="A", clock="1764140000000-0000-p1", now=now)
    left = stamp(
        person.model_copy(update={"phone": "+33611111111"}),
        base,
        device="p1",
        staff="A",
        clock="1764140000001-0000-p1",
        now=now,
    )
    right = stamp(
        person.model_copy(update={"phone": "+33622222222"}),
        base,
        device="p2",
        staff="B",
        clock="1764140000002-0000-p2",
        now=now,
    )
    from citeslab_tui.domain.merge import merge_docs

    ws.repo.put_docs([("person", merge_docs(left, right, "person"))])
    return person.id


async def test_review_conflict_and_duplicate_with_keys(workspace, tmp_path: Path):
    pid = conflicting(workspace)
    twin_a = Person(family_name="Sow", first_name="Awa", birth_date=date(1990, 1, 2))
    twin_b = Person(family_name="SOW", first_name="awa", birth_date=date(1990, 1, 2))
    now = datetime(2026, 11, 26, 9, tzinfo=UTC)
    workspace.repo.put_docs(
        [
            (
                "person",
                stamp(twin_a, None, device="p1", staff="A", clock="1764140000003-0000-p1", now=now),
            ),
            (
                "person",
                stamp(twin_b, None, device="p2", staff="B", clock="1764140000004-0000-p2", now=now),
            ),
        ]
    )
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert "1 conflit(s), 1 doublon(s)" in text_of(screen, "#sync-review-title")
        table = screen.query_one("#sync-review", DataTable)
        assert table.row_count == 3  # two values of the conflict + one pair
        table.focus()
        await pilot.press("down")  # the other value of the phone
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert workspace.repo.get(Person, pid).phone == "+33611111111"
        assert sync.list_conflicts(workspace) == []
        assert table.row_count == 1
        await pilot.press("ctrl+r")  # the remaining row: the pair, marked different
        await settle(pilot)
        assert sync.list_duplicates(workspace.repo) == []
        assert "Rien à examiner." in text_of(screen, "#sync-review-title")


async def test_office_receives_a_folder_refused_file_shown_pair_merged(tmp_path: Path):
    stick = tmp_path / "cle"
    stick.mkdir()
    with Workspace.open(tmp_path / "bureau") as office:
        office.configure(structure="S", staff=["B"], device="bureau", role="office")
    for n in (1, 2):
        with Workspace.open(tmp_path / f"l{n}") as laptop:
            laptop.configure(structure="S", staff=["C"], device=f"portable-{n}")
        link(tmp_path / "bureau", tmp_path / f"l{n}")
        with Workspace.open(tmp_path / f"l{n}") as laptop:
            laptop.repo.save(Person(family_name="Sow", first_name="Awa", phone="+33611111111"))
            sync.export_bundle(laptop.repo, stick)
    (stick / "citeslab-abime.cslb").write_bytes(b"CITESLAB-BUNDLE 00\n{}\n")
    office = Workspace.open(tmp_path / "bureau")
    try:
        app = Host(office)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = app.screen
            screen.query_one("#sync-folder", Input).value = str(stick)
            await pilot.press("f7")
            await settle(pilot)
            summary = text_of(screen, "#sync-summary")
            assert "citeslab-abime.cslb : REFUSÉ" in summary
            assert "2 fichier(s) importé(s)" in summary
            assert "Nouveaux : 2 personnes." in summary
            assert "1 doublon(s) possible(s)" in text_of(screen, "#sync-review-title")
            screen.query_one("#sync-review", DataTable).focus()
            await pilot.press("ctrl+g")
            await settle(pilot)
            assert office.repo.count("person") == 1  # merged on request, never automatically
            assert "Rien à examiner." in text_of(screen, "#sync-review-title")
    finally:
        office.close()


async def test_refusals_are_shown_in_french_and_names_from_files_visibly(tmp_path: Path):
    """F7 at the office: a laptop not enrolled, and a file whose name holds an escape
    sequence; the summary says what to do and shows the control characters."""
    stick = tmp_path / "cle"
    stick.mkdir()
    with Workspace.open(tmp_path / "bureau") as office:
        office.configure(structure="S", staff=["B"], device="bureau", role="office")
    with Workspace.open(tmp_path / "l1") as laptop:
        laptop.configure(structure="S", staff=["C"], device="portable-1")
        with Workspace.open(tmp_path / "bureau") as office:
            from citeslab_tui.services import keys as identities

            identities.install_office(laptop, identities.local_identity(office))  # not enrolled
        laptop.repo.save(Person(family_name="Sow"))
        sync.export_bundle(laptop.repo, stick)
    (stick / "citeslab-\x1b[2J.cslb").write_bytes(b"PK")
    office = Workspace.open(tmp_path / "bureau")
    try:
        app = Host(office)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = app.screen
            screen.query_one("#sync-folder", Input).value = str(stick)
            await pilot.press("f7")
            await settle(pilot)
            summary = text_of(screen, "#sync-summary")
            assert "n'est pas inscrit au bureau" in summary and "keys enroll" in summary
            assert "citeslab-␛[2J.cslb : REFUSÉ" in summary and "\x1b" not in summary
            assert office.repo.count("person") == 0
    finally:
        office.close()


async def test_f1_lists_only_keys_that_act_on_this_device(workspace, tmp_path: Path):
    """Issue #14 point 12: F8 (the office's return file) was listed in F1 on a laptop,
    where it does nothing; an empty folder was called "ce fichier"."""
    from textual.widgets import DataTable

    from citeslab_tui.ui.screens.help import HelpScreen

    def keys_shown(app) -> list[str]:
        table = app.screen.query_one(DataTable)
        return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]

    with Workspace.open(tmp_path / "bureau") as office:
        office.configure(structure="S", staff=["B"], device="bureau", role="office")
        link_workspaces(office, workspace)
        app = Host(office)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("f1")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen) and "F8" in keys_shown(app)
    empty = tmp_path / "vide"
    empty.mkdir()
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        screen.query_one("#sync-folder", Input).value = str(empty)
        await pilot.press("f7")
        await settle(pilot)
        summary = text_of(screen, "#sync-summary")
        assert "Dossier vide : aucun fichier de synchronisation" in summary
        assert "de ce fichier" not in summary
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = keys_shown(app)
        assert "F8" not in shown and "F6" in shown and "F9" in shown
