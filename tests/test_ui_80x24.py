"""The permanence day at 80x24 (issue #14): nothing hidden, nothing in English, focus
where the next key is typed. Each test drives the real app in the pilot."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_qa_day import push
from tests.test_ui_intake import configure, make_app, started


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "donnees"
    configure(folder)
    return folder


async def test_a_toast_never_hides_the_footer(data):
    """A toast covered the right half of the footer for 3 s."""
    from textual.widgets._toast import Toast

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
        toasts = [t.region for t in app.screen.query(Toast)]
        assert toasts
        for region in toasts:
            assert not region.overlaps(footer), (region, footer)
