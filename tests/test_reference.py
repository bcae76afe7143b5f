"""Reference tables: only verified rows shipped, user overrides replace and extend."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.domain.text import fold
from citeslab_tui.reference import TABLES, Reference, load_table
from citeslab_tui.resources import data_file

SHARED = Path(__file__).resolve().parents[2] / "shared" / "reference"
# shipped table -> the researched draft it comes from (../shared/reference)
SOURCES = {
    "communes": "communes.csv",
    "partners": "partenaires_calvados.csv",
    "qpv": "qpv_caen_la_mer.csv",
}
NOT_SHIPPABLE = ("hypothese", "ne pas livrer")


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def shippable(status: str) -> bool:
    """Not a hypothesis nor marked "do not ship" in the research draft."""
    return not any(word in fold(status) for word in NOT_SHIPPABLE)


def verified(status: str) -> bool:
    folded = fold(status)
    return "verifi" in folded and not any(word in folded for word in NOT_SHIPPABLE)


@pytest.mark.parametrize("table", TABLES)
def test_every_shipped_row_keeps_a_status(table: str) -> None:
    rows = read(data_file(f"{table}.csv"))
    assert rows, table
    assert "statut" in rows[0]
    for row in rows:
        status = row["statut"]
        assert status, row
        assert not any(word in fold(status) for word in NOT_SHIPPABLE), row
        # working lists (sectors, sources) are marked as such; facts must be verified
        assert status == "usage" or verified(status), row


@pytest.mark.skipif(not SHARED.is_dir(), reason="research drafts not in this checkout")
@pytest.mark.parametrize(("table", "draft"), SOURCES.items())
def test_shipped_rows_are_exactly_the_verified_draft_rows(table: str, draft: str) -> None:
    shipped = read(data_file(f"{table}.csv"))
    rows = read(SHARED / draft)
    key = next(iter(rows[0]))
    drafts = {row[key]: row for row in rows}
    for row in shipped:
        assert row[key] in drafts, f"{table}: {row[key]} is not in the research draft"
        assert shippable(drafts[row[key]]["statut"]), f"{table}: {row[key]} is a hypothesis"
        assert verified(row["statut"]), f"{table}: {row[key]} shipped without 'verifie'"
    # nothing verified left out, nothing unverified let in
    expected = {k for k, row in drafts.items() if shippable(row["statut"])}
    assert {row[key] for row in shipped} == expected


def test_user_override_replaces_extends_and_hides(tmp_path: Path) -> None:
    folder = tmp_path / "reference"
    folder.mkdir()
    # other column order, a BOM, a replaced row, a new row, a hidden row
    (folder / "sites.csv").write_text(
        "\ufeffcommune,nom,statut\n"
        "Colombelles,COLOMBELLES,verifie sur place (salle Jean Jaurès)\n"
        "Ifs,Ifs – Maison de quartier,saisi par l'équipe\n"
        "Caen,Caen – Pierre Heuzé,supprime\n",
        encoding="utf-8",
    )
    ref = Reference(tmp_path)
    names = ref.names("sites")
    assert "Ifs – Maison de quartier" in names
    assert "Caen – Pierre Heuzé" not in names
    assert "COLOMBELLES" in names and "Colombelles" not in names
    assert len(names) == len(load_table("sites")) + 1 - 1
    assert ref.names("sectors") == [r["nom"] for r in load_table("sectors")]  # untouched


def test_override_without_the_key_column_is_a_french_error(tmp_path: Path) -> None:
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "partners.csv").write_text("name,role\nX,y\n", encoding="utf-8")
    with pytest.raises(CitesLabError, match="colonne « nom »"):
        Reference(tmp_path).names("partners")
    (tmp_path / "reference" / "partners.csv").write_bytes(b"nom\n\xff\xfe\x00bad\n")
    with pytest.raises(CitesLabError, match="illisible"):
        Reference(tmp_path).names("partners")


def test_communes_qpv_and_the_2024_map() -> None:
    ref = Reference()
    assert ref.commune_name("14118") == "Caen"
    assert ref.find_commune("herouville saint clair")["insee"] == "14327"
    assert {
        r["code_postal"]
        for r in ref.table("communes")
        if r["commune"] in ("Ifs", "Fleury-sur-Orne")
    } == {"14123"}
    colombelles = "Colombelles (nom du QPV inconnu)"
    assert colombelles in ref.qpv_names(date(2023, 12, 31))
    assert colombelles not in ref.qpv_names(date(2024, 1, 1))
    assert ref.match_qpv("chemin vert") == "Chemin Vert"
    assert ref.match_qpv("Hors QPV") == "hors QPV"
    assert ref.match_qpv("nowhere") is None
