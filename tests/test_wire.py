"""Strict validation of received records (bundles/wire.py): the canonical form is what a
local write stores, the fast paths change nothing, and types are never coerced."""

from __future__ import annotations

from datetime import UTC, date, datetime

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from citeslab_tui.bundles import wire
from citeslab_tui.bundles.codec import BundleError
from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.models import FollowUpTask, Person
from citeslab_tui.domain.records import _already_clean, clean_value, stamp
from citeslab_tui.domain.text import MAX_TEXT, clean_text

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


@given(st.text(max_size=60), st.booleans())
def test_fast_path_of_cleaning_changes_nothing(value: str, multiline: bool) -> None:
    if _already_clean(value, multiline):
        assert clean_text(value, MAX_TEXT, multiline=multiline) == value
    try:
        cleaned = clean_value("notes" if multiline else "commune", value)
    except ValidationError:
        return
    assert clean_value("notes" if multiline else "commune", cleaned) == cleaned  # idempotent


def local_doc(**fields) -> dict:
    person = Person(family_name="Diallo", first_name="Awa", birth_date=date(1990, 5, 4), **fields)
    doc = stamp(
        person,
        None,
        device="p1-ab12cd",
        staff="Céline",
        clock="1764140000000-0000-p1-ab12cd",
        now=NOW,
    )
    return orjson.loads(orjson.dumps(doc))


def test_the_canonical_form_of_a_local_write_is_itself() -> None:
    doc = local_doc(notes="ligne 1\nligne 2", phone="+33611111111")
    assert wire.canonical_record("person", orjson.loads(orjson.dumps(doc))) == doc
    task = stamp(
        FollowUpTask(title="Rappeler", due=date(2026, 12, 1), time="9:05"),
        None,
        device="p1-ab12cd",
        staff="Céline",
        clock="1764140000000-0001-p1-ab12cd",
        now=NOW,
    )
    task = orjson.loads(orjson.dumps(task))
    assert wire.canonical_record("task", orjson.loads(orjson.dumps(task))) == task


def test_a_record_identical_to_the_stored_one_is_taken_as_stored() -> None:
    doc = local_doc()
    stored = {**doc, "meta": {**doc["meta"], "lseq": 41}}
    incoming = orjson.loads(orjson.dumps(doc))
    incoming["meta"]["lseq"] = 7  # the sender's own number
    [(kind, got)] = wire.canonical_records([["person", incoming]], lambda k, i: stored)
    assert kind == "person" and got is stored
    assert incoming["meta"]["lseq"] == 7  # the comparison left the input as it was


@pytest.mark.parametrize("value", [1.0, True, "1"])
def test_equal_but_not_the_same_type_is_validated_and_refused(value) -> None:
    """1.0 == 1 == True in Python: the fast path must not let them through."""
    doc = local_doc()
    stored = orjson.loads(orjson.dumps(doc))
    incoming = orjson.loads(orjson.dumps(doc))
    incoming["meta"]["vv"]["p1-ab12cd"] = value
    with pytest.raises(BundleError, match="nombre entier attendu"):
        wire.canonical_records([["person", incoming]], lambda k, i: stored)


def test_conflict_values_are_validated_and_stored_canonical() -> None:
    doc = local_doc()
    doc["meta"]["vv"]["p2"] = 1
    doc["meta"]["conflicts"] = {"commune": [["p2", 1, "  Ifs\u202e ", ""]]}
    got = wire.canonical_record("person", doc)
    assert got["meta"]["conflicts"]["commune"] == [["p2", 1, "Ifs", ""]]
    doc["meta"]["conflicts"] = {"birth_date": [["p2", 1, "1990-01-01T00:00:00", ""]]}
    with pytest.raises(wire._Invalid, match="valeur en conflit du champ « birth_date »"):
        wire.canonical_record("person", doc)


# (lone surrogates never reach it: orjson refuses them when reading a payload)
TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]))


@given(st.dictionaries(st.sampled_from(["notes", "commune", "family_name", "title"]), TEXT))
def test_a_record_whose_json_looks_clean_has_only_clean_text(fields: dict[str, str]) -> None:
    """The fast path of canonical_record (no field-by-field cleaning) is exact."""
    if wire._clean_blob(orjson.dumps(fields)):
        for name, value in fields.items():
            assert clean_value(name, value) == value, (name, value)
