"""One place per field: titles, labels and values as a person reads them come from the
models (domain/display.py), whatever screen or file shows them."""

from __future__ import annotations

from datetime import datetime

import pytest

from citeslab_tui.domain import display
from citeslab_tui.domain.models import RECORD_TYPES, Person
from citeslab_tui.domain.vocabulary import Vocabulary
from citeslab_tui.services import exports, privacy, sync
from citeslab_tui.services.people import FORM_FIELDS


def test_every_field_of_every_record_has_a_french_title() -> None:
    for kind, model in RECORD_TYPES.items():
        for name, info in model.model_fields.items():
            if name != "meta":
                assert info.title and info.title != name, (kind, name)


def test_every_kind_has_its_words() -> None:
    for kind, model in RECORD_TYPES.items():
        one, many = model.noun
        assert one and many and model.heading and model.heading[0].isupper(), kind
        if model.date_field is not None:
            assert model.date_field in model.model_fields, kind


def test_every_value_of_every_vocabulary_has_a_french_label() -> None:
    for vocabulary in Vocabulary.__subclasses__():
        for member in vocabulary:
            assert member.label and member.label != member.value, member


def test_every_export_header_is_a_model_title() -> None:
    titles = {info.title for model in RECORD_TYPES.values() for info in model.model_fields.values()}
    derived = {"Nom"}  # the name a linked record's person is shown by (usage, else family)
    for _title, columns, _docs in exports.tables(FakeRepo()).values():
        for column in columns:
            assert column.header in titles | derived, column.key


def test_every_form_field_has_a_french_title_from_the_model() -> None:
    fields = Person.model_fields
    for key, field in FORM_FIELDS.items():
        assert field.label, key
        if key in fields:
            assert field.label == fields[key].title, key


def test_show_value_follows_the_model() -> None:
    show = display.show_value
    assert show("person", "civility", "madame") == "Madame"
    assert show("task", "status", "done") == "Faite"
    assert show("queue", "status", "seen") == "Reçu"
    assert show("person", "birth_date", "1985-03-04") == "04/03/1985"
    assert show("person", "qpv_checked", True) == "Oui"
    assert show("person", "phone", "+33612345678") == "06 12 34 56 78"
    assert show("person", "notes", "") == "non renseigné"
    assert show("queue", "position", 2.5) == "2,5"
    assert show("person", "civility", "inconnue") == "inconnue"  # an older value, as stored
    assert display.show_instant(datetime(2026, 1, 2, 10, 0)).startswith("02/01/2026")


class FakeRepo:
    def docs(self, kind: str):
        return iter(())


# --- a stored key is never what a person reads (failed before: "chemin-vert") -----------


@pytest.fixture
def in_a_qpv(workspace):
    (person,) = workspace.repo.save(Person(family_name="Diallo", qpv="chemin-vert"))
    return person


def test_the_access_copy_names_the_qpv(workspace, in_a_qpv) -> None:
    text = privacy.render_access(workspace, in_a_qpv.id, "text")
    assert "QPV : Chemin Vert" in text
    assert "chemin-vert" not in text


def test_the_sync_conflicts_name_the_qpv(workspace, in_a_qpv, capsys) -> None:
    doc = workspace.repo.doc("person", in_a_qpv.id)
    meta = {**doc["meta"], "conflicts": {"qpv": [["autre-poste", 1, "pierre-heuze", ""]]}}
    workspace.repo.put_docs([("person", {**doc, "meta": meta})])
    (item,) = sync.list_conflicts(workspace)
    assert item.field_label == "QPV"
    assert item.shown() == ["Chemin Vert", "Pierre Heuzé"]
    assert item.values == ["chemin-vert", "pierre-heuze"]  # what a choice writes back
