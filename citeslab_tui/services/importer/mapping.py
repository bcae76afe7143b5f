"""The office's correspondances file: values of a register that matched nothing, added
for the office to map (the next import of the same file then uses the mapping)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from citeslab_tui.domain import text
from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.services.importer.plan import MAPPING_TABLES, UNMATCHED_COLUMNS, ImportPlan
from citeslab_tui.services.importer.reading import decode
from citeslab_tui.services.workspace import Workspace


def write_mapping_template(ws: Workspace, plan: ImportPlan) -> tuple[Path, int]:
    """Add the values that matched nothing to the office's correspondances file, with
    an empty `reference` for the office to fill (lines left empty are ignored).
    Values already listed there are not added twice. Returns (file, lines added)."""
    from citeslab_tui.reference import ALIAS_COLUMNS
    from citeslab_tui.store.files import atomic_write, describe_os_error

    path = ws.reference.alias_file()
    assert path is not None
    existing: set[tuple[str, str]] = set()
    content = ""
    if path.exists():
        try:  # as the office saved it (UTF-8 or Windows-1252); rewritten in UTF-8
            content = decode(path.read_bytes()).lstrip("\ufeff")
        except (OSError, ValidationError):
            raise ValidationError(
                f"{path} illisible : corrigez-le ou déplacez-le, puis relancez."
            ) from None
        delimiter = ";" if content.split("\n", 1)[0].count(";") else ","
        for row in csv.DictReader(io.StringIO(content), delimiter=delimiter):
            existing.add(
                (text.fold(row.get("table") or ""), text.match_key(row.get("valeur") or ""))
            )
    else:
        delimiter = ";"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    if not content:
        writer.writerow(ALIAS_COLUMNS)
    added = 0
    for key in UNMATCHED_COLUMNS:
        table = MAPPING_TABLES[key]
        for value in sorted(plan.unmatched.get(key, {}), key=text.fold):
            if (text.fold(table), text.match_key(value)) in existing:
                continue
            writer.writerow([table, value, ""])
            added += 1
    if added:
        prefix = "" if not content or content.endswith("\n") else "\n"
        try:  # the whole file replaced at once: never half a line if the disk fills
            path.parent.mkdir(parents=True, exist_ok=True)
            # with a BOM: Excel then opens it with its accents
            atomic_write(path, ("\ufeff" + content + prefix + out.getvalue()).encode("utf-8"))
        except OSError as exc:
            raise ValidationError(describe_os_error(exc, f"Impossible d'écrire {path}")) from None
    return path, added
