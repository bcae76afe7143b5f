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

import unicodedata
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

import orjson
import pydantic
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from citeslab_tui.bundles.codec import MAX_SEQ, BundleError
from citeslab_tui.bundles.identity import DEVICE_PATTERN
from citeslab_tui.domain import display
from citeslab_tui.domain import merge as merging
from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.domain.hlc import HLC_PATTERN
from citeslab_tui.domain.models import RECORD_TYPES, Record
from citeslab_tui.domain.records import TRAIL_MAX, clean_value
from citeslab_tui.store.snapshot import intern_doc

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
# An instant as every local write stores it: `datetime.now(UTC).isoformat()`
Instant = Annotated[
    str,
    StringConstraints(
        pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
        r"(\.[0-9]{6})?\+00:00$"
    ),
]


class WireMeta(BaseModel):
    """The envelope of a record as it may travel (see models.Meta, records.stamp)."""

    model_config = ConfigDict(strict=True, extra="forbid")

    created_at: Instant
    created_by: Short = ""
    created_device: DeviceOrEmpty = ""
    updated_at: Instant
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
                    Instant,
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


def _content(kind: str, record_id: str, content: dict[str, Any]) -> dict[str, Any]:
    """Validate `content` strictly as a record of `kind`: its canonical content."""
    model = RECORD_TYPES[kind]
    try:
        cleaned = {name: clean_value(name, value) for name, value in content.items()}
    except CitesLabError as exc:
        raise _Invalid(exc.message.rstrip(".")) from None
    cleaned["id"] = record_id
    raw = orjson.dumps(cleaned)
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


def _instant(value: str, where: str) -> str:
    """An Instant that is also a real date (not 30 February)."""
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise _Invalid(f"champ « meta.{where} » invalide (date et heure impossibles)") from None
    return value


def _clean_blob(blob: bytes) -> bool:
    """True when no text of the record (its compact JSON, orjson) needs cleaning: then
    every `clean_value` would give it back unchanged (checked by tests/test_wire.py).

    In compact JSON a control character, quote, backslash or newline in a text is an
    escape (a backslash), and the only spaces next to a quote start or end a text; any
    other character clean_text changes (DEL, C1 controls, no-break and other Unicode
    spaces, zero-width and bidi characters, the BOM) is not printable."""
    if len(blob) > MAX_STRING or b"\\" in blob or b"  " in blob:
        return False
    if b'" ' in blob or b' "' in blob or b"\x7f" in blob:
        return False
    if blob.isascii():
        return True
    text = blob.decode("utf-8")
    return text.isprintable() and unicodedata.is_normalized("NFC", text)


_WIRE_MODELS: dict[str, type[Record]] = {}


def _wire_model(kind: str) -> type[Record]:
    """The record's model with `meta: WireMeta`: content and envelope in one strict pass."""
    if kind not in _WIRE_MODELS:
        base = RECORD_TYPES[kind]
        _WIRE_MODELS[kind] = pydantic.create_model(
            f"Wire{base.__name__}", __base__=base, meta=(WireMeta, ...)
        )
    return _WIRE_MODELS[kind]


def canonical_record(kind: str, doc: Any) -> dict[str, Any]:
    """The canonical stored form of one record read from a bundle, or _Invalid."""
    if not isinstance(doc, dict):
        raise _Invalid("enregistrement mal formé")
    raw_meta = doc.get("meta")
    if not isinstance(raw_meta, dict):
        raise _Invalid("enveloppe « meta » absente")
    record_id = doc["id"]
    blob = orjson.dumps(doc)
    clean = _clean_blob(blob)
    if not clean:  # some text needs cleaning (or is long): field by field
        cleaned: dict[str, Any] = {}
        for name, value in doc.items():
            if name == "id" or name == "meta":
                continue
            try:
                cleaned[name] = clean_value(name, value)
            except CitesLabError as exc:  # longer than any text of a record
                reason = exc.message.rstrip(".")
                raise _Invalid(
                    f"champ « {name[:40]} » : {reason[:1].lower()}{reason[1:]}"
                ) from None
        cleaned["id"] = record_id
        cleaned["meta"] = raw_meta
        blob = orjson.dumps(cleaned)
    try:
        record = _wire_model(kind).model_validate_json(blob, strict=True)
    except pydantic.ValidationError as exc:
        raise _Invalid(_reason(exc)) from None
    except CitesLabError as exc:  # a model validator's French message
        raise _Invalid(exc.message.rstrip(".")) from None
    canonical = record.content()
    meta = record.meta
    assert isinstance(meta, WireMeta)  # the wire model's meta field (required)

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
        "created_at": _instant(meta.created_at, "created_at"),
        "created_by": meta.created_by if clean else clean_value("by", meta.created_by),
        "created_device": meta.created_device,
        "updated_at": _instant(meta.updated_at, "updated_at"),
        "updated_by": meta.updated_by if clean else clean_value("by", meta.updated_by),
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
                value = _content(kind, record_id, {**canonical, name: value})[name]
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
            [hlc, _instant(when, "trail"), staff if clean else clean_value("by", staff), device]
            + [list(changed), action]
            for hlc, when, staff, device, changed, action in meta.trail
        ]
    if meta.merged_into is not None:
        out["merged_into"] = meta.merged_into
    result = {"id": record_id, **canonical, "meta": out}
    return merging.normalize(result, kind)


