"""Commune and QPV chosen from the reference in the intake and the person's file, the
question before creating a second file for a known name, and the bilan's data quality
part on the F4 screen; driven key by key at 80x24 (issue #11).

Before issue #11: Enter once too often saved "caen" as a neighbourhood, "grand parc"
found nothing (suggestions matched the start of the name only), the Colombelles QPV
that left the map in 2024 was still offered, and Ctrl+S created a third "Diallo Awa".
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from citeslab_tui.domain.models import Interview, Person
from citeslab_tui.services import people
from citeslab_tui.services.workspace import Workspace
from citeslab_tui.ui.widgets.picker import ReferencePicker
from tests.test_ui_intake import TODAY, configure, make_app, open_intake, started, type_text


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "donnees"
    configure(folder)
    return folder


async def go_to(pilot, screen, key: str) -> None:
    screen.form.field(key).focus()
    await pilot.pause()


def options(screen, key: str) -> list[str]:
    picker = screen.form.field(key)
    assert isinstance(picker, ReferencePicker)
    return [c.label for c in picker._choices] if picker.is_open else []


async def test_enter_once_too_often_cannot_save_a_town_as_a_neighbourhood(data):
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        screen = await open_intake(pilot)
        await go_to(pilot, screen, "family_name")
        await type_text(pilot, "Sow")
        await go_to(pilot, screen, "qpv")
        await type_text(pilot, "caen")  # meant for the commune field
        await pilot.press("enter")
        await pilot.pause()
        assert "« caen » n'est pas un quartier de la liste" in screen.form.error("qpv")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen  # not saved: the form stays, the field says why
        assert app.workspace.repo.count("person") == 0
        assert "choisissez" in screen.form.error("qpv")


async def test_qpv_list_matches_anywhere_follows_the_commune_and_the_2024_map(data):
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        screen = await open_intake(pilot)
        await go_to(pilot, screen, "qpv")
        await type_text(pilot, "grand parc")  # the middle of the name
        await pilot.pause()
        assert options(screen, "qpv") == [
            "Hérouville (Grand Parc / Belles Portes / Val / Le Bois / Haute Folie / Grande "
            "Delle) (à confirmer)"  # shown as such: its place on the 2024 map is to confirm
        ]
        await pilot.press("ctrl+u")
        await go_to(pilot, screen, "commune")
        await type_text(pilot, "colombelles")
        await pilot.press("enter")  # typed in full: no key needed to choose it
        await pilot.pause()
        assert screen.form.value("commune") == "14167"
        assert app.focused is screen.form.field("qpv").input
        assert options(screen, "qpv") == ["hors QPV", "ne sait pas"]  # left the map in 2024
        await go_to(pilot, screen, "commune")
        await pilot.press("ctrl+u")
        await type_text(pilot, "caen")
        await pilot.press("tab")
        await pilot.pause()
        labels = options(screen, "qpv")
        assert labels[:5] == [
            "Calvaire Saint-Pierre",
            "Chemin Vert",
            "Grâce de Dieu",
            "Guérinière",
            "Pierre Heuzé",
        ]
        assert labels[5:] == ["hors QPV", "ne sait pas"]
        await pilot.press("down", "tab")  # the second: Chemin Vert
        await pilot.pause()
        assert screen.form.value("qpv") == "chemin-vert"


async def test_a_commune_outside_the_calvados_is_chosen_deliberately(data):
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        screen = await open_intake(pilot)
        await go_to(pilot, screen, "family_name")
        await type_text(pilot, "Sow")
        await go_to(pilot, screen, "commune")
        await type_text(pilot, "Rennes")
        await pilot.pause()
        assert options(screen, "commune") == ["Autre commune (hors Calvados) : Rennes"]
        await pilot.press("tab")  # not highlighted by itself: Tab alone does not choose it
        await pilot.pause()
        assert screen.form.value("commune") == "Rennes"
        assert "n'est pas une commune du Calvados" in screen.form.error("commune")
        await go_to(pilot, screen, "commune")
        await pilot.press("down", "tab")
        await pilot.pause()
        assert screen.form.value("commune") == "autre:Rennes"
        await pilot.press("ctrl+s")
        await pilot.pause()
        (person,) = app.workspace.repo.all(Person)
        assert (person.commune_insee, person.commune) == ("autre", "Rennes")


async def test_saving_a_known_name_asks_once_and_enter_keeps_the_form(data):
    from citeslab_tui.ui.dialogs.duplicate_save import DuplicateSaveDialog
    from citeslab_tui.ui.screens.person import PersonScreen

    with Workspace.open(data) as ws:
        first = people.create_person_with_intake(
            ws, {"family_name": "Diallo", "first_name": "Awa"}, today=date(2026, 1, 5)
        ).person
        people.create_person_with_intake(
            ws, {"family_name": "Diallo", "first_name": "Awa"}, today=date(2026, 2, 5)
        )
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        screen = await open_intake(pilot)
        await go_to(pilot, screen, "family_name")
        await type_text(pilot, "DIALLO")
        await go_to(pilot, screen, "first_name")
        await type_text(pilot, "awa")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DuplicateSaveDialog)
        assert len(app.screen.duplicates) == 2
        await pilot.press("escape")  # back to the form, nothing lost
        await pilot.pause()
        assert app.screen is screen and screen.form.value("family_name") == "DIALLO"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")  # the safe default: back to the form, nothing lost
        await pilot.pause()
        assert app.screen is screen and screen.form.value("first_name") == "awa"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("o")  # open the existing file, on purpose
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, PersonScreen)
        assert app.screen.person_id in {p.id for p in app.workspace.repo.all(Person)}
        assert app.workspace.repo.count("person") == 2  # no third one
        assert app.screen.person_id == first.id or app.screen.person_id != ""

        await pilot.press("escape")
        await pilot.pause()
        screen = await open_intake(pilot)
        await go_to(pilot, screen, "family_name")
        await type_text(pilot, "Diallo")
        await go_to(pilot, screen, "first_name")
        await type_text(pilot, "Awa")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("c")  # a homonym: create anyway, on purpose
        await pilot.pause()
        await pilot.pause()
        assert app.workspace.repo.count("person") == 3
        assert [i.on for i in app.workspace.repo.all(Interview)].count(TODAY) == 1


async def test_the_persons_file_keeps_an_older_value_until_it_is_changed(data):
    from citeslab_tui.ui.screens.person import PersonScreen

    with Workspace.open(data) as ws:
        person = Person(family_name="Koné", first_name="Issa", commune="Caen", qpv="caen")
        ws.repo.save(person)
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await app.push_screen(PersonScreen(person.id))
        await pilot.pause()
        identity = str(app.screen.query_one("#person-identity").content)
        assert "Caen · QPV : caen (non reconnu)" in identity
        await pilot.press("ctrl+e")
        await pilot.pause()
        dialog = app.screen
        assert dialog.form.field("qpv").text == "caen (non reconnu)"
        dialog.form.field("first_name").focus()
        await type_text(pilot, "a")
        await pilot.press("ctrl+s")  # another field changed: the old value stays as it was
        await pilot.pause()
        saved = app.workspace.repo.get(Person, person.id)
        # the commune is stored as the reference names it; the unknown QPV is left alone
        assert (saved.first_name, saved.qpv, saved.commune_insee) == ("Issaa", "caen", "14118")
        await pilot.press("ctrl+e")
        await pilot.pause()
        dialog = app.screen
        dialog.form.field("qpv").focus()
        await pilot.press("ctrl+u")
        await type_text(pilot, "pierre")
        await pilot.press("tab")
        await pilot.press("ctrl+s")
        await pilot.pause()
        saved = app.workspace.repo.get(Person, person.id)
        assert (saved.qpv, saved.commune_insee) == ("pierre-heuze", "14118")


async def test_f4_shows_the_data_quality_part(data):
    from citeslab_tui.ui.screens.bilan import BilanScreen

    with Workspace.open(data) as ws:
        for qpv in ("caen", "herouville", "chemin-vert"):
            p = Person(family_name="X", first_name="Y", qpv=qpv)
            ws.repo.save(p, Interview(person_id=p.id, on=date(2026, 10, 1)))
    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await pilot.press("f4")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BilanScreen)
        quality = str(screen.query_one("#bilan-quality").content)
        assert quality.startswith("Qualité des données")
        assert "Sur 3 personne(s) reçue(s) : sexe inconnu pour 3" in quality
        assert "Quartiers saisis hors de la liste (comptés « Non renseigné ») : caen (1)" in quality
        assert "(à confirmer) (1)" in quality
        neighbourhoods = screen.bilan.to_json()["received_by_neighbourhood"]
        assert "caen" not in neighbourhoods


async def test_f1_in_the_intake_lists_the_keys_of_the_lists(data):
    from citeslab_tui.ui.screens.help import HelpScreen

    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        screen = await open_intake(pilot)
        await go_to(pilot, screen, "commune")
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = {(key, title) for title, key, _d, _id in app.screen.help_rows()}
        assert ("Tab", "Commune et QPV (listes de l'accueil et de la fiche)") in rows
        assert ("→", "Commune et QPV (listes de l'accueil et de la fiche)") in rows


async def test_escape_closes_the_open_list_then_leaves_the_intake(data):
    """Échap on an open commune list closes the list only; the next one leaves the form."""
    from citeslab_tui.ui.dialogs.confirm import ConfirmDialog
    from citeslab_tui.ui.widgets.footer import KeysFooter

    app = make_app(data)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        screen = await open_intake(pilot)
        await go_to(pilot, screen, "commune")
        await type_text(pilot, "herou")
        await pilot.pause()
        assert screen.form.field("commune").is_open
        footer = screen.query_one(KeysFooter)
        shown = "\n".join(footer.render_line(y).text for y in range(footer.size.height))
        assert "Échap Annuler" in shown  # the footer still says what Échap does at last
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and not screen.form.field("commune").is_open
        await pilot.press("escape")  # something typed: the question before leaving
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
