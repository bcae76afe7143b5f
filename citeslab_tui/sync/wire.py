"""Records read from a sync bundle: strict validation into their canonical form.

What is stored is never the raw input: each record is validated by its model in
pydantic's *strict* mode (an integer is an integer, not "5" nor 1.0; a boolean is
true or false, not "non"; a date is YYYY-MM-DD, not "1990-01-01T00:00:00"), its text
cleaned by the same rule as text typed on this device (`domain.text.clean_text`:
control characters and bidi overrides removed), and the stored document is rebuilt
from the validated values (`Record.content()`), exactly as a local write builds it.
The envelope (`meta`) is validated the same way (`WireMeta`): clocks in the app's own
sortable form, counters positive integers, every dot covered by the record's own
version vector, field names known, lists bounded.

Raises `BundleError` naming the record (its number in the file and its id).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import orjson
import pydantic
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from citeslab_tui.domain import merge as merging
from citeslab_tui.domain import text
from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.domain.hlc import HLC_PATTERN
from citeslab_tui.domain.models import RECORD_TYPES
from citeslab_tui.domain.records import TRAIL_MAX, clean_value
from citeslab_tui.sync.bundle import MAX_SEQ, BundleError
from citeslab_tui.sync.identity import DEVICE_PATTERN

MAX_STRING = 4000  # characters in any text of a record (the longest field: notes)
MAX_CONFLICT_VALUES = 32  # concurrent values kept for one field
MAX_DEVICES = 256  # entries of a version vector
_SHORT = 200  # staff names and other envelope text

DeviceId = Annotated[str, StringConstraints(pattern=DEVICE_PATTERN)]
DeviceOrEmpty = Annotated[str, StringConstraints(pattern=f"({DEVICE_PATTERN})|^$")]
Hlc = Annotated[str, StringConstraints(pattern=HLC_PATTERN)]
HlcOrEmpty = Annotated[str, StringConstraints(pattern=f"({HLC_PATTERN})|^$")]
Counter = Annotated[int, Field(ge=1, le=MAX_SEQ)]
FieldName = Annotated[str, Field(max_length=64)]
Short = Annotated[str, Field(max_length=_SHORT)]
WireDot = tuple[DeviceId, Counter, HlcOrEmpty]


class WireMeta(BaseModel):
    """The envelope of a record as it may travel (see models.Meta, records.stamp)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    created_at: AwareDatetime
    created_by: Short = ""
    created_device: DeviceOrEmpty = ""
    updated_at: AwareDatetime
    updated_by: Short = ""
    device: DeviceOrEmpty = ""
    hlc: Hlc
    vv: dict[DeviceId, Counter] = Field(min_length=1, max_length=MAX_DEVICES)
    dot0: WireDot | None = None
    dots: dict[FieldName, WireDot] = Field(default_factory=dict, max_length=64)
    conflicts: dict[
        FieldName,
        Annotated[
            list[tuple[DeviceId, Counter, Any, HlcOrEmpty]],
            Field(min_length=1, max_length=MAX_CONFLICT_VALUES),
        ],
    ] = Field(default_factory=dict, max_length=64)
    lseq: Annotated[int, Field(ge=0, le=MAX_SEQ)] = 0  # local to the sender: dropped
    deleted: bool = False
    erased: bool = False
    trail: (
        Annotated[
            list[
                tuple[
                    Hlc,
                    AwareDatetime,
                    Short,
                    DeviceOrEmpty,
                    Annotated[list[FieldName], Field(max_length=64)],
                    Literal["edit", "delete", "erase"],
                ]
            ],
            Field(max_length=TRAIL_MAX),
        ]
        | None
    ) = None
    merged_into: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")] | None = None


_REASONS = {
    "int_type": "nombre entier attendu",
    "int_parsing": "nombre entier attendu",
    "float_type": "nombre attendu",
    "bool_type": "vrai ou faux attendu",
    "bool_parsing": "vrai ou faux attendu",
    "string_type": "texte attendu",
    "string_too_long": "texte trop long",
    "string_pattern_mismatch": "format invalide",
    "date_type": "date AAAA-MM-JJ attendue",
    "date_parsing": "date AAAA-MM-JJ attendue",
    "date_from_datetime_parsing": "date AAAA-MM-JJ attendue",
    "datetime_type": "date et heure attendues",
    "datetime_parsing": "date et heure attendues",
    "timezone_aware": "date et heure avec fuseau attendues",
    "enum": "valeur inconnue",
    "literal_error": "valeur inconnue",
    "extra_forbidden": "champ inconnu",
    "missing": "champ manquant",
    "greater_than_equal": "nombre trop petit",
    "less_than_equal": "nombre trop grand",
    "too_short": "liste vide",
    "too_long": "liste trop longue",
    "dict_type": "objet attendu",
    "list_type": "liste attendue",
    "tuple_type": "liste attendue",
}


def _reason(exc: pydantic.ValidationError, prefix: str = "") -> str:
    first = exc.errors(include_url=False)[0]
    where = ".".join(str(p) for p in first.get("loc", ()))[:60] or "?"
    what = _REASONS.get(first.get("type", ""), "valeur invalide")
    return f"champ « {prefix}{where} » invalide ({what})"


