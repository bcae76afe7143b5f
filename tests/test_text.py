"""French input rules: any input gives a clean value or a French ValidationError."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.text import (
    MAX_NAME,
    clean_name,
    clean_text,
    fold,
    format_date,
    format_int,
    format_percent,
    format_phone,
    parse_date,
    parse_email,
    parse_phone,
)

TODAY = date(2026, 11, 26)

# any code point, surrogates and control characters included, sometimes very long
ANY_CHAR = st.characters(codec=None, exclude_categories=())
ANY_TEXT = st.one_of(
    st.text(ANY_CHAR, max_size=60),
    st.text(ANY_CHAR, min_size=500, max_size=5000),
    st.text(st.sampled_from("0123456789 +-./()\x00\t\u00a0\u202f"), max_size=30),
    st.text(st.sampled_from("0123456789/.- janvierfévrieraoûtdécembre1er"), max_size=25),
)


def only_clean_or_french_error(func, value):
    try:
        return func(value)
    except ValidationError as exc:
        assert exc.message and exc.message[0].isupper(), exc.message
        return None


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_names_never_escape(value: str) -> None:
    name = only_clean_or_french_error(clean_name, value)
    if name is not None:
        assert name == unicodedata.normalize("NFC", name)
        assert 0 < len(name) <= MAX_NAME and name == name.strip()
        assert not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in name)
        name.encode("utf-8")  # storable
        assert clean_name(name) == name  # idempotent
        assert fold(fold(name)) == fold(name)


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_phones_never_escape(value: str) -> None:
    phone = only_clean_or_french_error(parse_phone, value)
    if phone is not None:
        assert phone.startswith("+33") and len(phone) == 12 and phone[1:].isdigit()
        assert parse_phone(format_phone(phone)) == phone


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_dates_never_escape(value: str) -> None:
    parsed = only_clean_or_french_error(lambda v: parse_date(v, TODAY), value)
    if parsed is not None:
        assert 1900 <= parsed.year <= 2100
        assert parse_date(format_date(parsed), TODAY) == parsed


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_every_date_round_trips_through_its_french_writing(day: date) -> None:
    assert parse_date(format_date(day), TODAY) == day
    assert parse_date(day.isoformat(), TODAY) == day


@settings(max_examples=200, deadline=None)
@given(ANY_TEXT)
def test_emails_and_free_text_never_escape(value: str) -> None:
    only_clean_or_french_error(parse_email, value)
    only_clean_or_french_error(lambda v: clean_text(v, multiline=True), value)
    fold(value)


@pytest.mark.parametrize(
    "typed",
    [
        "06 12 34 56 78",
        "0612345678",
        "06.12.34.56.78",
        "06-12-34-56-78",
        "06/12/34/56/78",
        "+33 6 12 34 56 78",
        "+33612345678",
        "+33 (0)6 12 34 56 78",
        "(+33) 6 12 34 56 78",
        "0033 6 12 34 56 78",
        "0033612345678",
        " 06 12 34 56 78\u00a0",
        "06\u202f12\u202f34\u202f56\u202f78",
        "+33 0 6 12 34 56 78",
    ],
)
def test_real_mobile_writings(typed: str) -> None:
    assert parse_phone(typed) == "+33612345678"
    assert format_phone(parse_phone(typed)) == "06 12 34 56 78"


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("02 31 45 67 89", "+33231456789"),  # landline, Normandy
        ("07 81 23 45 67", "+33781234567"),
        ("09.72.10.20.30", "+33972102030"),
        ("01 40 00 00 00", "+33140000000"),
    ],
)
def test_other_french_numbers(typed: str, e164: str) -> None:
    assert parse_phone(typed) == e164


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "vide"),
        ("06 12 34 56 7", "10 chiffres"),
        ("06 12 34 56 78 9", "10 chiffres"),
        ("6 12 34 56 78", "commencer par 0"),
        ("+44 20 7946 0958", "français"),
        ("00 12 34 56 78", "français"),
        ("06 12 AB 56 78", "10 chiffres"),
        ("０６１２３４５６７８", "invalide"),  # full-width digits
    ],
)
def test_bad_phones_say_why_in_french(typed: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        parse_phone(typed)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("26/11/2026", date(2026, 11, 26)),
        ("1/2/2026", date(2026, 2, 1)),
        ("01.02.2026", date(2026, 2, 1)),
        ("01-02-2026", date(2026, 2, 1)),
        ("26 11 2026", date(2026, 11, 26)),
        ("26 / 11 / 2026", date(2026, 11, 26)),
        ("26112026", date(2026, 11, 26)),
        ("261126", date(2026, 11, 26)),
        ("26/11/26", date(2026, 11, 26)),
        ("14/07/89", date(1989, 7, 14)),  # 2089 is in the future: 1989
        ("2026-11-26", date(2026, 11, 26)),
        ("26 novembre 2026", date(2026, 11, 26)),
        ("1er mai 2026", date(2026, 5, 1)),
        ("15 août 2025", date(2025, 8, 15)),
        ("3 Déc. 2024", date(2024, 12, 3)),
        ("29/02/2024", date(2024, 2, 29)),
    ],
)
def test_french_date_forms(typed: str, expected: date) -> None:
    assert parse_date(typed, TODAY) == expected


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "vide"),
        ("31/02/2026", "Date impossible : 31/02/2026"),
        ("29/02/2025", "Date impossible"),
        ("12/13/2026", "Date impossible"),
        ("01/01/1850", "Année impossible"),
        ("demain", "jj/mm/aaaa"),
        ("26 brumaire 2026", "Mois inconnu"),
        ("٢٦/١١/٢٠٢٦", "jj/mm/aaaa"),  # Arabic-Indic digits are not taken as a date
    ],
)
def test_bad_dates_say_why_in_french(typed: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        parse_date(typed, TODAY)


def test_names_kept_as_typed_search_ignores_accents_and_case() -> None:
    typed = "Hélène  LE\u0301VÊQUE-N'Diaye"  # decomposed É from some keyboards
    name = clean_name(typed)
    assert name == "Hélène LÉVÊQUE-N'Diaye"
    assert fold(name) == "helene leveque n diaye"
    assert fold("Œuvre Cœur") == "oeuvre coeur"
    with pytest.raises(ValidationError, match="obligatoire"):
        clean_name(" \t\u200b ")
    with pytest.raises(ValidationError, match="au moins une lettre"):
        clean_name("1234")
    with pytest.raises(ValidationError, match="trop long"):
        clean_name("a" * (MAX_NAME + 1))
    assert clean_name("Zoé\u202e\x00 Martin") == "Zoé Martin"  # bidi override, NUL dropped


def test_french_number_formats() -> None:
    assert format_percent(93.75) == "93,75\u00a0%"
    assert format_percent(None) == "–"
    assert format_int(12345) == "12\u202f345"
    assert format_date(date(2026, 1, 5)) == "05/01/2026"
