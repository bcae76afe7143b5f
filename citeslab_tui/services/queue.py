"""Today's permanence: the queue of arrivals at one site on one day.

Pure use cases taking a `Workspace`; every change is one durable save
(`Repository.save`, fsync'd before it returns). Times are aware datetimes: the
caller passes `now` (the screen injects its clock), arrivals are stored in UTC
and shown in the time zone of `now`.

Appointments (open `FollowUpTask` of kind "appointment" due that day at that
site) appear as expected arrivals until `arrive_appointment` turns them into a
queue entry (appointment=True, task_id set).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.models import (
    FollowUpTask,
    Person,
    QueueEntry,
    QueueReason,
    QueueStatus,
    Record,
    TaskKind,
    TaskStatus,
)
from citeslab_tui.domain.text import clean_name, fold, format_date, visible
from citeslab_tui.services.workspace import Workspace

FINAL_STATUSES = frozenset({QueueStatus.SEEN, QueueStatus.LEFT, QueueStatus.REDIRECTED})
EXPECTED_LABEL = "Attendu"
LATE_LABEL = "Attendu, en retard"  # the appointment's time has passed (the app's clock)
WALK_IN_LABEL = "Sans RDV"


# --- working days (France) ---------------------------------------------------------


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


def public_holidays(year: int) -> set[date]:
    """French public holidays (métropole)."""
    easter = _easter(year)
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    moving = [
        easter + timedelta(days=n) for n in (1, 39, 50)
    ]  # lundi de Pâques, Ascension, Pentecôte
    return {date(year, m, d) for m, d in fixed} | set(moving)


def next_working_day(day: date) -> date:
    """The next day after `day` that is neither a weekend nor a public holiday."""
    nxt = day + timedelta(days=1)
    while nxt.weekday() >= 5 or nxt in public_holidays(nxt.year):
        nxt += timedelta(days=1)
    return nxt


# --- reading ---------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    """One line of the permanence table, ready to show (French labels)."""

    key: str  # queue entry id, or "task:<id>" for an expected appointment
    arrival: str  # "14:02", or "" when expected
    name: str
    reason: str
    appointment: str  # "RDV 14:30" or "Sans RDV"
    status: str
    wait: str
    expected: bool = False
    person_id: str | None = None
    status_value: str = ""
    due_at: datetime | None = None  # an expected appointment: its day and time
    late: bool = False  # an expected appointment whose time has passed


def _same_site(a: str, b: str) -> bool:
    return fold(a) == fold(b)


def entries(ws: Workspace, day: date, site: str) -> list[QueueEntry]:
    """Queue entries of that day and site, in queue order."""
    iso = day.isoformat()
    found = [
        QueueEntry.model_validate(doc)
        for doc in ws.repo.docs("queue")
        if doc.get("day") == iso and _same_site(doc.get("site", ""), site)
    ]
    found.sort(key=lambda e: (e.position, e.arrived_at or datetime.max.replace(tzinfo=UTC)))
    return found


def expected_appointments(ws: Workspace, day: date, site: str) -> list[FollowUpTask]:
    """Open appointment tasks due that day at that site, not yet arrived."""
    iso = day.isoformat()
    arrived = {e.task_id for e in entries(ws, day, site) if e.task_id}
    appointment, open_ = TaskKind.APPOINTMENT.value, TaskStatus.OPEN.value

    def expected(doc: dict[str, Any]) -> bool:
        return (
            doc.get("due") == iso
            and doc.get("task_kind") == appointment
            and doc.get("status") == open_
            and not doc.get("meta", {}).get("deleted")
            and _same_site(doc.get("site", ""), site)
            and doc["id"] not in arrived
        )

    # the day's matches only: ten years of tasks need not be in memory for them
    tasks = [FollowUpTask.model_validate(doc) for doc in ws.repo.find_docs("task", expected)]
    tasks.sort(key=lambda t: (t.time or "99:99", t.id))
    return tasks


def _person_name(ws: Workspace, person_id: str | None) -> str | None:
    if not person_id:
        return None
    person = ws.repo.get(Person, person_id)
    return person.display_name if person is not None else None


def entry_name(ws: Workspace, entry: QueueEntry) -> str:
    """The person's name when linked, else what was typed at arrival."""
    return _person_name(ws, entry.person_id) or entry.display_name or "(sans nom)"


def format_wait(delta: timedelta | None) -> str:
    """12 min, 1 h 05; empty when unknown."""
    if delta is None:
        return ""
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d}"


def waiting_time(entry: QueueEntry, now: datetime) -> timedelta | None:
    """Time waited: until now while waiting, until the interview or departure after."""
    if entry.arrived_at is None:
        return None
    if entry.status is QueueStatus.WAITING:
        end = now
    else:
        end = entry.started_at or entry.ended_at or now
    return end - entry.arrived_at


