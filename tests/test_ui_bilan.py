"""Pilot test of the Bilan screen at 80x24: period presets, custom dates, site filter,
a collective action recorded from the screen, the report written to a folder."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from uikit import OpenApp

from citeslab_tui.domain.models import Civility, Interview, Person, Stage, StageEvent
from citeslab_tui.ui.screens.bilan import BilanScreen

A = "Caen – Chemin Vert"
B = "Colombelles [b]x[/b]"  # user text: never markup
NOW = datetime(2026, 11, 26, 10, 0)


class Host(OpenApp):
    def __init__(self, ws: Any) -> None:
        super().__init__(ws, NOW)

    def on_mount(self) -> None:
        self.push_screen(BilanScreen())


def fill(ws) -> None:
    people = []
    for i, (civility, site, on) in enumerate(
        [
            (Civility.MADAME, A, date(2026, 10, 1)),
            (Civility.MONSIEUR, B, date(2026, 11, 2)),
            (Civility.MADAME, A, date(2025, 10, 1)),
            (Civility.MADAME, B, date(2025, 12, 1)),
            (Civility.MONSIEUR, B, date(2026, 1, 5)),
        ]
    ):
        person = Person(family_name=f"N{i}", first_name="P", civility=civility, first_site=site)
        people.append(person)
        ws.repo.save(
            person,
            Interview(person_id=person.id, on=on, site=site),
            StageEvent(person_id=person.id, stage=Stage.SENSITIZED, on=on, site=site),
        )


async def type_period(pilot, start: str, end: str) -> None:
    """Type both dates (typing the first one for real), Entrée in each field."""
    await pilot.press("ctrl+u", *start[:3])
    dialog = pilot.app.screen
    dialog.query_one("#period-start").value = start
    await pilot.press("enter")
    dialog.query_one("#period-end").value = end
    await pilot.press("enter")


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def text_of(screen, selector: str) -> str:
    """The text a widget shows (rich renderables printed at the widget's width)."""
    from rich.console import Console

    content = screen.query_one(selector).content
    if isinstance(content, str):
        return content
    console = Console(width=78, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(content)
    return console.export_text()


async def test_bilan_screen_period_site_and_collective(workspace, tmp_path: Path) -> None:
    fill(workspace)
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BilanScreen)
        assert "du 01/09/2026 au 31/08/2027 · tous les sites" in text_of(screen, "#bilan-title")
        assert screen.bilan.indicators["received"] == 2
        funnel = text_of(screen, "#bilan-funnel")
        assert "Sorties positives = retour à l'emploi ou entrée en formation" in funnel
        steps = ["Sensibilisés", "Reçus", "Détectés", "Émergence", "Créations"]
        assert [step in funnel for step in steps] == [True] * 5  # as the report files
        assert "50,00\u00a0%" in text_of(screen, "#bilan-received_by_gender")

        await pilot.press("p")  # previous activity year
        await settle(pilot)
        assert screen.period.start == date(2025, 9, 1)
        assert screen.bilan.indicators["received"] == 3
        assert "66,67\u00a0%" in text_of(screen, "#bilan-received_by_gender")

        await pilot.press("s")  # site picker: all sites, then the sites
        await pilot.pause()
        await pilot.press("down", "enter")
        await settle(pilot)
        assert screen.site == A
        assert screen.bilan.to_json()["received_by_site"] == {A: 1, "unknown": 0}
        assert screen.site in text_of(screen, "#bilan-title")

        await pilot.press("s", "home", "enter")  # back to all sites
        await settle(pilot)
        assert screen.site is None

        await pilot.press("d")  # custom dates
        await pilot.pause()
        await type_period(pilot, "01/10/2025", "31/12/25")
        await settle(pilot)
        assert screen.period.start == date(2025, 10, 1) and screen.period.end == date(2025, 12, 31)
        assert screen.bilan.indicators["received"] == 2

        await pilot.press("d")  # an impossible period is refused in French, nothing changes
        await pilot.pause()
        await type_period(pilot, "01/01/2026", "01/01/2025")
        await pilot.pause()
        assert "précède" in text_of(app.screen, "#period-error")
        await pilot.press("escape")
        await settle(pilot)
        assert screen.period.end == date(2025, 12, 31)

        await pilot.press("c")  # collective action: 12 women, 8 men on 12/11/2025
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#collective-on").value = "12/11/2025"
        dialog.query_one("#collective-women").value = "12"
        dialog.query_one("#collective-men").value = "8"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert screen.bilan.indicators["sensitized"] == 2 + 20
        assert workspace.repo.count("collective") == 1

        await pilot.press("m")  # this month
        await settle(pilot)
        assert screen.period == type(screen.period)(date(2026, 11, 1), date(2026, 11, 30))
        assert screen.bilan.indicators["received"] == 1

        await pilot.press("r")  # write the report to a folder
        await pilot.pause()
        folder = tmp_path / "rapports"
        folder.mkdir()  # a typed folder must exist (test_qa_export_folder_must_exist)
        app.screen.query_one("#folder-path").value = str(folder)
        await pilot.press("enter")
        await settle(pilot)
        assert sorted(p.suffix for p in folder.iterdir()) == [".csv", ".pdf", ".xlsx"]
        assert "Bilan écrit" in text_of(app.screen, "#title")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_compare_key_shows_one_year_earlier(workspace) -> None:
    """Issue #15: F4 compares each indicator with the same dates one year earlier."""
    fill(workspace)
    app = Host(workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert "Un an avant" not in text_of(screen, "#bilan-indicators")
        await pilot.press("v")
        await settle(pilot)
        shown = text_of(screen, "#bilan-indicators")
        assert "Un an avant" in shown and "Évolution" in shown
        assert screen.bilan.previous.period.start == date(2025, 9, 1)
        # 2 received this activity year, 3 the year before: −1 (−33,33 %)
        line = next(x for x in shown.splitlines() if "Porteurs de projet reçus" in x)
        assert line.split()[-5:] == ["2", "3", "−1", "(−33,33", "%)"]
        await pilot.press("v")
        await settle(pilot)
        assert screen.bilan.previous is None
        assert "Un an avant" not in text_of(screen, "#bilan-indicators")
