"""The bilan as an XLSX workbook (XlsxWriter): indicators with the funnel chart, one
sheet per breakdown (charts by gender and by neighbourhood), the data-quality lines.

Numbers are numbers, shares real percentages (0,5636 shown 56,4 %), every text a text
cell; every sheet opens with its title block and prints on A4 fitted to the width.
"""

from __future__ import annotations

import io
import textwrap
from typing import TYPE_CHECKING

from citeslab_tui.domain.bilan import (
    BREAKDOWN_KEYS,
    BREAKDOWN_LABELS,
    INDICATOR_KEYS,
    INDICATOR_LABELS,
    SHARE_KEYS,
    Bilan,
    quality_lines,
    report_funnel,
    structure_caption,
    value_label,
)
from citeslab_tui.services import xlsx

if TYPE_CHECKING:
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

POSITIVE_EXITS_NOTE = "Sorties positives = retour à l'emploi ou entrée en formation."
QUALITY_TITLE = "Qualité des données"
QUALITY_WIDTH = 90  # characters of the quality sheet's one column
# the first column's header of each breakdown sheet: what its rows are
VALUE_HEADERS = {
    "received_by_gender": "Sexe",
    "received_by_approach": "Démarche",
    "received_by_commune": "Commune",
    "received_by_neighbourhood": "Quartier (QPV)",
    "received_by_site": "Site",
    "oriented_by_partner": "Partenaire",
}
CHARTS = {
    "received_by_gender": ("pie", "Personnes reçues par sexe"),
    "received_by_neighbourhood": ("bar", "Personnes reçues par quartier"),
}
BAR_COLOUR = "#2E75B6"


def sheet_title(key: str) -> str:
    return BREAKDOWN_LABELS[key].replace("Reçus par ", "Par ")[:31]


def title_block(bilan: Bilan) -> xlsx.TitleBlock:
    label, structure = structure_caption(bilan)
    return xlsx.TitleBlock(
        "Bilan CitésLab",
        structure,
        bilan.period.label,
        bilan.site or "tous les sites",
        structure_label=label,
    )


def render_xlsx(bilan: Bilan) -> bytes:
    """The workbook's bytes (small: written in memory, then by `write_private`)."""
    out = io.BytesIO()
    book = xlsx.open_workbook(out)
    build(book, bilan)
    xlsx.close_workbook(book)
    return out.getvalue()


def build(book: Workbook, bilan: Bilan) -> None:
    formats = xlsx.Formats.of(book)
    block = title_block(bilan)
    _indicators(book, formats, block, bilan)
    for key in BREAKDOWN_KEYS:
        _breakdown(book, formats, block, bilan, key)
    _quality(book, formats, block, bilan)


def _indicators(
    book: Workbook, formats: xlsx.Formats, block: xlsx.TitleBlock, bilan: Bilan
) -> None:
    sheet = book.add_worksheet("Indicateurs")
    row = xlsx.write_title(sheet, formats, block, "Indicateurs")
    compare = bilan.previous is not None
    headers = ["Indicateur", "Nombre"]
    if compare and bilan.previous is not None:
        headers += [f"Un an plus tôt ({bilan.previous.period.label})", "Évolution", "Évol. (%)"]
    widths = xlsx.Widths(headers)
    xlsx.write_header(sheet, formats, row, headers)
    for key in INDICATOR_KEYS:
        row += 1
        label = ("    " if key.startswith("positive_exits_") else "") + INDICATOR_LABELS[key]
        values: list[xlsx.Cell] = [label, bilan.indicators[key]]
        change = bilan.change(key)
        if change is not None and bilan.previous is not None:
            values += [bilan.previous.indicators[key], change[0]]
        xlsx.write_row(sheet, formats, widths, row, values)
        if change is not None and change[1] is not None:
            sheet.write_number(row, 4, change[1] / 100, formats.percent)
    row += 1
    sheet.write_string(row, 0, POSITIVE_EXITS_NOTE, formats.note)
    # the funnel: its figures, then its chart below them
    row += 2
    first = row + 1
    sheet.write_string(row, 0, "Entonnoir", formats.header)
    sheet.write_string(row, 1, "Nombre", formats.header)
    steps = report_funnel(bilan)
    for label, count in steps:
        row += 1
        xlsx.write_row(sheet, formats, widths, row, [label, count])
    widths.apply(sheet)
    chart = book.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": "Entonnoir",
            "categories": ["Indicateurs", first, 0, row, 0],
            "values": ["Indicateurs", first, 1, row, 1],
            "fill": {"color": BAR_COLOUR},
            "data_labels": {"value": True},
        }
    )
    _chart_style(chart, "Entonnoir : sensibilisés → reçus → détectés → Émergence → créations")
    chart.set_y_axis({"reverse": True})  # the first step on top
    sheet.insert_chart(row + 2, 0, chart, {"x_scale": 1.3, "y_scale": 1.0})
    xlsx.print_setup(sheet)