def _identical(doc: dict[str, Any], local: dict[str, Any]) -> bool:
    """`doc` is exactly `local` (types included: 1, 1.0 and true differ), the local
    sequence number aside."""
    meta, local_meta = doc.get("meta"), local.get("meta")
    if not isinstance(meta, dict) or not isinstance(local_meta, dict):
        return False
    had = meta.get("lseq", _ABSENT)
    meta["lseq"] = local_meta.get("lseq", _ABSENT_LSEQ)
    try:
        sort = orjson.OPT_SORT_KEYS
        return orjson.dumps(doc, option=sort) == orjson.dumps(local, option=sort)
    finally:
        if had is _ABSENT:
            meta.pop("lseq", None)
        else:
            meta["lseq"] = had


_ABSENT = object()
_ABSENT_LSEQ = -1


def canonical_records(
    data: list[Any],
    stored: Callable[[str, str], dict[str, Any] | None] | None = None,
    *,
    first: int = 1,
    strings: dict[str, str] | None = None,
) -> list[tuple[str, dict[str, Any]]]:
    """Every record of a payload, validated and canonical; BundleError naming the first
    bad one (its number in the file, and its id when readable).

    `stored(kind, id)` gives this database's version of a record: a record that is
    exactly it, byte for byte as JSON (the morning's full return file), is already
    validated and canonical: it is not validated again, and the stored document itself
    is returned in its place (`is` tells the caller nothing changed).

    Each item of `data` is released (set to None) once its canonical form is built:
    the parsed payload and its canonical copy are never both whole in memory (the
    first full sync of a large office). On BundleError the caller drops `data`. The
    records' repeated strings are shared, and their empty `dots`/`conflicts` and
    one-device version vectors, as in a database read from disk
    (`snapshot.intern_doc`; `strings`: the strings shared so far). `first`: the
    number of `data[0]` in the file (a payload validated piece by piece)."""
    import re

    record_id_re = re.compile(r"[0-9a-f]{32}")
    out: list[tuple[str, dict[str, Any]]] = []
    shared = ({} if strings is None else strings).setdefault
    for n, item in enumerate(data, start=first):
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[1], dict)):
            raise BundleError(f"enregistrement n° {n} mal formé")
        kind, doc = item
        data[n - first] = None  # `doc` lives on only as long as this step needs it
        if not isinstance(kind, str) or kind not in RECORD_TYPES:
            raise BundleError(f"enregistrement n° {n} : type inconnu « {str(kind)[:30]} »")
        record_id = doc.get("id")
        if not (isinstance(record_id, str) and record_id_re.fullmatch(record_id)):
            raise BundleError(f"enregistrement n° {n} : identifiant invalide")
        local = stored(kind, record_id) if stored is not None else None
        if local is not None and _identical(doc, local):
            out.append((kind, local))
            continue
        try:
            record = canonical_record(kind, doc)
        except _Invalid as exc:
            raise BundleError(f"{record_name(n, kind, record_id)} : {exc.reason}") from None
        intern_doc(record, shared)  # as the store does at open: repeated strings once
        out.append((kind, record))
    return out


def record_name(n: int, kind: str, record_id: str) -> str:
    """ "enregistrement n° 3 (personne 1a2b3c4d)": names a record without personal data."""
    return f"enregistrement n° {n} ({display.noun(kind)} {record_id[:8]})"
