"""The office merge: a state-based join of two versions of the same record.

Every stored document carries (see `models.Meta`, `records.stamp`):

- `vv`: version vector {device: counter}, the writes this version includes;
- `dot0`: [device, 1, hlc] of the creation; every field without an entry in
  `dots` was last set by that write;
- `dots`: {field: [device, counter, hlc]} of the write that last set the field;
- `conflicts`: {field: [[device, counter, value, hlc], ...]} concurrent values
  kept beside the one shown.

Each field is a causal multi-value register: a value survives the merge unless
the other side has seen its write (its dot is covered by the other side's
version vector) and replaced it. Two surviving values are a conflict: the view
shows the one with the highest (hlc, device, counter), the others stay in
`meta.conflicts` until somebody resolves them (a local write of that field).
The rest of the envelope merges by max / min / or, so the whole merge is a join
(commutative, associative, idempotent on the states the system produces), and
no acknowledged write is ever dropped unless it was causally overwritten.

Deletion (`meta.deleted`) is absorbing. Erasure (`meta.erased`, set by the
privacy code) is absorbing too, and an erased record's personal fields are
reset to their defaults with their dots and conflicts dropped, so a laptop
that synced late never brings an erased person's data back.

Pure: no I/O, no textual, no tinydb.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import orjson

from citeslab_tui.domain.models import RECORD_TYPES
from citeslab_tui.domain.records import TRAIL_MAX, content_of, stamp

Dot = tuple[str, int]
# meta keys the merge handles itself; any other meta key is merged generically
_KNOWN_META = {
    "created_at",
    "created_by",
    "created_device",
    "updated_at",
    "updated_by",
    "device",
    "hlc",
    "vv",
    "dot0",
    "dots",
    "conflicts",
    "lseq",
    "deleted",
    "erased",
    "trail",
}
_UPDATED = ("updated_at", "updated_by", "device", "hlc")
_CREATED = ("created_at", "created_by", "created_device")


def _canon(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def _dot(raw: Any) -> tuple[Dot, str]:
    """(device, counter), hlc of a stored dot."""
    if not isinstance(raw, list | tuple) or len(raw) < 2:
        return ("", 0), ""
    hlc = str(raw[2]) if len(raw) > 2 and raw[2] is not None else ""
    return (str(raw[0]), int(raw[1])), hlc


def field_values(doc: dict[str, Any], field: str) -> dict[Dot, tuple[Any, str]]:
    """The register of one field: {dot: (value, hlc)} (shown value + conflicts)."""
    meta = doc.get("meta") or {}
    dot0 = meta.get("dot0") or [meta.get("created_device", ""), 1, ""]
    raw = (meta.get("dots") or {}).get(field, dot0)
    dot, hlc = _dot(raw)
    values = {dot: (doc.get(field), hlc)}
    for entry in (meta.get("conflicts") or {}).get(field, ()):
        if isinstance(entry, list | tuple) and len(entry) >= 3:
            sib = (str(entry[0]), int(entry[1]))
            values[sib] = (entry[2], str(entry[3]) if len(entry) > 3 and entry[3] else "")
    return values


def _covered(dot: Dot, vv: dict[str, int]) -> bool:
    return vv.get(dot[0], 0) >= dot[1]


def _view_key(item: tuple[Dot, tuple[Any, str]]) -> tuple[str, str, int, bytes]:
    (device, counter), (value, hlc) = item
    return (hlc, device, counter, _canon(value))


def merge_register(
    a: dict[Dot, tuple[Any, str]],
    vv_a: dict[str, int],
    b: dict[Dot, tuple[Any, str]],
    vv_b: dict[str, int],
) -> dict[Dot, tuple[Any, str]]:
    """Causal multi-value register merge of one field."""
    out: dict[Dot, tuple[Any, str]] = {}
    for dot, val in a.items():
        if dot in b or not _covered(dot, vv_b):
            out[dot] = val
    for dot, val in b.items():
        if dot in a:
            # the same write seen on both sides: identical unless a file lies;
            # pick deterministically
            out[dot] = max(out.get(dot, val), val, key=lambda v: (v[1], _canon(v[0])))
        elif not _covered(dot, vv_a):
            out[dot] = val
    if not out:  # only for inconsistent inputs: never lose both
        out = {**a, **b}
    return out


def _pick_max(values: Iterable[dict[str, Any]], keys: tuple[str, ...]) -> dict[str, Any]:
    return max(values, key=lambda m: tuple(str(m.get(k) or "") for k in keys))


def merge_docs(a: dict[str, Any], b: dict[str, Any], kind: str = "") -> dict[str, Any]:
    """Join of two versions of one record (same id). Returns a new document.

    `meta.lseq` is not carried (it is local to each database file).
    """
    if a.get("id") != b.get("id"):
        raise ValueError("merge of two different records")
    meta_a = a.get("meta") or {}
    meta_b = b.get("meta") or {}
    vv_a = {str(k): int(v) for k, v in (meta_a.get("vv") or {}).items()}
    vv_b = {str(k): int(v) for k, v in (meta_b.get("vv") or {}).items()}
    vv = dict(vv_a)
    for device, counter in vv_b.items():
        vv[device] = max(vv.get(device, 0), counter)

    dot0 = min(
        (m.get("dot0") for m in (meta_a, meta_b) if m.get("dot0")),
        key=lambda d: _canon(d),
        default=None,
    )
    dot0_id = _dot(dot0)[0] if dot0 else None
    content_a, content_b = content_of(a), content_of(b)
    merged: dict[str, Any] = {"id": a["id"]}
    dots: dict[str, list[Any]] = {}
    conflicts: dict[str, list[list[Any]]] = {}
    for field in sorted(content_a.keys() | content_b.keys()):
        if field not in content_b:
            reg = field_values(a, field)
        elif field not in content_a:
            reg = field_values(b, field)
        else:
            reg = merge_register(field_values(a, field), vv_a, field_values(b, field), vv_b)
        ordered = sorted(reg.items(), key=_view_key, reverse=True)
        (device, counter), (value, hlc) = ordered[0]
        merged[field] = value
        if (device, counter) != dot0_id:
            dots[field] = [device, counter, hlc]
        if len(ordered) > 1:
            conflicts[field] = [[d, c, v, h] for (d, c), (v, h) in ordered[1:]]

    meta: dict[str, Any] = {}
    created = min((meta_a, meta_b), key=lambda m: tuple(str(m.get(k) or "") for k in _CREATED))
    for key in _CREATED:
        if key in created:
            meta[key] = created[key]
    updated = _pick_max((meta_a, meta_b), _UPDATED)
    for key in _UPDATED:
        if key in updated:
            meta[key] = updated[key]
    meta["vv"] = vv
    if dot0:
        meta["dot0"] = dot0
    meta["dots"] = dots
    meta["conflicts"] = conflicts
    meta["deleted"] = bool(meta_a.get("deleted")) or bool(meta_b.get("deleted"))
    if meta_a.get("erased") or meta_b.get("erased"):
        meta["erased"] = True
    if "trail" in meta_a or "trail" in meta_b:
        meta["trail"] = _merge_trail(meta_a.get("trail") or [], meta_b.get("trail") or [])
    for key in sorted((meta_a.keys() | meta_b.keys()) - _KNOWN_META):
        meta[key] = _newest_value([m for m in (meta_a, meta_b) if key in m], key)
    merged["meta"] = meta
    return normalize(merged, kind)


def _newest_value(metas: list[dict[str, Any]], key: str) -> Any:
    """The value of a meta key the merge does not know: the latest clock's, ties by value."""
    return max(metas, key=lambda m: (str(m.get("hlc") or ""), _canon(m[key])))[key]


