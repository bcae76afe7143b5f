"""Reading a register file into rows `(line number, cells)`.

`.xlsx` (zip signature) through openpyxl, first sheet, a vertically merged range (a site
written once for several rows) read as its value on each of its rows; anything else is
text: UTF-8 (with or without BOM), else Windows-1252; the delimiter (`;`, `,` or tab) is
the one that gives a header row with both Nom and Prénom columns. Binary files, PDFs
and empty files are refused with a French sentence.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.register import find_header

MAX_BYTES = 200 * 1024 * 1024
NOT_A_REGISTER = "Ce fichier n'est pas un registre"


def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ValidationError(
            f"{NOT_A_REGISTER} : son encodage n'est ni UTF-8 ni Windows-1252."
        ) from None


def _csv_rows(content: str, delimiter: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    rows = []
    previous = 0
    try:
        for cells in reader:
            rows.append((previous + 1, cells))
            previous = reader.line_num
    except csv.Error:
        raise ValidationError(
            f"{NOT_A_REGISTER} lisible : ligne {previous + 1} illisible (guillemets mal "
            "fermés ou cellule démesurée)."
        ) from None
    return rows


def _header_has_names(rows: list[tuple[int, list[str]]]) -> tuple[bool, int]:
    if find_header(rows) is not None:
        return (True, 0)
    return (False, max((len(cells) for _line, cells in rows[:20]), default=0))


def read_text_rows(content: str) -> list[tuple[int, list[str]]]:
    """Rows of a CSV text, the delimiter detected from the header row."""
    head = "\n".join(content.splitlines()[:50])
    best: tuple[int, str] | None = None
    for delimiter in (";", "\t", ","):
        try:
            ok, width = _header_has_names(_csv_rows(head, delimiter))
        except ValidationError:
            continue
        if ok:
            return _csv_rows(content, delimiter)
        if best is None or width > best[0]:
            best = (width, delimiter)
    return _csv_rows(content, best[1] if best else ";")


def _xlsx_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)"')


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters.decode():
        index = index * 26 + ord(ch) - 64
    return index - 1


def _merged_ranges(workbook: Any, sheet: Any) -> list[tuple[int, int, int]]:
    """(column index, first row, last row) of the merged ranges of a sheet.

    openpyxl's fast read-only mode does not read merges: they are found in the sheet's
    XML (`<mergeCell ref="B5:C7"/>`, after the cells)."""
    try:
        data = workbook._archive.read(sheet._worksheet_path)
    except (AttributeError, KeyError, OSError):
        return []
    return [(_column_index(m[1]), int(m[2]), int(m[4])) for m in _MERGE.finditer(data)]


def read_xlsx_rows(path: Path) -> list[tuple[int, list[str]]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise ValidationError(f"{NOT_A_REGISTER} : classeur Excel illisible.") from None
    try:
        sheet = workbook.worksheets[0]
        rows = [
            (n, [_xlsx_cell(v) for v in values])
            for n, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)
        ]
        merges = _merged_ranges(workbook, sheet)
    finally:
        workbook.close()
    # a vertically merged range holds its value in its top cell: give it to every row
    for column, first, last in merges:
        if not 1 <= first <= len(rows) or column < 0:
            continue
        top = rows[first - 1][1]
        value = top[column] if column < len(top) else ""
        for number in range(first + 1, min(last, len(rows)) + 1):
            cells = rows[number - 1][1]
            cells.extend([""] * (column + 1 - len(cells)))
            if not cells[column]:
                cells[column] = value
    return rows


def read_rows(path: Path) -> list[tuple[int, list[str]]]:
    """(line number, cells) of a register file; French refusal when it is not one."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ValidationError(f"{NOT_A_REGISTER} : fichier trop gros ({size // 2**20} Mo).")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ValidationError(f"Fichier introuvable : {path}.") from None
    except IsADirectoryError:
        raise ValidationError(f"{path} est un dossier, pas un fichier.") from None
    except OSError as exc:
        raise ValidationError(
            f"Impossible de lire {path.name} ({exc.strerror or 'erreur système'})."
        ) from None
    if not data.strip():
        raise ValidationError("Le fichier est vide : aucune ligne à importer.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Texte Unicode" (UTF-16)
        try:
            return read_text_rows(data.decode("utf-16"))
        except UnicodeDecodeError:
            raise ValidationError(f"{NOT_A_REGISTER} : texte UTF-16 illisible.") from None
    if data.startswith(b"PK\x03\x04"):
        return read_xlsx_rows(path)
    if data.startswith(b"%PDF"):
        raise ValidationError(f"{NOT_A_REGISTER} : c'est un document PDF.")
    if b"\x00" in data[:65536]:
        raise ValidationError(
            f"{NOT_A_REGISTER} : c'est un fichier binaire (enregistrez le registre en CSV ou en .xlsx)."
        )
    content = decode(data)
    if not content.strip(" \t\r\n;,\"'"):
        raise ValidationError("Le fichier est vide : aucune ligne à importer.")
    return read_text_rows(content)
