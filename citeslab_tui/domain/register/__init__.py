"""Reading the legacy register (../../../shared/specs/legacy-register.md). Pure.

Input: the rows of the file as `(line number, cells)` (reading the file, its encoding,
delimiter and merged cells live in services/importer/reading.py). Output: a `RegisterParse`.

The header is the first row, within the first `HEADER_SEARCH_ROWS` rows, that names at
least Nom and Prénom (a title or empty rows above it are skipped and listed). Columns
are found by name through `text.match_key`: case, accents, spaces, punctuation ignored,
"1er" = "premier" ("Date 1er entretien"), and the usual variants of each name.

A row with a family name and a first name is a person: a value that cannot be read in
any other column is left empty and reported with its line, its column and the reason,
in French (`RegisterRow.warnings`), and the rest of the row goes in. Only a row lacking
a family name or a first name (a TOTAL line, a comment) is rejected (`Rejection`).

Value rules:
- Sexe or Civilité: F, Femme, Féminin, Mme, Madame, Mlle, Melle, Mademoiselle /
  H, Homme, Masculin, M, M., Mr, Monsieur (any case, dots ignored); blank, "?", "NC",
  "non précisé", "inconnu" = unknown.
- Dates: every form `text.parse_date` reads, and Excel serial numbers (41710 =
  12/03/2014) in date columns; a bare year in "Date de naissance" gives the birth year.
  The order of the numeric dates (jj/mm or mm/jj) is decided once for the whole file
  from its unambiguous dates (25/12/1980 is day first, 12/25/1980 month first); a file
  whose numeric dates are all ambiguous, or that has both kinds, raises
  `DateOrderNeeded` (the caller asks: `--date-order jj/mm|mm/jj`) instead of guessing
  row by row. Dates after today are refused (left empty, reported).
- Téléphone: `text.parse_phone`; a number of 9 digits (Excel drops the leading 0 of a
  number cell) gets its 0 back, 33 + 9 digits its +.
- Démarche, Étape, Issue: the words of the spec, any case, accents optional.
- Commune, Quartier, Lieu, Partenaire: kept as written here; services/importer/matching.py
  matches them to the reference tables (domain/places.py).
- An optional "Date orientation" column dates the orientation; without it the
  orientation is dated on the detection date, else the first interview, else the
  sensitization date (documented in docs/bilan.md), else it is not imported and a
  warning says so.

Modules: `columns` (the header and the columns), `cells` (one cell into a value, the
file's date order), `rows` (a data row into a `RegisterRow`). The names callers use
are re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.register.cells import (
    DATE_ORDER_OPTIONS,
    DAY_FIRST,
    MONTH_FIRST,
    DateOrderNeeded,
    decide_date_order,
    excel_serial,
)
from citeslab_tui.domain.register.columns import (
    COLUMN_LABELS,
    COLUMNS,
    DATE_COLUMNS,
    HEADER_SEARCH_ROWS,
    find_header,
    header_key,
    is_blank,
)
from citeslab_tui.domain.register.rows import RegisterParse, RegisterRow, Rejection, parse_row

__all__ = [
    "COLUMNS",
    "COLUMN_LABELS",
    "DATE_COLUMNS",
    "DATE_ORDER_OPTIONS",
    "DAY_FIRST",
    "HEADER_SEARCH_ROWS",
    "MONTH_FIRST",
    "DateOrderNeeded",
    "Rejection",
    "RegisterParse",
    "RegisterRow",
    "decide_date_order",
    "excel_serial",
    "find_header",
    "header_key",
    "parse_register",
    "parse_row",
]


def parse_register(
    rows: Iterable[tuple[int, Sequence[str]]],
    *,
    today: date,
    date_order: str | None = None,
) -> RegisterParse:
    """All rows of a register; raises ValidationError if it is not a register, and
    DateOrderNeeded when the order of its dates must be given (`date_order`)."""
    rows = list(rows)
    if all(is_blank(cells) for _line, cells in rows):
        raise ValidationError("Le fichier est vide : aucune ligne à importer.")
    header = find_header(rows)
    if header is None:
        raise ValidationError(
            "Ce fichier n'est pas un registre : aucune ligne des "
            f"{HEADER_SEARCH_ROWS} premières ne nomme les colonnes « Nom » et « Prénom »."
        )
    index, columns, unknown = header
    skipped = [line for line, cells in rows[:index] if not is_blank(cells)]
    data = [(line, cells) for line, cells in rows[index + 1 :] if not is_blank(cells)]
    order, reason = decide_date_order(data, columns, date_order)
    parsed: list[RegisterRow] = []
    rejections: list[Rejection] = []
    for line, cells in data:
        try:
            parsed.append(
                parse_row(line, cells, columns, today=today, date_order=order or DAY_FIRST)
            )
        except ValidationError as exc:
            rejections.append(Rejection(line, exc.message.rstrip(".") + "."))
    return RegisterParse(
        header_line=rows[index][0],
        columns=columns,
        unknown_columns=unknown,
        rows=parsed,
        rejections=rejections,
        rows_read=len(data),
        skipped_lines=skipped,
        date_order=order,
        date_order_reason=reason,
    )
