"""How a stored record is shown to a person, read from the models: one way for every
screen, file and message (the access copy, the audit trail, the sync conflicts).

- `title(kind, field)`: the field's French title (`Field(title=...)` in models.py);
- `show_value(kind, field, value, places)`: a stored value as French text, the rule
  chosen from the field's type in the model: a vocabulary by its label, a date
  dd/mm/yyyy, an instant in local time, Oui/Non, a phone 06 12 34 56 78, a number
  with a decimal comma, a QPV and a partner by their names (with `places`);
- `record_title(kind, doc)`: "Entretien du 12/03/2025";
- `count_phrase(counts)`: "12 personnes, 19 entretiens".

Pure: no I/O, no textual, no tinydb.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from enum import Enum
from functools import lru_cache
from typing import Any

from citeslab_tui.domain import text
from citeslab_tui.domain.models import RECORD_TYPES, Record
from citeslab_tui.domain.places import Places
from citeslab_tui.domain.vocabulary import Vocabulary

EMPTY = "non renseigné"
UNKNOWN_DATE = "date inconnue"


def model_of(kind: str) -> type[Record] | None:
    return RECORD_TYPES.get(kind)


def title(kind: str, name: str) -> str:
    """The French title of a field of a record kind (the field's name if unknown)."""
    model = RECORD_TYPES.get(kind)
    info = model.model_fields.get(name) if model is not None else None
    return (info.title if info is not None else None) or name


def field_extra(kind: str, name: str, key: str) -> Any:
    """A field's own words in models.py (json_schema_extra), or None: "input" (name,
    phone, email, commune, qpv), "table" (the reference table of its values),
    "required" (a form cannot leave it empty)."""
    model = RECORD_TYPES.get(kind)
    info = model.model_fields.get(name) if model is not None else None
    extra = info.json_schema_extra if info is not None else None
    return extra.get(key) if isinstance(extra, dict) else None


def field_input(kind: str, name: str) -> str:
    """What a text field holds: "name", "phone", "email", "commune", "qpv" or ""."""
    return str(field_extra(kind, name, "input") or "")


def field_type(kind: str, name: str) -> Any:
    """The field's type in the model, unwrapped (`date | None` -> date), or Any."""
    model = RECORD_TYPES.get(kind)
    info = model.model_fields.get(name) if model is not None else None
    return _base_type(info.annotation) if info is not None else Any


def _base_type(annotation: Any) -> Any:
    """`date | None` -> date; `Annotated[str, ...]` -> str."""
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        kept = [a for a in typing.get_args(annotation) if a is not type(None)]
        return kept[0] if len(kept) == 1 else Any
    return annotation


def as_local(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone()


def parse_instant(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def show_instant(value: Any) -> str:
    """An instant (stored ISO, UTC) in local time: "12/03/2025 à 14:05"."""
    when = parse_instant(value)
    return text.format_datetime(as_local(when)) if when else UNKNOWN_DATE


def _show_date(value: Any) -> str:
    if isinstance(value, datetime):
        return text.format_date(value.date())
    if isinstance(value, date):
        return text.format_date(value)
    try:
        return text.format_date(date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


def _show_vocabulary(vocabulary: type[Vocabulary]) -> Callable[[Any], str]:
    def show(value: Any) -> str:
        try:
            return vocabulary(value.value if isinstance(value, Enum) else value).label
        except ValueError:
            return str(value)

    return show


def _show_number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


@lru_cache(maxsize=512)
def _shower(kind: str, name: str) -> Callable[[Any], str]:
    """The rule showing one field, chosen once from the model."""
    base = field_type(kind, name)
    if isinstance(base, type) and issubclass(base, Vocabulary):
        return _show_vocabulary(base)
    if base is datetime:
        return show_instant
    if base is date:
        return _show_date
    if base is bool:
        return lambda v: "Oui" if v else "Non"
    if base in (int, float):
        return _show_number
    if field_input(kind, name) == "phone":
        return lambda v: text.format_phone(str(v))
    return _show_plain


def _show_plain(value: Any) -> str:
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, Enum):
        return str(value.value)
    return _show_number(value)


def show_value(
    kind: str, name: str, value: Any, places: Places | None = None, *, day: date | None = None
) -> str:
    """A stored value of a field as a person reads it (see the module docstring).

    With `places`, a QPV is shown by its name (under the map in force on `day` when
    given) and a partner by its current name, never by a stored key."""
    if value is None or value == "":
        return EMPTY
    if places is not None:
        shown_input = field_input(kind, name)
        if shown_input == "qpv" and isinstance(value, str):
            return places.qpv_label(value, day) or EMPTY
        if field_extra(kind, name, "table") == "partners" and isinstance(value, str):
            return places.partner_name(value)
    return _shower(kind, name)(value)


def record_title(kind: str, doc: Mapping[str, Any]) -> str:
    """ "Entretien du 12/03/2025", "Fiche de la personne"."""
    model = RECORD_TYPES.get(kind)
    if model is None:
        return kind
    field = model.date_field
    if field and doc.get(field):
        return f"{model.heading} du {show_value(kind, field, doc[field])}"
    return model.heading


def noun(kind: str, count: int = 1) -> str:
    """The kind's noun, singular or plural: "personne", "entretiens"."""
    model = RECORD_TYPES.get(kind)
    if model is None:
        return kind
    one, many = model.noun
    return one if count == 1 else many


def count_phrase(counts: Mapping[str, int], *, empty: str = "aucun enregistrement") -> str:
    """ "12 personnes, 19 entretiens, 7 tâches" (kinds in the records' order, zeros left out)."""
    order = list(RECORD_TYPES)
    parts = []
    for kind in sorted(counts, key=lambda k: (order.index(k) if k in order else 99, k)):
        n = counts[kind]
        if n:
            parts.append(f"{n} {noun(kind, n)}")
    return ", ".join(parts) or empty
