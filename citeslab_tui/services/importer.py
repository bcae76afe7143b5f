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
"""

from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from citeslab_tui.domain import identity, text
from citeslab_tui.domain import places as P
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
from citeslab_tui.domain.register import (
    COLUMN_LABELS,
    RegisterParse,
    RegisterRow,
    find_header,
    parse_register,
)

LOGGER = logging.getLogger("citeslab.import")
MAX_BYTES = 200 * 1024 * 1024
NOT_A_REGISTER = "Ce fichier n'est pas un registre"
_CIVILITY = {"F": Civility.MADAME, "M": Civility.MONSIEUR}
UNMATCHED_COLUMNS = ("commune", "qpv", "site", "partner")
MAPPING_TABLES = {"commune": "communes", "qpv": "qpv", "site": "sites", "partner": "partners"}


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
    # column key (commune, qpv, site, partner) -> {value as written: rows}
    unmatched: dict[str, dict[str, int]] = field(default_factory=dict)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    mapping_file: Path | None = None  # where the office maps unmatched values

    @property
    def unknown_neighbourhoods(self) -> dict[str, int]:
        return self.unmatched.get("qpv", {})

    @property
    def rows_with_warnings(self) -> int:
        return len({line for line, _w in self.warnings})

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
        parse = self.parse
        lines = [f"Fichier : {self.path.name}"]
        if parse.skipped_lines:
            shown = ", ".join(str(n) for n in parse.skipped_lines[:10])
            lines.append(
                f"En-tête trouvé ligne {parse.header_line} ; ligne(s) ignorée(s) au-dessus "
                f"(titre ?) : {shown}"
            )
        if parse.date_order_reason:
            lines.append(f"Ordre des dates : {parse.date_order_reason}")
        lines += [
            f"Lignes lues : {self.rows_read}",
            f"Nouvelles personnes : {self.new_people}",
            f"Fusionnées comme doublons : {self.duplicates}",
            f"Personnes existantes complétées : {self.updated}",
            f"Déjà présentes (rien à ajouter) : {self.unchanged}",
            f"Personnes effacées à leur demande (non réimportées) : {self.erased}",
            f"Lignes avec des valeurs illisibles (laissées vides) : {self.rows_with_warnings}",
            f"Rejetées : {self.rejected}",
            f"Événements datés à ajouter : {self.events}",
        ]
        if self.parse.unknown_columns:
            lines.append("Colonnes ignorées : " + ", ".join(self.parse.unknown_columns))
        if any(self.unmatched.values()):
            where = f" dans {self.mapping_file}" if self.mapping_file else ""
            lines.append(
                "Valeurs sans correspondance (gardées telles quelles ; à rattacher"
                f"{where}, puis réimporter) :"
            )
            for key in UNMATCHED_COLUMNS:
                values = self.unmatched.get(key)
                if values:
                    ordered = sorted(values.items(), key=lambda kv: (-kv[1], text.fold(kv[0])))
                    shown = ", ".join(f"« {k} » ({n})" for k, n in ordered)
                    lines.append(f"  {COLUMN_LABELS[key]} : {shown}")
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
            for key in identity.same_person_keys(
                doc.get("family_name") or "",
                doc.get("first_name") or "",
                doc.get("birth_date"),
                doc.get("phone"),
            ):
                self.by_identity.setdefault(key, pid)
        for doc in repo.docs("stage"):
            self.events.add(_event_key("stage", doc["person_id"], doc["on"], doc["stage"]))
        for doc in repo.docs("interview"):
            self.events.add(_event_key("interview", doc["person_id"], doc["on"]))
        for doc in repo.docs("outcome"):
            self.events.add(_event_key("outcome", doc["person_id"], doc["on"], doc["outcome"]))
        for doc in repo.docs("orientation"):
            self.events.add(_event_key("orientation", doc["person_id"], doc["on"], doc["partner"]))


class _Places:
    """The reference lookups the import repeats on every row, memoised per import, and
    the values that matched nothing (for the summary)."""

    def __init__(self, places: P.Places, local_sites: list[str]) -> None:
        self.places = places
        self.local_sites = {text.fold(name): name for name in local_sites}
        self._cache: dict[tuple[str, str], tuple[Any, ...]] = {}
        self.unmatched: dict[str, dict[str, int]] = {}

    def _memo(self, kind: str, raw: str, fn: Any) -> tuple[Any, ...]:
        key = (kind, raw)
        if key not in self._cache:
            self._cache[key] = fn(raw)
        return self._cache[key]

    def note(self, row: RegisterRow) -> None:
        """Count the values of a row that match nothing."""
        for key, matched in (
            ("commune", self.commune(row.commune)[2]),
            ("qpv", self.qpv(row.qpv)[1]),
            ("site", self.site(row.site)[1]),
            ("partner", self.partner(row.partner)[1]),
        ):
            raw = getattr(row, key)
            if raw and not matched:
                counts = self.unmatched.setdefault(key, {})
                counts[raw] = counts.get(raw, 0) + 1

    def commune(self, raw: str) -> tuple[str | None, str, bool]:
        """(INSEE code or OTHER_COMMUNE or None, name, matched)."""

        def find(raw: str) -> tuple[str | None, str, bool]:
            value = self.places.read_commune_token(raw)
            if value.kind == "commune" and value.entry is not None:
                return value.entry.key, value.entry.name, True
            if value.kind == "other":
                return P.OTHER_COMMUNE, value.text or raw, True
            if value.kind == "unknown":
                return None, "", True
            return None, raw, False

        return self._memo("commune", raw, find)  # type: ignore[return-value]

    def qpv(self, raw: str) -> tuple[str, bool]:
        """(value to store, matched)."""

        def find(raw: str) -> tuple[str, bool]:
            value = self.places.qpv_value(raw)
            return value.token, value.kind != "unrecognised"

        return self._memo("qpv", raw, find)  # type: ignore[return-value]

    def site(self, raw: str) -> tuple[str, bool]:
        def find(raw: str) -> tuple[str, bool]:
            entry = self.places.sites.find(raw)
            if entry is not None:
                return entry.name, True
            local = self.local_sites.get(text.fold(raw))
            return (local, True) if local else (raw, not raw)

        return self._memo("site", raw, find)  # type: ignore[return-value]

    def partner(self, raw: str) -> tuple[str, bool]:
        def find(raw: str) -> tuple[str, bool]:
            entry = self.places.partners.find(raw)
            return (entry.name, True) if entry is not None else (raw, not raw)

        return self._memo("partner", raw, find)  # type: ignore[return-value]


def _fill(person: Person, row: RegisterRow, where: _Places) -> dict[str, Any]:
    """Fields of `person` that are blank (or hold a value the reference does not know)
    and that `row` knows."""
    update: dict[str, Any] = {}
    places = where.places
    if person.civility is Civility.UNSPECIFIED and row.gender in _CIVILITY:
        update["civility"] = _CIVILITY[row.gender]
    if person.birth_date is None and row.birth_date:
        update["birth_date"] = row.birth_date
        update["birth_year"] = row.birth_date.year
    elif person.birth_year is None and row.birth_year:
        update["birth_year"] = row.birth_year
    for name in ("phone", "email"):
        if getattr(person, name) is None and getattr(row, name):
            update[name] = getattr(row, name)
    current = places.commune_value(person.commune_insee, person.commune)
    if current.kind == "commune" and current.entry is not None:
        canonical = (current.entry.key, current.entry.name)
        if (person.commune_insee, person.commune) != canonical:  # found through an alias
            update["commune_insee"], update["commune"] = canonical
    elif row.commune:
        insee, name, matched = where.commune(row.commune)
        if current.kind == "unknown" or (current.kind == "unrecognised" and matched and name):
            update["commune_insee"], update["commune"] = insee, name
    stored = places.qpv_value(person.qpv)
    if stored.kind != "unrecognised" and stored.token != person.qpv:
        update["qpv"] = stored.token  # a name or an alias of the office: store the key
    if row.qpv and stored.kind in ("unknown", "unrecognised"):
        value, matched = where.qpv(row.qpv)
        if (stored.kind == "unknown" and value) or (stored.kind == "unrecognised" and matched):
            update["qpv"] = value
    if row.site:
        site, matched = where.site(row.site)
        current = person.first_site
        if not current or (matched and site != current and not where.site(current)[1]):
            update["first_site"] = site
    if person.approach is Approach.UNKNOWN and row.approach != "unknown":
        update["approach"] = Approach(row.approach)
    if row.notes and row.notes not in person.notes:
        joined = f"{person.notes}\n{row.notes}".strip() if person.notes else row.notes
        if len(joined) <= 4000:
            update["notes"] = joined
    return update


def _events(row: RegisterRow, pid: str, where: _Places) -> list[Record]:
    out: list[Record] = []
    site = where.site(row.site)[0] if row.site else ""
    if row.sensitized_on:
        out.append(
            StageEvent(person_id=pid, stage=Stage.SENSITIZED, on=row.sensitized_on, site=site)
        )
    if row.interview_on:
        out.append(
            Interview(person_id=pid, on=row.interview_on, site=site, channel=Channel.PERMANENCE)
        )
    if row.detected_on:
        out.append(StageEvent(person_id=pid, stage=Stage.DETECTED, on=row.detected_on, site=site))
    if row.emergence_on:
        out.append(StageEvent(person_id=pid, stage=Stage.EMERGENCE, on=row.emergence_on, site=site))
    if row.outcome and row.outcome_on:
        out.append(Outcome(person_id=pid, outcome=OutcomeKind(row.outcome), on=row.outcome_on))
    on = row.orientation_date()
    if row.partner and on:
        out.append(Orientation(person_id=pid, partner=where.partner(row.partner)[0], on=on))
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


def _new_person(row: RegisterRow, where: _Places) -> Person:
    insee, commune, _matched = where.commune(row.commune) if row.commune else (None, "", True)
    return Person(
        civility=_CIVILITY.get(row.gender, Civility.UNSPECIFIED),
        family_name=row.family_name,
        first_name=row.first_name,
        birth_date=row.birth_date,
        birth_year=row.birth_date.year if row.birth_date else row.birth_year,
        phone=row.phone,
        email=row.email,
        commune=commune,
        commune_insee=insee,
        qpv=where.qpv(row.qpv)[0] if row.qpv else "",
        approach=Approach(row.approach),
        first_site=where.site(row.site)[0] if row.site else "",
        notes=row.notes,
        legacy_key=row.legacy_key(),
    )


_ERASED = "-erased-"


def plan_rows(parse: RegisterParse, repo: Any, where: _Places, path: Path) -> ImportPlan:
    """Match rows to people (file duplicates, database), list what to write."""
    plan = ImportPlan(path=path, parse=parse)
    index = _Index(repo)
    people: dict[str, Person] = {}  # person id -> current version (new or updated)
    changed: set[str] = set()
    group_of: dict[str, str] = {}  # identity key -> person id (rows of this file)
    events: list[Record] = []
    for row in parse.rows:
        plan.warnings.extend((row.line, w) for w in row.warnings)
        where.note(row)
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
                person = _new_person(row, where)
                pid = person.id
                people[pid] = person
                changed.add(pid)
                outcome = "new"
            else:
                outcome = "existing"
        if pid not in people:
            existing = repo.get(Person, pid)
            if existing is None:  # vanished meanwhile: treat as new
                person = _new_person(row, where)
                pid = person.id
                changed.add(pid)
                outcome = "new"
            else:
                person = existing
            people[pid] = person
        for k in keys:
            group_of.setdefault(k, pid)
        group_of.setdefault(f"lk:{row.legacy_key()}", pid)
        update = _fill(people[pid], row, where)
        if update:
            people[pid] = people[pid].model_copy(update=update)
            changed.add(pid)
        added = 0
        for event in _events(row, pid, where):
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
    plan.unmatched = where.unmatched
    return plan


def prepare(
    ws: Any, path: str | Path, *, today: date | None = None, date_order: str | None = None
) -> ImportPlan:
    """Read and plan an import; writes nothing.

    Raises ValidationError (French) when the file is not a register, when a file of the
    office's reference folder is refused (the import would not use it), and
    `DateOrderNeeded` when the order of the file's dates must be given."""
    path = Path(path)
    problems = ws.reference.check()
    if problems:
        raise ValidationError(
            " ".join(problems) + " Corrigez ce fichier puis relancez l'import : rien n'a été écrit."
        )
    rows = read_rows(path)
    parse = parse_register(rows, today=today or date.today(), date_order=date_order)
    where = _Places(ws.reference.places, list(ws.site_names()))
    plan = plan_rows(parse, ws.repo, where, path)
    plan.mapping_file = ws.reference.alias_file()
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


def write_mapping_template(ws: Any, plan: ImportPlan) -> tuple[Path, int]:
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
            content = _decode(path.read_bytes()).lstrip("\ufeff")
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


def apply(ws: Any, plan: ImportPlan) -> int:
    """Write the planned records in one durable save; returns how many were written."""
    if not plan.records:
        return 0
    with ws.repo.transaction():
        ws.repo.save(*plan.records, returning=False)  # the result is not used: skip it
    LOGGER.info("import written: records=%d", len(plan.records))
    return len(plan.records)
