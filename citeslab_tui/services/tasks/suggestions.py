"""Suggested follow-ups: computed, never created silently. The user accepts one (a task
is created: changes.accept_suggestion) or dismisses it (a `SuggestionDismissal` is
stored and synced; the suggestion comes back only when the fact it was based on
changes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from citeslab_tui.domain.models import Stage, TaskKind, TaskStatus
from citeslab_tui.services.tasks.views import day_or_today, person_name
from citeslab_tui.services.workspace import Workspace

# the records suggestions are computed from (their cache follows these kinds only)
SUGGESTION_SOURCES = ("task", "orientation", "interview", "stage", "outcome", "dismissal", "person")

CHECK_AFTER_DAYS = 21  # an orientation is checked three weeks later
CHECK_WINDOW_DAYS = 180  # orientations older than this are not suggested any more
NO_CONTACT_DAYS = 91  # "no contact for 3 months"
NO_CONTACT_WINDOW_DAYS = 365  # older silences belong to retention, not follow-up
EMERGENCE_FOLLOW_UP_DAYS = 7


@dataclass(frozen=True)
class Suggestion:
    """A follow-up the app proposes; nothing exists until the user accepts it."""

    key: str
    reason: str  # "check_orientation" | "emergence_idle" | "no_contact"
    person_id: str
    person_name: str
    text: str  # why, in French
    title: str
    task_kind: TaskKind
    due: date
    orientation_id: str | None = None


def suggestions(ws: Workspace, today: date | None = None) -> list[Suggestion]:
    """Computed follow-ups not yet planned nor dismissed, most urgent first."""
    today = day_or_today(today)
    repo = ws.repo
    dismissed = {d.get("key") for d in repo.docs("dismissal")}
    # one pass over the tasks: what is already planned, per person
    checked_orientations: set[str] = set()
    open_tasks: set[str] = set()
    last_due: dict[str, str] = {}  # latest due date of any task
    last_check_due: dict[str, str] = {}  # latest due date of a check task
    check_kind = TaskKind.CHECK_ORIENTATION.value
    for doc in repo.docs("task"):
        if doc.get("orientation_id"):
            checked_orientations.add(doc["orientation_id"])
        pid = doc.get("person_id")
        if not pid:
            continue
        due = doc.get("due") or ""
        if doc.get("status") == TaskStatus.OPEN.value:
            open_tasks.add(pid)
        if due > last_due.get(pid, ""):
            last_due[pid] = due
        if doc.get("task_kind") == check_kind and due > last_check_due.get(pid, ""):
            last_check_due[pid] = due
    outcomes = {d.get("person_id") for d in repo.docs("outcome")}
    names: dict[str, str] = {}
    result: list[Suggestion] = []

    def alive(pid: str) -> bool:
        doc = repo.doc("person", pid)
        if not doc:
            return False
        return not doc["meta"].get("deleted") and not doc.get("erased_at")

    # 1. an orientation without a check task: check it three weeks later
    oldest = (today - timedelta(days=CHECK_WINDOW_DAYS)).isoformat()
    for doc in repo.docs("orientation"):
        pid = doc.get("person_id") or ""
        key = f"check:{doc['id']}"
        if (
            doc.get("met") is not None
            or (doc.get("on") or "") < oldest
            or doc["id"] in checked_orientations
            or key in dismissed
            or not alive(pid)
        ):
            continue
        # a check task written by hand for this person after the orientation counts too
        if last_check_due.get(pid, "") >= (doc.get("on") or "\uffff"):
            continue
        on = date.fromisoformat(doc["on"])
        partner = doc.get("partner") or ""
        result.append(
            Suggestion(
                key=key,
                reason="check_orientation",
                person_id=pid,
                person_name=person_name(ws, pid, names),
                text=f"Orienté(e) vers {partner} le {on:%d/%m/%Y} : vérifier le rendez-vous.",
                title=f"Vérifier le rendez-vous avec {partner}"[:200],
                task_kind=TaskKind.CHECK_ORIENTATION,
                due=max(on + timedelta(days=CHECK_AFTER_DAYS), today),
                orientation_id=doc["id"],
            )
        )

    # last contact (interview) per person
    last_contact: dict[str, str] = {}
    for doc in repo.docs("interview"):
        pid = doc.get("person_id") or ""
        seen_on = doc.get("on") or ""
        if seen_on > last_contact.get(pid, ""):
            last_contact[pid] = seen_on
    stages: dict[str, set[str]] = {}
    for doc in repo.docs("stage"):
        stages.setdefault(doc.get("person_id") or "", set()).add(doc.get("stage") or "")

    # 2. people in Emergence with nothing planned
    for pid, reached in stages.items():
        if Stage.EMERGENCE.value not in reached or pid in open_tasks or pid in outcomes:
            continue
        anchor = max(last_contact.get(pid, ""), last_due.get(pid, ""))
        key = f"emergence:{pid}:{anchor}"
        if key in dismissed or not alive(pid):
            continue
        result.append(
            Suggestion(
                key=key,
                reason="emergence_idle",
                person_id=pid,
                person_name=person_name(ws, pid, names),
                text="En Émergence, rien de prévu : planifier un point.",
                title="Faire le point sur le projet",
                task_kind=TaskKind.CALL,
                due=today + timedelta(days=EMERGENCE_FOLLOW_UP_DAYS),
            )
        )

    # 3. no contact for three months (project still open, nothing planned)
    quiet_since = (today - timedelta(days=NO_CONTACT_DAYS)).isoformat()
    window = (today - timedelta(days=NO_CONTACT_WINDOW_DAYS)).isoformat()
    emergence_suggested = {s.person_id for s in result if s.reason == "emergence_idle"}
    for pid, last in last_contact.items():
        if not window <= last <= quiet_since or pid in open_tasks or pid in outcomes:
            continue
        if pid in emergence_suggested:
            continue
        key = f"contact:{pid}:{last}"
        if key in dismissed or not alive(pid):
            continue
        when = date.fromisoformat(last)
        result.append(
            Suggestion(
                key=key,
                reason="no_contact",
                person_id=pid,
                person_name=person_name(ws, pid, names),
                text=f"Aucun contact depuis le {when:%d/%m/%Y} : prendre des nouvelles.",
                title="Prendre des nouvelles",
                task_kind=TaskKind.CALL,
                due=today,
            )
        )
    order = {"check_orientation": 0, "emergence_idle": 1, "no_contact": 2}
    result.sort(key=lambda s: (s.due, order[s.reason], s.person_name, s.key))
    return result
