"""The audit trail of a person's file: who wrote what, on which device, when."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from citeslab_tui.domain import display
from citeslab_tui.services.privacy.finding import family_ids, linked_docs, person_doc
from citeslab_tui.services.workspace import Workspace

ACTION_LABELS = {
    "create": "Création",
    "edit": "Modification",
    "delete": "Suppression",
    "erase": "Effacement des données personnelles",
}


def _field_names(kind: str, changed: Iterable[str]) -> str:
    return ", ".join(display.title(kind, name) for name in changed)


@dataclass(frozen=True)
class AuditEntry:
    """One write of one record: who, on which device, when, what."""

    when: datetime | None
    staff: str
    device: str
    record: str  # "Entretien du 12/03/2025"
    action: str  # "Création", "Modification : Téléphone, Notes", ...

    def as_json(self) -> dict[str, Any]:
        return {
            "when": self.when.isoformat() if self.when else None,
            "staff": self.staff,
            "device": self.device,
            "record": self.record,
            "action": self.action,
        }


def _doc_trail(kind: str, doc: dict[str, Any]) -> list[AuditEntry]:
    meta = doc.get("meta", {})
    title = display.record_title(kind, doc)
    entries = [
        AuditEntry(
            display.parse_instant(meta.get("created_at")),
            meta.get("created_by", ""),
            meta.get("created_device", ""),
            title,
            ACTION_LABELS["create"],
        )
    ]
    trail = meta.get("trail") or []
    for item in trail:
        try:
            _clock, when, staff, device, changed, action = item
        except (TypeError, ValueError):
            continue
        label = ACTION_LABELS.get(action, ACTION_LABELS["edit"])
        if action == "edit" and changed:
            label = f"{label} : {_field_names(kind, changed)}"
        entries.append(AuditEntry(display.parse_instant(when), staff, device, title, label))
    if not trail and meta.get("updated_at") and meta.get("updated_at") != meta.get("created_at"):
        # Written before the trail existed, or merged from another laptop: last write only.
        label = ACTION_LABELS["erase"] if meta.get("erased") else "Dernière modification"
        entries.append(
            AuditEntry(
                display.parse_instant(meta.get("updated_at")),
                meta.get("updated_by", ""),
                meta.get("device", ""),
                title,
                label,
            )
        )
    return entries


def audit_trail(ws: Workspace, person_id: str) -> list[AuditEntry]:
    """Every recorded write of the person's file and linked records, oldest first."""
    person_doc(ws, person_id)
    family = family_ids(ws, person_id)
    links = linked_docs(ws, family)
    entries: list[AuditEntry] = []
    for pid in family:
        entries += _doc_trail("person", person_doc(ws, pid))
        for kind, linked in links[pid]:
            entries += _doc_trail(kind, linked)
    floor = datetime.min.replace(tzinfo=UTC)
    entries.sort(key=lambda e: display.as_local(e.when) if e.when else floor)
    return entries
