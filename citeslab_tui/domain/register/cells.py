"""One cell of a register read into a value: sex or civility words, the approach, stage
and outcome words, dates (French forms, Excel serial numbers, the file's date order),
phones, text. A cell that cannot be read is a `CellError` (French reason)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache

from citeslab_tui.domain import text
from citeslab_tui.domain.errors import CitesLabError, ValidationError
from citeslab_tui.domain.register.columns import COLUMN_LABELS, DATE_COLUMNS

DAY_FIRST, MONTH_FIRST = "dm", "md"
DATE_ORDER_OPTIONS = {"jj/mm": DAY_FIRST, "mm/jj": MONTH_FIRST}

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
SERIAL = re.compile(r"^(\d{5})(?:[.,]\d+)?$", re.ASCII)  # 10000 = 16/05/1927 ... 73050 = 2100
YEAR = re.compile(r"^(19|20)\d\d$", re.ASCII)

# registers repeat the same few words on every row: fold each distinct value once
_fold = lru_cache(maxsize=8192)(text.fold)


class DateOrderNeeded(ValidationError):
    """The file's numeric dates do not say whether they are jj/mm or mm/jj."""


class CellError(Exception):
    pass


def word_cell(value: str, words: dict[str, str], accepted: str) -> str | None:
    key = _fold(value) if len(value) < 40 else text.fold(value)
    if not key or key == "?":
        return None
    if key in words:
        return words[key]
    raise CellError(f"« {value[:30]} » non reconnu (attendu : {accepted})")


def excel_serial(value: str) -> date | None:
    """An Excel serial day number written in a date column (41710 -> 12/03/2014)."""
    m = SERIAL.match(value.strip())
    if not m:
        return None
    return EXCEL_EPOCH + timedelta(days=int(m.group(1)))


def date_cell(value: str, today: date, order: str | None) -> date | None:
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
            raise CellError(reason if raw in reason else f"« {raw[:20]} » : {reason}") from None
    if parsed > today:
        raise CellError(f"date dans le futur ({text.format_date(parsed)})")
    return parsed


def phone_cell(value: str) -> str | None:
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
        raise CellError(f"« {raw[:20]} » : {exc.message.rstrip('.')}") from None


def text_cell(value: str, max_len: int, *, multiline: bool = False) -> str:
    try:
        return text.clean_text(value, max_len, multiline=multiline)
    except CitesLabError as exc:
        raise CellError(exc.message.rstrip(".")) from None


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
