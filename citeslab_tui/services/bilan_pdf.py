"""The bilan on one A4 page (fpdf2, pure Python): structure and period, the indicators
(each number on the line of its label, so a text extraction reads them back), the
funnel drawn as bars, the breakdowns, the data-quality lines, the definitions.

The font is DejaVu Sans (shipped in data/fonts with its licence): every French
character and any name typed by staff is drawn, never replaced by "?".
"""

from __future__ import annotations

from collections.abc import Container
from datetime import datetime

from citeslab_tui.domain import text
from citeslab_tui.domain.bilan import (
    INDICATOR_KEYS,
    INDICATOR_LABELS,
    SHARE_KEYS,
    Bilan,
    change_label,
    quality_lines,
    report_funnel,
    structure_caption,
    value_label,
)
from citeslab_tui.resources import data_file

FONT = "DejaVu"
PAGE_WIDTH = 210.0  # A4 portrait, millimetres
PAGE_HEIGHT = 297.0
MARGIN = 12.0
BOTTOM = PAGE_HEIGHT - 10.0  # nothing is drawn below: the bilan holds on one page
BLUE = (46, 117, 182)
GREY = (90, 90, 90)
ROWS_PER_BREAKDOWN = 7  # longer breakdowns end with "Autres (n)"
DEFINITIONS = (
    "Définitions : chaque indicateur compte des personnes distinctes dont l'événement "
    "est daté dans la période (bornes incluses). Sensibilisées : personnes sensibilisées "
    "et participants aux actions collectives ; reçus : au moins un entretien individuel ; "
    "détectés, Émergence : étape franchie dans la période ; créations et sorties "
    "positives (retour à l'emploi ou entrée en formation) : issues datées de la période. "
    "Les parts sont calculées sur les valeurs connues."
)
# the breakdowns of the page, in two columns
LEFT = ("received_by_gender", "received_by_approach", "received_by_site")
RIGHT = ("received_by_commune", "received_by_neighbourhood", "oriented_by_partner")
BREAKDOWN_TITLES = {
    "received_by_gender": "Reçus par sexe",
    "received_by_approach": "Reçus par démarche",
    "received_by_commune": "Reçus par commune",
    "received_by_neighbourhood": "Reçus par quartier (QPV)",
    "received_by_site": "Reçus par site",
    "oriented_by_partner": "Orientés par partenaire",
}


MISSING_GLYPH = "\u25a1"  # □: a character the font cannot draw (an emoji typed in a name)


def _drawable(value: str, glyphs: Container[int]) -> str:
    """Text as the page can show it: control and invisible characters made visible
    (`text.visible`: ESC -> ␛), a character the font lacks as □ (never a blank)."""
    shown = text.visible(value).replace("\n", " ").replace("\t", " ")
    if all(ord(c) in glyphs for c in shown):
        return shown
    return "".join(c if ord(c) in glyphs else MISSING_GLYPH for c in shown)


