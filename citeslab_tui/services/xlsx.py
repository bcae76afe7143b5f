"""Workbooks written with XlsxWriter, the way an office opens them without fixing them:
a title block on every sheet (what, structure, period, site, generated on), a bold header
row repeated on every printed page and frozen on screen, column widths from the content
(capped), real dates (jj/mm/aaaa), times (hh:mm) and percentages (0,0 %), A4 fitted to
the page width.

Every text is written as a text cell (`write_string`): a name typed as `=HYPERLINK(...)`
is shown, never run. XlsxWriter is imported here only, when a workbook is written.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, TYPE_CHECKING

from citeslab_tui.domain import text

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

MAX_WIDTH = 50  # characters: a longer text wraps on screen instead of widening the sheet
MIN_WIDTH = 6
DATE_FORMAT = "dd/mm/yyyy"  # shown jj/mm/aaaa by a French spreadsheet
TIME_FORMAT = "hh:mm"
PERCENT_FORMAT = "0.0 %"  # 0.5636 shown 56,4 % by a French spreadsheet
PAPER_A4 = 9
# A cell holding a date or a time: the width its format needs
_TYPED_WIDTHS = {date: 10, datetime: 16, time: 5}
Cell = str | int | float | bool | date | time | None


def open_workbook(target: Path | IO[bytes], *, constant_memory: bool = False) -> Workbook:
    """A workbook writing `target` (a file's name, or a BytesIO); `constant_memory`:
    each row is flushed to disk once the next begins (the big data export)."""
    from xlsxwriter.workbook import Workbook

    options: dict[str, object] = {
        "constant_memory": constant_memory,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }
    if not isinstance(target, Path):
        options["in_memory"] = True
    return Workbook(str(target) if isinstance(target, Path) else target, options)


@dataclass
class Formats:
    """The cell formats of one workbook."""

    title: Format
    info: Format
    header: Format
    date: Format
    time: Format
    percent: Format
    wrap: Format
    bold: Format
    note: Format

    @classmethod
    def of(cls, book: Workbook) -> Formats:
        return cls(
            title=book.add_format({"bold": True, "font_size": 14}),
            info=book.add_format({"font_color": "#404040"}),
            header=book.add_format(
                {
                    "bold": True,
                    "bottom": 1,
                    "bg_color": "#DDEBF7",
                    "text_wrap": True,
                    "valign": "bottom",
                }
            ),
            date=book.add_format({"num_format": DATE_FORMAT, "align": "left"}),
            time=book.add_format({"num_format": TIME_FORMAT, "align": "left"}),
            percent=book.add_format({"num_format": PERCENT_FORMAT}),
            wrap=book.add_format({"text_wrap": True}),
            bold=book.add_format({"bold": True}),
            note=book.add_format({"italic": True, "font_color": "#404040"}),
        )


@dataclass
class TitleBlock:
    """What a sheet is, said on its first rows: title, structure, period, site, date."""

    title: str
    structure: str
    period: str
    site: str
    generated: datetime = field(default_factory=datetime.now)
    structure_label: str = "Structure"

    def lines(self) -> list[str]:
        stamp = f"{text.format_date(self.generated.date())} à {self.generated:%H:%M}"
        return [
            f"{self.structure_label} : {self.structure or 'non renseignée'}",
            f"Période : {self.period}",
            f"Site : {self.site}",
            f"Généré le {stamp}",
        ]


def write_title(sheet: Worksheet, formats: Formats, block: TitleBlock, heading: str) -> int:
    """The title block on the first rows; returns the first free row (after a blank)."""
    sheet.set_row(0, 20)
    sheet.write_string(
        0, 0, f"{block.title} — {heading}" if heading else block.title, formats.title
    )
    for row, line in enumerate(block.lines(), start=1):
        sheet.write_string(row, 0, line, formats.info)
    return len(block.lines()) + 2


def _two_lines(header: str) -> int:
    """The narrowest width (at least MIN_WIDTH) that shows `header` on two lines."""
    width = max([MIN_WIDTH, *(len(word) for word in header.split())])
    while len(textwrap.wrap(header, width)) > 2:
        width += 1
    return width


class Widths:
    """Column widths from the content seen, header included, capped at MAX_WIDTH."""

    def __init__(self, headers: Sequence[str]) -> None:
        # a header may wrap on two lines (the header row is two lines tall)
        self.widths = [_two_lines(h) for h in headers]

    def see(self, column: int, value: Cell) -> None:
        if value is None:
            return
        width = _TYPED_WIDTHS.get(type(value))
        if width is None:
            if isinstance(value, float):
                width = len(f"{value:.2f}")
            else:
                width = max((len(line) for line in str(value).splitlines()), default=0)
        if width > self.widths[column]:
            self.widths[column] = min(width, MAX_WIDTH)

    def apply(self, sheet: Worksheet) -> None:
        for column, width in enumerate(self.widths):
            sheet.set_column(column, column, width + 2)  # +2: the cell's margins


ROW_HEIGHT = 15  # points, one line of text


def write_row(
    sheet: Worksheet, formats: Formats, widths: Widths, row: int, values: Sequence[Cell]
) -> None:
    """One row of values (see `write_cell`); a text longer than MAX_WIDTH wraps in its
    capped column and the row is made tall enough for it (spreadsheets do not grow a
    row by themselves when opening a file)."""
    lines = 1
    seen = widths.widths
    write_string = sheet.write_string
    for column, value in enumerate(values):
        if value is None or value == "":
            continue
        if type(value) is str:  # most cells: the fast path (the export's 500,000 cells)
            if len(value) > seen[column] or "\n" in value:
                widths.see(column, value)
            if len(value) > MAX_WIDTH:
                lines = max(lines, len(textwrap.wrap(value, MAX_WIDTH + 1)))
                write_string(row, column, value, formats.wrap)
            else:
                write_string(row, column, value)
        else:
            widths.see(column, value)
            write_cell(sheet, formats, row, column, value)
    if lines > 1:
        sheet.set_row(row, ROW_HEIGHT * lines)


def write_header(sheet: Worksheet, formats: Formats, row: int, headers: Sequence[str]) -> None:
    """The header row: bold, wrapped, repeated at the top of every printed page, frozen."""
    sheet.set_row(row, ROW_HEIGHT * 2)
    for column, header in enumerate(headers):
        sheet.write_string(row, column, header, formats.header)
    sheet.repeat_rows(row)
    sheet.freeze_panes(row + 1, 0)


def write_cell(sheet: Worksheet, formats: Formats, row: int, column: int, value: Cell) -> None:
    """One value by its type: text as text, number, date, time; None leaves it empty."""
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_string(row, column, "Oui" if value else "Non")
    elif isinstance(value, int | float):
        sheet.write_number(row, column, value)
    elif isinstance(value, datetime):
        sheet.write_datetime(row, column, value, formats.date)
    elif isinstance(value, date):
        sheet.write_datetime(row, column, value, formats.date)
    elif isinstance(value, time):
        sheet.write_datetime(row, column, value, formats.time)
    else:
        sheet.write_string(row, column, str(value))


def print_setup(sheet: Worksheet, *, landscape: bool = False) -> None:
    """A4, fitted to the page width (as many pages down as needed), page numbers."""
    sheet.set_paper(PAPER_A4)
    if landscape:
        sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    sheet.set_footer("&CPage &P / &N")


def close_workbook(book: Workbook) -> None:
    """Finish the file; a failed write (a full disk) is raised as the OSError it is, for
    `store.files` to say it in French. XlsxWriter's zip archive, left half-written,
    would complain again when collected ("Exception ignored ..." on the console):
    collected here, silently."""
    import gc
    import sys

    from xlsxwriter.exceptions import FileCreateError

    failure: OSError | None = None
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _unraisable: None
    try:
        try:
            book.close()
        except FileCreateError as exc:
            cause = exc.args[0] if exc.args else None
            errno = cause.errno if isinstance(cause, OSError) else None
            # a new error: the original's traceback holds the half-written archive
            failure = OSError(errno, str(cause))
            del cause
        gc.collect()
    finally:
        sys.unraisablehook = hook
    if failure is not None:
        raise failure


def parse_time(value: object) -> time | str | None:
    """ "HH:MM" as a time (a real time cell); anything else as it is."""
    if not isinstance(value, str) or not value:
        return None if value in (None, "") else str(value)
    try:
        return time.fromisoformat(value)
    except ValueError:
        return value
