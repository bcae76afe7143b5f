"""Exports for the office: people, interviews, stages, orientations, outcomes, tasks.

French headers; dates dd/mm/yyyy in CSV (real dates in XLSX, ISO in JSON).
- CSV: one file per table (UTF-8 with BOM for Excel, `;` separator) in a folder; a
  text cell starting with = + - @ tab or CR gets a leading `'` (OWASP "CSV
  injection": `=HYPERLINK(...)` typed as a name is shown, never run);
- XLSX: one workbook (XlsxWriter in constant-memory mode, see services/xlsx.py), one
  sheet per table under a title block; every text a text cell: the workbook holds no
  formula whatever the text; real dates and times, widths from the content;
- JSON: one object {table: [rows with English keys]} for scripts.
Every file is owner-only (0600 on POSIX): these files hold personal data.
Tombstoned records are not exported; erased people appear without identity.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from citeslab_tui.domain import text
from citeslab_tui.domain.display import noun, title
from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.places import Places
from citeslab_tui.domain.vocabulary import (
    Approach,
    Channel,
    Civility,
    OutcomeKind,
    Stage,
    TaskKind,
    TaskStatus,
    Vocabulary,
)
from citeslab_tui.services import xlsx
from citeslab_tui.services.reports import now_stamp
from citeslab_tui.services.workspace import Workspace
from citeslab_tui.store.files import write_private, write_private_via
from citeslab_tui.store.repository import Repository

LOGGER = logging.getLogger("citeslab.exports")
FORMATS = ("csv", "xlsx", "json")
Getter = Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class Column:
    key: str  # JSON key
    header: str  # French header
    get: Getter


def _field(name: str) -> Getter:
    return lambda d: d.get(name)


def _date_field(name: str) -> Getter:
    def get(d: dict[str, Any]) -> date | None:
        value = d.get(name)
        return date.fromisoformat(value) if value else None

    return get


def _label(vocabulary: type[Vocabulary], name: str) -> Getter:
    labels = {member.value: member.label for member in vocabulary}
    return lambda d: labels.get(d.get(name) or "", d.get(name) or "")


def _phone(d: dict[str, Any]) -> str:
    return text.format_phone(d.get("phone"))


def sheet_title(kind: str) -> str:
    """A table's title: the kind's plural noun ("Entretiens")."""
    plural = noun(kind, 2)
    return plural[:1].upper() + plural[1:]


def column(kind: str, name: str, get: Getter | None = None) -> Column:
    """A column of a record field, headed by the field's title in the model."""
    return Column(name, title(kind, name), get or _field(name))


PERSON_COLUMNS = [
    column("person", "id"),
    column("person", "civility", _label(Civility, "civility")),
    column("person", "family_name"),
    column("person", "usage_name"),
    column("person", "first_name"),
    column("person", "birth_date", _date_field("birth_date")),
    column("person", "birth_year"),
    column("person", "phone", _phone),
    column("person", "email"),
    column("person", "commune"),
    column("person", "qpv"),
    column("person", "situation"),
    column("person", "training_level"),
    column("person", "project_idea"),
    column("person", "sector"),
    column("person", "approach", _label(Approach, "approach")),
    column("person", "heard_from"),
    column("person", "first_site"),
    column("person", "notice_given_on", _date_field("notice_given_on")),
    column("person", "next_step"),
    column("person", "notes"),
]


def _person_columns(kind: str, names: dict[str, tuple[str, str]]) -> list[Column]:
    """The person a record belongs to: id, then the name shown (usage name, else family
    name) and the first name."""
    return [
        column(kind, "id"),
        column(kind, "person_id"),
        Column("family_name", "Nom", lambda d: names.get(d.get("person_id") or "", ("", ""))[0]),
        Column(
            "first_name",
            title("person", "first_name"),
            lambda d: names.get(d.get("person_id") or "", ("", ""))[1],
        ),
    ]