def _chart_style(chart: object, title: str) -> None:
    from xlsxwriter.chart import Chart

    assert isinstance(chart, Chart)
    chart.set_title({"name": title, "name_font": {"size": 11, "bold": True}})
    chart.set_legend({"none": True})


def _breakdown(
    book: Workbook, formats: xlsx.Formats, block: xlsx.TitleBlock, bilan: Bilan, key: str
) -> None:
    name = sheet_title(key)
    sheet = book.add_worksheet(name)
    row = xlsx.write_title(sheet, formats, block, BREAKDOWN_LABELS[key])
    with_share = key in SHARE_KEYS
    headers = [VALUE_HEADERS[key], "Nombre"] + (["Part"] if with_share else [])
    widths = xlsx.Widths(headers)
    xlsx.write_header(sheet, formats, row, headers)
    header_row = row
    shares = bilan.shares(key) if with_share else {}
    for value, count in bilan.breakdowns[key].items():
        row += 1
        xlsx.write_row(sheet, formats, widths, row, [value_label(value), count])
        share = shares.get(value)
        if share is not None:
            sheet.write_number(row, 2, share / 100, formats.percent)
        elif with_share and value not in shares:
            sheet.write_string(row, 2, "(non compté)", formats.note)
    if with_share:
        widths.see(2, "(non compté)")
    widths.apply(sheet)
    if with_share:
        sheet.write_string(row + 2, 0, "Parts calculées sur les valeurs connues.", formats.note)
    chart_kind = CHARTS.get(key)
    if chart_kind is not None and row > header_row:
        _breakdown_chart(book, sheet, name, chart_kind, header_row, row)
    xlsx.print_setup(sheet)


def _breakdown_chart(
    book: Workbook,
    sheet: Worksheet,
    name: str,
    chart_kind: tuple[str, str],
    header_row: int,
    last_row: int,
) -> None:
    kind, title = chart_kind
    chart = book.add_chart({"type": kind})
    series: dict[str, object] = {
        "name": title,
        "categories": [name, header_row + 1, 0, last_row, 0],
        "values": [name, header_row + 1, 1, last_row, 1],
        "data_labels": {"value": True},
    }
    if kind == "bar":
        series["fill"] = {"color": BAR_COLOUR}
    chart.add_series(series)
    _chart_style(chart, title)
    if kind == "pie":
        chart.set_legend({"position": "right"})
    else:
        chart.set_y_axis({"reverse": True})
    rows = last_row - header_row
    height = max(1.0, min(3.0, rows / 8))
    sheet.insert_chart(last_row + 4, 0, chart, {"x_scale": 1.3, "y_scale": height})


def _quality(book: Workbook, formats: xlsx.Formats, block: xlsx.TitleBlock, bilan: Bilan) -> None:
    sheet = book.add_worksheet(QUALITY_TITLE)
    row = xlsx.write_title(sheet, formats, block, QUALITY_TITLE)
    sheet.write_string(row, 0, QUALITY_TITLE, formats.bold)
    sheet.set_column(0, 0, QUALITY_WIDTH + 2)
    for line in quality_lines(bilan):
        row += 1
        sheet.write_string(row, 0, line, formats.wrap)
        lines = len(textwrap.wrap(line, QUALITY_WIDTH - 4))
        sheet.set_row(row, xlsx.ROW_HEIGHT * max(lines, 1) + 2)
    xlsx.print_setup(sheet)
