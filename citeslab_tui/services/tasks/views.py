"""The tasks as the screens list them: views (overdue, today, this week, later, done),
filters, the plain rows a screen shows, and the lists other areas read (a person's
tasks, a permanence's expected appointments)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from citeslab_tui.domain import duedates
from citeslab_tui.domain.models import FollowUpTask, Person, TaskKind, TaskStatus
from citeslab_tui.domain.text import fold
from citeslab_tui.services.workspace import Workspace

OVERDUE, TODAY, WEEK, LATER, DONE = "overdue", "today", "week", "later", "done"
VIEWS = (OVERDUE, TODAY, WEEK, LATER, DONE)
VIEW_LABELS = {
    OVERDUE: "En retard",
    TODAY: "Aujourd'hui",
    WEEK: "Cette semaine",
    LATER: "Plus tard",
    DONE: "Terminées",
}
OVERDUE_MARK = "⚠ en retard"


def day_or_today(today: date | None) -> date:
    return today or date.today()


@dataclass(frozen=True)
class TaskFilter:
    """Restrict the views; None means any."""

    person_id: str | None = None
    site: str | None = None
    kind: TaskKind | None = None
    staff: str | None = None

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.person_id, self.site, self.kind, self.staff))

    def matches(self, doc: dict[str, Any]) -> bool:
        if self.person_id is not None and doc.get("person_id") != self.person_id:
            return False
        if self.site is not None and fold(doc.get("site") or "") != fold(self.site):
            return False
        if self.kind is not None and doc.get("task_kind") != self.kind.value:
            return False
        return self.staff is None or doc.get("assigned_to") == self.staff


@dataclass(frozen=True)
class TaskRow:
    """One line of the tasks screen (plain values, French labels)."""

    id: str
    due: date
    time: str | None
    task_kind: TaskKind
    kind_label: str
    title: str
    person_id: str | None
    person_name: str
    site: str
    assigned_to: str
    done: bool
    done_on: date | None
    overdue: bool
    status_label: str


@dataclass
class Buckets:
    key: tuple[tuple[int, int], date, TaskFilter]
    docs: dict[str, list[dict[str, Any]]]  # per view, unsorted
    ids: dict[str, list[str]] = field(default_factory=dict)  # per view, sorted on demand

    def sort(self, view: str) -> list[str]:
        docs = self.docs[view]
        if view == DONE:
            docs.sort(key=_done_key, reverse=True)
        else:
            docs.sort(key=_sort_key)
        self.ids[view] = [d["id"] for d in docs]
        return self.ids[view]


def view_of(doc: dict[str, Any], today_s: str, week_end_s: str) -> str:
    if doc.get("status") == TaskStatus.DONE.value:
        return DONE
    due = doc.get("due") or ""
    if due < today_s:
        return OVERDUE
    if due == today_s:
        return TODAY
    return WEEK if due <= week_end_s else LATER


def _sort_key(doc: dict[str, Any]) -> tuple[str, str, str]:
    return (doc.get("due") or "", doc.get("time") or "99:99", doc["id"])


def _done_key(doc: dict[str, Any]) -> tuple[str, str]:
    return (doc.get("done_on") or "", doc["id"])


def person_name(ws: Workspace, person_id: str | None, cache: dict[str, str] | None = None) -> str:
    if not person_id:
        return ""
    if cache is not None and person_id in cache:
        return cache[person_id]
    doc = ws.repo.doc("person", person_id)
    if doc is None or doc.get("meta", {}).get("deleted"):
        name = "(personne supprimée)"
    else:  # no validation needed to show a stored name (fast for long lists)
        name = Person.model_construct(
            family_name=doc.get("family_name") or "",
            usage_name=doc.get("usage_name") or "",
            first_name=doc.get("first_name") or "",
            erased_at=doc.get("erased_at"),
        ).display_name
    if cache is not None:
        cache[person_id] = name
    return name


def task_row(
    ws: Workspace, task: FollowUpTask, today: date, names: dict[str, str] | None = None
) -> TaskRow:
    done = task.status is TaskStatus.DONE
    overdue = not done and task.due < today
    if done:
        status = f"faite le {task.done_on:%d/%m/%Y}" if task.done_on else "faite"
    elif overdue:
        status = OVERDUE_MARK
    else:
        status = duedates.relative_label(task.due, today)
    return TaskRow(
        id=task.id,
        due=task.due,
        time=task.time,
        task_kind=task.task_kind,
        kind_label=task.task_kind.label,
        title=task.title,
        person_id=task.person_id,
        person_name=person_name(ws, task.person_id, names),
        site=task.site,
        assigned_to=task.assigned_to,
        done=done,
        done_on=task.done_on,
        overdue=overdue,
        status_label=status,
    )


def tasks_for_person(ws: Workspace, person_id: str) -> list[FollowUpTask]:
    """All tasks of a person (open and done), by due date: for the person's timeline."""
    docs = [d for _kind, d in ws.repo.person_docs(person_id, kinds=("task",))]
    docs.sort(key=_sort_key)
    return [FollowUpTask.model_validate(d) for d in docs]


def appointments_for(ws: Workspace, day: date, site: str) -> list[FollowUpTask]:
    """Open appointment tasks of `day` at `site` (accents/case ignored), by time.

    The permanence queue shows them as expected arrivals.
    """
    day_s = day.isoformat()
    site_key = fold(site)
    docs = [
        d
        for d in ws.repo.docs("task")
        if d.get("due") == day_s
        and d.get("task_kind") == TaskKind.APPOINTMENT.value
        and d.get("status") == TaskStatus.OPEN.value
        and fold(d.get("site") or "") == site_key
    ]
    docs.sort(key=lambda d: (d.get("time") or "99:99", d["id"]))
    return [FollowUpTask.model_validate(d) for d in docs]
