"""A messy legacy register, as it really comes out of Excel, imports with every person
kept and each problem reported (issue #11).

Built here: a title row, a two-row merged header, a site merged over several rows,
Excel serial dates, a "Civilité" column (Mlle, M., Mme...), capitals without accents
("HEROUVILLE ST CLAIR"), phones stored as numbers, a TOTAL row and 60 empty formatted
rows. Before issue #11 this file was refused whole (title row), and each of its bad
minor values dropped a whole person.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from citeslab_tui.cli import main
from citeslab_tui.domain.bilan import Period
from citeslab_tui.domain.models import Civility, Interview, Orientation, Outcome, Person
from citeslab_tui.domain.register import DateOrderNeeded
from citeslab_tui.services import importer, reports
from citeslab_tui.services.workspace import Workspace

TODAY = date(2026, 11, 26)
YEAR = Period(date(2013, 9, 1), date(2014, 8, 31))
HEADER_TOP = ["Civilité", "Identité", None, "Date de naissance", "Contact", "Résidence", None,
              "Lieu", "Date 1er entretien", "Date de sensibilisation", "Issue", "Date issue",
              "Partenaire"]  # fmt: skip
HEADER = [None, "NOM", "PRENOM", None, "Tél", "VILLE", "QUARTIER", None, None, None, None, None,
          None]  # fmt: skip
PEOPLE = [  # line 5 onwards
    ["Mlle", "DIALLO", "Awa", "12/05/1985", 612345678, "CAEN", "CHEMIN VERT", "CHEMIN VERT",
     41710, "25/09/2013", None, None, "Pôle emploi"],
    ["M.", "MARTIN", "Hugo", "31/02/1990", "06 78 90 12", "HEROUVILLE ST CLAIR", "GRAND PARC",
     None, 41730, None, None, None, "CMA du Calvados"],
    ["Mme", "KONE", "Aminata", "1987", 612345670, "herouville saint-clair", "hors qpv", None,
     "13/01/2014", None, None, None, "France Travail (ex-Pôle emploi)"],
    ["Monsieur", "SOW", "Ali", None, None, "CAEN CEDEX", "CAEN", "HEROUVILLE", "20/02/2014",
     None, None, None, None],
    # the same person as line 5 (name + birth date): her outcome on a row of its own
    [None, "Diallo", "AWA", "12/05/1985", None, None, None, None, None, None, "Création",
     "25/06/2014", None],
    [None, "TOTAL", None, None, None, None, None, None, None, None, None, None, 5],
]  # fmt: skip


def messy_register(path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill

    wb = Workbook()
    sheet = wb.active
    sheet.append(["REGISTRE CITESLAB CAEN LA MER 2012-2014"])
    sheet.merge_cells("A1:M1")
    sheet.append([])
    sheet.append(HEADER_TOP)
    sheet.append(HEADER)
    sheet.merge_cells("A3:A4")  # Civilité over two header rows
    sheet.merge_cells("B3:C3")  # Identité over Nom and Prénom
    sheet.merge_cells("D3:D4")
    sheet.merge_cells("F3:G3")
    for column in "HIJKLM":
        sheet.merge_cells(f"{column}3:{column}4")
    for row in PEOPLE:
        sheet.append(row)
    sheet.merge_cells("H5:H7")  # the site written once for three rows
    grey = PatternFill("solid", fgColor="DDDDDD")
    for number in range(11, 71):  # 60 empty formatted rows
        for column in "ABCDEFGHIJKLM":
            sheet[f"{column}{number}"].fill = grey
    wb.save(path)
    return path


def folder_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted([folder / "citeslab.json", *folder.glob("journal-*")]):
        if path.exists():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def test_the_messy_register_keeps_every_person_and_reports_each_problem(workspace, tmp_path):
    path = messy_register(tmp_path / "registre.xlsx")
    before = folder_hash(workspace.data_dir)
    plan = importer.prepare(workspace, path, today=TODAY)
    assert folder_hash(workspace.data_dir) == before  # nothing written before confirmation
    parse = plan.parse
    assert parse.header_line == 4 and parse.skipped_lines == [1, 3]
    assert parse.date_order == "dm"  # 25/09/2013 is day first
    assert (plan.rows_read, plan.new_people, plan.duplicates, plan.rejected) == (6, 4, 1, 1)
    ((line, reason),) = [(r.line, r.reason) for r in parse.rejections]
    assert line == 10 and "prénom est obligatoire" in reason and "total" in reason
    birth, phone = [w for line, w in plan.warnings if line == 6]
    assert birth.startswith("colonne « Date de naissance » : Date impossible : 31/02/1990")
    assert phone.startswith("colonne « Téléphone » : « 06 78 90 12 »")
    assert {line for line, _w in plan.warnings} == {6}
    assert plan.unmatched == {"commune": {"CAEN CEDEX": 1}, "qpv": {"CAEN": 1}}
    text = "\n".join(plan.summary_lines())
    for expected in (
        "En-tête trouvé ligne 4 ; ligne(s) ignorée(s) au-dessus (titre ?) : 1, 3",
        "Ordre des dates : jour en premier (jj/mm), d'après",
        "Lignes avec des valeurs illisibles (laissées vides) : 1",
        "ligne 10 rejetée : Le prénom est obligatoire",
        "ligne 6 : colonne « Date de naissance »",
        "Commune : « CAEN CEDEX » (1)",
        "Quartier : « CAEN » (1)",
    ):
        assert expected in text, expected

    importer.apply(workspace, plan)
    people = {p.family_name: p for p in workspace.repo.all(Person)}
    assert set(people) == {"DIALLO", "MARTIN", "KONE", "SOW"}
    awa, hugo, aminata, ali = (people[n] for n in ("DIALLO", "MARTIN", "KONE", "SOW"))
    assert (awa.civility, hugo.civility, aminata.civility, ali.civility) == (
        Civility.MADAME,
        Civility.MONSIEUR,
        Civility.MADAME,
        Civility.MONSIEUR,
    )
    assert awa.phone == "+33612345678" and aminata.phone == "+33612345670"
    assert hugo.phone is None and hugo.birth_date is None  # unreadable: left empty
    assert aminata.birth_year == 1987 and aminata.birth_date is None
    assert (awa.commune_insee, awa.qpv, awa.first_site) == (
        "14118",
        "chemin-vert",
        "Caen – Chemin Vert",
    )
    assert (hugo.commune, hugo.qpv, hugo.first_site) == (
        "Hérouville-Saint-Clair",
        "herouville",
        "Caen – Chemin Vert",  # the merged Lieu cell
    )
    assert (aminata.commune, aminata.qpv) == ("Hérouville-Saint-Clair", "hors QPV")
    assert (ali.commune, ali.commune_insee, ali.qpv, ali.first_site) == (
        "CAEN CEDEX",  # kept as written, counted unknown, listed above
        None,
        "CAEN",
        "Hérouville-Saint-Clair",
    )
    interviews = {i.person_id: i.on for i in workspace.repo.all(Interview)}
    assert interviews[awa.id] == date(2014, 3, 12)  # Excel serial 41710
    assert interviews[hugo.id] == date(2014, 4, 1)  # Excel serial 41730
    (outcome,) = workspace.repo.all(Outcome)
    assert outcome.person_id == awa.id  # the second row completed her, it did not come back half
    partners = sorted(o.partner for o in workspace.repo.all(Orientation))
    assert partners == [
        "CMA Normandie — « Ici je monte ma boîte »",
        "France Travail",
        "France Travail",
    ]

    out = reports.bilan_for(workspace, YEAR).to_json()
    assert out["indicators"]["received"] == 4  # "Date 1er entretien" is the first interview
    assert out["received_by_gender"]["F"] == 2 and out["received_by_gender"]["M"] == 2
    assert out["received_by_commune"] == {"Hérouville-Saint-Clair": 2, "Caen": 1, "unknown": 1}
    assert out["received_by_neighbourhood"] == {
        "Chemin Vert": 1,
        "Hérouville (Grand Parc / Belles Portes / Val / Le Bois / Haute Folie / Grande Delle)": 1,
        "hors QPV": 1,
        "unknown": 1,
    }
    assert out["oriented_by_partner"] == {
        "France Travail": 2,
        "CMA Normandie — « Ici je monte ma boîte »": 1,
        "unknown": 0,
    }


def test_the_office_maps_unmatched_values_and_the_next_import_applies_them(
    data_dir, tmp_path, capsys
):
    with Workspace.open(data_dir) as ws:
        ws.configure(structure="Mife", staff=["Céline"], device="bureau")
    path = messy_register(tmp_path / "registre.xlsx")
    args = ["--data-dir", str(data_dir), "import", str(path)]
    assert main([*args, "--dry-run", "--write-mapping"]) == 0
    out = capsys.readouterr().out
    assert "rien n'a été écrit" in out and "2 valeur(s) ajoutée(s)" in out
    mapping = data_dir / "reference" / "correspondances.csv"
    assert mapping.read_text(encoding="utf-8") == (
        "\ufefftable;valeur;reference\ncommunes;CAEN CEDEX;\nqpv;CAEN;\n"
    )
    # saved again from Excel in Windows-1252 with one line filled: read, kept, not doubled
    mapping.write_bytes("table;valeur;reference\ncommunes;CAEN CEDEX;Caen\n".encode("cp1252"))
    assert main([*args, "--dry-run", "--write-mapping"]) == 0
    assert "1 valeur(s) ajoutée(s)" in capsys.readouterr().out
    assert mapping.read_text(encoding="utf-8-sig") == (
        "table;valeur;reference\ncommunes;CAEN CEDEX;Caen\nqpv;CAEN;\n"
    )
    mapping.write_text("table;valeur;reference\ncommunes;CAEN CEDEX;\nqpv;CAEN;\n")
    assert main([*args, "--yes"]) == 0  # the lines still to complete are ignored
    assert "Import terminé" in capsys.readouterr().out
    mapping.write_text(
        "table;valeur;reference\ncommunes;CAEN CEDEX;Caen\nqpv;CAEN;ne sait pas\n",
        encoding="utf-8",
    )
    assert main([*args, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Personnes existantes complétées : 1" in out and "sans correspondance" not in out
    assert main([*args, "--yes"]) == 0
    capsys.readouterr()
    with Workspace.open(data_dir) as ws:
        ali = next(p for p in ws.repo.all(Person) if p.family_name == "SOW")
        assert (ali.commune_insee, ali.commune, ali.qpv) == ("14118", "Caen", "")


def test_a_broken_mapping_file_refuses_the_import_and_writes_nothing(data_dir, tmp_path, capsys):
    with Workspace.open(data_dir) as ws:
        ws.configure(structure="Mife", staff=["Céline"], device="bureau")
    (data_dir / "reference").mkdir()
    (data_dir / "reference" / "correspondances.csv").write_text(
        "table;valeur;reference\ncommunes;CAEN CEDEX;Caen-sur-Mer\n", encoding="utf-8"
    )
    before = folder_hash(data_dir)
    path = messy_register(tmp_path / "registre.xlsx")
    assert main(["--data-dir", str(data_dir), "import", str(path), "--yes"]) == 1
    err = capsys.readouterr().err
    assert "correspondances.csv : ligne 2 : « Caen-sur-Mer » n'est pas dans la table" in err
    assert "rien n'a été écrit" in err
    assert folder_hash(data_dir) == before


MONTH_FIRST = (
    "Registre 2014 (export du logiciel)\n"  # a title row above the header
    "Nom,Prénom,Date de naissance,Date premier entretien\n"
    "Diallo,Awa,12/25/1980,03/14/2014\n"
    "Martin,Hugo,05/12/1980,04/02/2014\n"
)


def test_a_month_first_file_is_read_month_first_for_the_whole_file(workspace, tmp_path):
    path = tmp_path / "registre.csv"
    path.write_text(MONTH_FIRST, encoding="utf-8")
    plan = importer.prepare(workspace, path, today=TODAY)
    assert plan.parse.date_order == "md" and plan.parse.skipped_lines == [1]
    importer.apply(workspace, plan)
    hugo = next(p for p in workspace.repo.all(Person) if p.family_name == "Martin")
    assert hugo.birth_date == date(1980, 5, 12)  # not 5 December
    interviews = sorted(i.on for i in workspace.repo.all(Interview))
    assert interviews == [date(2014, 3, 14), date(2014, 4, 2)]


def test_ambiguous_or_contradictory_dates_ask_for_the_order(workspace, tmp_path, capsys):
    ambiguous = tmp_path / "ambigu.csv"
    ambiguous.write_text("Nom;Prénom;Date de naissance\nDiallo;Awa;05/12/1980\n", encoding="utf-8")
    with pytest.raises(DateOrderNeeded, match="--date-order jj/mm"):
        importer.prepare(workspace, ambiguous, today=TODAY)
    contradictory = tmp_path / "contradictoire.csv"
    contradictory.write_text(
        "Nom;Prénom;Date de naissance\nDiallo;Awa;25/12/1980\nMartin;Hugo;12/25/1980\n",
        encoding="utf-8",
    )
    with pytest.raises(DateOrderNeeded, match="se contredisent") as caught:
        importer.prepare(workspace, contradictory, today=TODAY)
    assert "ligne 2, colonne « Date de naissance » : 25/12/1980" in caught.value.message
    assert "ligne 3, colonne « Date de naissance » : 12/25/1980" in caught.value.message
    # the CLI asks (exit 2, French, nothing written), then obeys --date-order
    workspace.close()
    data = str(workspace.data_dir)
    before = folder_hash(workspace.data_dir)
    assert main(["--data-dir", data, "import", str(contradictory), "--yes"]) == 2
    assert "--date-order" in capsys.readouterr().err
    assert folder_hash(workspace.data_dir) == before
    assert (
        main(["--data-dir", data, "import", str(contradictory), "--yes", "--date-order", "jj/mm"])
        == 0
    )
    out = capsys.readouterr().out
    assert "ordre des dates imposé : jj/mm" in out
    assert "ligne 3 : colonne « Date de naissance » : Date impossible : 12/25/1980" in out
    with Workspace.open(workspace.data_dir) as ws:
        assert ws.repo.count("person") == 2  # Hugo kept, his birth date left empty
