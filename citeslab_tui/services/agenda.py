"""The staff's calendar: coming appointments and dated tasks as an iCalendar file
(RFC 5545, the `icalendar` library), for Outlook, Thunderbird or a phone.

- one event per open task of the staff member due today or later: an appointment
  with a time is a timed event (Europe/Paris, APPOINTMENT_MINUTES long), any other
  dated task an all-day event;
- the UID is the task's id (`<id>@citeslab`): importing the file again updates the
  events instead of duplicating them;
- personal data: the kind of task, the person's name (initials only with
  `initials=True`), the site; never a phone, an e-mail or notes. The task's own
  title (free text that may hold names) is left out with `initials=True`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from citeslab_tui.domain import text
from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.vocabulary import TaskKind, TaskStatus
from citeslab_tui.services.workspace import Workspace
from citeslab_tui.store.files import write_private

LOGGER = logging.getLogger("citeslab.agenda")
TIME_ZONE = "Europe/Paris"
APPOINTMENT_MINUTES = 60
UID_DOMAIN = "citeslab"
PRODID = "-//CitésLab//citeslab-tui//FR"


@dataclass(frozen=True)
class AgendaItem:
    """One event of the calendar, before it is written."""

    uid: str
    summary: str
    description: str
    location: str
    day: date
    at: time | None  # None: an all-day event


def initials(first_name: str, family_name: str) -> str:
    """ "Awa", "Diallo" -> "A. D." (hyphenated first names keep each part: "J.-P.")."""
    parts = []
    if first_name.strip():
        parts.append("-".join(f"{p[:1].upper()}." for p in first_name.strip().split("-") if p))
    if family_name.strip():
        parts.append(f"{family_name.strip()[:1].upper()}.")
    return " ".join(parts)


def resolve_staff(ws: Workspace, typed: str | None) -> str:
    """The staff member whose calendar is written: `typed` (case and accents ignored)
    among the known names, else this laptop's current staff member."""
    from citeslab_tui.services.tasks.changes import staff_names

    names = staff_names(ws)
    if typed is None or not typed.strip():
        staff = ws.repo.staff
        if not staff:
            raise ValidationError(
                "Aucun membre de l'équipe sur ce poste : indiquez --staff NOM "
                "(ou configurez le poste avec citeslab init)."
            )
        return staff
    key = text.fold(typed)
    for name in names:
        if text.fold(name) == key:
            return name
    raise ValidationError(
        f"Membre de l'équipe inconnu : « {typed.strip()[:60]} ». Noms connus : "
        + (", ".join(names) or "aucun")
        + "."
    )


def agenda_items(
    ws: Workspace, staff: str, today: date, *, initials_only: bool = False
) -> list[AgendaItem]:
    """The coming events of `staff`: open tasks assigned to them, due today or later."""
    people = {d["id"]: d for d in ws.repo.docs("person")}
    kinds = {k.value: k.label for k in TaskKind}
    folded = text.fold(staff)
    items = []
    for doc in ws.repo.docs("task"):
        if doc.get("status", TaskStatus.OPEN.value) != TaskStatus.OPEN.value:
            continue
        if text.fold(doc.get("assigned_to") or "") != folded:
            continue
        due = _day(doc.get("due"))
        if due is None or due < today:
            continue
        kind = doc.get("task_kind") or TaskKind.OTHER.value
        label = kinds.get(kind, kinds[TaskKind.OTHER.value])
        person = people.get(doc.get("person_id") or "")
        who = ""
        if person is not None:
            first = person.get("first_name") or ""
            family = person.get("usage_name") or person.get("family_name") or ""
            who = initials(first, family) if initials_only else f"{first} {family}".strip()
        title = text.clean_text(doc.get("title") or "", 200)
        summary = " — ".join(part for part in (label, who) if part)
        if not initials_only and title and title != label:
            summary += f" : {title}"
        at = _time(doc.get("time")) if kind == TaskKind.APPOINTMENT.value else None
        items.append(
            AgendaItem(
                uid=f"{doc['id']}@{UID_DOMAIN}",
                summary=summary,
                description="Tâche de suivi CitésLab",
                location=doc.get("site") or "",
                day=due,
                at=at,
            )
        )
    items.sort(key=lambda item: (item.day, item.at or time(0), item.uid))
    return items


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _time(value: Any) -> time | None:
    try:
        return time.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def render_ics(items: list[AgendaItem], staff_label: str, stamp: datetime | None = None) -> bytes:
    """The iCalendar file of `items`, times in Europe/Paris (with its VTIMEZONE)."""
    from zoneinfo import ZoneInfo

    from icalendar import Calendar, Event

    paris = ZoneInfo(TIME_ZONE)
    stamp = (stamp or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"CitésLab — {staff_label}")
    calendar.add("x-wr-timezone", TIME_ZONE)
    for item in items:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("summary", item.summary)
        event.add("description", item.description)
        if item.location:
            event.add("location", item.location)
        if item.at is None:
            event.add("dtstart", item.day)
            event.add("dtend", item.day + timedelta(days=1))
            event.add("transp", "TRANSPARENT")  # a task does not make the staff busy
        else:
            start = datetime.combine(item.day, item.at, tzinfo=paris)
            event.add("dtstart", start)
            event.add("dtend", start + timedelta(minutes=APPOINTMENT_MINUTES))
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def agenda_file_name(staff: str) -> str:
    """ "agenda-citeslab-celine.ics": the staff member's name, folded."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.fold(staff)).strip("-")[:40] or "equipe"
    return f"agenda-citeslab-{slug}.ics"


def write_agenda(
    ws: Workspace,
    output: str | Path,
    *,
    staff: str | None = None,
    initials_only: bool = False,
    today: date | None = None,
) -> tuple[Path, int]:
    """Write the calendar of `staff` (default: this laptop's) to `output`; returns the
    path written and the number of events."""
    target = Path(output).expanduser()
    if target.is_dir():
        raise ValidationError(f"{target} est un dossier : indiquez un nom de fichier (.ics).")
    name = resolve_staff(ws, staff)
    items = agenda_items(ws, name, today or date.today(), initials_only=initials_only)
    label = initials(*(name.split(" ", 1) + [""])[:2]) if initials_only else name
    path = write_private(target, render_ics(items, label), make_folder=True)
    LOGGER.info("agenda written: events=%d", len(items))
    return path, len(items)
