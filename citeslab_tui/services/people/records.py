"""Use cases that write a person's records: the quick intake (person, first interview,
sensitization stage, queue entry in one durable save), an edit of the person, and the
interviews, stages, orientations and outcomes of the person's file. Every save keeps
the search index current.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from citeslab_tui.domain import text
from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.models import (
    Channel,
    Interview,
    Orientation,
    Outcome,
    OutcomeKind,
    Person,
    QueueEntry,
    QueueReason,
    QueueStatus,
    Record,
    Stage,
    StageEvent,
)
from citeslab_tui.services import search
from citeslab_tui.services.people.form import person_from_form
from citeslab_tui.services.workspace import Workspace

POSITIVE_NOTE = "Emploi et formation comptent comme « sorties positives »."


def _today(today: date | None) -> date:
    return today or date.today()


def _site(ws: Workspace, site: str | None) -> str:
    if site:
        return site
    names = ws.site_names()
    return ws.settings.last_site or (names[0] if names else "")


def _saved(ws: Workspace, *records: Record) -> list[Any]:
    """One durable save; keeps the search index current."""
    before = ws.repo.lseq
    saved = ws.repo.save(*records)
    index = search.index_if_built(ws.repo)
    if index is not None:
        if index.lseq == before:  # nothing else changed since: upsert just ours
            for record in saved:
                doc = ws.repo.doc("person", record.id) if record.kind == "person" else None
                if doc is not None:
                    index.upsert_doc(doc)
            index.lseq = ws.repo.lseq
        else:
            index.refresh(ws.repo)
    return saved


def get_person(ws: Workspace, person_id: str) -> Person:
    person = ws.repo.get(Person, person_id)
    if person is None:
        raise ValidationError("Cette personne n'existe plus (effacée ou supprimée).")
    return person


@dataclass
class IntakeResult:
    person: Person
    interview: Interview
    stage: StageEvent
    queue_entry: QueueEntry


def create_person_with_intake(
    ws: Workspace,
    values: dict[str, Any],
    *,
    site: str | None = None,
    staff: str | None = None,
    today: date | None = None,
    now: datetime | None = None,
    queue_entry_id: str | None = None,
) -> IntakeResult:
    """Quick intake: the person, a first interview, the sensitization stage and the queue
    entry (new, or `queue_entry_id` now linked) in ONE durable save.

    Raises FormErrors for invalid fields, StoreError if the save failed (nothing saved).
    """
    today = _today(today)
    now = now or datetime.now(UTC)
    site = _site(ws, site)
    staff = staff if staff is not None else ws.repo.staff
    person = person_from_form(values, ws.reference, today=today)
    person.first_site = site
    interview = Interview(
        person_id=person.id, on=today, site=site, staff=staff, channel=Channel.PERMANENCE
    )
    stage = StageEvent(person_id=person.id, stage=Stage.SENSITIZED, on=today, site=site)
    entry = ws.repo.get(QueueEntry, queue_entry_id) if queue_entry_id else None
    if entry is not None:
        entry = entry.model_copy(
            update={
                "person_id": person.id,
                "status": QueueStatus.IN_INTERVIEW,
                "started_at": entry.started_at or now,
                "display_name": entry.display_name or person.first_name,
            }
        )
    else:
        iso = today.isoformat()
        positions = [
            float(doc.get("position", 0.0))
            for doc in ws.repo.docs("queue")
            if doc.get("day") == iso and text.fold(doc.get("site", "")) == text.fold(site)
        ]
        entry = QueueEntry(
            day=today,
            site=site,
            arrived_at=now,
            person_id=person.id,
            display_name=person.first_name,
            reason=QueueReason.FIRST_CONTACT,
            status=QueueStatus.IN_INTERVIEW,
            started_at=now,
            position=max(positions, default=-1.0) + 1.0,
        )
    saved = _saved(ws, person, interview, stage, entry)
    return IntakeResult(*saved)


def link_queue_entry(
    ws: Workspace, queue_entry_id: str, person_id: str, *, now: datetime | None = None
) -> QueueEntry | None:
    """The arrival turned out to be a person already known: link it, status in interview."""
    entry = ws.repo.get(QueueEntry, queue_entry_id)
    if entry is None:
        return None
    entry = entry.model_copy(
        update={
            "person_id": person_id,
            "status": QueueStatus.IN_INTERVIEW,
            "started_at": entry.started_at or now or datetime.now(UTC),
        }
    )
    return _saved(ws, entry)[0]


def update_person(
    ws: Workspace, person_id: str, values: dict[str, Any], *, today: date | None = None
) -> Person:
    """Edit any field of a person (raw form values; absent keys unchanged)."""
    base = get_person(ws, person_id)
    person = person_from_form(values, ws.reference, today=today, base=base)
    return _saved(ws, person)[0]


def _on(value: date | str | None, today: date | None) -> date:
    if value is None or value == "":
        return _today(today)
    if isinstance(value, date):
        return value
    on = text.parse_date(value, _today(today))
    if on > _today(today):
        raise ValidationError("La date est dans le futur.")
    return on


def log_interview(
    ws: Workspace,
    person_id: str,
    *,
    on: date | str | None = None,
    channel: Channel | str = Channel.PERMANENCE,
    notes: str = "",
    site: str | None = None,
    staff: str | None = None,
    today: date | None = None,
) -> Interview:
    """Log an interview (default today, current site and staff member)."""
    get_person(ws, person_id)
    interview = Interview(
        person_id=person_id,
        on=_on(on, today),
        site=_site(ws, site),
        staff=staff if staff is not None else ws.repo.staff,
        channel=Channel(channel),
        notes=text.clean_text(notes, text.MAX_TEXT, multiline=True),
    )
    return _saved(ws, interview)[0]


def change_stage(
    ws: Workspace,
    person_id: str,
    stage: Stage | str,
    *,
    on: date | str | None = None,
    site: str | None = None,
    notes: str = "",
    today: date | None = None,
) -> StageEvent:
    get_person(ws, person_id)
    event = StageEvent(
        person_id=person_id,
        stage=Stage(stage),
        on=_on(on, today),
        site=_site(ws, site),
        notes=text.clean_text(notes, text.MAX_TEXT, multiline=True),
    )
    return _saved(ws, event)[0]


def _orientation(
    ws: Workspace,
    person_id: str,
    partner: str,
    on: date | str | None,
    notes: str,
    today: date | None,
) -> Orientation:
    get_person(ws, person_id)
    typed = text.clean_text(partner, 200)
    if not typed:
        raise ValidationError("Indiquez le partenaire.")
    return Orientation(
        person_id=person_id,
        partner=ws.reference.canonical("partners", typed),
        on=_on(on, today),
        notes=text.clean_text(notes, text.MAX_TEXT, multiline=True),
    )


def add_orientation(
    ws: Workspace,
    person_id: str,
    partner: str,
    *,
    on: date | str | None = None,
    notes: str = "",
    today: date | None = None,
) -> Orientation:
    return _saved(ws, _orientation(ws, person_id, partner, on, notes, today))[0]


def check_redirect(ws: Workspace, queue_entry_id: str) -> QueueEntry:
    """The arrival, if it can be oriented: it exists and has a person's file."""
    entry = ws.repo.get(QueueEntry, queue_entry_id)
    if entry is None:
        raise ValidationError("Cette arrivée n'existe plus (supprimée ou synchronisée).")
    if not entry.person_id or ws.repo.get(Person, entry.person_id) is None:
        raise ValidationError(
            f"« {entry.display_name or 'Cette arrivée'} » n'a pas de fiche : une orientation "
            "se note sur la fiche de la personne (elle compte dans le bilan). Faites son "
            "accueil (e), puis Ctrl+R sur sa fiche ; ou p si elle est partie."
        )
    return entry


def redirect_queue_entry(
    ws: Workspace,
    queue_entry_id: str,
    partner: str,
    *,
    on: date | str | None = None,
    notes: str = "",
    today: date | None = None,
    now: datetime | None = None,
) -> Orientation:
    """An arrival is sent to a partner without an interview here (queue `o`): the
    orientation on the person's file and the row "Réorienté", in ONE durable save.
    An arrival with no file cannot be oriented (the bilan counts people)."""
    entry = check_redirect(ws, queue_entry_id)
    assert entry.person_id is not None  # checked
    orientation = _orientation(ws, entry.person_id, partner, on, notes, today)
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    entry = entry.model_copy(update={"status": QueueStatus.REDIRECTED, "ended_at": moment})
    return _saved(ws, orientation, entry)[0]


def add_outcome(
    ws: Workspace,
    person_id: str,
    outcome: OutcomeKind | str,
    *,
    on: date | str | None = None,
    notes: str = "",
    today: date | None = None,
) -> Outcome:
    get_person(ws, person_id)
    record = Outcome(
        person_id=person_id,
        outcome=OutcomeKind(outcome),
        on=_on(on, today),
        notes=text.clean_text(notes, text.MAX_TEXT, multiline=True),
    )
    return _saved(ws, record)[0]
