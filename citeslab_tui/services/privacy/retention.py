"""Retention: people without contact for longer than the structure's period are
anonymised (their identity erased, the statistics kept), reminded once a month."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from citeslab_tui.domain.errors import CitesLabError, ValidationError
from citeslab_tui.domain.models import Person
from citeslab_tui.services.privacy.erasure import REASON_RETENTION, ErasureResult, erase_people
from citeslab_tui.services.privacy.finding import describe_person
from citeslab_tui.services.workspace import Workspace

MIN_MONTHS, MAX_MONTHS = 1, 240


def months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def format_period(months: int) -> str:
    """24 -> "2 ans", 18 -> "18 mois", 12 -> "1 an"."""
    if months % 12 == 0:
        years = months // 12
        return f"{years} an{'s' if years > 1 else ''}"
    return f"{months} mois"


def check_months(months: int | None, ws: Workspace) -> int:
    months = ws.settings.retention_months if months is None else months
    if months < MIN_MONTHS:
        raise ValidationError(
            "La durée de conservation doit être d'au moins 1 mois : rien n'a été fait."
        )
    if months > MAX_MONTHS:
        raise ValidationError("La durée de conservation ne peut pas dépasser 240 mois (20 ans).")
    return months


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return (
                datetime.fromisoformat(value).date() if "T" in value else date.fromisoformat(value)
            )
        except ValueError:
            return None
    return None


CONTACT_KINDS = ("interview", "stage", "orientation", "outcome", "task", "queue")


def _contact_iso(kind: str, doc: dict[str, Any]) -> str | None:
    """The ISO date a linked record counts as a contact, or None (ISO strings sort)."""
    if kind == "task":  # done: when done; still open: a planned contact
        value = doc.get("done_on") if doc.get("status") == "done" else doc.get("due")
    elif kind == "queue":
        value = doc.get("day") if doc.get("arrived_at") else None
    elif kind in CONTACT_KINDS:
        value = doc.get("on")
    else:
        value = None
    return value if isinstance(value, str) and value else None


def _intake_date(person_doc: dict[str, Any]) -> date | None:
    return _as_date(person_doc.get("notice_given_on")) or _as_date(
        person_doc.get("meta", {}).get("created_at")
    )


def last_contact(person_doc: dict[str, Any], linked: list[tuple[str, dict]]) -> date | None:
    """Latest dated event, interview, task (done, or planned), arrival; else intake date."""
    dates = [iso for kind, doc in linked if (iso := _contact_iso(kind, doc))]
    return _as_date(max(dates)) if dates else _intake_date(person_doc)


@dataclass(frozen=True)
class RetentionCandidate:
    person_id: str
    description: str  # describe_person(): shown to staff, never logged
    last_contact: date | None


def _due_docs(ws: Workspace, today: date, months: int) -> list[tuple[dict, date | None]]:
    """(person document, last contact) of people due, not validated (fast)."""
    cutoff = months_before(today, months)
    people = [
        d
        for d in ws.repo.docs("person", include_deleted=True)
        if not d.get("erased_at")
        and not d.get("meta", {}).get("erased")
        and not d.get("meta", {}).get("merged_into")  # erased with the person it went into
    ]
    # One pass over the linked records, ISO strings compared: no per-person lists.
    latest: dict[str, str] = {}
    for kind in CONTACT_KINDS:
        for doc in ws.repo.docs(kind, include_deleted=True):
            pid = doc.get("person_id")
            if not pid:
                continue
            iso = _contact_iso(kind, doc)
            if iso and iso > latest.get(pid, ""):
                latest[pid] = iso
    due = []
    for doc in people:
        iso = latest.get(doc["id"])
        last = _as_date(iso) if iso else _intake_date(doc)
        if last is None or last < cutoff:
            due.append((doc, last))
    return due


def retention_due(
    ws: Workspace, today: date | None = None, months: int | None = None
) -> list[RetentionCandidate]:
    """People (not yet erased) whose last contact is older than the retention period."""
    months = check_months(months, ws)
    due = [
        RetentionCandidate(doc["id"], describe_person(Person.model_validate(doc)), last)
        for doc, last in _due_docs(ws, today or date.today(), months)
    ]
    due.sort(key=lambda c: (c.last_contact or date.min, c.person_id))
    return due


def apply_retention(
    ws: Workspace, today: date | None = None, months: int | None = None
) -> ErasureResult:
    """Anonymise every person due (reason "conservation"): one durable save."""
    due = _due_docs(ws, today or date.today(), check_months(months, ws))
    return erase_people(ws, [doc["id"] for doc, _ in due], reason=REASON_RETENTION)


def retention_reminder(ws: Workspace, today: date | None = None) -> str | None:
    """A French reminder at most once a month when people are due; remembered in settings.

    For the app at start (after the workspace is open). Never raises a CitesLabError
    for a settings problem; one scan of the records (~0.1 s for 10,000 people) at most once
    a month, none otherwise.
    """
    today = today or date.today()
    last = ws.settings.retention_reminded_on
    if last is not None and last > months_before(today, 1):
        return None
    count = len(_due_docs(ws, today, check_months(None, ws)))
    if not count:
        return None
    try:  # remembered so the reminder comes back next month, not at every start
        ws.repo.save_settings(ws.settings.model_copy(update={"retention_reminded_on": today}))
    except CitesLabError:
        pass  # settings not writable: remind again next time rather than fail the start
    period = format_period(ws.settings.retention_months)
    people = f"{count} personne{'s' if count > 1 else ''}"
    return (
        f"Conservation des données : {people} sans contact depuis plus de {period}. "
        "Leur identité doit être effacée (les statistiques restent). Au bureau : "
        "« citeslab retention » pour la liste, puis « citeslab retention --apply »."
    )