def queue_rows(ws: Workspace, day: date, site: str, now: datetime) -> list[QueueRow]:
    """The table of the permanence screen: arrivals in order, then expected appointments."""
    tz = now.tzinfo
    rows: list[QueueRow] = []
    arrived = entries(ws, day, site)
    expected = expected_appointments(ws, day, site)
    # the names and times shown, looked up together (the first screen reads a few
    # records, not every person and task)
    people = ws.repo.docs_by_id(
        "person",
        [p for p in (*(e.person_id for e in arrived), *(t.person_id for t in expected)) if p],
    )
    tasks = ws.repo.docs_by_id("task", [e.task_id for e in arrived if e.appointment and e.task_id])

    def name_of(person_id: str | None) -> str | None:
        doc = people.get(person_id or "")
        if doc is None or doc.get("meta", {}).get("deleted"):
            return None
        return Person.model_validate(doc).display_name

    for entry in arrived:
        rdv = WALK_IN_LABEL
        if entry.appointment:
            booked = tasks.get(entry.task_id or "") or {}
            live = not booked.get("meta", {}).get("deleted")
            task_time = booked.get("time") if live else None
            rdv = f"RDV {task_time}" if task_time else "RDV"
        rows.append(
            QueueRow(
                key=entry.id,
                arrival=entry.arrived_at.astimezone(tz).strftime("%H:%M")
                if entry.arrived_at
                else "",
                name=name_of(entry.person_id) or entry.display_name or "(sans nom)",
                reason=entry.reason.label,
                appointment=rdv,
                status=entry.status.label,
                wait=format_wait(waiting_time(entry, now)),
                person_id=entry.person_id,
                status_value=entry.status.value,
            )
        )
    for task in expected:
        due_at = appointment_time(task, tz)
        late = due_at is not None and due_at < now
        rows.append(
            QueueRow(
                key=f"task:{task.id}",
                arrival="",
                name=name_of(task.person_id) or task.title or "(sans nom)",
                reason=QueueReason.FOLLOW_UP.label,
                appointment=f"RDV {task.time}" if task.time else "RDV",
                status=LATE_LABEL if late else EXPECTED_LABEL,
                wait="",
                expected=True,
                person_id=task.person_id,
                due_at=due_at,
                late=late,
            )
        )
    return rows


def appointment_time(task: FollowUpTask, tz: tzinfo | None) -> datetime | None:
    """When an appointment is due, in the time zone of the caller's clock (None
    without a time: it is never late before the day ends)."""
    if not task.time:
        return datetime.combine(task.due + timedelta(days=1), time(0), tz)
    try:
        hours, minutes = (int(part) for part in task.time.split(":", 1))
        return datetime.combine(task.due, time(hours, minutes), tz)
    except ValueError:
        return None


# --- writing -----------------------------------------------------------------------


def _get_entry(ws: Workspace, entry_id: str) -> QueueEntry:
    entry = ws.repo.get(QueueEntry, entry_id)
    if entry is None:
        raise ValidationError("Cette arrivée n'existe plus (supprimée ou synchronisée).")
    return entry


def _next_position(ws: Workspace, day: date, site: str) -> float:
    current = entries(ws, day, site)
    return max((e.position for e in current), default=-1.0) + 1.0


def _utc(now: datetime) -> datetime:
    if now.tzinfo is None:
        now = now.astimezone()
    return now.astimezone(UTC)


def add_arrival(
    ws: Workspace,
    *,
    day: date,
    site: str,
    now: datetime,
    name: str = "",
    person_id: str | None = None,
    reason: QueueReason = QueueReason.FIRST_CONTACT,
    appointment: bool = False,
    task_id: str | None = None,
) -> QueueEntry:
    """A walk-in (or an appointment) arrives: added at the end of the queue."""
    if not site:
        raise ValidationError("Choisissez d'abord le site de la permanence.")
    if person_id is not None:
        if ws.repo.get(Person, person_id) is None:
            raise ValidationError("La personne choisie n'existe plus.")
        display_name = ""
    else:
        display_name = clean_name(name, "Le nom ou le prénom")
    entry = QueueEntry(
        day=day,
        site=site,
        arrived_at=_utc(now),
        person_id=person_id,
        display_name=display_name,
        reason=reason,
        appointment=appointment,
        task_id=task_id,
        position=_next_position(ws, day, site),
    )
    (saved,) = ws.repo.save(entry)
    return saved


