"""Right to erasure (and anonymisation at the end of the retention period).

Erasure contract (shared with the sync merge): the person and every record linked
to them (`models.PERSON_LINKED_KINDS` with `person_id` == the person, deleted ones
included) get a new version in which every field of the model's `personal_fields`
is back to its default; the person gets `erased_at`; the documents' meta get
`"erased": true` (absorbing in the merge). All of it is ONE durable save; the store
then folds the journal (whose older lines still held the data) into a fresh snapshot,
at once or, on a full disk, as soon as there is room. What is left
elsewhere (backups, sticks) is described in docs/privacy.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from citeslab_tui.domain.models import RECORD_TYPES, Person, Record
from citeslab_tui.logs import log_event
from citeslab_tui.services.privacy.access import ACCESS_PREFIX
from citeslab_tui.services.privacy.finding import (
    family_ids,
    linked_docs,
    merged_children,
    person_doc,
)
from citeslab_tui.services.workspace import Workspace

REASON_REQUEST = "effacement"  # the person asked (right to erasure)
REASON_RETENTION = "conservation"  # retention period over (anonymisation)


@dataclass
class ErasureResult:
    people: int = 0  # people whose data was erased by this call
    records: int = 0  # documents written (people + linked records)
    already: int = 0  # people that were already erased (nothing to do)
    reason: str = REASON_REQUEST
    backups_keep: int = 14
    person_ids: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        if self.people == 0:
            if self.already:
                return "Les données de cette personne étaient déjà effacées : rien à faire."
            return "Aucune personne à anonymiser."
        linked = self.records - self.people
        who = (
            "Les données personnelles ont été effacées"
            if self.reason == REASON_REQUEST
            else f"{self.people} personne{'s' if self.people > 1 else ''} "
            f"anonymisée{'s' if self.people > 1 else ''}"
        )
        return (
            f"{who} ({linked} enregistrement{'s' if linked > 1 else ''} lié"
            f"{'s' if linked > 1 else ''} nettoyé{'s' if linked > 1 else ''}). "
            "Les statistiques sont conservées (dates, étapes, issues, civilité, commune, "
            "quartier). L'effacement partira avec la prochaine synchronisation. "
            f"Les sauvegardes plus anciennes seront effacées d'ici {self.backups_keep} jours."
        )


def _blank(kind: str, doc: dict[str, Any], now: datetime) -> Record | None:
    """The erased version of a document, or None if nothing is left to erase."""
    model = RECORD_TYPES[kind]
    record = model.model_validate(doc)
    updates = {
        name: model.model_fields[name].get_default(call_default_factory=True)
        for name in model.personal_fields
    }
    already = bool(doc.get("meta", {}).get("erased")) and all(
        getattr(record, name) == value for name, value in updates.items()
    )
    if isinstance(record, Person):
        already = already and record.erased_at is not None
        updates["erased_at"] = record.erased_at or now
    if already:
        return None
    return record.model_copy(update=updates)


def _remove_access_exports(ws: Workspace, person_ids: Iterable[str]) -> None:
    folder = ws.exports_dir
    if not folder.is_dir():
        return
    for pid in person_ids:
        for path in folder.glob(f"{ACCESS_PREFIX}{pid}-*"):
            path.unlink(missing_ok=True)


def erase_people(
    ws: Workspace,
    person_ids: Iterable[str],
    *,
    reason: str = REASON_REQUEST,
    now: datetime | None = None,
) -> ErasureResult:
    """Erase the personal data of people and of their linked records: one durable save."""
    now = now or datetime.now(UTC)
    ids = list(dict.fromkeys(person_ids))
    for pid in ids:
        person_doc(ws, pid)  # unknown id: PersonNotFound before anything is written
    children = merged_children(ws)
    families = {pid: family_ids(ws, pid, children) for pid in ids}
    links = linked_docs(ws, [member for family in families.values() for member in family])
    result = ErasureResult(reason=reason, backups_keep=ws.settings.backups_keep)
    planned: dict[str, Record] = {}
    for family in families.values():
        blanks: list[Record] = []
        for member in family:
            blanks += [b for b in [_blank("person", person_doc(ws, member), now)] if b]
            blanks += [b for k, d in links[member] if (b := _blank(k, d, now)) is not None]
        if not blanks:
            result.already += 1
            continue
        planned.update((record.id, record) for record in blanks)
        result.people += 1
        result.person_ids += family
    versions = list(planned.values())
    if versions:
        ws.repo.save(*versions, erased=True)  # durable; the store folds the journal itself
        result.records = len(versions)
        _remove_access_exports(ws, result.person_ids)
    log_event(
        "privacy.erase",
        reason=reason,
        people=result.people,
        records=result.records,
        already=result.already,
    )
    return result


def erase_person(
    ws: Workspace, person_id: str, *, reason: str = REASON_REQUEST, now: datetime | None = None
) -> ErasureResult:
    """Right to erasure for one person (see the module docstring for the contract)."""
    return erase_people(ws, [person_id], reason=reason, now=now)
