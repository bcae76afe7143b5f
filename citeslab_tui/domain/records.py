"""Stamping a record version: the pure rule applied on every local write.

A stored document is `{"id": ..., <domain fields>..., "meta": {...}}` (see
`models.Meta`). A local write by `device` takes the next counter of that device
in the record's version vector (`dot`), records the dot of every field it
changed (`meta.dots`), and the hybrid logical clock of the write. Fields that
kept the dot of the record's creation are not listed (`meta.dot0`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from citeslab_tui.domain.models import RECORD_TYPES, Record

ENVELOPE_KEYS = ("id", "meta")


def content_of(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in ENVELOPE_KEYS}


def stamp(
    record: Record,
    old_doc: dict[str, Any] | None,
    *,
    device: str,
    staff: str,
    clock: str,
    now: datetime,
    deleted: bool = False,
) -> dict[str, Any]:
    """The stored document for a local write of `record` over `old_doc`."""
    content = record.content()
    when = now.isoformat()
    if old_doc is None:
        meta: dict[str, Any] = {
            "created_at": when,
            "created_by": staff,
            "created_device": device,
            "vv": {device: 1},
            "dot0": [device, 1],
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
        for key in changed:
            meta["dots"][key] = [device, counter]
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
    return {"id": record.id, **content, "meta": meta}


def to_record(kind: str, doc: dict[str, Any]) -> Record:
    """Validate a stored document back into its model."""
    return RECORD_TYPES[kind].model_validate(doc)
