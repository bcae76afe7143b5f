"""The bilan's files as a funder opens them (issue #15): XLSX read back (widths,
number formats, title blocks, print set-up, charts), the one-page PDF read back by a
text extraction, the comparison with one year earlier."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest

from citeslab_tui.demo import generate
from citeslab_tui.domain.bilan import INDICATOR_LABELS, Period
from citeslab_tui.services import reports

PERIOD = Period(date(2024, 9, 1), date(2025, 8, 31))
TODAY = date(2025, 11, 30)


@pytest.fixture
def filled(workspace):
    generate(workspace, 150, seed=3, today=TODAY)
    return workspace


def test_bilan_xlsx_opens_without_fixing(filled, tmp_path: Path) -> None:
    """Issue #15: shares 56,36 in a "Part (%)" column, breakdown sheets without title,
    period or structure and headed "Valeur", long QPV labels cut, no chart."""
    from openpyxl import load_workbook

    bilan = reports.bilan_for(filled, PERIOD)
    [path, pdf, _csv] = reports.write_report_files(bilan, tmp_path)
    assert pdf.suffix == ".pdf" and pdf.read_bytes().startswith(b"%PDF")
    book = load_workbook(path)
    for sheet in book.worksheets:
        rows = [r for r in sheet.iter_rows(values_only=True)]
        assert rows[0][0].startswith("Bilan CitésLab — ")
        assert rows[1][0] == "Structure : Mife du Calvados"
        assert rows[2][0] == "Période : du 01/09/2024 au 31/08/2025"
        assert rows[3][0] == "Site : tous les sites" and rows[4][0].startswith("Généré le ")
        assert sheet.page_setup.paperSize == 9 and sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
    gender = book["Par sexe"]
    rows = list(gender.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] == "Sexe")
    assert rows[header] == ("Sexe", "Nombre", "Part")
    women = rows[header + 1]
    assert women[0] == "Femmes" and 0 < women[2] < 1  # a fraction, shown as a percentage
    assert women[2] == pytest.approx(bilan.shares("received_by_gender")["F"] / 100)
    assert gender.cell(row=header + 2, column=3).number_format == "0.0 %"
    neighbourhoods = book["Par quartier"]
    rows = list(neighbourhoods.iter_rows(values_only=True))
    assert any(r[0] == "Quartier (QPV)" for r in rows)
    longest = max(len(r[0]) for r in rows[6:] if r[0])
    width = neighbourhoods.column_dimensions["A"].width
    assert width >= min(longest, 50)  # a long label wraps in a 50-wide column, never cut
    indicators = {
        r[0].strip(): r[1] for r in book["Indicateurs"].iter_rows(values_only=True) if r[0]
    }
    for key, label in INDICATOR_LABELS.items():
        assert indicators[label] == bilan.indicators[key]
    assert indicators["Reçus"] == bilan.indicators["received"]  # the funnel's figures
    # native charts: the funnel, the breakdowns by gender and by neighbourhood
    with zipfile.ZipFile(path) as archive:
        charts = sorted(n for n in archive.namelist() if n.startswith("xl/charts/chart"))
        kinds = [archive.read(n) for n in charts]
    assert len(charts) == 3
    assert b"<c:barChart>" in kinds[0] and b"Entonnoir" in kinds[0]
    assert b"<c:pieChart>" in kinds[1] and b"<c:barChart>" in kinds[2]


def _pdf_lines(path: Path) -> tuple[int, list[str]]:
    from pypdf import PdfReader

    reader = PdfReader(path)
    return len(reader.pages), [
        " ".join(line.split()) for page in reader.pages for line in page.extract_text().splitlines()
    ]


def test_pdf_bilan_is_one_a4_page_with_every_indicator(filled, tmp_path: Path, capsys) -> None:
    from pypdf import PdfReader

    from citeslab_tui.cli import main

    bilan = reports.bilan_for(filled, PERIOD)
    folder = filled.data_dir
    filled.close()
    output = tmp_path / "bilan.pdf"
    args = ["--data-dir", str(folder), "report", "--from", "2024-09-01", "--to", "2025-08-31"]
    assert main([*args, "--format", "pdf", "--output", str(output)]) == 0
    assert f"Bilan écrit : {output}" in capsys.readouterr().out
    pages, lines = _pdf_lines(output)
    assert pages == 1
    box = PdfReader(output).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    assert lines[0] == "Bilan CitésLab du 01/09/2024 au 31/08/2025"
    assert lines[1].startswith("Structure : Mife du Calvados · Site : tous les sites")
    for key, label in INDICATOR_LABELS.items():  # the number on its label's line
        assert f"{label} {bilan.indicators[key]}" in lines, label
    assert f"Reçus {bilan.indicators['received']}" in lines  # the funnel
    assert "Qualité des données" in lines and "Reçus par sexe" in lines
    assert any(line.startswith("Définitions : ") for line in lines)


def test_compare_shows_each_indicator_one_year_earlier(filled, tmp_path: Path, capsys) -> None:
    import json

    from citeslab_tui.cli import main

    now = reports.bilan_for(filled, PERIOD)
    before = reports.bilan_for(filled, Period(date(2023, 9, 1), date(2024, 8, 31)))
    assert now.indicators != before.indicators  # the demo data differ from year to year
    folder = filled.data_dir
    filled.close()
    args = ["--data-dir", str(folder), "report", "--from", "2024-09-01", "--to", "2025-08-31"]
    assert main([*args, "--compare", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["indicators"] == now.indicators  # unchanged: scripts keep working
    assert data["previous"] == {
        "period": {"from": "2023-09-01", "to": "2024-08-31"},
        "indicators": before.indicators,
    }
    assert main([*args, "--compare"]) == 0
    out = capsys.readouterr().out
    assert "Comparé à la même période un an plus tôt (du 01/09/2023 au 31/08/2024)" in out
    line = next(x for x in out.splitlines() if x.startswith("Porteurs de projet reçus"))
    difference = now.indicators["received"] - before.indicators["received"]
    assert line.split()[4:6] == [
        str(now.indicators["received"]),
        str(before.indicators["received"]),
    ]
    assert f"{'+' if difference > 0 else '−' if difference < 0 else ''}{abs(difference)}" in line
    pdf = tmp_path / "c.pdf"
    assert main([*args, "--compare", "--format", "pdf", "--output", str(pdf)]) == 0
    pages, lines = _pdf_lines(pdf)
    assert pages == 1
    created = next(x for x in lines if x.startswith("Entreprises créées "))
    assert created.split()[2:4] == [
        str(now.indicators["created"]),
        str(before.indicators["created"]),
    ]
    xlsx = tmp_path / "c.xlsx"
    assert main([*args, "--compare", "--format", "xlsx", "--output", str(xlsx)]) == 0
    from openpyxl import load_workbook

    rows = list(load_workbook(xlsx)["Indicateurs"].iter_rows(values_only=True))
    received = next(r for r in rows if r[0] == "Porteurs de projet reçus")
    assert received[1:4] == (
        now.indicators["received"],
        before.indicators["received"],
        difference,
    )


def test_year_earlier_of_29_february() -> None:
    from citeslab_tui.domain.bilan import year_earlier

    assert year_earlier(Period(date(2024, 2, 29), date(2024, 3, 31))) == Period(
        date(2023, 2, 28), date(2023, 3, 31)
    )


def test_a_name_the_font_cannot_draw_is_shown_as_a_box(workspace, tmp_path: Path) -> None:
    from citeslab_tui.services import bilan_pdf

    workspace.configure(structure="Mife 🚀 du Calvados", staff=["Céline"], device="t")
    bilan = reports.bilan_for(workspace, PERIOD)
    path = tmp_path / "b.pdf"
    path.write_bytes(bilan_pdf.render_pdf(bilan))
    _pages, lines = _pdf_lines(path)
    assert lines[1].startswith("Structure : Mife □ du Calvados")
    assert bilan_pdf._drawable("a\x1bb\u202ec", range(0x10000)) == "a␛b<U+202E>c"


def test_a_full_disk_during_the_xlsx_export_is_french_and_leaves_nothing(
    workspace, tmp_path: Path, monkeypatch, capfd
) -> None:
    """XlsxWriter's own FileCreateError reached the user as "Erreur inattendue", and its
    half-written zip printed "Exception ignored ... OSError" on the console."""
    import errno

    from xlsxwriter.workbook import Workbook

    from citeslab_tui.services import exports
    from citeslab_tui.store.errors import StoreError
    from citeslab_tui.store.files import temp_files

    real = Workbook._store_workbook

    def full(self) -> None:
        real(self)  # the archive written, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Workbook, "_store_workbook", full)
    target = tmp_path / "export.xlsx"
    with pytest.raises(StoreError, match="le disque est plein"):
        exports.export(workspace, "xlsx", target)
    assert not target.exists() and not temp_files(tmp_path)
    assert "Exception ignored" not in capfd.readouterr().err


@pytest.mark.parametrize("fmt", ["xlsx", "pdf", "csv", "json", "text"])
def test_an_empty_period_is_one_french_sentence_and_no_file(filled, tmp_path, capsys, fmt) -> None:
    from citeslab_tui.cli import main

    folder = filled.data_dir
    filled.close()
    output = tmp_path / f"vide.{fmt}"
    args = ["--data-dir", str(folder), "report", "--from", "2001-01-01", "--to", "2001-12-31"]
    code = main([*args, "--format", fmt, "--output", str(output)])
    out, err = capsys.readouterr()
    assert code == 1 and not output.exists() and out == ""
    assert err.strip() == (
        "Erreur : Aucune activité enregistrée du 01/01/2001 au 31/12/2001 : aucun bilan "
        "écrit (vérifiez les dates, le site ou le dossier des données)."
    )


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_a_folder_that_cannot_be_written_is_one_french_sentence(
    filled, tmp_path, capsys, fmt
) -> None:
    from citeslab_tui.cli import main

    folder = filled.data_dir
    filled.close()
    blocker = tmp_path / "fichier"  # a file where the folder should be (even root fails)
    blocker.write_bytes(b"x")
    args = ["--data-dir", str(folder), "report", "--from", "2024-09-01", "--to", "2025-08-31"]
    code = main([*args, "--format", fmt, "--output", str(blocker / f"b.{fmt}")])
    out, err = capsys.readouterr()
    assert code == 1 and out == "" and len(err.strip().splitlines()) == 1
    assert err.startswith(f"Erreur : Impossible d'écrire {blocker / f'b.{fmt}'} : ")
    assert blocker.read_bytes() == b"x"
