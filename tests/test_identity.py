"""The "same person" rules (domain/identity.py), used by the register import, the
office's duplicate review and the intake."""

from __future__ import annotations

from datetime import date
from difflib import SequenceMatcher
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from citeslab_tui.domain import identity
from citeslab_tui.domain.models import Person
from citeslab_tui.domain.register import RegisterRow

BORN = date(1990, 5, 12)


def ratio(a: str, b: str) -> float:
    """A 0-100 likeness like rapidfuzz's (the tests need no rapidfuzz)."""
    return round(SequenceMatcher(None, a, b).ratio() * 100, 1)


def known(family="diallo", first="aicha", usage="", phone=None, birth=None):
    return SimpleNamespace(family=family, usage=usage, first=first, phone=phone, birth_date=birth)


# --- 1. sure enough to act: the register import ------------------------------------------


def test_same_person_keys_ignore_accents_case_and_date_types() -> None:
    a = identity.same_person_keys("DIALLO", "Aïcha", BORN, "+33612345678")
    b = identity.same_person_keys("diallo", "aicha", "1990-05-12", "+33612345678")
    assert a == b == ["nb:diallo|aicha|1990-05-12", "ph:+33612345678"]
    assert identity.same_person_keys("Diallo", "Aïcha", None, None) == []  # names alone: no


def test_legacy_key_follows_the_person_not_the_row() -> None:
    with_phone = identity.legacy_key("Diallo", "Aïcha", BORN, "+33612345678")
    without = identity.legacy_key("DIALLO", "Aicha", BORN, None)
    assert with_phone == without and with_phone.startswith("reg:")
    # homonyms without birth date nor phone: told apart by the dates of their row
    one = identity.legacy_key("Diallo", "Aïcha", None, None, [date(2014, 1, 6)])
    two = identity.legacy_key("Diallo", "Aïcha", None, None, [date(2015, 3, 2)])
    assert one != two


names = st.text(alphabet="AaÉéèçÏï -'Ddlo", min_size=1, max_size=12).filter(
    lambda s: any(c.isalpha() for c in s)
)


@given(
    family=names,
    first=names,
    born=st.one_of(st.none(), st.dates(date(1930, 1, 1), date(2010, 12, 31))),
    phone=st.one_of(st.none(), st.sampled_from(["+33612345678", "+33231000000"])),
)
def test_a_row_and_the_person_made_from_it_have_the_same_keys(family, first, born, phone):
    """The import matches rows and stored persons by one rule: a person written by an
    import is found again by the keys of the row it came from."""
    row = RegisterRow(line=2, family_name=family, first_name=first, birth_date=born, phone=phone)
    person = Person(family_name=family, first_name=first, birth_date=born, phone=phone)
    doc = person.content()
    stored = identity.same_person_keys(
        doc["family_name"], doc["first_name"], doc["birth_date"], doc["phone"]
    )
    assert row.identity_keys() == stored


# --- 2. worth a look: the office's duplicate review ----------------------------------------


def person_doc(pid: str, device: str, **fields) -> dict:
    return {"id": pid, **fields, "meta": {"created_device": device}}


def test_duplicate_keys() -> None:
    keys = identity.duplicate_keys(
        {
            "family_name": "Diallo",
            "usage_name": "Martin",
            "first_name": "Aïcha",
            "birth_date": "1990-05-12",
            "phone": "+33612345678",
            "email": " Aicha@Exemple.FR ",
        }
    )
    assert keys == [
        ("nom et date de naissance", "martin|aicha|1990-05-12"),  # the usage name first
        ("téléphone", "+33612345678"),
        ("e-mail", "aicha@exemple.fr"),
    ]
    assert identity.duplicate_keys({"family_name": "Diallo", "birth_date": "1990-05-12"}) == []


def test_possible_duplicates_come_from_different_laptops_only() -> None:
    a = person_doc("a", "p1", family_name="Diallo", first_name="Awa", birth_date="1990-05-12")
    b = person_doc("b", "p2", family_name="DIALLO", first_name="Awa", birth_date="1990-05-12")
    c = person_doc("c", "p1", family_name="Diallo", first_name="Awa", birth_date="1990-05-12")
    assert identity.possible_duplicates([a, b, c]) == [
        ("a", "b", ["nom et date de naissance"]),
        ("b", "c", ["nom et date de naissance"]),
    ]
    assert identity.possible_duplicates([a, b], {frozenset(("a", "b"))}) == []
    erased = {**b, "meta": {"created_device": "p2", "erased": True}}
    assert identity.possible_duplicates([a, erased]) == []


def test_a_shared_office_phone_is_not_a_person() -> None:
    many = [
        person_doc(f"{n:02d}", f"p{n}", phone="+33231000000")
        for n in range(identity.MAX_SHARED + 1)
    ]
    assert identity.possible_duplicates(many) == []
    assert len(identity.possible_duplicates(many[:3])) == 3


# --- 3. maybe: the intake -------------------------------------------------------------------


def test_intake_same_phone_same_name_and_birth() -> None:
    match = identity.intake_match
    found = match(
        "diallo",
        "aicha",
        "+33612345678",
        "1990-05-12",
        known(phone="+33612345678", birth="1990-05-12"),
        ratio,
    )
    assert [r for r, _ in found] == ["même téléphone", "même nom", "même date de naissance"]
    assert sum(p for _, p in found) == 300 + 200 + 250


def test_intake_close_names_and_usage_name() -> None:
    found = identity.intake_match("dialo", "aicha", None, None, known(), ratio)
    assert [r for r, _ in found] == ["nom proche"]
    married = known(family="martin", usage="diallo")
    assert [r for r, _ in identity.intake_match("diallo", "aicha", None, None, married, ratio)] == [
        "même nom"
    ]
    # the family name alone (first name not typed yet) is not enough
    assert identity.intake_match("diallo", "", None, None, known(), ratio) == []


def test_intake_same_birth_date_needs_a_close_name() -> None:
    same_day = known(family="martin", first="paul", birth="1990-05-12")
    assert identity.intake_match("diallo", "aicha", None, "1990-05-12", same_day, ratio) == []
    near = known(family="diallo", first="fatou", birth="1990-05-12")
    found = identity.intake_match("diallo", "aicha", None, "1990-05-12", near, ratio)
    assert [r for r, _ in found] == ["même date de naissance"]