def _too_long(doc: Any) -> str | None:
    """The first text longer than MAX_STRING anywhere in the document (iterative walk:
    a hostile file may nest deeply)."""
    stack = [doc]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if len(item) > MAX_STRING:
                return f"texte trop long ({len(item)} caractères, maximum {MAX_STRING})"
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _content(kind: str, record_id: str, content: dict[str, Any]) -> dict[str, Any]:
    """Validate `content` strictly as a record of `kind`: its canonical content."""
    model = RECORD_TYPES[kind]
    cleaned = {name: clean_value(name, value) for name, value in content.items()}
    raw = orjson.dumps({**cleaned, "id": record_id})
    try:
        record = model.model_validate_json(raw, strict=True)
    except pydantic.ValidationError as exc:
        raise _Invalid(_reason(exc)) from None
    except CitesLabError as exc:  # a model validator's French message
        raise _Invalid(exc.message.rstrip(".")) from None
    return record.content()


class _Invalid(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _iso(value: datetime) -> str:
    return value.isoformat()


def canonical_record(kind: str, doc: Any) -> dict[str, Any]:
    """The canonical stored form of one record read from a bundle, or _Invalid."""
    if not isinstance(doc, dict):
        raise _Invalid("enregistrement mal formé")
    problem = _too_long(doc)
    if problem:
        raise _Invalid(problem)
    record_id = doc["id"]
    content = {k: v for k, v in doc.items() if k not in ("id", "meta")}
    canonical = _content(kind, record_id, content)
    raw_meta = doc.get("meta")
    if not isinstance(raw_meta, dict):
        raise _Invalid("enveloppe « meta » absente")
    try:
        meta = WireMeta.model_validate_json(orjson.dumps(raw_meta), strict=True)
    except pydantic.ValidationError as exc:
        raise _Invalid(_reason(exc, "meta.")) from None

    fields = set(canonical)
    vv = dict(meta.vv)

    def covered(dot: tuple[str, int, str], where: str) -> list[Any]:
        device, counter, hlc = dot
        if vv.get(device, 0) < counter:
            raise _Invalid(
                f"« meta.{where} » annonce la modification n° {counter} du poste {device}, "
                "que son propre vecteur de versions ne contient pas"
            )
        return [device, counter, hlc]

    out: dict[str, Any] = {
        "created_at": _iso(meta.created_at),
        "created_by": text.clean_text(meta.created_by, _SHORT),
        "created_device": meta.created_device,
        "updated_at": _iso(meta.updated_at),
        "updated_by": text.clean_text(meta.updated_by, _SHORT),
        "device": meta.device,
        "hlc": meta.hlc,
        "vv": vv,
    }
    if meta.dot0 is not None:
        out["dot0"] = covered(meta.dot0, "dot0")
    dots: dict[str, list[Any]] = {}
    for name, dot in meta.dots.items():
        if name not in fields:
            raise _Invalid(f"« meta.dots » nomme un champ inconnu « {name} »")
        dots[name] = covered(dot, f"dots.{name}")
    out["dots"] = dots
    conflicts: dict[str, list[list[Any]]] = {}
    for name, entries in meta.conflicts.items():
        if name not in fields:
            raise _Invalid(f"« meta.conflicts » nomme un champ inconnu « {name} »")
        kept = []
        for device, counter, value, hlc in entries:
            covered((device, counter, hlc), f"conflicts.{name}")
            try:
                value = _content(kind, record_id, {**content, name: value})[name]
            except _Invalid as exc:
                raise _Invalid(f"valeur en conflit du champ « {name} » : {exc.reason}") from None
            kept.append([device, counter, value, hlc])
        conflicts[name] = kept
    out["conflicts"] = conflicts
    out["deleted"] = meta.deleted
    if meta.erased:
        out["erased"] = True
    if meta.trail is not None:
        out["trail"] = [
            [hlc, _iso(when), text.clean_text(staff, _SHORT), device, list(changed), action]
            for hlc, when, staff, device, changed, action in meta.trail
        ]
    if meta.merged_into is not None:
        out["merged_into"] = meta.merged_into
    result = {"id": record_id, **canonical, "meta": out}
    return merging.normalize(result, kind)


def canonical_records(data: list[Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every record of a payload, validated and canonical; BundleError naming the first
    bad one (its number in the file, and its id when readable)."""
    import re

    record_id_re = re.compile(r"[0-9a-f]{32}")
    out: list[tuple[str, dict[str, Any]]] = []
    for n, item in enumerate(data, start=1):
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[1], dict)):
            raise BundleError(f"enregistrement n° {n} mal formé")
        kind, doc = item
        if not isinstance(kind, str) or kind not in RECORD_TYPES:
            raise BundleError(f"enregistrement n° {n} : type inconnu « {str(kind)[:30]} »")
        record_id = doc.get("id")
        if not (isinstance(record_id, str) and record_id_re.fullmatch(record_id)):
            raise BundleError(f"enregistrement n° {n} : identifiant invalide")
        try:
            out.append((kind, canonical_record(kind, doc)))
        except _Invalid as exc:
            raise BundleError(f"{record_name(n, kind, record_id)} : {exc.reason}") from None
    return out


KIND_NAMES = {
    "person": "personne",
    "interview": "entretien",
    "stage": "étape",
    "orientation": "orientation",
    "outcome": "issue",
    "task": "tâche",
    "queue": "arrivée",
    "collective": "action collective",
    "dismissal": "suggestion écartée",
}


def record_name(n: int, kind: str, record_id: str) -> str:
    """ "enregistrement n° 3 (personne 1a2b3c4d)": names a record without personal data."""
    return f"enregistrement n° {n} ({KIND_NAMES.get(kind, kind)} {record_id[:8]})"
