"""French due-date expressions, relative to a given `today` (pure).

Understood (accents and case optional, an optional time at the end):

- `aujourd'hui`, `demain`, `après-demain`;
- `lundi` … `dimanche`: the next such day, never today (`jeudi prochain` too);
- `+3` / `+3j` (days), `+2s` / `+2sem` (weeks), `dans 3 jours`, `dans 2 semaines`;
- `12/03` (next occurrence of that day: this year, or next), `12/03/2027`, `12/03/27`
  (separators `/`, `.` or `-`; an optional leading `le`);
- a time `14h30`, `14h`, `14:30` (optionally preceded by `à`); a time alone means today.

`parse_due` returns `(date, "HH:MM" | None)`; `parse_quick_task` splits a one-line
quick add ("Rappeler Mme Diallo jeudi 14h") into a title and its due date.
Anything else raises `ValidationError` whose French message lists these forms;
no other exception escapes (property-tested in tests/test_duedates.py).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.text import make_date

WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
UNDERSTOOD_FORMS = (
    "aujourd'hui, demain, après-demain, lundi … dimanche, +3 (jours), +2s (semaines), "
    "12/03, 12/03/2027 ou 12/03/27, suivis si besoin d'une heure : 14h30, 14h ou 14:30"
)
MAX_DAYS_AHEAD = 3650  # "+N" beyond ten years is certainly a typo
MAX_INPUT = 200
MAX_DUE_WORDS = 5  # longest due expression at the end of a quick-add line

_SPACES = re.compile(r"\s+")
_TIME = re.compile(r"^(?:(?:a|vers)\s+)?([0-9]{1,2})\s*(?:h\s*([0-9]{2})?|:\s*([0-9]{2}))$")
_TIME_AT_END = re.compile(
    r"(?:^|\s)((?:(?:a|vers)\s+)?[0-9]{1,2}\s*(?:h\s*(?:[0-9]{2})?|:\s*[0-9]{2}))$"
)
_DAY_MONTH = re.compile(r"^([0-9]{1,2})[/.\-]([0-9]{1,2})(?:[/.\-]([0-9]{4}|[0-9]{2}))?$")
_PLUS = re.compile(r"^\+\s*([0-9]{1,5})\s*(j|jours?|s|sem|semaines?)?$")
_IN = re.compile(r"^dans\s+([0-9]{1,5})\s*(j|jours?|s|sem|semaines?)$")
_WORDS = {
    "aujourd'hui": 0,
    "aujourdhui": 0,
    "aujourd hui": 0,
    "auj": 0,
    "demain": 1,
    "apres-demain": 2,
    "apres demain": 2,
    "apresdemain": 2,
}


@dataclass(frozen=True)
class QuickTask:
    """A parsed quick-add line."""

    title: str
    due: date
    time: str | None


def normalize(value: str) -> str:
    """Lower case, accents removed, typographic apostrophes and spaces unified."""
    text = unicodedata.normalize("NFKD", str(value)[: MAX_INPUT * 2])
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("\u2019", "'").replace("\u02bc", "'").replace("`", "'")
    return _SPACES.sub(" ", text).strip()


def _error(raw: str) -> ValidationError:
    shown = raw.strip()[:30]
    what = f"Échéance non comprise « {shown} »" if shown else "Échéance manquante"
    return ValidationError(f"{what}. Formes comprises : {UNDERSTOOD_FORMS}.")


def _parse_time(text: str) -> str | None:
    """'14h30' / '14h' / '14:30' / 'à 14h' -> '14:30'; None if not a time."""
    m = _TIME.match(text)
    if not m:
        return None
    hours = int(m.group(1))
    minutes = int(m.group(2) or m.group(3) or 0)
    if hours > 23 or minutes > 59:
        raise ValidationError(f"Heure impossible : {hours}h{minutes:02d} (de 0h00 à 23h59).")
    return f"{hours:02d}:{minutes:02d}"


def _add_days(today: date, days: int) -> date:
    if days > MAX_DAYS_AHEAD:
        raise ValidationError("Échéance trop lointaine : dix ans au plus.")
    return today + timedelta(days=days)


def _day_month(day: int, month: int, year_text: str | None, today: date) -> date:
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        raise ValidationError(f"Date impossible : {day:02d}/{month:02d}.")
    if year_text is not None:
        year = int(year_text)
        if len(year_text) == 2:
            year += 2000
        return make_date(year, month, day)
    # the next occurrence: this year if not past, else the next year that has that day
    for year in range(today.year, today.year + 9):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    raise ValidationError(f"Date impossible : {day:02d}/{month:02d}.")


def _parse_date(text: str, today: date) -> date | None:
    """The date part (already normalised); None if it is not a date form."""
    text = text.removeprefix("le ").strip()
    if text in _WORDS:
        return today + timedelta(days=_WORDS[text])
    word = text.removesuffix(" prochain").removesuffix(" prochaine").strip()
    if word in WEEKDAYS:
        ahead = (WEEKDAYS.index(word) - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    m = _PLUS.match(text) or _IN.match(text)
    if m:
        count = int(m.group(1))
        unit = m.group(2) or "j"
        return _add_days(today, count * 7 if unit.startswith("s") else count)
    m = _DAY_MONTH.match(text)
    if m:
        return _day_month(int(m.group(1)), int(m.group(2)), m.group(3), today)
    return None


def parse_due(value: str, today: date) -> tuple[date, str | None]:
    """A due expression -> (date, "HH:MM" or None); French ValidationError otherwise."""
    raw = str(value)
    if len(raw) > MAX_INPUT:
        raise ValidationError(f"Échéance trop longue ({len(raw)} caractères).")
    text = normalize(raw)
    if not text:
        raise _error(raw)
    time = _parse_time(text)
    if time is not None:
        return today, time
    date_part = text
    m = _TIME_AT_END.search(text)
    if m:
        time = _parse_time(m.group(1))
        date_part = text[: m.start(1)].strip()
    due = _parse_date(date_part, today)
    if due is None:
        raise _error(raw)
    return due, time


def parse_quick_task(line: str, today: date) -> QuickTask:
    """'Rappeler Mme Diallo jeudi 14h' -> title 'Rappeler Mme Diallo', next Thursday, 14:00.

    The due expression is the longest run of words at the end of the line that
    parses; at least one word must remain as the title.
    """
    raw = _SPACES.sub(" ", str(line)).strip()
    if len(raw) > MAX_INPUT:
        raise ValidationError(f"Ligne trop longue ({len(raw)} caractères, maximum {MAX_INPUT}).")
    words = raw.split(" ") if raw else []
    if not words:
        raise ValidationError(
            "Écrivez la tâche puis son échéance, par exemple « Rappeler Mme Diallo jeudi 14h »."
        )
    for size in range(min(MAX_DUE_WORDS, len(words) - 1), 0, -1):
        tail = " ".join(words[-size:])
        try:
            due, time = parse_due(tail, today)
        except ValidationError as exc:
            if "impossible" in exc.message or "trop lointaine" in exc.message:
                raise  # a date was meant, but it is wrong: say why
            continue
        title = " ".join(words[:-size]).rstrip(" ,;:-–")
        if title:
            return QuickTask(title=title, due=due, time=time)
    raise ValidationError(
        "Échéance non comprise à la fin de la ligne (exemple : « Rappeler Mme Diallo jeudi "
        f"14h »). Formes comprises : {UNDERSTOOD_FORMS}."
    )


def describe_due(due: date, time: str | None = None) -> str:
    """'jeudi 03/12/2026 à 14:30' (what the user sees before saving)."""
    text = f"{WEEKDAYS[due.weekday()]} {due:%d/%m/%Y}"
    return f"{text} à {time}" if time else text


def relative_label(due: date, today: date) -> str:
    """'aujourd'hui', 'demain', 'hier', 'dans 5 jours', 'il y a 3 jours'."""
    days = (due - today).days
    if days == 0:
        return "aujourd'hui"
    if days == 1:
        return "demain"
    if days == -1:
        return "hier"
    return f"dans {days} jours" if days > 0 else f"il y a {-days} jours"


def end_of_week(today: date) -> date:
    """The Sunday ending today's week (today itself on a Sunday)."""
    return today + timedelta(days=6 - today.weekday())
