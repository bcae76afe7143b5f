"""Reading the legacy register (../../../shared/specs/legacy-register.md). Pure.

Input: the rows of the file as `(line number, cells)` (the file reading, the
encoding and delimiter detection live in services/importer.py). The first
non-empty row is the header; columns are found by name ignoring case, accents,
surrounding and repeated spaces. Each data row becomes a `RegisterRow` or a
`Rejection` (line number + French reason); nothing here raises anything but
`ValidationError` (for a file that is not a register at all).

Value rules:
- Sexe: F, Femme, Féminin / H, Homme, M, Masculin (any case); blank, "?", "NC",
  "non précisé", "inconnu" = unknown; anything else rejects the row.
- Dates: every form `text.parse_date` reads (dd/mm/yyyy, d/m/yyyy, dd/mm/yy,
  dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd; a two-digit year is 19yy when 20yy would
  be in the future). Dates after today are refused.
- Téléphone: `text.parse_phone`; a number of 9 digits (Excel drops the leading
  0 of a number cell) gets its 0 back.
- Démarche, Étape, Issue: the words of the spec, any case, accents optional.
- An optional "Date orientation" column dates the orientation; without it the
  orientation is dated on the detection date, else the first interview, else
  the sensitization date (documented in docs/bilan.md), else it is not imported
  and a warning says so.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache

from citeslab_tui.domain import text
from citeslab_tui.domain.errors import CitesLabError, ValidationError

# column key -> accepted header spellings (folded)
COLUMNS: dict[str, tuple[str, ...]] = {
    "family_name": ("nom", "nom de famille"),
    "first_name": ("prenom", "prenoms"),
    "sex": ("sexe", "genre"),
    "birth_date": ("date de naissance", "naissance", "ne le", "ne e le"),
    "phone": ("telephone", "tel", "portable", "numero de telephone"),
    "email": ("email", "e mail", "mail", "courriel", "adresse email", "adresse e mail"),
    "commune": ("commune", "ville"),
    "qpv": ("quartier", "qpv"),
    "site": ("lieu", "site", "lieu de permanence"),
    "sensitized_on": ("date de sensibilisation", "date sensibilisation"),
    "interview_on": ("date premier entretien", "date du premier entretien", "premier entretien"),
    "approach": ("demarche",),
    "stage": ("etape",),
    "detected_on": ("date detection", "date de detection"),
    "emergence_on": ("date emergence", "date d emergence"),
    "outcome": ("issue", "sortie"),
    "outcome_on": ("date issue", "date d issue", "date de sortie"),
    "partner": ("partenaire", "orientation"),
    "orientation_on": ("date orientation", "date d orientation"),
    "notes": ("notes", "note", "commentaire", "commentaires", "observations"),
}
COLUMN_LABELS = {
    "family_name": "Nom",
    "first_name": "Prénom",
    "sex": "Sexe",
    "birth_date": "Date de naissance",
    "phone": "Téléphone",
    "email": "Email",
    "commune": "Commune",
    "qpv": "Quartier",
    "site": "Lieu",
    "sensitized_on": "Date de sensibilisation",
    "interview_on": "Date premier entretien",
    "approach": "Démarche",
    "stage": "Étape",
    "detected_on": "Date détection",
    "emergence_on": "Date émergence",
    "outcome": "Issue",
    "outcome_on": "Date issue",
    "partner": "Partenaire",
    "orientation_on": "Date orientation",
    "notes": "Notes",
}
_HEADER_INDEX = {alias: key for key, aliases in COLUMNS.items() for alias in aliases}

SEX_WORDS = {
    "f": "F",
    "femme": "F",
    "feminin": "F",
    "mme": "F",
    "madame": "F",
    "h": "M",
    "m": "M",
    "homme": "M",
    "masculin": "M",
    "monsieur": "M",
    "mr": "M",
    "nc": "unknown",
    "inconnu": "unknown",
    "non precise": "unknown",
    "non renseigne": "unknown",
}
APPROACH_WORDS = {
    "individuelle": "individual",
    "individuel": "individual",
    "collective": "collective",
    "collectif": "collective",
}
STAGE_WORDS = {
    "sensibilise": "sensitized",
    "sensibilisee": "sensitized",
    "sensibilisation": "sensitized",
    "detecte": "detected",
    "detectee": "detected",
    "detection": "detected",
    "emergence": "emergence",
}
OUTCOME_WORDS = {
    "creation": "creation",
    "creation d entreprise": "creation",
    "entreprise creee": "creation",
    "emploi": "employment",
    "retour a l emploi": "employment",
    "formation": "training",
    "entree en formation": "training",
    "abandon": "abandon",
    "perdu de vue": "lost_touch",
}


# registers repeat the same few words on every row: fold each distinct value once
_fold = lru_cache(maxsize=8192)(text.fold)


def header_key(cell: str) -> str | None:
    """The column key of a header cell, or None when the column is unknown."""
    return _HEADER_INDEX.get(_fold(cell))


@dataclass
class RegisterRow:
    line: int
    family_name: str
    first_name: str
    gender: str = "unknown"  # F, M, unknown
    birth_date: date | None = None
    phone: str | None = None  # E.164
    email: str | None = None
    commune: str = ""
    qpv: str = ""  # reference name, "hors QPV", or the name as given
    qpv_known: bool = True
    site: str = ""
    sensitized_on: date | None = None
    interview_on: date | None = None
    approach: str = "unknown"
    stage: str | None = None
    detected_on: date | None = None
    emergence_on: date | None = None
    outcome: str | None = None
    outcome_on: date | None = None
    partner: str = ""
    orientation_on: date | None = None
    notes: str = ""
    warnings: list[str] = field(default_factory=list)

    @cached_property
    def name_key(self) -> str:
        return f"{_fold(self.family_name)}|{_fold(self.first_name)}"

    def identity_keys(self) -> list[str]:
        """Keys under which two rows (or a row and a person) are the same person."""
        keys = []
        if self.birth_date:
            keys.append(f"nb:{self.name_key}|{self.birth_date.isoformat()}")
        if self.phone:
            keys.append(f"ph:{self.phone}")
        return keys

    def legacy_key(self) -> str:
        """Stable key of the person this row describes (idempotent re-import)."""
        return self._legacy_key

    @cached_property
    def _legacy_key(self) -> str:
        # name + birth date when known (the same person written with and without a phone
        # gets one key), else name + phone, else name + the row's dates (homonyms)
        parts = [self.name_key]
        if self.birth_date:
            parts.append(self.birth_date.isoformat())
        elif self.phone:
            parts += ["", self.phone]
        else:
            parts += [
                (d.isoformat() if d else "")
                for d in (self.sensitized_on, self.interview_on, self.detected_on)
            ]
        return "reg:" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]

    def orientation_date(self) -> date | None:
        return self.orientation_on or self.detected_on or self.interview_on or self.sensitized_on


@dataclass
class Rejection:
    line: int
    reason: str


@dataclass
class RegisterParse:
    header_line: int
    columns: dict[str, int]  # column key -> index
    unknown_columns: list[str]
    rows: list[RegisterRow]
    rejections: list[Rejection]
    rows_read: int


class _RowError(Exception):
    pass


def _word(value: str, words: dict[str, str], column: str, accepted: str) -> str | None:
    key = _fold(value) if len(value) < 40 else text.fold(value)
    if not key:
        return None
    if key in words:
        return words[key]
    raise _RowError(f"{column} « {value[:30]} » non reconnu (attendu : {accepted})")


def _date(value: str, column: str, today: date) -> date | None:
    if not value.strip():
        return None
    try:
        parsed = text.parse_date(value, today)
    except CitesLabError as exc:
        raise _RowError(f"{column} : {exc.message.rstrip('.')}") from None
    if parsed > today:
        raise _RowError(f"{column} : date dans le futur ({text.format_date(parsed)})")
    return parsed


def _phone(value: str) -> str | None:
    raw = value.strip()
    if not raw:
        return None
    if raw.endswith(".0") and raw[:-2].isdigit():  # a number cell read as float
        raw = raw[:-2]
    if raw.isdigit() and len(raw) == 9 and raw[0] != "0":
        raw = "0" + raw
    try:
        return text.parse_phone(raw)
    except CitesLabError as exc:
        raise _RowError(f"Téléphone : {exc.message.rstrip('.')}") from None


def _text(value: str, column: str, max_len: int, *, multiline: bool = False) -> str:
    try:
        return text.clean_text(value, max_len, multiline=multiline)
    except CitesLabError as exc:
        raise _RowError(f"{column} : {exc.message.rstrip('.')}") from None


def parse_row(
    line: int,
    cells: Sequence[str],
    columns: dict[str, int],
    *,
    today: date,
    match_qpv: Callable[[str], str | None] | None = None,
) -> RegisterRow:
    """One data row -> RegisterRow; raises ValidationError with the French reason."""

    def cell(key: str) -> str:
        index = columns.get(key)
        if index is None or index >= len(cells):
            return ""
        return cells[index] or ""

    try:
        try:
            family = text.clean_name(cell("family_name"), "Le nom")
            first = text.clean_name(cell("first_name"), "Le prénom")
        except CitesLabError as exc:
            raise _RowError(exc.message.rstrip(".")) from None
        row = RegisterRow(line=line, family_name=family, first_name=first)
        row.gender = (
            _word(cell("sex"), SEX_WORDS, "Sexe", "F, Femme, H, Homme, M, Masculin, Féminin")
            or "unknown"
        )
        row.birth_date = _date(cell("birth_date"), "Date de naissance", today)
        row.phone = _phone(cell("phone"))
        email = _text(cell("email"), "Email", 254)
        if email:
            try:
                row.email = text.parse_email(email)
            except CitesLabError as exc:
                raise _RowError(f"Email : {exc.message.rstrip('.')}") from None
        row.commune = _text(cell("commune"), "Commune", 200)
        qpv = _text(cell("qpv"), "Quartier", 200)
        if qpv:
            matched = match_qpv(qpv) if match_qpv else None
            row.qpv = matched or qpv
            row.qpv_known = matched is not None
        row.site = _text(cell("site"), "Lieu", 80)
        row.sensitized_on = _date(cell("sensitized_on"), "Date de sensibilisation", today)
        row.interview_on = _date(cell("interview_on"), "Date premier entretien", today)
        row.approach = (
            _word(cell("approach"), APPROACH_WORDS, "Démarche", "Individuelle ou Collective")
            or "unknown"
        )
        row.stage = _word(cell("stage"), STAGE_WORDS, "Étape", "Sensibilisé, Détecté, Émergence")
        row.detected_on = _date(cell("detected_on"), "Date détection", today)
        row.emergence_on = _date(cell("emergence_on"), "Date émergence", today)
        row.outcome = _word(
            cell("outcome"), OUTCOME_WORDS, "Issue", "Création, Emploi, Formation, Abandon"
        )
        row.outcome_on = _date(cell("outcome_on"), "Date issue", today)
        row.partner = _text(cell("partner"), "Partenaire", 200)
        row.orientation_on = _date(cell("orientation_on"), "Date orientation", today)
        row.notes = _text(cell("notes"), "Notes", text.MAX_TEXT, multiline=True)
    except _RowError as exc:
        raise ValidationError(str(exc)) from None
    except CitesLabError as exc:
        raise ValidationError(exc.message) from None

    # what cannot be dated is kept on the person but not counted in any period: say so
    if row.stage == "detected" and not row.detected_on:
        row.warnings.append("étape « Détecté » sans date de détection : non comptée au bilan")
    if row.stage == "emergence" and not row.emergence_on:
        row.warnings.append("étape « Émergence » sans date d'émergence : non comptée au bilan")
    if row.outcome and not row.outcome_on:
        row.warnings.append("issue sans date : non comptée au bilan")
    if row.outcome_on and not row.outcome:
        row.warnings.append("date d'issue sans issue : ignorée")
    if row.partner and not row.orientation_date():
        row.warnings.append("orientation sans aucune date : non importée")
    return row


def _is_blank(cells: Sequence[str]) -> bool:
    return not any((c or "").strip() for c in cells)


def parse_register(
    rows: Iterable[tuple[int, Sequence[str]]],
    *,
    today: date,
    match_qpv: Callable[[str], str | None] | None = None,
) -> RegisterParse:
    """All rows of a register; raises ValidationError if it is not a register."""
    iterator = iter(rows)
    header: tuple[int, Sequence[str]] | None = None
    for line, cells in iterator:
        if not _is_blank(cells):
            header = (line, cells)
            break
    if header is None:
        raise ValidationError("Le fichier est vide : aucune ligne à importer.")
    header_line, header_cells = header
    columns: dict[str, int] = {}
    unknown: list[str] = []
    for index, name in enumerate(header_cells):
        name = (name or "").strip()
        if not name:
            continue
        key = header_key(name)
        if key is None:
            unknown.append(text.clean_text(name, 200)[:60])
        elif key not in columns:
            columns[key] = index
    if "family_name" not in columns or "first_name" not in columns:
        raise ValidationError(
            "Ce fichier n'est pas un registre : les colonnes « Nom » et « Prénom » sont "
            "introuvables sur la première ligne remplie."
        )
    parsed: list[RegisterRow] = []
    rejections: list[Rejection] = []
    read = 0
    for line, cells in iterator:
        if _is_blank(cells):
            continue
        read += 1
        try:
            parsed.append(parse_row(line, cells, columns, today=today, match_qpv=match_qpv))
        except ValidationError as exc:
            rejections.append(Rejection(line, exc.message.rstrip(".") + "."))
    return RegisterParse(header_line, columns, unknown, parsed, rejections, read)