def _merge_trail(a: list[Any], b: list[Any]) -> list[Any]:
    """Audit trails: union of both, ordered by clock, the last TRAIL_MAX kept (a join)."""
    entries = {_canon(e): e for e in [*a, *b]}
    ordered = sorted(entries.items(), key=lambda kv: (str(kv[1][0]) if kv[1] else "", kv[0]))
    return [e for _, e in ordered][-TRAIL_MAX:]


def personal_defaults(kind: str) -> dict[str, Any]:
    """Default (JSON) values of the personal fields of a record kind."""
    model = RECORD_TYPES.get(kind)
    if model is None:
        return {}
    out = {}
    for name in model.personal_fields:
        info = model.model_fields.get(name)
        if info is not None:
            value = info.get_default(call_default_factory=True)
            out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def normalize(doc: dict[str, Any], kind: str) -> dict[str, Any]:
    """Apply the erasure rule: an erased record keeps no personal data. In place."""
    meta = doc.get("meta") or {}
    if not meta.get("erased"):
        return doc
    for name, default in personal_defaults(kind).items():
        if name in doc:
            doc[name] = default
        meta.get("dots", {}).pop(name, None)
        meta.get("conflicts", {}).pop(name, None)
    return doc


def includes(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """True when version `a` has seen every write of `b` (its version vector covers b's)
    and carries the later clock: then merge_docs(a, b) == a (a fast path; see the
    hypothesis test). Clocks are causal: a device's clock absorbs what it imports."""
    meta_a, meta_b = a.get("meta") or {}, b.get("meta") or {}
    if str(meta_a.get("hlc") or "") < str(meta_b.get("hlc") or ""):
        return False
    vv_a = meta_a.get("vv") or {}
    if not all(vv_a.get(k, 0) >= v for k, v in (meta_b.get("vv") or {}).items()):
        return False
    if meta_a.get("hlc") == meta_b.get("hlc"):
        return same_state(a, b)
    return bool(meta_a.get("erased")) or not meta_b.get("erased")


def same_state(a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
    """Equal documents, ignoring the local sequence number."""
    if a is None or b is None:
        return a is b
    ma = {k: v for k, v in (a.get("meta") or {}).items() if k != "lseq"}
    mb = {k: v for k, v in (b.get("meta") or {}).items() if k != "lseq"}
    return ma == mb and content_of(a) == content_of(b)


def resolve_conflict(
    kind: str,
    doc: dict[str, Any],
    field: str,
    value: Any,
    *,
    device: str,
    staff: str,
    clock: str,
    now: datetime,
) -> dict[str, Any]:
    """A local write choosing `value` for `field`: the conflict is resolved everywhere."""
    record = RECORD_TYPES[kind].model_validate({**content_of(doc), field: value, "id": doc["id"]})
    new = stamp(record, doc, device=device, staff=staff, clock=clock, now=now, touched={field})
    return normalize(new, kind)


def conflicted_fields(doc: dict[str, Any]) -> list[str]:
    return sorted((doc.get("meta") or {}).get("conflicts") or {})


# --- a duplicate absorbed (which persons may be duplicates: domain/identity.py) ---------


def merged_person_content(keep: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """Content of the kept person after absorbing a duplicate: its blanks filled."""
    out = content_of(keep)
    for key, value in content_of(other).items():
        if key in ("erased_at", "legacy_key"):
            continue
        if out.get(key) in (None, "", False) and value not in (None, "", False):
            out[key] = value
    return out