def _place_columns(columns: list[Column], places: Places) -> list[Column]:
    """Commune, QPV and partner as the reference names them today, with their status
    ("(à confirmer)", "(hors carte 2024)", "(non reconnu)") instead of stored keys."""
    today = date.today()
    getters: dict[str, Getter] = {
        "commune": lambda d: (
            places.commune_value(d.get("commune_insee"), d.get("commune")).label or ""
        ),
        "qpv": lambda d: places.qpv_label(d.get("qpv"), today),
        "partner": lambda d: places.partner_name(d.get("partner") or ""),
    }
    return [Column(c.key, c.header, getters.get(c.key, c.get)) for c in columns]


def tables(
    repo: Repository, places: Places | None = None
) -> dict[str, tuple[str, list[Column], list[dict[str, Any]]]]:
    """table key -> (French title, columns, documents); with `places` (the reference),
    commune, QPV and partner are written as the reference names them."""
    names = {
        d["id"]: (d.get("usage_name") or d.get("family_name") or "", d.get("first_name") or "")
        for d in repo.docs("person")
    }

    def docs(kind: str) -> list[dict[str, Any]]:
        return sorted(repo.docs(kind), key=lambda d: (str(d.get("on") or d.get("due") or ""),))

    def met(d: dict[str, Any]) -> str:
        labels: dict[bool | None, str] = {True: "Oui", False: "Non"}
        return labels.get(d.get("met"), "Non renseigné")

    return {
        "people": (
            sheet_title("person"),
            _place_columns(PERSON_COLUMNS, places) if places is not None else PERSON_COLUMNS,
            list(repo.docs("person")),
        ),
        "interviews": (
            sheet_title("interview"),
            [
                *_person_columns("interview", names),
                column("interview", "on", _date_field("on")),
                column("interview", "site"),
                column("interview", "staff"),
                column("interview", "channel", _label(Channel, "channel")),
                column("interview", "notes"),
            ],
            docs("interview"),
        ),
        "stages": (
            sheet_title("stage"),
            [
                *_person_columns("stage", names),
                column("stage", "stage", _label(Stage, "stage")),
                column("stage", "on", _date_field("on")),
                column("stage", "site"),
            ],
            docs("stage"),
        ),
        "orientations": (
            sheet_title("orientation"),
            [
                *_person_columns("orientation", names),
                column("orientation", "partner"),
                column("orientation", "on", _date_field("on")),
                column("orientation", "met", met),
            ],
            docs("orientation"),
        ),
        "outcomes": (
            sheet_title("outcome"),
            [
                *_person_columns("outcome", names),
                column("outcome", "outcome", _label(OutcomeKind, "outcome")),
                column("outcome", "on", _date_field("on")),
            ],
            docs("outcome"),
        ),
        "tasks": (
            sheet_title("task"),
            [
                *_person_columns("task", names),
                column("task", "task_kind", _label(TaskKind, "task_kind")),
                column("task", "title"),
                column("task", "due", _date_field("due")),
                column("task", "time"),
                column("task", "site"),
                column("task", "assigned_to"),
                column("task", "status", _label(TaskStatus, "status")),
                column("task", "done_on", _date_field("done_on")),
            ],
            docs("task"),
        ),
    }


def _rows(columns: list[Column], docs: list[dict[str, Any]]) -> Iterator[list[Any]]:
    getters = [c.get for c in columns]
    for doc in docs:
        yield [get(doc) for get in getters]


def _csv_value(value: Any) -> Any:
    if isinstance(value, date):
        return text.format_date(value)
    if value is None:
        return ""
    if isinstance(value, str):
        return text.csv_cell(value)
    return value


def _csv_bytes(columns: list[Column], docs: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.header for c in columns])
    for row in _rows(columns, docs):
        writer.writerow([_csv_value(v) for v in row])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


TIME_COLUMNS = {"time"}  # "HH:MM" texts written as real time cells


