"""Regressions found by walking a new user's whole day at 80x24 (QA, second wave)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Label

from citeslab_tui.domain.models import QueueReason
from citeslab_tui.services import people
from citeslab_tui.services.workspace import Workspace
from tests.test_ui_intake import TODAY, configure, make_app, started, type_text


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "donnees"
    configure(folder)
    return folder


async def push(pilot, screen) -> list:
    """Push a screen, return the list its dismiss result lands in."""
    results: list = []
    pilot.app.push_screen(screen, results.append)
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return results


async def test_qa_arrival_enter_on_reason_saves(data):
    """The hint says "Entrée : enregistrer": Entrée on the reason chose it and saved nothing."""
    from citeslab_tui.ui.dialogs.arrival import ArrivalDialog

    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        results = await push(pilot, ArrivalDialog())
        await type_text(pilot, "Yasmine")
        await pilot.press("tab", "right", "enter")
        await pilot.pause()
        assert len(results) == 1, "Entrée on the reason must save the arrival"
        assert results[0].name == "Yasmine"
        assert results[0].reason == QueueReason.FOLLOW_UP


def test_qa_split_arrival_name():
    from citeslab_tui.ui.screens.intake import split_arrival_name

    assert split_arrival_name("DIALLO Aïcha") == {"family_name": "DIALLO", "first_name": "Aïcha"}
    assert split_arrival_name("LE GALL Marie-Anne") == {
        "family_name": "LE GALL",
        "first_name": "Marie-Anne",
    }
    assert split_arrival_name("Yasmine") == {"first_name": "Yasmine"}
    assert split_arrival_name("[b]Ali[/]") == {"first_name": "[b]Ali[/]"}


async def test_qa_intake_from_arrival_splits_family_name(data):
    """An arrival typed "DIALLO Aïcha" (as the arrival hint suggests) opened the intake
    with the whole text as first name and an empty family name."""
    from citeslab_tui.ui.screens.intake import IntakeScreen

    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await push(pilot, IntakeScreen(first_name="DIALLO Aïcha"))
        form = app.screen.form
        assert form.field("family_name").value == "DIALLO"
        assert form.field("first_name").value == "Aïcha"


async def test_qa_open_select_footer_is_french(data):
    """An open drop-down list showed Textual's English "Dismiss menu" in the footer."""
    from citeslab_tui.ui.screens.intake import IntakeScreen
    from citeslab_tui.ui.widgets.footer import KeysFooter

    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await push(pilot, IntakeScreen())
        app.screen.form.field("civility").focus()
        await pilot.press("enter")
        await pilot.pause()
        footer = app.screen.query_one(KeysFooter)
        shown = "\n".join(footer.render_line(y).text for y in range(footer.size.height))
        assert "Dismiss menu" not in shown
        assert "Échap Fermer" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, IntakeScreen)


async def test_qa_help_long_description_wraps(data):
    """F1 on the bilan cut "Enregistrer une action collective (réunion d'information,
    forum, atelier)" at 80 columns."""
    from citeslab_tui.ui.screens.bilan import BilanScreen
    from citeslab_tui.ui.screens.help import HelpScreen

    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await push(pilot, HelpScreen(underneath=BilanScreen()))
        table = app.screen.query_one(DataTable)
        heights = {str(table.get_row(key)[1]): row.height for key, row in table.rows.items()}
        long = [text for text in heights if text.startswith("Enregistrer une action collective")]
        assert long and heights[long[0]] >= 2
        assert "atelier" in app.export_screenshot()


async def test_qa_bilan_period_hint_not_cut(data):
    from datetime import date

    from citeslab_tui.domain.bilan import Period
    from citeslab_tui.ui.dialogs.bilan_period import BilanPeriodDialog

    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await push(pilot, BilanPeriodDialog(Period(date(2026, 9, 1), date(2027, 8, 31))))
        hint = app.screen.query_one("#period-hint", Label)
        assert hint.size.height >= 2  # wrapped, not cut at "Échap : ann"
        assert "annuler" in app.export_screenshot()


async def test_qa_sync_pending_line_not_cut(data):
    """F5: "Prochain envoi (F6) : 1 personne, 2 entretiens, ... 3" lost its end."""
    from citeslab_tui.ui.screens.sync import SyncScreen

    with Workspace.open(data) as ws:
        for first in ("Inès", "Issa", "Léa"):
            person = people.create_person_with_intake(
                ws, {"family_name": "Koné", "first_name": first}, today=TODAY
            ).person
            people.add_orientation(ws, person.id, "Adie", today=TODAY)
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await push(pilot, SyncScreen())
        pending = app.screen.query_one("#sync-pending", Label)
        text = str(pending.render())
        assert text.startswith("Prochain envoi (F6) :") and len(text) > 80
        assert pending.size.height >= 2
        assert "arrivées." in app.export_screenshot()


