"""Ctrl+F from any screen (dialogs/search.py): type, arrows, Entrée opens the file."""

from __future__ import annotations

from pathlib import Path

from citeslab_tui.services import people
from citeslab_tui.services.workspace import Workspace
from tests.test_ui_intake import TODAY, configure, make_app, open_intake, started, type_text


async def open_search(pilot):
    from citeslab_tui.ui.dialogs.search import SearchDialog

    await pilot.press("ctrl+f")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(pilot.app.screen, SearchDialog)
    return pilot.app.screen


async def test_arrows_enter_and_escape(tmp_path: Path):
    from citeslab_tui.ui.screens.person import PersonScreen

    data = tmp_path / "donnees"
    configure(data)
    with Workspace.open(data) as ws:
        ids = {
            first: people.create_person_with_intake(
                ws, {"family_name": "Koné", "first_name": first, "phone": phone}, today=TODAY
            ).person.id
            for first, phone in (("Inès", "0611111111"), ("Issa", "0622222222"))
        }
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        dialog = await open_search(pilot)
        await type_text(pilot, "KONE")
        await pilot.pause()
        assert [h.name for h in dialog.hits] == ["KONÉ Inès", "KONÉ Issa"]
        assert dialog.hits[1].phone == "06 22 22 22 22"
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PersonScreen) and app.screen.person_id == ids["Issa"]
        # from the intake form too (a text field has the focus), then Escape closes
        await pilot.press("escape")
        await pilot.pause()
        intake = await open_intake(pilot)
        dialog = await open_search(pilot)
        await type_text(pilot, "zzzz")
        await pilot.pause()
        assert dialog.hits == []
        assert "Aucune personne" in str(dialog.query_one("#search-status").content)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is intake
