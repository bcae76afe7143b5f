"""The bilan files (CSV and XLSX) hold no formula, whatever the text typed by staff.

Issue #12 neutralised the office export (OWASP CSV injection); the bilan's own CSV
and XLSX were left: a partner, a site or a commune typed as `=HYPERLINK(...)` reached
a cell as written (a formula cell in the XLSX, a bare `=` in the CSV).
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from pathlib import Path

from citeslab_tui.domain.bilan import Period
from citeslab_tui.domain.models import Interview, Orientation, Person
from citeslab_tui.services import reports

HOSTILE_SITE = '=HYPERLINK("http://x";"site")'
HOSTILE_PARTNER = '=HYPERLINK("http://x";"clic")'
HOSTILE_PLACES = ["+cmd|' /C calc'!A0", "@SUM(1)", "-2+3"]
PERIOD = Period(date(2024, 9, 1), date(2025, 8, 31))


def fill(ws) -> None:
    people = [
        Person(family_name=f"Nom{n}", first_name="A", commune=value, first_site=HOSTILE_SITE)
        for n, value in enumerate(HOSTILE_PLACES)
    ]
    ws.repo.save(*people)
    ws.repo.save(
        *(Interview(person_id=p.id, on=date(2024, 10, 1), site=HOSTILE_SITE) for p in people),
        *(
            Orientation(person_id=p.id, partner=HOSTILE_PARTNER, on=date(2024, 10, 2))
            for p in people
        ),
    )


def test_bilan_csv_cells_that_would_be_formulas_are_neutralised(workspace, tmp_path: Path) -> None:
    fill(workspace)
    bilan = reports.bilan_for(workspace, PERIOD, HOSTILE_SITE)
    assert bilan.indicators["received"] == 3  # the hostile text did reach the figures
    rows = list(
        csv.reader(io.StringIO(reports.render_csv(bilan).decode("utf-8-sig")), delimiter=";")
    )
    cells = [cell for row in rows for cell in row]
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert "'" + HOSTILE_PARTNER in cells  # shown as text, whole
    assert "'" + HOSTILE_SITE in cells


def test_bilan_xlsx_holds_no_formula_whatever_the_text(workspace, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    fill(workspace)
    bilan = reports.bilan_for(workspace, PERIOD, HOSTILE_SITE)
    [xlsx, _pdf, _csv] = reports.write_report_files(bilan, tmp_path)
    with zipfile.ZipFile(xlsx) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            assert b"<f>" not in data and b"<f " not in data, name
    book = load_workbook(xlsx)
    values = {c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row}
    assert HOSTILE_PARTNER in values and HOSTILE_SITE in values  # text cells, as typed