def render_pdf(bilan: Bilan, generated: datetime | None = None) -> bytes:
    """The one-page PDF's bytes."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos
    from fpdf.fonts import TTFFont

    generated = generated or datetime.now()
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.add_font(FONT, "", str(data_file("fonts/DejaVuSans.ttf")))
    pdf.add_font(FONT, "B", str(data_file("fonts/DejaVuSans-Bold.ttf")))
    font = pdf.fonts[FONT.lower()]
    assert isinstance(font, TTFFont)
    glyphs: Container[int] = font.cmap  # what the font can draw
    title = f"Bilan CitésLab {bilan.period.label}"
    pdf.set_title(title)
    pdf.set_creator("citeslab-tui")
    pdf.add_page()
    width = PAGE_WIDTH - 2 * MARGIN

    def line(
        label: str, *cells: str, size: float = 9, bold: bool = False, widths: tuple[float, ...]
    ) -> None:
        """One line: a label then right-aligned cells, all on the same baseline."""
        pdf.set_font(FONT, "B" if bold else "", size)
        pdf.cell(widths[0], size * 0.5, label, new_x=XPos.RIGHT, new_y=YPos.TOP)
        for cell, cell_width in zip(cells, widths[1:], strict=True):
            pdf.cell(cell_width, size * 0.5, cell, align="R", new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.ln(size * 0.5)

    # --- head
    pdf.set_font(FONT, "B", 15)
    pdf.cell(width, 8, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*GREY)
    stamp = f"{text.format_date(generated.date())} à {generated:%H:%M}"
    label, structure = structure_caption(bilan)
    pdf.multi_cell(
        width,
        4.5,
        _drawable(
            f"{label} : {structure} · Site : {bilan.site or 'tous les sites'} · Généré le {stamp}",
            glyphs,
        ),
        align="L",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)

    # --- indicators
    previous = bilan.previous
    if previous is not None:
        widths: tuple[float, ...] = (82.0, 22.0, 34.0, 44.0)
        header: tuple[str, ...] = ("Nombre", "Un an plus tôt", "Évolution")
        pdf.set_font(FONT, "", 8.5)
        pdf.cell(
            width,
            4.5,
            f"Comparé aux mêmes dates un an plus tôt : {previous.period.label}",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    else:
        widths = (82.0, 22.0)
        header = ("Nombre",)
    pdf.set_fill_color(221, 235, 247)
    pdf.rect(MARGIN, pdf.get_y(), sum(widths), 5.5, style="F")
    line("Indicateur", *header, bold=True, widths=widths)
    pdf.ln(0.5)
    for key in INDICATOR_KEYS:
        label = ("    " if key.startswith("positive_exits_") else "") + INDICATOR_LABELS[key]
        cells = [text.format_int(bilan.indicators[key])]
        if previous is not None:
            cells += [text.format_int(previous.indicators[key]), change_label(bilan, key)]
        line(label, *cells, bold=key in ("received", "created"), widths=widths)
    if bilan.collective_actions:
        pdf.set_font(FONT, "", 7.5)
        pdf.set_text_color(*GREY)
        pdf.cell(
            width,
            4,
            f"Sensibilisées : dont {text.format_int(bilan.sensitized_heads)} participant(s) à "
            f"{text.format_int(bilan.collective_actions)} action(s) collective(s).",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.set_text_color(0, 0, 0)
    pdf.ln(3)

    # --- funnel as bars
    pdf.set_font(FONT, "B", 10.5)
    pdf.cell(
        width,
        6,
        "Entonnoir : sensibilisés → reçus → détectés → Émergence → créations",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    steps = report_funnel(bilan)
    top = max([count for _label, count in steps] + [1])
    bar_width = width - 30 - 20
    pdf.set_fill_color(*BLUE)
    for label, count in steps:
        y = pdf.get_y()
        pdf.set_font(FONT, "", 9)
        pdf.cell(30, 5.5, label, new_x=XPos.RIGHT, new_y=YPos.TOP)
        length = bar_width * count / top
        if count:
            pdf.rect(MARGIN + 30, y + 0.8, max(length, 0.6), 3.9, style="F")
        pdf.set_x(MARGIN + 30 + length + 1.5)
        pdf.cell(20, 5.5, text.format_int(count), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)

    # --- breakdowns in two columns
    top_y = pdf.get_y()
    column_width = (width - 6) / 2
    bottoms = []
    for index, keys in enumerate((LEFT, RIGHT)):
        x = MARGIN + index * (column_width + 6)
        pdf.set_xy(x, top_y)
        for key in keys:
            _breakdown(pdf, bilan, key, x, column_width, glyphs)
        bottoms.append(pdf.get_y())
    pdf.set_xy(MARGIN, max(bottoms) + 1)

    # --- data quality, then the definitions (the page's end; nothing goes past it)
    pdf.set_font(FONT, "B", 9.5)
    pdf.cell(width, 5.5, "Qualité des données", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 7.5)
    definitions_height = 3.4 * 4 + 2
    for sentence in quality_lines(bilan):
        if pdf.get_y() + 7 > BOTTOM - definitions_height:
            pdf.cell(width, 3.4, "(suite dans le fichier Excel)", new_x=XPos.LMARGIN)
            pdf.ln(3.4)
            break
        pdf.multi_cell(
            width,
            3.4,
            _drawable(f"• {sentence}", glyphs),
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    pdf.set_y(max(pdf.get_y() + 2, BOTTOM - definitions_height))
    pdf.set_font(FONT, "", 7)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(width, 3.2, DEFINITIONS, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def _breakdown(
    pdf: object, bilan: Bilan, key: str, x: float, width: float, glyphs: Container[int]
) -> None:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    assert isinstance(pdf, FPDF)
    with_share = key in SHARE_KEYS
    shares = bilan.shares(key) if with_share else {}
    items = list(bilan.breakdowns[key].items())
    if len(items) > ROWS_PER_BREAKDOWN:
        items.sort(key=lambda item: -item[1])
        rest = items[ROWS_PER_BREAKDOWN - 1 :]
        items = items[: ROWS_PER_BREAKDOWN - 1]
        items.append((f"Autres ({len(rest)})", sum(count for _name, count in rest)))
    pdf.set_x(x)
    pdf.set_font(FONT, "B", 9)
    pdf.cell(width, 5, BREAKDOWN_TITLES[key], new_x=XPos.LEFT, new_y=YPos.NEXT)
    count_width, share_width = 14.0, 18.0
    label_width = width - count_width - share_width
    pdf.set_font(FONT, "", 8)
    for value, count in items:
        pdf.set_x(x)
        label = _drawable(value_label(value), glyphs)
        while pdf.get_string_width(label) > label_width - 1 and len(label) > 4:
            label = label[:-2] + "…"  # cut to its column, marked as cut
        pdf.cell(label_width, 3.8, label, new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.cell(count_width, 3.8, text.format_int(count), align="R", new_x=XPos.RIGHT)
        share = shares.get(value)
        pdf.cell(
            share_width,
            3.8,
            text.format_percent(share).replace(",00", "") if share is not None else "",
            align="R",
            new_x=XPos.LEFT,
            new_y=YPos.NEXT,
        )
    pdf.ln(1.5)