def arrive_appointment(
    ws: Workspace, task_id: str, *, day: date, site: str, now: datetime
) -> QueueEntry:
    """The person expected for an appointment is here: a queue entry linked to the task."""
    task = ws.repo.get(FollowUpTask, task_id)
    if task is None or task.status is not TaskStatus.OPEN:
        raise ValidationError("Ce rendez-vous n'est plus ouvert.")
    if any(e.task_id == task_id for e in entries(ws, day, site)):
        raise ValidationError("Cette personne est déjà dans la file.")
    person_id = task.person_id if _person_name(ws, task.person_id) else None
    return add_arrival(
        ws,
        day=day,
        site=site,
        now=now,
        name="" if person_id else (task.title or "Rendez-vous"),
        person_id=person_id,
        reason=QueueReason.FOLLOW_UP,
        appointment=True,
        task_id=task_id,
    )


def set_status(ws: Workspace, entry_id: str, status: QueueStatus, *, now: datetime) -> QueueEntry:
    """Move an entry through the queue (waiting → in interview → seen / left / redirected).

    Any change is allowed (a mistake can be corrected) except to the same status.
    Marking an appointment seen closes its task (same durable save).
    """
    entry = _get_entry(ws, entry_id)
    if entry.status is status:
        raise ValidationError(f"Déjà « {status.label} ».")
    moment = _utc(now)
    update: dict[str, object] = {"status": status}
    if status is QueueStatus.WAITING:
        update.update(started_at=None, ended_at=None)
    elif status is QueueStatus.IN_INTERVIEW:
        update.update(started_at=moment, ended_at=None)
    else:
        update["ended_at"] = moment
    entry = entry.model_copy(update=update)
    records: list[Record] = [entry]
    if status is QueueStatus.SEEN and entry.task_id:
        task = ws.repo.get(FollowUpTask, entry.task_id)
        if task is not None and task.status is TaskStatus.OPEN:
            records.append(
                task.model_copy(update={"status": TaskStatus.DONE, "done_on": entry.day})
            )
    saved = ws.repo.save(*records)[0]
    assert isinstance(saved, QueueEntry)  # the entry is saved first
    return saved


def start_interview(ws: Workspace, entry_id: str, *, now: datetime) -> QueueEntry:
    return set_status(ws, entry_id, QueueStatus.IN_INTERVIEW, now=now)


def move(ws: Workspace, entry_id: str, step: int) -> bool:
    """Swap an entry with its neighbour (step -1 = up, +1 = down). False at an end."""
    entry = _get_entry(ws, entry_id)
    order = entries(ws, entry.day, entry.site)
    index = next(i for i, e in enumerate(order) if e.id == entry_id)
    other_index = index + step
    if not 0 <= other_index < len(order):
        return False
    # renumber positions so swaps work even with equal or odd positions
    order[index], order[other_index] = order[other_index], order[index]
    changed = [
        e.model_copy(update={"position": float(i)})
        for i, e in enumerate(order)
        if e.position != float(i)
    ]
    ws.repo.save(*changed)
    return True


@dataclass
class Closing:
    """What closing a permanence did (`close_session`)."""

    seen: list[QueueEntry]  # closed as received: in interview, or interviewed that day
    left: list[QueueEntry]  # left unseen (closed now, or marked so before)
    callbacks: list[QueueEntry]  # left unseen, with a file and a phone, no call-back yet
    unreachable: list[QueueEntry]  # left unseen, no file or no phone: no call-back possible

    def summary(self, ws: Workspace, planned: int) -> str:
        """ "Permanence clôturée : 3 reçus, 1 parti sans être reçu, 1 rappel prévu." and
        who could not be called back (no file or no phone)."""

        def count(n: int, one: str, many: str) -> str:
            return f"{n} {one if n == 1 else many}"

        parts = [
            count(len(self.seen), "reçu", "reçus"),
            count(len(self.left), "parti sans être reçu", "partis sans être reçus"),
            count(planned, "rappel prévu", "rappels prévus") if planned else "aucun rappel prévu",
        ]
        text = "Permanence clôturée : " + ", ".join(parts) + "."
        if self.unreachable:
            names = ", ".join(visible(entry_name(ws, e)) for e in self.unreachable)
            text += f" Pas de rappel possible (sans fiche ou sans téléphone) : {names}."
        return text


def interviewed_on(ws: Workspace, day: date) -> set[str]:
    """The people with an interview that day, whatever the path: the intake, Ctrl+L on
    their file (any channel, any site), or a queue row of theirs received or in
    interview (`e`, `r`)."""
    iso = day.isoformat()
    seen = {QueueStatus.SEEN.value, QueueStatus.IN_INTERVIEW.value}
    people = {
        str(doc.get("person_id"))
        for doc in ws.repo.docs("interview")
        if doc.get("on") == iso and doc.get("person_id")
    }
    people.update(
        str(doc.get("person_id"))
        for doc in ws.repo.docs("queue")
        if doc.get("day") == iso and doc.get("status") in seen and doc.get("person_id")
    )
    return people