def _write_xlsx(
    path: Path,
    all_tables: dict[str, tuple[str, list[Column], list[dict[str, Any]]]],
    block: xlsx.TitleBlock,
) -> None:
    """The workbook (XlsxWriter, constant memory: each row goes to disk as it is written):
    one sheet per table under a title block, widths from the content, dates jj/mm/aaaa,
    times hh:mm, A4 landscape fitted to the width with the header row on every page."""
    book = xlsx.open_workbook(path, constant_memory=True)
    formats = xlsx.Formats.of(book)
    for name, columns, docs in all_tables.values():
        sheet = book.add_worksheet(name[:31])
        headers = [c.header for c in columns]
        widths = xlsx.Widths(headers)
        header_row = xlsx.write_title(sheet, formats, block, name)
        xlsx.write_header(sheet, formats, header_row, headers)
        times = [i for i, c in enumerate(columns) if c.key in TIME_COLUMNS]
        for number, row in enumerate(_rows(columns, docs), start=header_row + 1):
            for index in times:
                row[index] = xlsx.parse_time(row[index])
            xlsx.write_row(sheet, formats, widths, number, row)
        widths.apply(sheet)
        sheet.autofilter(header_row, 0, header_row + max(len(docs), 1), len(columns) - 1)
        xlsx.print_setup(sheet, landscape=True)
    xlsx.close_workbook(book)


def _json_bytes(all_tables: dict[str, tuple[str, list[Column], list[dict[str, Any]]]]) -> bytes:
    payload = {
        key: [dict(zip([c.key for c in columns], row, strict=True)) for row in _rows(columns, docs)]
        for key, (_title, columns, docs) in all_tables.items()
    }
    return orjson.dumps(payload, option=orjson.OPT_INDENT_2) + b"\n"


CSV_FILE_NAMES = {
    "people": "personnes.csv",
    "interviews": "entretiens.csv",
    "stages": "etapes.csv",
    "orientations": "orientations.csv",
    "outcomes": "issues.csv",
    "tasks": "taches.csv",
}


def default_output(ws: Workspace, fmt: str) -> Path:
    folder = ws.exports_dir
    name = f"citeslab-export-{now_stamp()}"
    return folder / (name if fmt == "csv" else f"{name}.{fmt}")


def export(ws: Workspace, fmt: str, output: str | Path | None = None) -> list[Path]:
    """Write the office export; returns the files written.

    CSV: `output` is a folder (created) receiving one file per table; XLSX and
    JSON: `output` is the file. Without `output`: `<data folder>/exports/`.
    """
    if fmt not in FORMATS:
        raise ValidationError(f"Format inconnu « {fmt} » : csv, xlsx ou json.")
    if output:
        target = Path(output).expanduser()
    else:  # <data>/exports: owner-only whatever the umask (it holds personal data)
        ws.exports_folder()
        target = default_output(ws, fmt)
    all_tables = tables(ws.repo, ws.reference.places)
    orientations = all_tables["orientations"]
    all_tables["orientations"] = (
        orientations[0],
        _place_columns(orientations[1], ws.reference.places),
        orientations[2],
    )
    if fmt == "csv":
        if target.exists() and not target.is_dir():
            raise ValidationError(
                f"Pour le format CSV, indiquez un dossier : {target} est un fichier."
            )
        written = [
            write_private(target / CSV_FILE_NAMES[key], _csv_bytes(columns, docs), make_folder=True)
            for key, (_title, columns, docs) in all_tables.items()
        ]
        if target.exists():
            import os

            if os.name == "posix":
                os.chmod(target, 0o700)
    else:
        if target.is_dir():
            raise ValidationError(f"{target} est un dossier : indiquez un nom de fichier.")
        if fmt == "xlsx":
            block = xlsx.TitleBlock(
                "Export des données CitésLab",
                ws.settings.structure,
                "toutes les données enregistrées",
                "tous les sites",
            )
            written = [
                write_private_via(
                    target, lambda tmp: _write_xlsx(tmp, all_tables, block), make_folder=True
                )
            ]
        else:
            written = [write_private(target, _json_bytes(all_tables), make_folder=True)]
    LOGGER.info("export written: format=%s files=%d", fmt, len(written))
    return written
