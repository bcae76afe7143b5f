"""French input conventions: names, search keys, phones, dates, numbers.

Every parser returns a clean value or raises `ValidationError` with a French
reason; no other exception escapes (property-tested in tests/test_text.py).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from citeslab_tui.domain.errors import ValidationError

# control characters, zero-width and bidi overrides (display spoofing), lone surrogates
# (not encodable as UTF-8: they would break the save)
_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ud800-\udfff]"
)
_SPACES = re.compile(r"\s+")
MAX_NAME = 80
MAX_TEXT = 4000


def clean_text(value: str, max_len: int = MAX_TEXT, *, multiline: bool = False) -> str:
    """NFC, control characters removed, spaces collapsed (newlines kept if multiline)."""
    text = unicodedata.normalize("NFC", str(value))
    if multiline:
        lines = [_SPACES.sub(" ", _CONTROL.sub("", line)).strip() for line in text.splitlines()]
        text = "\n".join(lines).strip()
    else:
        text = _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()
    if len(text) > max_len:
        raise ValidationError(f"Texte trop long ({len(text)} caractères, maximum {max_len}).")
    return text


def clean_name(value: str, label: str = "Le nom") -> str:
    """A person's name kept as typed (NFC, accents and case kept), never empty."""
    name = clean_text(value, MAX_NAME)
    if not name:
        raise ValidationError(f"{label} est obligatoire.")
    if not any(ch.isalpha() for ch in name):
        raise ValidationError(f"{label} doit contenir au moins une lettre.")
    return name


_LETTERS = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ı": "i"})


def fold(value: str) -> str:
    """Search key: accents, case and punctuation ignored ("Hérouville" -> "herouville")."""
    # NFKD before casefold (𝔸 -> A -> a) and after it (casefold can compose)
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", str(value)).casefold())
    without = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    kept = "".join(ch if ch.isalnum() else " " for ch in without.translate(_LETTERS))
    return _SPACES.sub(" ", kept).strip()


# abbreviations that registers and people write for the words of reference names
_ABBREVIATIONS = {
    "st": "saint",
    "ste": "sainte",
    "sts": "saints",
    "stes": "saintes",
    "1er": "premier",
    "1ere": "premiere",
    "1re": "premiere",
}
_SUR = re.compile(r"(?<![^\W_])[sS]\s*/\s*")  # "Fleury s/ Orne", "s/Mer"


def match_key(value: str) -> str:
    """The key two spellings of one reference name share: `fold` plus the usual
    abbreviations ("HEROUVILLE ST CLAIR" = "Hérouville-Saint-Clair", "Date 1er
    entretien" = "Date premier entretien", "Fleury s/ Orne" = "Fleury-sur-Orne").

    The one matching rule of the app: intake pickers, the register import, the
    bilan and the office's alias files all compare names through it."""
    words = fold(_SUR.sub("sur ", str(value))).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


# --- phones -----------------------------------------------------------------

_PHONE_CHARS = re.compile(r"[\s.\-/()]")


def parse_phone(value: str) -> str:
    """A French phone number in any usual writing -> E.164 (`+33612345678`).

    Accepts 0612345678, 06 12 34 56 78, 06.12.34.56.78, +33 6 12 34 56 78,
    0033 6..., +33 (0)6 ...
    """
    raw = clean_text(value, 40)
    if not raw:
        raise ValidationError("Numéro de téléphone vide.")
    compact = _PHONE_CHARS.sub("", raw.replace("(0)", ""))
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if compact.startswith("+33"):
        national = compact[3:]
        if national.startswith("0"):
            national = national[1:]
    elif compact.startswith("+"):
        raise ValidationError("Seuls les numéros français sont acceptés (+33 ou 0…).")
    elif compact.startswith("0"):
        national = compact[1:]
    else:
        raise ValidationError("Numéro de téléphone invalide : il doit commencer par 0 ou +33.")
    if not national.isascii() or not national.isdigit() or len(national) != 9:
        raise ValidationError(
            "Numéro de téléphone invalide : 10 chiffres attendus (06 12 34 56 78)."
        )
    if national[0] == "0":
        raise ValidationError("Numéro de téléphone invalide.")
    return "+33" + national


def format_phone(e164: str | None) -> str:
    """`+33612345678` -> `06 12 34 56 78` (anything else shown as stored)."""
    if not e164:
        return ""
    if e164.startswith("+33") and len(e164) == 12:
        digits = "0" + e164[3:]
        return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
    return e164


# --- e-mail -----------------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def parse_email(value: str) -> str:
    email = clean_text(value, 254)
    if not _EMAIL.match(email):
        raise ValidationError("Adresse e-mail invalide (exemple : nom@exemple.fr).")
    return email


# --- dates ------------------------------------------------------------------

_DATE_SEP = re.compile(r"^(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d{2}|\d{4})$", re.ASCII)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", re.ASCII)
_COMPACT = re.compile(r"^(\d{2})(\d{2})(\d{4}|\d{2})$", re.ASCII)
_WORDS = re.compile(r"^(\d{1,2})(?:er)? ([a-z]+)\.? (\d{4})$", re.ASCII)
MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1,
    "fevrier": 2, "fevr": 2, "fev": 2,
    "mars": 3, "mar": 3,
    "avril": 4, "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7, "juil": 7,
    "aout": 8,
    "septembre": 9, "sept": 9, "sep": 9,
    "octobre": 10, "oct": 10,
    "novembre": 11, "nov": 11,
    "decembre": 12, "dec": 12,
}  # fmt: skip


