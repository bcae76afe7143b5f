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
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property, lru_cache

from citeslab_tui.domain import identity, text
from citeslab_tui.domain.errors import CitesLabError, ValidationError

HEADER_SEARCH_ROWS = 20
DAY_FIRST, MONTH_FIRST = "dm", "md"
DATE_ORDER_OPTIONS = {"jj/mm": DAY_FIRST, "mm/jj": MONTH_FIRST}

# column key -> accepted header spellings (compared through text.match_key)
COLUMNS: dict[str, tuple[str, ...]] = {
    "family_name": ("nom", "nom de famille", "nom de naissance", "noms"),
    "first_name": ("prenom", "prenoms"),
    "sex": ("sexe", "genre", "h f", "f h"),
    "civility": ("civilite", "civ", "titre"),
    "birth_date": ("date de naissance", "naissance", "ne le", "ne e le", "date naissance"),
    "phone": ("telephone", "tel", "portable", "numero de telephone", "mobile", "tel portable"),
    "email": ("email", "e mail", "mail", "courriel", "adresse email", "adresse e mail"),
    "commune": ("commune", "ville", "commune de residence", "lieu de residence"),
    "qpv": ("quartier", "qpv", "quartier prioritaire", "quartier qpv"),
    "site": ("lieu", "site", "lieu de permanence", "permanence", "lieu d accueil"),
    "sensitized_on": ("date de sensibilisation", "date sensibilisation", "sensibilisation le"),
    "interview_on": (
        "date premier entretien",
        "date du premier entretien",
        "premier entretien",
        "date de premier entretien",
        "date entretien",
    ),
    "approach": ("demarche", "type de demarche"),
    "stage": ("etape", "stade"),
    "detected_on": ("date detection", "date de detection"),
    "emergence_on": ("date emergence", "date d emergence", "date entree emergence"),
    "outcome": ("issue", "sortie"),
    "outcome_on": ("date issue", "date d issue", "date de sortie", "date sortie"),
    "partner": ("partenaire", "orientation", "oriente vers", "partenaire d orientation"),
    "orientation_on": ("date orientation", "date d orientation"),
    "notes": ("notes", "note", "commentaire", "commentaires", "observations", "remarques"),
}
COLUMN_LABELS = {
    "family_name": "Nom",
    "first_name": "Prénom",
    "sex": "Sexe",
    "civility": "Civilité",
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
DATE_COLUMNS = (
    "birth_date",
    "sensitized_on",
    "interview_on",
    "detected_on",
    "emergence_on",
    "outcome_on",
    "orientation_on",
)
_HEADER_INDEX = {text.match_key(a): key for key, aliases in COLUMNS.items() for a in aliases}

SEX_WORDS = {
    "f": "F",
    "femme": "F",
    "feminin": "F",
    "mme": "F",
    "madame": "F",
    "mlle": "F",
    "melle": "F",
    "mademoiselle": "F",
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
SEX_ACCEPTED = "F, Femme, Mme, Mlle ; H, Homme, M., Monsieur"
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
EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of Excel's 1900 date system (with its 1900 bug)
_SERIAL = re.compile(r"^(\d{5})(?:[.,]\d+)?$", re.ASCII)  # 10000 = 16/05/1927 ... 73050 = 2100
_YEAR = re.compile(r"^(19|20)\d\d$", re.ASCII)

# registers repeat the same few words on every row: fold each distinct value once
_fold = lru_cache(maxsize=8192)(text.fold)
_match_key = lru_cache(maxsize=1024)(text.match_key)


def header_key(cell: str) -> str | None:
    """The column key of a header cell, or None when the column is unknown."""
    return _HEADER_INDEX.get(_match_key(cell or ""))


class DateOrderNeeded(ValidationError):
    """The file's numeric dates do not say whether they are jj/mm or mm/jj."""


@dataclass
class RegisterRow:
    line: int
    family_name: str
    first_name: str
    gender: str = "unknown"  # F, M, unknown
    birth_date: date | None = None
    birth_year: int | None = None
    phone: str | None = None  # E.164
    email: str | None = None
    commune: str = ""  # as written (matched to the reference by the import service)
    qpv: str = ""
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

    def identity_keys(self) -> list[str]:
        """Keys under which two rows (or a row and a person) are the same person
        (domain/identity.py)."""
        return identity.same_person_keys(
            self.family_name, self.first_name, self.birth_date, self.phone
        )

    def legacy_key(self) -> str:
        """Stable key of the person this row describes (idempotent re-import)."""
        return self._legacy_key

    @cached_property
    def _legacy_key(self) -> str:
        dates = (self.sensitized_on, self.interview_on, self.detected_on)
        return identity.legacy_key(
            self.family_name, self.first_name, self.birth_date, self.phone, dates
        )

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
    skipped_lines: list[int] = field(default_factory=list)  # filled rows above the header
    date_order: str | None = None  # DAY_FIRST / MONTH_FIRST when the file had numeric dates
    date_order_reason: str = ""  # French: how it was decided


class _CellError(Exception):
    pass


def _word(value: str, words: dict[str, str], accepted: str) -> str | None:
    key = _fold(value) if len(value) < 40 else text.fold(value)
    if not key or key == "?":
        return None
    if key in words:
        return words[key]
    raise _CellError(f"« {value[:30]} » non reconnu (attendu : {accepted})")


def excel_serial(value: str) -> date | None:
    """An Excel serial day number written in a date column (41710 -> 12/03/2014)."""
    m = _SERIAL.match(value.strip())
    if not m:
        return None
    return EXCEL_EPOCH + timedelta(days=int(m.group(1)))


def _date(value: str, today: date, order: str | None) -> date | None:
    raw = value.strip()
    if not raw:
        return None
    serial = excel_serial(raw)
    if serial is not None:
        parsed = serial
    else:
        try:
            parsed = text.parse_date(raw, today, month_first=order == MONTH_FIRST)
        except CitesLabError as exc:
            reason = exc.message.rstrip(".")
            raise _CellError(reason if raw in reason else f"« {raw[:20]} » : {reason}") from None
    if parsed > today:
        raise _CellError(f"date dans le futur ({text.format_date(parsed)})")
    return parsed


def _phone(value: str) -> str | None:
    raw = value.strip()
    if not raw:
        return None
    if raw.endswith(".0") and raw[:-2].isdigit():  # a number cell read as float
        raw = raw[:-2]
    if raw.isdigit() and len(raw) == 9 and raw[0] != "0":
        raw = "0" + raw
    elif raw.isdigit() and len(raw) == 11 and raw.startswith("33"):
        raw = "+" + raw
    try:
        return text.parse_phone(raw)
    except CitesLabError as exc:
        raise _CellError(f"« {raw[:20]} » : {exc.message.rstrip('.')}") from None


def _text(value: str, max_len: int, *, multiline: bool = False) -> str:
    try:
        return text.clean_text(value, max_len, multiline=multiline)
    except CitesLabError as exc:
        raise _CellError(exc.message.rstrip(".")) from None


def parse_row(
    line: int,
    cells: Sequence[str],
    columns: dict[str, int],
    *,
    today: date,
    date_order: str | None = DAY_FIRST,
) -> RegisterRow:
    """One data row -> RegisterRow (unreadable values empty, with a warning each);
    raises ValidationError (French) only when the family name or first name is missing."""

    def cell(key: str) -> str:
        index = columns.get(key)
        if index is None or index >= len(cells):
            return ""
        return cells[index] or ""

    try:
        family = text.clean_name(cell("family_name"), "Le nom")
        first = text.clean_name(cell("first_name"), "Le prénom")
    except CitesLabError as exc:
        what = exc.message.rstrip(".")
        raise ValidationError(f"{what} (ligne de total, commentaire ?)") from None
    row = RegisterRow(line=line, family_name=family, first_name=first)

    def read(key: str, fn):  # noqa: ANN001, ANN202 - a small local helper
        value = cell(key)
        try:
            return fn(value)
        except _CellError as exc:
            row.warnings.append(f"colonne « {COLUMN_LABELS[key]} » : {exc} ; valeur laissée vide")
        except CitesLabError as exc:  # any other French refusal of a value
            row.warnings.append(
                f"colonne « {COLUMN_LABELS[key]} » : {exc.message.rstrip('.')} ; "
                "valeur laissée vide"
            )
        return None

    sex = read("sex", lambda v: _word(v, SEX_WORDS, SEX_ACCEPTED))
    if sex is None or sex == "unknown":
        sex = read("civility", lambda v: _word(v, SEX_WORDS, SEX_ACCEPTED)) or sex
    row.gender = sex or "unknown"
    raw_birth = cell("birth_date").strip()
    if _YEAR.match(raw_birth) and int(raw_birth) <= today.year:
        row.birth_year = int(raw_birth)
    else:
        row.birth_date = read("birth_date", lambda v: _date(v, today, date_order))
        row.birth_year = row.birth_date.year if row.birth_date else None
    row.phone = read("phone", _phone)

    def email(value: str) -> str | None:
        typed = _text(value, 254)
        if not typed:
            return None
        try:
            return text.parse_email(typed)
        except CitesLabError as exc:
            raise _CellError(f"« {typed[:30]} » : {exc.message.rstrip('.')}") from None

    row.email = read("email", email)
    row.commune = read("commune", lambda v: _text(v, 200)) or ""
    row.qpv = read("qpv", lambda v: _text(v, 200)) or ""
    row.site = read("site", lambda v: _text(v, 80)) or ""
    for key in DATE_COLUMNS[1:]:
        setattr(row, key, read(key, lambda v: _date(v, today, date_order)))
    row.approach = (
        read("approach", lambda v: _word(v, APPROACH_WORDS, "Individuelle ou Collective"))
        or "unknown"
    )
    row.stage = read("stage", lambda v: _word(v, STAGE_WORDS, "Sensibilisé, Détecté, Émergence"))
    row.outcome = read(
        "outcome", lambda v: _word(v, OUTCOME_WORDS, "Création, Emploi, Formation, Abandon")
    )
    row.partner = read("partner", lambda v: _text(v, 200)) or ""
    row.notes = read("notes", lambda v: _text(v, text.MAX_TEXT, multiline=True)) or ""

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


def find_header(
    rows: Sequence[tuple[int, Sequence[str]]],
) -> tuple[int, dict[str, int], list[str]] | None:
    """(index in `rows`, columns, unknown column names) of the header, or None."""
    for index, (_line, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = [header_key(c) if (c or "").strip() else None for c in cells]
        if "family_name" not in keys or "first_name" not in keys:
            continue
        columns: dict[str, int] = {}
        unknown: list[str] = []
        for position, (name, key) in enumerate(zip(cells, keys, strict=False)):
            if not (name or "").strip():
                continue
            if key is None:
                unknown.append(text.clean_text(name, 200)[:60])
            elif key not in columns:
                columns[key] = position
        return index, columns, unknown
    return None


def decide_date_order(
    data: Sequence[tuple[int, Sequence[str]]],
    columns: dict[str, int],
    requested: str | None = None,
) -> tuple[str | None, str]:
    """The order of the file's numeric dates, decided once from its unambiguous dates.

    Returns (DAY_FIRST / MONTH_FIRST / None when the file has no numeric date, the
    French reason); raises DateOrderNeeded when the file is ambiguous or contradictory
    and `requested` is None."""
    if requested is not None:
        label = next(k for k, v in DATE_ORDER_OPTIONS.items() if v == requested)
        return requested, f"ordre des dates imposé : {label}"
    found: dict[str, list[str]] = {DAY_FIRST: [], MONTH_FIRST: [], "either": []}
    for line, cells in data:
        for key in DATE_COLUMNS:
            index = columns.get(key)
            if index is None or index >= len(cells) or not (cells[index] or "").strip():
                continue
            hint = text.date_order_hint(cells[index])
            if hint is not None:
                where = f"ligne {line}, colonne « {COLUMN_LABELS[key]} » : {cells[index].strip()}"
                found[hint].append(where)
    day, month, either = found[DAY_FIRST], found[MONTH_FIRST], found["either"]
    if day and month:
        raise DateOrderNeeded(
            "Les dates du fichier se contredisent : certaines sont écrites jour en premier ("
            + day[0]
            + "), d'autres mois en premier ("
            + month[0]
            + "). Corrigez le fichier, ou relancez avec --date-order jj/mm ou "
            "--date-order mm/jj (les dates qui ne suivent pas cet ordre seront laissées "
            "vides et signalées). Rien n'a été écrit."
        )
    if day:
        return DAY_FIRST, f"jour en premier (jj/mm), d'après {len(day)} date(s) non ambiguë(s)"
    if month:
        return MONTH_FIRST, f"mois en premier (mm/jj), d'après {len(month)} date(s) non ambiguë(s)"
    if either:
        raise DateOrderNeeded(
            "Impossible de savoir si les dates du fichier sont écrites jour en premier ou mois "
            f"en premier : aucune date ne le montre ({either[0]} peut se lire des deux "
            "façons). Relancez avec --date-order jj/mm (jour en premier, l'usage français) "
            "ou --date-order mm/jj. Rien n'a été écrit."
        )
    return None, ""


def parse_register(
    rows: Iterable[tuple[int, Sequence[str]]],
    *,
    today: date,
    date_order: str | None = None,
) -> RegisterParse:
    """All rows of a register; raises ValidationError if it is not a register, and
    DateOrderNeeded when the order of its dates must be given (`date_order`)."""
    rows = list(rows)
    if all(_is_blank(cells) for _line, cells in rows):
        raise ValidationError("Le fichier est vide : aucune ligne à importer.")
    header = find_header(rows)
    if header is None:
        raise ValidationError(
            "Ce fichier n'est pas un registre : aucune ligne des "
            f"{HEADER_SEARCH_ROWS} premières ne nomme les colonnes « Nom » et « Prénom »."
        )
    index, columns, unknown = header
    skipped = [line for line, cells in rows[:index] if not _is_blank(cells)]
    data = [(line, cells) for line, cells in rows[index + 1 :] if not _is_blank(cells)]
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
