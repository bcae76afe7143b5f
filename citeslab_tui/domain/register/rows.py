"""A data row of the register read into a `RegisterRow`: every cell it can read, a
warning (line, column, reason) for each one it cannot; rejected only without a family
name or a first name."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TypeVar

from citeslab_tui.domain import identity, text
from citeslab_tui.domain.errors import CitesLabError, ValidationError
from citeslab_tui.domain.register.cells import (
    APPROACH_WORDS,
    DAY_FIRST,
    OUTCOME_WORDS,
    SEX_ACCEPTED,
    SEX_WORDS,
    STAGE_WORDS,
    YEAR,
    CellError,
    date_cell,
    phone_cell,
    text_cell,
    word_cell,
)
from citeslab_tui.domain.register.columns import COLUMN_LABELS, DATE_COLUMNS

_T = TypeVar("_T")


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

    def read(key: str, fn: Callable[[str], _T | None]) -> _T | None:
        value = cell(key)
        try:
            return fn(value)
        except CellError as exc:
            row.warnings.append(f"colonne « {COLUMN_LABELS[key]} » : {exc} ; valeur laissée vide")
        except CitesLabError as exc:  # any other French refusal of a value
            row.warnings.append(
                f"colonne « {COLUMN_LABELS[key]} » : {exc.message.rstrip('.')} ; "
                "valeur laissée vide"
            )
        return None

    sex = read("sex", lambda v: word_cell(v, SEX_WORDS, SEX_ACCEPTED))
    if sex is None or sex == "unknown":
        sex = read("civility", lambda v: word_cell(v, SEX_WORDS, SEX_ACCEPTED)) or sex
    row.gender = sex or "unknown"
    raw_birth = cell("birth_date").strip()
    if YEAR.match(raw_birth) and int(raw_birth) <= today.year:
        row.birth_year = int(raw_birth)
    else:
        row.birth_date = read("birth_date", lambda v: date_cell(v, today, date_order))
        row.birth_year = row.birth_date.year if row.birth_date else None
    row.phone = read("phone", phone_cell)

    def email(value: str) -> str | None:
        typed = text_cell(value, 254)
        if not typed:
            return None
        try:
            return text.parse_email(typed)
        except CitesLabError as exc:
            raise CellError(f"« {typed[:30]} » : {exc.message.rstrip('.')}") from None

    row.email = read("email", email)
    row.commune = read("commune", lambda v: text_cell(v, 200)) or ""
    row.qpv = read("qpv", lambda v: text_cell(v, 200)) or ""
    row.site = read("site", lambda v: text_cell(v, 80)) or ""
    for key in DATE_COLUMNS[1:]:
        setattr(row, key, read(key, lambda v: date_cell(v, today, date_order)))
    row.approach = (
        read("approach", lambda v: word_cell(v, APPROACH_WORDS, "Individuelle ou Collective"))
        or "unknown"
    )
    row.stage = read(
        "stage", lambda v: word_cell(v, STAGE_WORDS, "Sensibilisé, Détecté, Émergence")
    )
    row.outcome = read(
        "outcome", lambda v: word_cell(v, OUTCOME_WORDS, "Création, Emploi, Formation, Abandon")
    )
    row.partner = read("partner", lambda v: text_cell(v, 200)) or ""
    row.notes = read("notes", lambda v: text_cell(v, text.MAX_TEXT, multiline=True)) or ""

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
