"""Reading the legacy register's rows: columns, words, dates, phones (pure)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.register import header_key, parse_register, parse_row

TODAY = date(2026, 11, 26)


def rows(*lines: list[str]) -> list[tuple[int, list[str]]]:
    return [(n, cells) for n, cells in enumerate(lines, start=1)]


def test_header_names_ignore_case_accents_and_spaces() -> None:
    for spelling in (
        "DATE DE NAISSANCE",
        "date de naissance ",
        "Date  de naissance",
        " Date De Naissance",
    ):
        assert header_key(spelling) == "birth_date"
    assert header_key("PRENOM") == header_key("Prénom") == "first_name"
    assert header_key("Étape") == header_key("etape") == "stage"
    assert header_key("Date émergence") == "emergence_on"
    assert header_key("Couleur préférée") is None


def test_not_a_register_without_names() -> None:
    with pytest.raises(ValidationError, match="Nom.*Prénom"):
        parse_register(rows(["Nom", "Ville"], ["Diallo", "Caen"]), today=TODAY)
    with pytest.raises(ValidationError, match="vide"):
        parse_register(rows(["", ""], [" ", ""]), today=TODAY)


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("05/03/2014", date(2014, 3, 5)),
        ("5/3/2014", date(2014, 3, 5)),
        ("05/03/14", date(2014, 3, 5)),
        ("05-03-2014", date(2014, 3, 5)),
        ("05.03.2014", date(2014, 3, 5)),
        ("2014-03-05", date(2014, 3, 5)),
        ("12/01/85", date(1985, 1, 12)),  # 2085 would be in the future
        ("12/01/26", date(2026, 1, 12)),
        (" 05/03/2014 ", date(2014, 3, 5)),
    ],
)
def test_every_date_form(typed: str, expected: date) -> None:
    parsed = parse_register(
        rows(["Nom", "Prénom", "Date premier entretien"], ["Diallo", "Awa", typed]),
        today=TODAY,
        date_order="dm",
    )
    assert parsed.rows[0].interview_on == expected


def test_words_and_phones() -> None:
    header = ["Nom", "Prénom", "Sexe", "Téléphone", "Démarche", "Étape", "Issue", "Date issue"]
    parsed = parse_register(
        rows(
            header,
            [
                "A",
                "a",
                "Femme",
                "06 12 34 56 78",
                "individuel",
                "EMERGENCE",
                "Entreprise créée",
                "01/02/2020",
            ],
            ["B", "b", "h", "+33 6 12 34 56 79", "Collectif", "detecte", "formation", "2020-02-01"],
            ["C", "c", "Masculin", "612345670", "", "Sensibilisé", "", ""],
            ["D", "d", "", "06.12.34.56.71", "COLLECTIVE", "", "ABANDON", "1/2/20"],
        ),
        today=TODAY,
        date_order="dm",
    )
    assert not parsed.rejections
    a, b, c, d = parsed.rows
    assert (a.gender, a.phone, a.approach, a.stage, a.outcome) == (
        "F",
        "+33612345678",
        "individual",
        "emergence",
        "creation",
    )
    assert (b.gender, b.phone, b.approach, b.stage, b.outcome) == (
        "M",
        "+33612345679",
        "collective",
        "detected",
        "training",
    )
    assert (c.gender, c.phone, c.approach, c.stage) == (
        "M",
        "+33612345670",
        "unknown",
        "sensitized",
    )
    assert (d.gender, d.approach, d.outcome, d.outcome_on) == (
        "unknown",
        "collective",
        "abandon",
        date(2020, 2, 1),
    )


def test_only_rows_without_names_are_rejected_bad_values_are_warned() -> None:
    """Before issue #11 one unreadable minor value rejected the whole person."""
    parsed = parse_register(
        rows(
            ["Nom", "Prénom", "Étape", "Date de naissance", "Téléphone", "Sexe"],
            ["", "Awa", "", "", "", ""],
            ["Diallo", "Awa", "Émergence", "31/02/1990", "", ""],
            ["Koné", "Issa", "Terminé", "", "", ""],
            ["Roux", "Léa", "", "", "06 12", ""],
            ["Sow", "Ali", "", "", "", "Peut-être"],
            ["Cissé", "Aya", "", "01/01/2030", "", ""],
            ["Bon", "Jean", "", "", "", "Mlle"],
            ["TOTAL", "", "", "", "", ""],
        ),
        today=TODAY,
        date_order="dm",
    )
    assert parsed.rows_read == 8
    assert [r.family_name for r in parsed.rows] == ["Diallo", "Koné", "Roux", "Sow", "Cissé", "Bon"]
    reasons = {r.line: r.reason for r in parsed.rejections}
    assert set(reasons) == {2, 9}
    assert "nom est obligatoire" in reasons[2] and "prénom est obligatoire" in reasons[9]
    warnings = {r.line: r.warnings for r in parsed.rows}
    assert any(
        w.startswith("colonne « Date de naissance »") and "impossible" in w for w in warnings[3]
    )
    assert any("colonne « Étape » : « Terminé » non reconnu" in w for w in warnings[4])
    assert any(w.startswith("colonne « Téléphone » : « 06 12 »") for w in warnings[5])
    assert any(w.startswith("colonne « Sexe » : « Peut-être » non reconnu") for w in warnings[6])
    assert any("futur" in w for w in warnings[7])
    assert all(
        w.endswith("valeur laissée vide") for w in warnings[3] + warnings[5] if "colonne" in w
    )
    by_name = {r.family_name: r for r in parsed.rows}
    assert by_name["Diallo"].birth_date is None and by_name["Diallo"].stage == "emergence"
    assert by_name["Bon"].gender == "F" and not warnings[8]


def test_unknown_columns_listed_and_undated_stage_warned() -> None:
    parsed = parse_register(
        rows(
            ["Nom", "Prénom", "Couleur", "Étape", "Partenaire"],
            ["A", "b", "bleu", "Détecté", "Adie"],
        ),
        today=TODAY,
    )
    assert parsed.unknown_columns == ["Couleur"]
    warnings = parsed.rows[0].warnings
    assert any("sans date de détection" in w for w in warnings)
    assert any("orientation sans aucune date" in w for w in warnings)


def test_places_are_kept_as_written_for_the_import_to_match() -> None:
    parsed = parse_register(
        rows(
            ["Nom", "Prénom", "Quartier", "Ville"],
            ["A", "b", " CHEMIN-VERT ", "HEROUVILLE ST CLAIR"],
        ),
        today=TODAY,
    )
    assert (parsed.rows[0].qpv, parsed.rows[0].commune) == ("CHEMIN-VERT", "HEROUVILLE ST CLAIR")


COLUMNS = {"family_name": 0, "first_name": 1, "birth_date": 2, "phone": 3, "outcome_on": 4}


@settings(max_examples=300, deadline=None)
@given(
    birth=st.text(max_size=30),
    phone=st.text(max_size=30),
    outcome_on=st.one_of(st.text(alphabet="0123456789/.-: ", max_size=14), st.text(max_size=14)),
)
def test_dates_and_phones_never_raise_anything_but_a_french_rejection(
    birth: str, phone: str, outcome_on: str
) -> None:
    row = parse_row(2, ["Diallo", "Awa", birth, phone, outcome_on], COLUMNS, today=TODAY)
    assert all(w[0].islower() and "colonne « " in w or "issue" in w for w in row.warnings)
    assert row.birth_date is None or date(1900, 1, 1) <= row.birth_date <= TODAY
    assert row.phone is None or (row.phone.startswith("+33") and len(row.phone) == 12)
