"""Import of the legacy register (CSV or XLSX): read, plan, confirm, write once.

`prepare(ws, path)` reads the file and returns an `ImportPlan` (the summary and
the records to write) without writing anything; `apply(ws, plan)` writes them
in one durable save (`repo.transaction()`).

Reading: `.xlsx` (zip signature) through openpyxl, first sheet, a vertically merged
range (a site written once for several rows) read as its value on each of its rows;
anything else is text: UTF-8 (with or without BOM), else Windows-1252; the delimiter
(`;`, `,` or tab) is the one that gives a header row with both Nom and Prénom columns.
Binary files, PDFs and empty files are refused with a French sentence.

Places and partners: each Commune, Quartier, Lieu and Partenaire value is matched to the
reference (domain/places.py: aliases, "St"/"Ste", the office's correspondances.csv; a
neighbourhood written as a town with a single QPV means that QPV). A value that matches
nothing is kept as written (the bilan counts an unknown commune or QPV as unknown) and
listed with its count in the summary; once the office maps it in correspondances.csv,
the next import of the same file puts the reference entry in its place.

Duplicates: rows of the file with the same name and birth date, or the same
phone, are one person (the first row gives the identity; later rows fill its
blanks and add their events). A row also matches a person already in the
database by `legacy_key` (a re-import), else by name + birth date, else by
phone; then only the events and blank fields it brings are added, so importing
the same file twice adds nothing the second time.

Modules: `reading` (the file), `matching` (rows and the database, the reference),
`plan` (what will be written, its summary), `planning` (`prepare`, `apply`), `mapping`
(the office's correspondances file). The names callers use are re-exported here.
"""

from citeslab_tui.services.importer.mapping import write_mapping_template
from citeslab_tui.services.importer.plan import ImportPlan
from citeslab_tui.services.importer.planning import apply, plan_rows, prepare
from citeslab_tui.services.importer.reading import read_rows, read_text_rows, read_xlsx_rows

__all__ = [
    "ImportPlan",
    "apply",
    "plan_rows",
    "prepare",
    "read_rows",
    "read_text_rows",
    "read_xlsx_rows",
    "write_mapping_template",
]
