"""Every screen and dialog at 80x24 (tests/catalogue.py), on fixed data at a frozen time.

`--snapshot-update` regenerates tests/__snapshots__/test_snapshots_80x24/; look at each
picture before committing it. The dialogs of catalogue.VOLATILE show real times and
random ids: test_ui_80x24.py walks them (French, focus) without a picture."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from citeslab_tui.services.workspace import Workspace
from tests import catalogue
from tests.uikit import OpenApp


@pytest.mark.parametrize("name", [n for n in catalogue.NAMES if n not in catalogue.VOLATILE])
def test_snapshot(name: str, tmp_path: Path, snap_compare) -> None:
    folder = tmp_path / "donnees"
    ids = catalogue.fixed_data(folder)
    app = OpenApp(Workspace.open(folder), now=catalogue.NOW)

    async def run_before(pilot) -> None:
        app.data_ready = True  # the screens fill (the test app skips the start-up)
        await app.push_screen(catalogue.build(name)(app, ids))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        for field in app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