def parse_date(value: str, today: date | None = None, *, month_first: bool = False) -> date:
    """A date typed the French way -> `date`, or ValidationError (French).

    Accepts dd/mm/yyyy, d/m/yyyy, dd/mm/yy, with `/`, `.`, `-` or spaces as
    separators, ddmmyyyy, "26 novembre 2026", "1er mai 2026" and ISO yyyy-mm-dd.
    A two-digit year means 19yy when 20yy would lie in the future, else 20yy.
    `month_first` reads the numeric forms as mm/dd/yyyy (a file saved by a program
    set to US dates; see `date_order_hint`).
    """
    raw = clean_text(value, 40)
    if not raw:
        raise ValidationError("Date vide.")
    today = today or date.today()
    iso = _ISO.match(raw)
    words = _WORDS.match(fold(raw).replace(" er ", "er "))
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    elif words:
        if words.group(2) not in MONTHS:
            raise ValidationError(f"Mois inconnu « {words.group(2)[:20]} » : écrivez jj/mm/aaaa.")
        day, month, year = int(words.group(1)), MONTHS[words.group(2)], int(words.group(3))
    else:
        m = _DATE_SEP.match(raw) or _COMPACT.match(raw)
        if not m:
            raise ValidationError(f"Date illisible « {raw[:20]} » : écrivez jj/mm/aaaa.")
        day, month = int(m.group(1)), int(m.group(2))
        if month_first:
            day, month = month, day
        year_text = m.group(3)
        year = int(year_text)
        if len(year_text) == 2:
            year = 2000 + year if 2000 + year <= today.year else 1900 + year
    return make_date(year, month, day)


def date_order_hint(value: str) -> str | None:
    """Which order a numeric date like 05/12/1980 can be read in: "dm" when only day
    first makes a date (25/12/1980), "md" when only month first does (12/25/1980),
    "either" when both do and differ (05/12/1980); None for the other writings (ISO,
    words, equal day and month) and for text that is no such date."""
    raw = clean_text(value, 40) if len(value) <= 40 else ""
    m = _DATE_SEP.match(raw) or _COMPACT.match(raw)
    if not m or _ISO.match(raw):
        return None
    first, second = int(m.group(1)), int(m.group(2))
    if first == second:
        return None
    day_first = 1 <= first <= 31 and 1 <= second <= 12
    month_first = 1 <= second <= 31 and 1 <= first <= 12
    if day_first and month_first:
        return "either"
    return "dm" if day_first else "md" if month_first else None


def make_date(year: int, month: int, day: int) -> date:
    """A real date from its parts, or a French ValidationError (years 1900-2100)."""
    if not 1900 <= year <= 2100:
        raise ValidationError(f"Année impossible : {year}.")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValidationError(f"Date impossible : {day:02d}/{month:02d}/{year}.") from None


def format_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy, or empty."""
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y %H:%M")


# --- numbers ----------------------------------------------------------------


def format_percent(value: float | None) -> str:
    """56.0 -> '56,00 %' (non-breaking space), None -> '–'."""
    if value is None:
        return "–"
    return f"{value:.2f}".replace(".", ",") + "\u00a0%"


def format_int(value: int) -> str:
    """12345 -> '12 345' (narrow no-break space as thousands separator)."""
    return f"{value:,}".replace(",", "\u202f")


# --- output hygiene ---------------------------------------------------------

# Bidi controls (RLO/LRO/isolates: "Trojan Source" display spoofing), zero-width and
# line/paragraph separators, the BOM, and lone surrogates (not encodable).
_INVISIBLE = re.compile(
    "[\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff\x80-\x9f]"
)
# C0 controls except tab and newline, and DEL: shown as their Unicode "control
# picture" (U+2400 block: ESC -> ␛, NUL -> ␀, BEL -> ␇, CR -> ␍, DEL -> ␡).
_PICTURES = {c: chr(0x2400 + c) for c in range(0x20) if c not in (0x09, 0x0A)}
_PICTURES[0x7F] = "\u2421"


def visible(value: object) -> str:
    """Text made safe for a terminal, with nothing hidden: every control character
    (escape sequences, BEL, NUL, CR, C1 codes) and every bidi override or invisible
    character is shown visibly (`\\x1b` -> `␛`, U+202E -> `<U+202E>`); newlines and
    tabs are kept. THE function every string that reaches a terminal goes through
    (`console.py` applies it to everything the CLI prints)."""
    text = value if isinstance(value, str) else str(value)
    if text.isprintable():  # fast path: no control, format or separator character
        return text
    text = text.translate(_PICTURES)
    return _INVISIBLE.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


# OWASP "CSV injection": a cell starting with one of these is read as a formula by
# Excel / LibreOffice (=HYPERLINK(...), +cmd|' /C calc'!A0, @SUM(...), -2+3).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """A text cell for a CSV file, neutralised per OWASP: a leading `'` when the text
    starts with = + - @ tab or carriage return (the spreadsheet then shows it as text)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def format_duration(millis: int) -> str:
    """A clock difference in French words: "3 minutes", "5 heures", "30 jours"."""
    minutes = round(abs(millis) / 60_000)
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes > 1 else ''}"
    hours = round(minutes / 60)
    if hours < 48:
        return f"{hours} heures"
    return f"{round(hours / 24)} jours"