async def test_qa_hidden_screen_shows_no_toast(data):
    """Ctrl+O hid the data but a toast such as "DIALLO Aïcha : Reçu." stayed on top."""
    from citeslab_tui.ui.screens.hidden import HIDDEN_TEXT

    app = make_app(data)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await started(pilot)
        app.notify("DIALLO Aïcha : Reçu.", timeout=60)
        await pilot.pause()
        assert "DIALLO" in app.export_screenshot()  # the toast shows on a normal screen
        await pilot.press("ctrl+o")
        await pilot.pause()
        shot = app.export_screenshot()
        assert HIDDEN_TEXT.split(" — ")[0].replace(" ", "&#160;") in shot
        assert "DIALLO" not in shot
        await pilot.press("enter")
        await pilot.pause()


async def test_qa_markup_name_listed_as_typed(data):
    """A person named "[red]X [b]Ali[/]" was listed as "X Ali" in Ctrl+F, the arrival
    matches and the intake duplicates (option prompts were parsed as markup)."""
    from citeslab_tui.ui.dialogs.arrival import ArrivalDialog
    from citeslab_tui.ui.dialogs.search import SearchDialog

    with Workspace.open(data) as ws:
        people.create_person_with_intake(
            ws, {"family_name": "[red]X", "first_name": "[b]Ali[/]"}, today=TODAY
        )
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await push(pilot, SearchDialog())
        await type_text(pilot, "ali")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "[b]Ali[/]" in app.export_screenshot()
        await pilot.press("escape")
        await pilot.pause()
        await push(pilot, ArrivalDialog())
        await type_text(pilot, "ali")
        await pilot.pause()
        assert "[b]Ali[/]" in app.export_screenshot()


async def test_qa_intake_f7_shows_the_information_notice(data):
    """The notice dialog existed but no key opened it: F7 on the intake now does, with the
    file's hard-wrapped lines joined so they wrap at the dialog's width."""
    from textual.widgets import TextArea

    from citeslab_tui.ui.dialogs.privacy_notice import NoticeDialog
    from citeslab_tui.ui.screens.intake import IntakeScreen

    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await push(pilot, IntakeScreen())
        descriptions = [b.binding.description for b in app.screen.active_bindings.values()]
        assert "Notice" in descriptions
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, NoticeDialog)
        content = app.screen.query_one(TextArea).text
        assert "(accompagnement à la création d'activité dans les quartiers" in content
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, IntakeScreen)


def test_qa_notice_reflow_keeps_titles_and_list_items():
    from citeslab_tui.ui.dialogs.privacy_notice import reflow

    text = (
        "Titre\n"
        "Une phrase assez longue pour dépasser soixante caractères, qui continue\n"
        "sur la ligne suivante.\n"
        "- un point de liste assez long pour dépasser soixante caractères encore\n"
        "  et sa suite ;\n"
        "- un autre point.\n"
    )
    assert reflow(text).splitlines() == [
        "Titre",
        "Une phrase assez longue pour dépasser soixante caractères, qui continue sur la "
        "ligne suivante.",
        "- un point de liste assez long pour dépasser soixante caractères encore et sa suite ;",
        "- un autre point.",
    ]


async def test_qa_intake_duplicate_with_markup_name_listed_as_typed(data):
    from citeslab_tui.ui.screens.intake import IntakeScreen

    with Workspace.open(data) as ws:
        people.create_person_with_intake(
            ws, {"family_name": "[red]Koné", "first_name": "[b]Ali[/]"}, today=TODAY
        )
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await push(pilot, IntakeScreen())
        app.screen.form.field("family_name").focus()
        await type_text(pilot, "[red]Koné")
        await pilot.press("tab")
        await type_text(pilot, "[b]Ali[/]")
        await pilot.press("tab")
        for _ in range(20):
            await pilot.pause()
            await app.workers.wait_for_complete()
            if app.screen.duplicates:
                break
        assert app.screen.duplicates
        await pilot.pause()
        assert "[RED]KONÉ&#160;[b]Ali[/]" in app.export_screenshot()


async def test_qa_export_folder_must_exist(data, tmp_path):
    """Bilan x/r: a mistyped folder (or a USB stick not mounted) was silently created on
    the laptop's disk and personal files written there."""
    from citeslab_tui.ui.dialogs.bilan_folder import BilanFolderDialog

    default = tmp_path / "exports-par-defaut"
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        results = await push(pilot, BilanFolderDialog("Exporter", default))
        field = app.screen.query_one("#folder-path")
        field.value = str(tmp_path / "cle-absente" / "cle")
        await pilot.press("enter")
        await pilot.pause()
        assert results == []
        assert "n'existe pas" in str(app.screen.query_one("#folder-error", Label).render())
        assert not (tmp_path / "cle-absente").exists()
        field.value = str(default)  # the app's own folder may still be created
        await pilot.press("enter")
        await pilot.pause()
        assert results == [default]
