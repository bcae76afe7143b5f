"""Office exports: CSV (BOM, `;`, French headers), XLSX (real dates), JSON; owner-only."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from datetime import date
from pathlib import Path

import pytest

from citeslab_tui.cli import main
from citeslab_tui.domain.models import (
    Civility,
    FollowUpTask,
    Interview,
    Orientation,
    Outcome,
    OutcomeKind,
    Person,
)
from citeslab_tui.services import exports


def fill(ws) -> Person:
    awa = Person(
        civility=Civility.MADAME,
        family_name="Diallo",
        first_name="Awa",
        phone="+33612345678",
        birth_date=date(1985, 5, 12),
        notes='Notes <b>&</b> "guillemets"; point-virgule\nligne 2 \x01',
    )
    ws.repo.save(awa)
    ws.repo.save(
        Interview(person_id=awa.id, on=date(2014, 1, 6), site="Caen – Chemin Vert"),
        Outcome(person_id=awa.id, outcome=OutcomeKind.CREATION, on=date(2014, 6, 1)),
        FollowUpTask(person_id=awa.id, title="Rappeler [/]", due=date(2026, 12, 1)),
    )
    gone = Interview(person_id=awa.id, on=date(2014, 2, 6))
    ws.repo.save(gone)
    ws.repo.delete(gone)
    return awa


def test_csv_export(workspace, tmp_path: Path) -> None:
    fill(workspace)
    paths = exports.export(workspace, "csv", tmp_path / "export")
    names = sorted(p.name for p in paths)
    assert names == sorted(exports.CSV_FILE_NAMES.values())
    for path in paths:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = (tmp_path / "export" / "personnes.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:6] == [
        "Identifiant",
        "Civilité",
        "Nom de famille",
        "Nom d'usage",
        "Prénom",
        "Date de naissance",
    ]
    assert rows[1][1:6] == ["Madame", "Diallo", "", "Awa", "12/05/1985"]
    assert "06 12 34 56 78" in rows[1]
    interviews = list(
        csv.reader(
            io.StringIO((tmp_path / "export" / "entretiens.csv").read_text("utf-8-sig")),
            delimiter=";",
        )
    )
    assert len(interviews) == 2  # the tombstoned interview is not exported
    assert interviews[1][2:5] == ["Diallo", "Awa", "06/01/2014"]


def table(sheet) -> list[tuple]:
    """A sheet's table: its header row (after the title block) and the rows under it."""
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == "Identifiant")
    return rows[start:]


