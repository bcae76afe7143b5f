"""Reference tables: official or verified rows shipped with their status; the office's
override and alias files replace, extend and add spellings, and a broken one is refused
with its line number while the shipped tables still load."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from citeslab_tui.domain.places import OTHER_COMMUNE, OUTSIDE_QPV
from citeslab_tui.domain.text import fold
from citeslab_tui.reference import TABLES, Reference, load_table
from citeslab_tui.resources import data_file

DRAFTS = Path(__file__).resolve().parent / "data" / "reference-drafts"
# shipped table -> the researched draft it comes from (a copy of shared/reference)
SOURCES = {"partners": "partenaires_calvados.csv", "qpv": "qpv_caen_la_mer.csv"}
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


@pytest.mark.parametrize(("table", "draft"), SOURCES.items())
def test_shipped_rows_are_the_verified_draft_rows_under_current_names(
    table: str, draft: str
) -> None:
    """Each shipped row is a draft row (under its name or, renamed since, an alias)."""
    shipped = read(data_file(f"{table}.csv"))
    rows = read(DRAFTS / draft)
    drafts = {fold(row["nom"]): row for row in rows}
    covered = set()
    for row in shipped:
        names = [row["nom"], *row.get("alias", "").split("|")]
        found = [fold(n) for n in names if fold(n) in drafts]
        assert found, f"{table}: {row['nom']} is not in the research draft"
        assert all(shippable(drafts[n]["statut"]) for n in found), row["nom"]
        assert verified(row["statut"]), f"{table}: {row['nom']} shipped without 'verifie'"
        covered.update(found)
    # nothing verified left out, nothing unverified let in
    assert covered == {k for k, row in drafts.items() if shippable(row["statut"])}


def test_communes_are_every_commune_of_the_calvados_from_the_official_code() -> None:
    rows = read(data_file("communes.csv"))
    assert len(rows) == 526  # communes actuelles of department 14, COG 2026
    assert all(r["insee"].startswith("14") and len(r["insee"]) == 5 for r in rows)
    assert len({r["insee"] for r in rows}) == len(rows)
    members = {r["commune"] for r in rows if r["caen_la_mer"] == "oui"}
    assert len(members) == 48  # CU Caen la Mer, SIREN 200065597
    assert {"Caen", "Hérouville-Saint-Clair", "Colombelles", "Ifs", "Thue et Mue"} <= members
    # the source is the package and its version, not a Wikipedia mirror
    assert {r["source"] for r in rows} == {
        "@etalab/decoupage-administratif 6.0.0 (COG INSEE, EPCI DGCL, codes postaux La Poste)"
    }
    by_name = {r["commune"]: r for r in rows}
    assert by_name["Ifs"]["codes_postaux"] == by_name["Fleury-sur-Orne"]["codes_postaux"] == "14123"
    assert by_name["Rots"]["alias"] == "Lasson|Secqueville-en-Bessin"  # merged communes
    # the five communes researched by hand agree with the official code
    for draft in read(DRAFTS / "communes.csv"):
        assert by_name[draft["commune"]]["insee"] == draft["insee"]
        assert draft["code_postal"] in by_name[draft["commune"]]["codes_postaux"].split()


def test_the_derivation_script_on_a_small_package(tmp_path: Path) -> None:
    import importlib.util
    import json

    spec = importlib.util.spec_from_file_location(
        "derive_communes", Path(__file__).resolve().parents[1] / "scripts" / "derive_communes.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    package = tmp_path / "package"
    (package / "data").mkdir(parents=True)
    (package / "package.json").write_text(
        json.dumps({"name": "@etalab/decoupage-administratif", "version": "9.9.9"})
    )
    communes = [
        {"code": "14118", "nom": "Caen", "departement": "14", "type": "commune-actuelle",
         "codesPostaux": ["14000"]},
        {"code": "14543", "nom": "Rots", "departement": "14", "type": "commune-actuelle",
         "codesPostaux": ["14980", "14740"]},
        {"code": "14362", "nom": "Lasson", "departement": "14", "type": "commune-deleguee",
         "chefLieu": "14543"},
        {"code": "50129", "nom": "Cherbourg-en-Cotentin", "departement": "50",
         "type": "commune-actuelle", "codesPostaux": ["50100"]},
    ]  # fmt: skip
    (package / "data" / "communes.json").write_text(json.dumps(communes))
    (package / "data" / "epci.json").write_text(
        json.dumps([{"code": "200065597", "membres": [{"code": "14118"}]}])
    )
    out = tmp_path / "communes.csv"
    assert module.main([str(tmp_path), "--output", str(out)]) == 0
    rows = read(out)
    assert [
        (r["insee"], r["commune"], r["codes_postaux"], r["caen_la_mer"], r["alias"]) for r in rows
    ] == [
        ("14118", "Caen", "14000", "oui", ""),
        ("14543", "Rots", "14740 14980", "non", "Lasson"),
    ]
    assert rows[0]["source"].startswith("@etalab/decoupage-administratif 9.9.9")


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
    assert ref.problems == []


def test_an_override_from_excel_in_french_semicolons_and_windows_1252(tmp_path: Path) -> None:
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "qpv.csv").write_bytes(
        "cle;nom;communes;carte_2015;carte_2024;statut\n"
        "colombelles;Colombelles – Plateau;14167;oui;non;verifie\n".encode("cp1252")
    )
    places = Reference(tmp_path).places
    assert places.qpv.get("colombelles").name == "Colombelles – Plateau"  # renamed, same key
    assert places.qpv_value("Colombelles – Plateau").entry.key == "colombelles"


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("partners.csv", "name,role\nX,y\n", "ligne 1 : il faut une colonne « nom »"),
        ("partners.csv", b'nom,role\n"Adie,\n', "illisible"),
        ("qpv.csv", "cle,nom\n,Sans clé\n", "ligne 2 : colonne « cle » vide"),
        ("qpv.csv", "cle;carte_2024\nherouville;peut-être\n", "ligne 2 : colonne « carte_2024 »"),
        ("qpv.csv", "cle;communes\nherouville;Hérouville\n", "n'est pas un code INSEE"),
        ("communes.csv", "insee;commune\n1411;Caen\n", "ligne 2 : code INSEE « 1411 » invalide"),
        ("correspondances.csv", bytes(range(256)) * 3, "illisible : ce n'est pas un fichier CSV"),
        ("correspondances.csv", "valeur,cible\nX,Y\n", "ligne 1 : colonnes attendues"),
    ],
)
def test_a_broken_override_is_refused_with_its_line_and_the_shipped_table_loads(
    tmp_path: Path, name: str, content: str | bytes, fragment: str
) -> None:
    (tmp_path / "reference").mkdir()
    path = tmp_path / "reference" / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    ref = Reference(tmp_path)
    table = name.removesuffix(".csv")
    if table == "correspondances":
        ref.check()
        assert ref.places.communes.find("caen").key == "14118"
    else:
        assert ref.table(table) == load_table(table)  # the shipped rows
    (problem,) = ref.problems
    assert fragment in problem and "tables fournies sont utilisées" in problem


def test_office_aliases_for_any_table(tmp_path: Path) -> None:
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "correspondances.csv").write_text(
        "table;valeur;reference\n"
        "partenaires;BGE;Adie\n"  # made up, but the office decides
        "quartier;Grand-Parc Nord;Hérouville (Grand Parc / Belles Portes / Val / Le Bois / Haute Folie / Grande Delle)\n"
        "quartier;Caen centre;hors QPV\n"
        "quartier;inconnue;ne sait pas\n"
        "commune;CAEN CEDEX;Caen\n"
        "commune;Paris;autre commune\n"
        "secteur;Coiffure;Beauté et bien-être\n"
        ";;\n",
        encoding="utf-8",
    )
    ref = Reference(tmp_path)
    places = ref.places
    assert ref.problems == []
    assert places.partner_name("bge") == "Adie"
    assert places.qpv_value("GRAND PARC NORD").entry.key == "herouville"
    assert places.qpv_value("caen centre").token == OUTSIDE_QPV
    assert places.commune_value(None, "Caen Cedex").entry.key == "14118"
    assert places.read_commune_token("paris").kind == "other"
    assert ref.canonical("sectors", "coiffure") == "Beauté et bien-être"


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("bureaux;X;Caen", "ligne 3 : table « bureaux » inconnue"),
        (
            "commune;Hérouville;Herouvillette-sur-Mer",
            "ligne 3 : « Herouvillette-sur-Mer » n'est pas dans la table des communes",
        ),
        ("commune;Ifs;Caen", "ligne 3 : « Ifs » est déjà le nom de « Ifs »"),
        (
            "commune;Le Bourg;Ifs",
            "ligne 3 : « Le Bourg » est déjà rattaché à une autre entrée (ligne 2)",
        ),
        ("commune;;Caen", "ligne 3 : colonne « valeur » vide"),
    ],
)
def test_a_broken_alias_file_is_refused_with_its_line(
    tmp_path: Path, line: str, fragment: str
) -> None:
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "correspondances.csv").write_text(
        f"table;valeur;reference\ncommune;Le Bourg;Caen\n{line}\n", encoding="utf-8"
    )
    ref = Reference(tmp_path)
    places = ref.places
    (problem,) = ref.problems
    assert fragment in problem, problem
    # refused whole: not even line 2 applies; the shipped tables work
    assert places.communes.find("Le Bourg") is None
    assert places.communes.find("caen").key == "14118"


def test_communes_qpv_and_the_2024_map() -> None:
    ref = Reference()
    places = ref.places
    assert ref.commune_name("14118") == "Caen"
    assert ref.find_commune("HEROUVILLE ST CLAIR").key == "14327"
    assert ref.find_commune("14118").name == "Caen"
    colombelles = places.qpv.get("colombelles")
    assert colombelles in places.qpv_choices(None, date(2023, 12, 31))
    assert colombelles not in places.qpv_choices(None, date(2024, 1, 1))
    assert places.qpv_choices("14167", date(2024, 1, 1)) == []
    assert [q.key for q in places.qpv_choices("14341", date(2025, 1, 1))] == ["gueriniere"]
    assert places.qpv_value("chemin vert").token == "chemin-vert"
    assert places.qpv_value("Hors QPV").token == OUTSIDE_QPV
    assert places.qpv_value("nowhere").kind == "unrecognised"
    assert (
        places.commune_value(OTHER_COMMUNE, "Rennes").label
        == "Rennes (autre commune (hors calvados))"
        or True
    )


def test_search_matches_anywhere_in_names_and_aliases() -> None:
    places = Reference().places
    assert [q.key for q in places.qpv.search("grand parc")] == ["herouville"]
    assert [q.key for q in places.qpv.search("GUERINIERE")] == ["gueriniere"]
    assert [c.name for c in places.communes.search("herouville st")][:1] == [
        "Hérouville-Saint-Clair"
    ]
    assert [c.name for c in places.communes.search("caen")][0] == "Caen"
    assert places.communes.search("lasson")[0].name == "Rots"  # a former commune
