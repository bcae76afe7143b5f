"""Importing messy legacy registers: summary, merged duplicates, rejections with line
numbers, idempotent re-import, the bilan of a past year, and refusals that write nothing."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date, datetime
from pathlib import Path

import pytest

from citeslab_tui.domain.bilan import Period
from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.models import Person
from citeslab_tui.services import importer, reports

TODAY = date(2026, 11, 26)
YEAR = Period(date(2013, 9, 1), date(2014, 8, 31))
HEADER = [
    "NOM ",
    " Prénom",
    "SEXE",
    "Date  de naissance",
    "Téléphone",
    "Commune",
    "Quartier",
    "Lieu",
    "Date de sensibilisation",
    "Date premier entretien",
    "Démarche",
    "ETAPE",
    "Date détection",
    "Date émergence",
    "Issue",
    "Date issue",
    "Partenaire",
    "Notes",
    "Couleur",
    "",
    "",
]
NOTE = 'Projet de couture; avec un "atelier", \nsur deux lignes'
ROWS: list[list[str]] = [
    [],  # line 1: blank
    [""] * 8,  # line 2: only separators
    HEADER,  # line 3
    # line 4-5 (quoted newline in Notes)
    [
        "Diallo",
        "Awa",
        "F",
        "12/05/1985",
        "06 12 34 56 78",
        "Caen",
        "chemin vert",
        "Caen – Chemin Vert",
        "01/09/2013",
        "15/09/2013",
        "Individuelle",
        "Émergence",
        "01/10/2013",
        "01/12/2013",
        "Création",
        "01/06/2014",
        "Adie",
        NOTE,
        "bleu",
        "",
        "",
    ],
    # line 6
    [
        "Martin",
        "Hugo",
        "H",
        "3/4/90",
        "0612345679",
        "Hérouville-Saint-Clair",
        "hors QPV",
        "Hérouville-Saint-Clair",
        "2013-10-10",
        "12.11.2013",
        "collectif",
        "detecte",
        "20-11-2013",
        "",
        "Emploi",
        "15/03/14",
        "",
        "",
        "",
        "",
        "",
    ],
    [],  # line 7
    [""] * 21,  # line 8
    # line 9: same person as line 4 (name + birth date, other case/spaces)
    [
        "DIALLO",
        " awa ",
        "femme",
        "12/05/1985",
        "",
        "",
        "",
        "",
        "",
        "03/03/2014",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "Deuxième passage",
        "",
        "",
        "",
    ],
    # line 10
    [
        "Koné",
        "Issa",
        "",
        "",
        "06 12 34 56 70",
        "Colombelles",
        "Quartier Inconnu",
        "Colombelles",
        "",
        "05/05/2014",
        "",
        "Sensibilisé",
        "",
        "",
        "Formation",
        "20/06/2014",
        "",
        "",
        "",
        "",
        "",
    ],
    # line 11: same person as line 6 (same phone, other writing)
    [
        "Martin",
        "Hugo",
        "M",
        "",
        "+33 6 12 34 56 79",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ],
    ["", "Sans", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""],  # 12
    [
        "Roux",
        "Léa",
        "F",
        "31/02/1990",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ],  # 13
    [
        "Sow",
        "Ali",
        "M",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "Terminé",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ],  # 14
    [
        "Bernard",
        "Chloé",
        "F",
        "",
        "",
        "Caen",
        "Pierre Heuzé",
        "Caen – Pierre Heuzé",
        "01/09/2014",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ],  # 15
]


def write_register(path: Path, *, encoding: str, delimiter: str, newline: str = "\r\n") -> Path:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    for row in ROWS:
        writer.writerow(row)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def folder_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted([folder / "citeslab.json", *folder.glob("journal-*")]):
        if path.exists():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def check_summary(plan: importer.ImportPlan) -> None:
    assert plan.rows_read == 9
    assert plan.new_people == 6  # a bad birth date or stage word no longer drops a person
    assert plan.duplicates == 2
    assert plan.rejected == 1
    assert plan.unchanged == plan.updated == 0
    reasons = {r.line: r.reason for r in plan.parse.rejections}
    assert set(reasons) == {12}
    assert "nom est obligatoire" in reasons[12]
    warnings = dict(plan.warnings)
    assert "colonne « Date de naissance »" in warnings[13]
    assert "Date impossible : 31/02/1990" in warnings[13]
    assert "colonne « Étape » : « Terminé » non reconnu" in warnings[14]
    assert plan.parse.unknown_columns == ["Couleur"]
    assert plan.unknown_neighbourhoods == {"Quartier Inconnu": 1}
    assert plan.parse.date_order == "dm"
    text = "\n".join(plan.summary_lines())
    assert "Lignes lues : 9" in text and "ligne 12 rejetée" in text
    assert "ligne 13 : colonne « Date de naissance »" in text
    assert "Quartier : « Quartier Inconnu » (1)" in text


def check_bilan(ws) -> None:
    out = reports.bilan_for(ws, YEAR).to_json()
    assert out["indicators"] == {
        "sensitized": 2,
        "received": 3,
        "detected": 2,
        "emergence": 1,
        "created": 1,
        "positive_exits": 2,
        "positive_exits_employment": 1,
        "positive_exits_training": 1,
        "abandoned": 0,
        "oriented": 1,
    }
    assert out["received_by_gender"] == {
        "F": 1,
        "M": 1,
        "unknown": 1,
        "share_F": 50.0,
        "share_M": 50.0,
    }
    assert out["received_by_approach"]["share_individual"] == 50.0
    assert out["received_by_neighbourhood"] == {
        "Chemin Vert": 1,
        "hors QPV": 1,
        "unknown": 1,  # "Quartier Inconnu": kept on the person, never counted as a QPV
    }
    assert out["received_by_commune"] == {
        "Caen": 1,
        "Colombelles": 1,
        "Hérouville-Saint-Clair": 1,
        "unknown": 0,
    }
    later = reports.bilan_for(ws, Period(date(2014, 9, 1), date(2015, 8, 31)))
    assert later.indicators["sensitized"] == 1  # Bernard


@pytest.mark.parametrize(
    "encoding, delimiter, newline",
    [
        ("utf-8-sig", ";", "\r\n"),
        ("utf-8", ",", "\n"),
        ("cp1252", ",", "\r\n"),
        ("cp1252", ";", "\n"),
        ("utf-8", "\t", "\r\n"),
    ],
)
def test_messy_register_imports_right(workspace, tmp_path, encoding, delimiter, newline) -> None:
    path = write_register(
        tmp_path / "registre.csv", encoding=encoding, delimiter=delimiter, newline=newline
    )
    before = folder_hash(workspace.data_dir)
    plan = importer.prepare(workspace, path, today=TODAY)
    check_summary(plan)
    assert folder_hash(workspace.data_dir) == before  # nothing written before confirmation
    written = importer.apply(workspace, plan)
    assert written == len(plan.records)
    people = {p.family_name: p for p in workspace.repo.all(Person)}
    assert set(people) == {"Diallo", "Martin", "Koné", "Bernard", "Roux", "Sow"}
    assert people["Roux"].birth_date is None and people["Sow"].civility.value == "monsieur"
    awa = people["Diallo"]
    assert awa.phone == "+33612345678" and awa.birth_date == date(1985, 5, 12)
    assert awa.notes == NOTE.replace(" \n", "\n") + "\nDeuxième passage"
    assert awa.commune_insee == "14118" and awa.qpv == "chemin-vert"
    assert people["Martin"].birth_date == date(1990, 4, 3)
    check_bilan(workspace)

    # importing the same file again adds nothing
    before = folder_hash(workspace.data_dir)
    again = importer.prepare(workspace, path, today=TODAY)
    assert (again.new_people, again.duplicates, again.unchanged, again.updated) == (0, 2, 6, 0)
    assert again.nothing_to_write
    assert importer.apply(workspace, again) == 0
    assert folder_hash(workspace.data_dir) == before
    check_bilan(workspace)


def test_xlsx_register_with_real_cells(workspace, tmp_path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    sheet.append(["Nom", "Prénom", "Sexe", "Téléphone", "Date premier entretien", "Démarche"])
    sheet.append(["Diallo", "Awa", "F", 612345678, datetime(2014, 1, 2), "Individuelle"])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["Martin", "Hugo", "H", "06 12 34 56 79", "02/03/2014", "Collective"])
    path = tmp_path / "registre.xlsx"
    wb.save(path)
    plan = importer.prepare(workspace, path, today=TODAY, date_order="dm")
    assert (plan.rows_read, plan.new_people, plan.rejected) == (2, 2, 0)
    importer.apply(workspace, plan)
    out = reports.bilan_for(workspace, YEAR).to_json()
    assert out["indicators"]["received"] == 2
    phones = sorted(p.phone for p in workspace.repo.all(Person))
    assert phones == ["+33612345678", "+33612345679"]


def test_matches_people_already_entered(workspace, tmp_path) -> None:
    existing = Person(family_name="Diallo", first_name="Awa", birth_date=date(1985, 5, 12))
    workspace.repo.save(existing)
    path = tmp_path / "r.csv"
    path.write_text(
        "Nom;Prénom;Date de naissance;Téléphone;Date premier entretien\n"
        "diallo;AWA;12/05/1985;0612345678;02/01/2014\n",
        encoding="utf-8",
    )
    plan = importer.prepare(workspace, path, today=TODAY, date_order="dm")
    assert (plan.new_people, plan.updated) == (0, 1)
    importer.apply(workspace, plan)
    people = workspace.repo.all(Person)
    assert len(people) == 1 and people[0].phone == "+33612345678"


def _pdf(path: Path) -> None:
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n")


@pytest.mark.parametrize(
    "name, make, reason",
    [
        ("vide.csv", lambda p: p.write_bytes(b""), "vide"),
        ("blancs.csv", lambda p: p.write_bytes(b"\r\n ; ;\r\n\r\n"), "vide"),
        ("autre.csv", lambda p: p.write_text("Ville;Code\nCaen;14000\n"), "pas un registre"),
        ("binaire.csv", lambda p: p.write_bytes(bytes(range(256)) * 4), "binaire"),
        ("faux.csv", _pdf, "PDF"),
        ("faux.xlsx", lambda p: p.write_bytes(b"PK\x03\x04garbage" * 10), "illisible"),
        ("absent.csv", None, "introuvable"),
    ],
)
def test_not_a_register_is_refused_and_nothing_written(workspace, tmp_path, name, make, reason):
    workspace.repo.save(Person(family_name="Témoin", first_name="Base"))
    path = tmp_path / name
    if make is not None:
        make(path)
    before = folder_hash(workspace.data_dir)
    with pytest.raises(ValidationError, match=reason) as caught:
        importer.prepare(workspace, path, today=TODAY)
    assert caught.value.message[0].isupper()
    assert folder_hash(workspace.data_dir) == before
    assert workspace.repo.count("person") == 1


def test_reimport_never_recreates_an_erased_person(workspace, tmp_path) -> None:
    from citeslab_tui.services.privacy import erase_people

    path = write_register(tmp_path / "registre.csv", encoding="utf-8", delimiter=";")
    importer.apply(workspace, importer.prepare(workspace, path, today=TODAY))
    awa = next(p for p in workspace.repo.all(Person) if p.family_name == "Diallo")
    erase_people(workspace, [awa.id])
    again = importer.prepare(workspace, path, today=TODAY)
    assert again.erased == 2  # line 4 and its duplicate line 9
    assert again.new_people == 0 and again.nothing_to_write
    assert "effacées à leur demande (non réimportées) : 2" in "\n".join(again.summary_lines())
    check_bilan(workspace)  # the erased person's statistics still count


def test_excel_unicode_text_export_utf16_tab(workspace, tmp_path) -> None:
    path = tmp_path / "registre.txt"
    path.write_bytes("Nom\tPrénom\tSexe\r\nDiallo\tAwa\tF\r\n".encode("utf-16"))
    plan = importer.prepare(workspace, path, today=TODAY)
    assert (plan.rows_read, plan.new_people) == (1, 1)