def test_xlsx_export_has_real_dates(workspace, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    fill(workspace)
    [path] = exports.export(workspace, "xlsx", tmp_path / "export.xlsx")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    wb = load_workbook(path)
    assert wb.sheetnames == [
        "Personnes",
        "Entretiens",
        "Étapes",
        "Orientations",
        "Issues",
        "Tâches",
    ]
    people = table(wb["Personnes"])
    assert people[0][2] == "Nom de famille" and people[1][2] == "Diallo"
    assert people[1][5].date() == date(1985, 5, 12)
    assert people[1][6] == 1985 or people[1][6] is None
    assert "<b>&</b>" in people[1][20]
    issues = table(wb["Issues"])
    assert issues[1][4] == "Création d'entreprise" and issues[1][5].date() == date(2014, 6, 1)
    tasks = table(wb["Tâches"])
    assert tasks[1][5] == "Rappeler [/]"


def test_xlsx_export_opens_without_fixing(workspace, tmp_path: Path) -> None:
    """Issue #15: no column widths (dates shown "###", headers cut: "Identifian",
    "Date de na"), "Heure" a text, no title, nothing for printing."""
    from datetime import time

    from openpyxl import load_workbook

    awa = fill(workspace)
    workspace.repo.save(
        FollowUpTask(person_id=awa.id, title="RDV", due=date(2026, 12, 2), time="14:30")
    )
    workspace.configure(structure="Mife du Calvados", staff=["Céline"], device="t")
    [path] = exports.export(workspace, "xlsx", tmp_path / "export.xlsx")
    wb = load_workbook(path)
    for sheet in wb.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        # the title block: what, structure, period, site, generated on
        assert rows[0][0] == f"Export des données CitésLab — {sheet.title}"
        assert rows[1][0] == "Structure : Mife du Calvados"
        assert rows[2][0].startswith("Période : ") and rows[3][0].startswith("Site : ")
        assert rows[4][0].startswith("Généré le ")
        header_row = next(i for i, row in enumerate(rows) if row[0] == "Identifiant") + 1
        # every column wide enough for its header (on two lines) and its dates
        for index, header in enumerate(rows[header_row - 1]):
            letter = sheet.cell(row=header_row, column=index + 1).column_letter
            width = sheet.column_dimensions[letter].width
            assert width >= max(len(w) for w in header.split()) + 1, (sheet.title, header)
            assert width <= exports.xlsx.MAX_WIDTH + 2
            dated = header.startswith("Date") or header in ("Échéance", "Fait le")
            if dated and len(rows) > header_row:  # a date under the header
                assert width >= 11, (sheet.title, header)
        # print set-up: A4, fitted to the width, the header row on every page
        assert sheet.page_setup.paperSize == 9
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.page_setup.fitToWidth in (None, 1)  # 1 is the default, left out
        assert sheet.page_setup.fitToHeight == 0
        assert sheet.print_title_rows == f"${header_row}:${header_row}"
        assert sheet.freeze_panes == f"A{header_row + 1}"
    people = wb["Personnes"]
    birth = next(c for c in people[8] if c.value is not None and c.is_date)
    assert birth.number_format == "dd/mm/yyyy"
    tasks = wb["Tâches"]
    rows = table(tasks)
    hour = rows[0].index("Heure")
    [cell] = [tasks.cell(row=7 + i, column=hour + 1) for i, r in enumerate(rows) if r[5] == "RDV"]
    assert cell.value == time(14, 30) and cell.number_format == "hh:mm"
    due = rows[0].index("Échéance")
    assert tasks.cell(row=8, column=due + 1).number_format == "dd/mm/yyyy"


def test_json_export_and_cli(workspace, tmp_path: Path, capsys) -> None:
    fill(workspace)
    folder = workspace.data_dir
    workspace.close()
    code = main(
        [
            "--data-dir",
            str(folder),
            "export",
            "--format",
            "json",
            "--output",
            str(tmp_path / "e.json"),
        ]
    )
    assert code == 0
    data = json.loads((tmp_path / "e.json").read_text())
    assert set(data) == {"people", "interviews", "stages", "orientations", "outcomes", "tasks"}
    assert data["people"][0]["family_name"] == "Diallo"
    assert data["interviews"][0]["on"] == "2014-01-06"
    code = main(["--data-dir", str(folder), "export", "--format", "xlsx"])
    out = capsys.readouterr().out
    assert code == 0 and "exports" in out
    written = list((folder / "exports").glob("*.xlsx"))
    assert len(written) == 1 and stat.S_IMODE(written[0].stat().st_mode) == 0o600


def test_places_are_exported_as_the_reference_names_them_with_their_status(workspace, tmp_path):
    """Issue #11: a QPV stored by key, an unconfirmed row, a neighbourhood that left the
    map, text the reference does not know, an older partner name."""
    rows = [
        Person(family_name="A", first_name="a", commune_insee="14118", commune="Caen", qpv="chemin-vert"),
        Person(family_name="B", first_name="b", commune="HEROUVILLE ST CLAIR", qpv="herouville"),
        Person(family_name="C", first_name="c", commune="Colombelles", qpv="Colombelles (nom du QPV inconnu)"),
        Person(family_name="D", first_name="d", commune_insee="autre", commune="Rennes", qpv="caen"),
    ]  # fmt: skip
    workspace.repo.save(*rows)
    workspace.repo.save(
        Orientation(person_id=rows[0].id, partner="Pôle emploi", on=date(2025, 1, 2))
    )
    (path,) = exports.export(workspace, "json", tmp_path / "export.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    people = {p["family_name"]: (p["commune"], p["qpv"]) for p in data["people"]}
    assert people == {
        "A": ("Caen", "Chemin Vert"),
        "B": (
            "Hérouville-Saint-Clair",
            "Hérouville (Grand Parc / Belles Portes / Val / Le Bois / Haute Folie / Grande Delle)"
            " (à confirmer)",
        ),
        "C": ("Colombelles", "Colombelles (nom du QPV inconnu) (hors carte 2024)"),
        "D": ("Rennes (hors Calvados)", "caen (non reconnu)"),
    }
    assert [o["partner"] for o in data["orientations"]] == ["France Travail"]


HOSTILE = ['=HYPERLINK("http://x";"clic")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "\t=1"]


def fill_hostile(ws) -> None:
    ws.repo.save(
        *(
            Person(family_name=f"Nom{n}", first_name=value, project_idea=value)
            for n, value in enumerate(HOSTILE)
        )
    )


def test_csv_cells_that_would_be_formulas_are_neutralised(workspace, tmp_path: Path) -> None:
    """Case 8 of issue #12 (OWASP CSV injection): names and free text starting with
    = + - @ or tab were written as they are; a spreadsheet would run them."""
    fill_hostile(workspace)
    exports.export(workspace, "csv", tmp_path / "export")
    raw = (tmp_path / "export" / "personnes.csv").read_text("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw), delimiter=";"))[1:]
    cells = [cell for row in rows for cell in row]
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    firsts = {row[4] for row in rows}  # the first name column
    assert '\'=HYPERLINK("http://x";"clic")' in firsts and "'@SUM(1)" in firsts
    assert "'-2+3" in firsts and "'+cmd|' /C calc'!A0" in firsts


def test_xlsx_holds_no_formula_whatever_the_text(workspace, tmp_path: Path) -> None:
    import zipfile

    from openpyxl import load_workbook

    fill_hostile(workspace)
    [path] = exports.export(workspace, "xlsx", tmp_path / "export.xlsx")
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    people = table(load_workbook(path)["Personnes"])[1:]
    assert {row[4] for row in people} >= {'=HYPERLINK("http://x";"clic")', "@SUM(1)"}


@pytest.mark.parametrize("umask", [0o000, 0o002, 0o022])
def test_exports_folder_is_owner_only_whatever_the_umask(tmp_path: Path, capsys, umask) -> None:
    """Case 11 of issue #12: `exports/` was created 0755 or 0777 under common umasks."""
    folder = tmp_path / "d"
    assert main(["--data-dir", str(folder), "demo", "--people", "3"]) == 0
    old = os.umask(umask)
    try:
        for fmt in ("csv", "xlsx"):
            assert main(["--data-dir", str(folder), "export", "--format", fmt]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((folder / "exports").stat().st_mode) == 0o700
    for path in (folder / "exports").rglob("*"):
        expected = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == expected, path
