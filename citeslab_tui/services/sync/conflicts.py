"""Concurrent modifications kept by the merge, shown for review and resolved by a
local write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from citeslab_tui.domain import display
from citeslab_tui.domain import merge as merging
from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.domain.models import RECORD_TYPES, Person
from citeslab_tui.services.workspace import Workspace
from citeslab_tui.store.repository import Repository


@dataclass
class ConflictItem:
    kind: str
    record_id: str
    field: str
    label: str  # what record, in French
    field_label: str
    values: list[Any]  # [shown value, alternatives...]
    shown_values: list[str]  # the same, as a person reads them (display.show_value)

    def shown(self) -> list[str]:
        return list(self.shown_values)


def record_label(repo: Repository, kind: str, doc: dict[str, Any]) -> str:
    """ "Entretien du 12/03/2025 — DIALLO Aïcha", or the person's name."""
    if kind == "person":
        try:
            return Person.model_validate(doc).display_name
        except Exception:
            return display.record_title(kind, doc)
    person = repo.doc("person", str(doc.get("person_id") or ""))
    who = ""
    if person is not None:
        try:
            who = " — " + Person.model_validate(person).display_name
        except Exception:
            who = ""
    return f"{display.record_title(kind, doc)}{who}"


def list_conflicts(ws: Workspace) -> list[ConflictItem]:
    """Every field holding concurrent values, each value shown as a person reads it."""
    repo, places = ws.repo, ws.reference.places
    items = []
    for kind in RECORD_TYPES:
        for doc in repo.docs(kind):
            conflicts = doc.get("meta", {}).get("conflicts") or {}
            for name in sorted(conflicts):
                values = [doc.get(name)] + [entry[2] for entry in conflicts[name]]
                items.append(
                    ConflictItem(
                        kind,
                        doc["id"],
                        name,
                        record_label(repo, kind, doc),
                        display.title(kind, name),
                        values,
                        [display.show_value(kind, name, v, places) for v in values],
                    )
                )
    return items


def resolve_conflict(
    repo: Repository, kind: str, record_id: str, field_name: str, choice: int
) -> None:
    """Keep value number `choice` (0 = the one shown) of a conflict: a local write."""
    doc = repo.doc(kind, record_id) if kind in RECORD_TYPES else None
    conflicts = (doc or {}).get("meta", {}).get("conflicts", {})
    if doc is None or field_name not in conflicts:
        raise CitesLabError("Ce conflit n'existe plus (déjà résolu ?).")
    values = [doc.get(field_name)] + [entry[2] for entry in conflicts[field_name]]
    if not 0 <= choice < len(values):
        raise CitesLabError(f"Choix invalide : entre 0 et {len(values) - 1}.")
    new = merging.resolve_conflict(
        kind,
        doc,
        field_name,
        values[choice],
        device=repo.device,
        staff=repo.staff,
        clock=repo.clock.now(),
        now=datetime.now(UTC),
    )
    repo.put_docs([(kind, new)])