def close_session(ws: Workspace, day: date, site: str, *, now: datetime) -> Closing:
    """End of the permanence, every row closed in one save: a row in interview, or of
    a person interviewed that day (intake, Ctrl+L, the queue), is received; whoever
    still waits leaves unseen. Call-backs are proposed only for people left unseen
    who have a file with a phone number and were not interviewed that day."""
    moment = _utc(now)
    interviewed = interviewed_on(ws, day)
    changed: list[Record] = []
    open_tasks: dict[str, FollowUpTask] = {}
    for entry in entries(ws, day, site):
        if entry.status in FINAL_STATUSES:
            continue
        if entry.status is QueueStatus.IN_INTERVIEW or entry.person_id in interviewed:
            changed.append(
                entry.model_copy(update={"status": QueueStatus.SEEN, "ended_at": moment})
            )
            task = ws.repo.get(FollowUpTask, entry.task_id) if entry.task_id else None
            if task is not None and task.status is TaskStatus.OPEN:
                open_tasks[task.id] = task.model_copy(
                    update={"status": TaskStatus.DONE, "done_on": entry.day}
                )
        else:
            changed.append(
                entry.model_copy(update={"status": QueueStatus.LEFT, "ended_at": moment})
            )
    if changed:
        ws.repo.save(*changed, *open_tasks.values())
    closing = Closing(seen=[], left=[], callbacks=[], unreachable=[])
    proposed: set[str] = set()
    planned = open_call_titles(ws)
    for entry in entries(ws, day, site):
        if entry.status is QueueStatus.SEEN:
            closing.seen.append(entry)
        if entry.status is not QueueStatus.LEFT:
            continue
        closing.left.append(entry)
        if entry.person_id in interviewed or has_callback(ws, entry, planned):
            continue
        person = ws.repo.get(Person, entry.person_id) if entry.person_id else None
        if person is None or not (person.phone or "").strip():
            closing.unreachable.append(entry)
        elif person.id not in proposed:  # one call-back per person, even if two rows
            proposed.add(person.id)
            closing.callbacks.append(entry)
    return closing


def callback_title(ws: Workspace, entry: QueueEntry) -> str:
    name = entry_name(ws, entry)
    return f"Rappeler {name} : venu à la permanence du {format_date(entry.day)}, sans entretien"[
        :200
    ]


def open_call_titles(ws: Workspace) -> set[str]:
    """The titles of the open call tasks (one pass over the tasks)."""
    return {
        str(doc.get("title"))
        for doc in ws.repo.docs("task")
        if doc.get("task_kind") == TaskKind.CALL.value
        and doc.get("status") == TaskStatus.OPEN.value
    }


def has_callback(ws: Workspace, entry: QueueEntry, titles: set[str] | None = None) -> bool:
    """A callback was already planned for this entry (closing twice offers nothing new);
    `titles`: `open_call_titles(ws)`, read once for many entries."""
    return callback_title(ws, entry) in (open_call_titles(ws) if titles is None else titles)


def plan_callback(ws: Workspace, entry_id: str) -> FollowUpTask:
    """A call-back task due the next working day for someone who left unseen."""
    entry = _get_entry(ws, entry_id)
    person = ws.repo.get(Person, entry.person_id) if entry.person_id else None
    if person is None:
        raise ValidationError(
            f"Pas de rappel possible pour {entry_name(ws, entry)} : pas de fiche (ni de "
            "téléphone). Si la personne revient, faites son accueil (Ctrl+N)."
        )
    if not (person.phone or "").strip():
        raise ValidationError(
            f"Pas de rappel possible pour {person.display_name} : pas de téléphone sur sa fiche."
        )
    task = FollowUpTask(
        person_id=entry.person_id,
        task_kind=TaskKind.CALL,
        title=callback_title(ws, entry),
        due=next_working_day(entry.day),
        site=entry.site,
        assigned_to=ws.repo.staff,
    )
    (saved,) = ws.repo.save(task)
    return saved


def set_site(ws: Workspace, site: str) -> None:
    """Remember the site of the permanence (settings.last_site)."""
    site = site.strip()
    if not site:
        raise ValidationError("Le nom du site est obligatoire.")
    ws.repo.save_settings(ws.settings.model_copy(update={"last_site": site}))


def current_site(ws: Workspace) -> str:
    names = ws.site_names()
    return ws.settings.last_site or (names[0] if names else "")
