"""Import of the legacy register (CSV or XLSX): read, plan, confirm, write once.

`prepare(ws, path)` reads the file and returns an `ImportPlan` (the summary and
the records to write) without writing anything; `apply(ws, plan)` writes them
in one durable save (`repo.transaction()`).

Reading: `.xlsx` (zip signature) through openpyxl, first sheet; anything else
is text: UTF-8 (with or without BOM), else Windows-1252; the delimiter (`;`,
`,` or tab) is the one whose header row has both Nom and Prénom columns.
Binary files, PDFs and empty files are refused with a French sentence.

Duplicates: rows of the file with the same name and birth date, or the same
phone, are one person (the first row gives the identity; later rows fill its
blanks and add their events). A row also matches a person already in the
database by `legacy_key` (a re-import), else by name + birth date, else by
phone; then only the events and blank fields it brings are added, so importing
the same file twice adds nothing the second time.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from citeslab_tui.domain import text
from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.models import (
    Approach,
    Channel,
    Civility,
    Interview,
    Orientation,
    Outcome,
    OutcomeKind,
    Person,
    Record,
    Stage,
    StageEvent,
)
from citeslab_tui.domain.register import RegisterParse, RegisterRow, header_key, parse_register

LOGGER = logging.getLogger("citeslab.import")
MAX_BYTES = 200 * 1024 * 1024
NOT_A_REGISTER = "Ce fichier n'est pas un registre"
_CIVILITY = {"F": Civility.MADAME, "M": Civility.MONSIEUR}


@dataclass
class ImportPlan:
    path: Path
    parse: RegisterParse
    new_people: int = 0
    duplicates: int = 0  # rows merged into an earlier row of the file
    updated: int = 0  # rows that completed a person already in the database
    unchanged: int = 0  # rows already fully present (re-import)
    erased: int = 0  # rows of people erased since a previous import: never re-created
    events: int = 0
    unknown_neighbourhoods: dict[str, int] = field(default_factory=dict)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return self.parse.rows_read

    @property
    def rejected(self) -> int:
        return len(self.parse.rejections)

    @property
    def nothing_to_write(self) -> bool:
        return not self.records

    def summary_lines(self) -> list[str]:
        """The French summary shown before confirmation (and after a dry run)."""
        lines = [
            f"Fichier : {self.path.name}",
            f"Lignes lues : {self.rows_read}",
            f"Nouvelles personnes : {self.new_people}",
            f"Fusionnées comme doublons : {self.duplicates}",
            f"Personnes existantes complétées : {self.updated}",
            f"Déjà présentes (rien à ajouter) : {self.unchanged}",
            f"Personnes effacées à leur demande (non réimportées) : {self.erased}",
            f"Rejetées : {self.rejected}",
            f"Événements datés à ajouter : {self.events}",
        ]
        if self.parse.unknown_columns:
            lines.append("Colonnes ignorées : " + ", ".join(self.parse.unknown_columns))
        if self.unknown_neighbourhoods:
            names = ", ".join(f"{k} ({n})" for k, n in sorted(self.unknown_neighbourhoods.items()))
            lines.append("Quartiers hors de la liste de référence (gardés tels quels) : " + names)
        for rejection in self.parse.rejections:
            lines.append(f"  ligne {rejection.line} rejetée : {rejection.reason}")
        for line, warning in self.warnings:
            lines.append(f"  ligne {line} : {warning}")
        return lines


# --- reading the file ------------------------------------------------------------


def _decode(data: bytes) -> str:
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
    for _line, cells in rows:
        if any(c.strip() for c in cells):
            keys = {header_key(c) for c in cells if c.strip()}
            return ({"family_name", "first_name"} <= keys, len(cells))
    return (False, 0)


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


def read_xlsx_rows(path: Path) -> list[tuple[int, list[str]]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise ValidationError(f"{NOT_A_REGISTER} : classeur Excel illisible.") from None
    try:
        sheet = workbook.worksheets[0]
        return [
            (n, [_xlsx_cell(v) for v in values])
            for n, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()


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
    content = _decode(data)
    if not content.strip(" \t\r\n;,\"'"):
        raise ValidationError("Le fichier est vide : aucune ligne à importer.")
    return read_text_rows(content)


# --- planning --------------------------------------------------------------------


_fold_detail = lru_cache(maxsize=1024)(text.fold)  # stage, outcome, partner: few values


def _event_key(kind: str, pid: str, on: Any, detail: str = "") -> tuple[str, str, str, str]:
    return (kind, pid, on if isinstance(on, str) else on.isoformat(), _fold_detail(detail))


class _Index:
    """The people and events already in the database, for matching and idempotence."""

    def __init__(self, repo: Any) -> None:
        self.by_legacy: dict[str, str] = {}
        self.by_identity: dict[str, str] = {}
        self.events: set[tuple[str, str, str, str]] = set()
        self.erased: set[str] = set()  # legacy keys of people erased at their request
        for doc in repo.docs("person"):
            if doc.get("erased_at"):
                if doc.get("legacy_key"):
                    self.erased.add(doc["legacy_key"])
                continue
            pid = doc["id"]
            if doc.get("legacy_key"):
                self.by_legacy.setdefault(doc["legacy_key"], pid)
            names = (
                f"{text.fold(doc.get('family_name', ''))}|{text.fold(doc.get('first_name', ''))}"
            )
            if doc.get("birth_date"):
                self.by_identity.setdefault(f"nb:{names}|{doc['birth_date']}", pid)
            if doc.get("phone"):
                self.by_identity.setdefault(f"ph:{doc['phone']}", pid)
        for doc in repo.docs("stage"):
            self.events.add(_event_key("stage", doc["person_id"], doc["on"], doc["stage"]))
        for doc in repo.docs("interview"):
            self.events.add(_event_key("interview", doc["person_id"], doc["on"]))
        for doc in repo.docs("outcome"):
            self.events.add(_event_key("outcome", doc["person_id"], doc["on"], doc["outcome"]))
        for doc in repo.docs("orientation"):
            self.events.add(_event_key("orientation", doc["person_id"], doc["on"], doc["partner"]))


def _fill(person: Person, row: RegisterRow, reference: Any) -> dict[str, Any]:
    """Fields of `person` that are blank and that `row` knows."""
    update: dict[str, Any] = {}
    if person.civility is Civility.UNSPECIFIED and row.gender in _CIVILITY:
        update["civility"] = _CIVILITY[row.gender]
    if person.birth_date is None and row.birth_date:
        update["birth_date"] = row.birth_date
        update["birth_year"] = row.birth_date.year
    for name in ("phone", "email"):
        if getattr(person, name) is None and getattr(row, name):
            update[name] = getattr(row, name)
    if not person.commune and row.commune:
        found = reference.find_commune(row.commune) if reference else None
        update["commune"] = found["commune"] if found else row.commune
        if found and not person.commune_insee:
            update["commune_insee"] = found["insee"]
    if not person.qpv and row.qpv:
        update["qpv"] = row.qpv
    if not person.first_site and row.site:
        update["first_site"] = row.site
    if person.approach is Approach.UNKNOWN and row.approach != "unknown":
        update["approach"] = Approach(row.approach)
    if row.notes and row.notes not in person.notes:
        joined = f"{person.notes}\n{row.notes}".strip() if person.notes else row.notes
        if len(joined) <= 4000:
            update["notes"] = joined
    return update


def _events(row: RegisterRow, pid: str) -> list[Record]:
    out: list[Record] = []
    if row.sensitized_on:
        out.append(
            StageEvent(person_id=pid, stage=Stage.SENSITIZED, on=row.sensitized_on, site=row.site)
        )
    if row.interview_on:
        out.append(
            Interview(person_id=pid, on=row.interview_on, site=row.site, channel=Channel.PERMANENCE)
        )
    if row.detected_on:
        out.append(
            StageEvent(person_id=pid, stage=Stage.DETECTED, on=row.detected_on, site=row.site)
        )
    if row.emergence_on:
        out.append(
            StageEvent(person_id=pid, stage=Stage.EMERGENCE, on=row.emergence_on, site=row.site)
        )
    if row.outcome and row.outcome_on:
        out.append(Outcome(person_id=pid, outcome=OutcomeKind(row.outcome), on=row.outcome_on))
    on = row.orientation_date()
    if row.partner and on:
        out.append(Orientation(person_id=pid, partner=row.partner, on=on))
    return out


def _key_of(record: Record) -> tuple[str, str, str, str]:
    if isinstance(record, StageEvent):
        return _event_key("stage", record.person_id, record.on, record.stage.value)
    if isinstance(record, Interview):
        return _event_key("interview", record.person_id, record.on)
    if isinstance(record, Outcome):
        return _event_key("outcome", record.person_id, record.on, record.outcome.value)
    assert isinstance(record, Orientation)
    return _event_key("orientation", record.person_id, record.on, record.partner)


def _new_person(row: RegisterRow, reference: Any) -> Person:
    found = reference.find_commune(row.commune) if (reference and row.commune) else None
    return Person(
        civility=_CIVILITY.get(row.gender, Civility.UNSPECIFIED),
        family_name=row.family_name,
        first_name=row.first_name,
        birth_date=row.birth_date,
        birth_year=row.birth_date.year if row.birth_date else None,
        phone=row.phone,
        email=row.email,
        commune=found["commune"] if found else row.commune,
        commune_insee=found["insee"] if found else None,
        qpv=row.qpv,
        approach=Approach(row.approach),
        first_site=row.site,
        notes=row.notes,
        legacy_key=row.legacy_key(),
    )


_ERASED = "-erased-"


def plan_rows(parse: RegisterParse, repo: Any, reference: Any, path: Path) -> ImportPlan:
    """Match rows to people (file duplicates, database), list what to write."""
    plan = ImportPlan(path=path, parse=parse)
    index = _Index(repo)
    people: dict[str, Person] = {}  # person id -> current version (new or updated)
    changed: set[str] = set()
    group_of: dict[str, str] = {}  # identity key -> person id (rows of this file)
    events: list[Record] = []
    for row in parse.rows:
        plan.warnings.extend((row.line, w) for w in row.warnings)
        if row.qpv and not row.qpv_known:
            plan.unknown_neighbourhoods[row.qpv] = plan.unknown_neighbourhoods.get(row.qpv, 0) + 1
        keys = row.identity_keys()
        pid = next((group_of[k] for k in keys if k in group_of), None)
        if pid == _ERASED or (pid is None and row.legacy_key() in index.erased):
            for k in keys:  # its duplicates in this file are skipped too
                group_of.setdefault(k, _ERASED)
            plan.erased += 1
            plan.warnings.append((row.line, "personne effacée à sa demande : ligne ignorée"))
            continue
        outcome = "duplicate"
        if pid is None:
            pid = index.by_legacy.get(row.legacy_key()) or next(
                (index.by_identity[k] for k in keys if k in index.by_identity), None
            )
            if pid is None:
                person = _new_person(row, reference)
                pid = person.id
                people[pid] = person
                changed.add(pid)
                outcome = "new"
            else:
                outcome = "existing"
        if pid not in people:
            existing = repo.get(Person, pid)
            if existing is None:  # vanished meanwhile: treat as new
                person = _new_person(row, reference)
                pid = person.id
                changed.add(pid)
                outcome = "new"
            else:
                person = existing
            people[pid] = person
        for k in keys:
            group_of.setdefault(k, pid)
        group_of.setdefault(f"lk:{row.legacy_key()}", pid)
        update = _fill(people[pid], row, reference)
        if update:
            people[pid] = people[pid].model_copy(update=update)
            changed.add(pid)
        added = 0
        for event in _events(row, pid):
            key = _key_of(event)
            if key not in index.events:
                index.events.add(key)
                events.append(event)
                added += 1
        if outcome == "new":
            plan.new_people += 1
        elif outcome == "duplicate":
            plan.duplicates += 1
        elif update or added:
            plan.updated += 1
        else:
            plan.unchanged += 1
    persons = [people[pid] for pid in people if pid in changed]
    plan.records = [*persons, *events]
    plan.events = len(events)
    return plan


class _CachedReference:
    """The reference lookups the import repeats on every row, memoised per import."""

    def __init__(self, reference: Any) -> None:
        self._reference = reference
        self._communes: dict[str, dict[str, str] | None] = {}
        self._qpv: dict[str, str | None] = {}

    def find_commune(self, typed: str) -> dict[str, str] | None:
        if typed not in self._communes:
            self._communes[typed] = self._reference.find_commune(typed)
        return self._communes[typed]

    def match_qpv(self, typed: str) -> str | None:
        if typed not in self._qpv:
            self._qpv[typed] = self._reference.match_qpv(typed)
        return self._qpv[typed]


def prepare(ws: Any, path: str | Path, *, today: date | None = None) -> ImportPlan:
    """Read and plan an import; writes nothing."""
    path = Path(path)
    rows = read_rows(path)
    reference = _CachedReference(ws.reference)
    parse = parse_register(rows, today=today or date.today(), match_qpv=reference.match_qpv)
    plan = plan_rows(parse, ws.repo, reference, path)
    LOGGER.info(
        "import planned: read=%d new=%d dup=%d updated=%d unchanged=%d rejected=%d events=%d",
        plan.rows_read,
        plan.new_people,
        plan.duplicates,
        plan.updated,
        plan.unchanged,
        plan.rejected,
        plan.events,
    )
    return plan


def apply(ws: Any, plan: ImportPlan) -> int:
    """Write the planned records in one durable save; returns how many were written."""
    if not plan.records:
        return 0
    with ws.repo.transaction():
        ws.repo.save(*plan.records, returning=False)  # the result is not used: skip it
    LOGGER.info("import written: records=%d", len(plan.records))
    return len(plan.records)
