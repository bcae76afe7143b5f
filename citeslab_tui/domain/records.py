"""Stamping a record version: the pure rule applied on every local write.

A stored document is `{"id": ..., <domain fields>..., "meta": {...}}` (see
`models.Meta`). A local write by `device` takes the next counter of that device
in the record's version vector (`dot`), records the dot of every field it
changed (`meta.dots`), and the hybrid logical clock of the write. Fields that
kept the dot of the record's creation are not listed (`meta.dot0`).
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any

from citeslab_tui.domain.models import RECORD_TYPES, Record
from citeslab_tui.domain.text import MAX_TEXT, clean_text

ENVELOPE_KEYS = ("id", "meta")
TRAIL_MAX = 50  # audit trail entries kept per record (meta.trail)
MULTILINE_FIELDS = frozenset({"notes"})  # text typed with line breaks; other text is one line


def content_of(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in ENVELOPE_KEYS}


def clean_value(field: str, value: Any) -> Any:
    """Text as it is stored: `text.clean_text` (control characters, bidi overrides and
    zero-width characters removed, spaces collapsed; line breaks kept in notes). The
    same rule for a local write (`stamp`) and for a record read from a sync bundle
    (`bundles/wire.py`), so both store the same text."""
    if not isinstance(value, str) or not value:
        return value
    multiline = field in MULTILINE_FIELDS
    if _already_clean(value, multiline):  # the usual case, ~10x faster than cleaning
        return value
    return clean_text(value, MAX_TEXT, multiline=multiline)


def _already_clean(value: str, multiline: bool) -> bool:
    """True when clean_text would give `value` back. A printable str holds no control,
    format, separator or surrogate character and no whitespace but the plain space."""
    if len(value) > MAX_TEXT or "  " in value or value != value.strip():
        return False
    if multiline:
        if " \n" in value or "\n " in value:
            return False
        value = value.replace("\n", "")
    return value.isprintable() and unicodedata.is_normalized("NFC", value)


def stamp(
    record: Record,
    old_doc: dict[str, Any] | None,
    *,
    device: str,
    staff: str,
    clock: str,
    now: datetime,
    deleted: bool = False,
    erased: bool = False,
    touched: frozenset[str] | set[str] = frozenset(),
) -> dict[str, Any]:
    """The stored document for a local write of `record` over `old_doc`.

    `erased` (right to erasure, anonymisation) marks the document `meta.erased`
    (absorbing in the merge) and drops kept conflicts of its personal fields.
    Every write over an existing document appends to `meta.trail` (audit trail):
    `[hlc, when, staff, device, [changed fields], action]`, the last TRAIL_MAX kept.
    Dots are `[device, counter, hlc]` (the hlc orders concurrent values in the
    sync merge's view); `touched` fields get the new dot even when unchanged
    (choosing the shown value of a conflict resolves it).
    """
    content = {name: clean_value(name, value) for name, value in record.content().items()}
    if erased or (old_doc is not None and old_doc.get("meta", {}).get("erased")):
        # Erasure is absorbing: an erased record never takes personal data again.
        fields = type(record).model_fields
        for name in type(record).personal_fields:
            content[name] = fields[name].get_default(call_default_factory=True)
    if old_doc is not None and old_doc.get("meta", {}).get("erased"):
        # Erasure is absorbing (as in the sync merge): a later local write of an
        # erased record cannot bring personal data back.
        model = type(record)
        for name in model.personal_fields:
            if name in content:
                content[name] = model.model_fields[name].get_default(call_default_factory=True)
    when = now.isoformat()
    if old_doc is None:
        meta: dict[str, Any] = {
            "created_at": when,
            "created_by": staff,
            "created_device": device,
            "vv": {device: 1},
            "dot0": [device, 1, clock],
            "dots": {},
            "conflicts": {},
        }
        changed: list[str] = []
    else:
        old_meta = old_doc.get("meta", {})
        meta = {
            **old_meta,
            "vv": dict(old_meta.get("vv", {})),
            "dots": dict(old_meta.get("dots", {})),
            "conflicts": dict(old_meta.get("conflicts", {})),
        }
        counter = meta["vv"].get(device, 0) + 1
        meta["vv"][device] = counter
        old_content = content_of(old_doc)
        changed = [k for k, v in content.items() if old_content.get(k) != v]
        changed += [k for k in old_content if k not in content]
        changed += [k for k in touched if k in content and k not in changed]
        for key in changed:
            meta["dots"][key] = [device, counter, clock]
            meta["conflicts"].pop(key, None)  # a local write resolves a conflict
    meta.update(
        {
            "updated_at": when,
            "updated_by": staff,
            "device": device,
            "hlc": clock,
            "deleted": deleted or bool(meta.get("deleted")),
        }
    )
    if erased:
        meta["erased"] = True
        personal = type(record).personal_fields
        meta["conflicts"] = {k: v for k, v in meta["conflicts"].items() if k not in personal}
    action = "erase" if erased else "delete" if deleted else "edit"
    if old_doc is not None and (changed or action != "edit"):
        trail = list(old_doc.get("meta", {}).get("trail", []))
        trail.append([clock, when, staff, device, changed, action])
        meta["trail"] = trail[-TRAIL_MAX:]
    return {"id": record.id, **content, "meta": meta}


def to_record(kind: str, doc: dict[str, Any]) -> Record:
    """Validate a stored document back into its model."""
    return RECORD_TYPES[kind].model_validate(doc)
