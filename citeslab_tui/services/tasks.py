"""Follow-up tasks and appointments: views, filters, changes, suggested follow-ups.

Views partition the tasks: overdue (open, due before today), today, this week
(open, after today until Sunday), later (open, after this Sunday), done.
Listing works on the stored documents (no model per row) and is cached per
change of the tasks (`repo.kind_version("task")`) and day: 20,000 tasks are
bucketed in ~10 ms, a view is sorted when first shown, and only the rows on screen
become `TaskRow`s. The changes made here (complete, postpone, ...) update the
cached views in place instead of recomputing them; saves of other records (the
permanence queue, interviews) leave them alone.

Every change is one durable save. Suggestions are computed, never created
silently: the user accepts (a task is created) or dismisses them (a
`SuggestionDismissal` is stored, synced, and the suggestion does not come back
until the fact it was based on changes).

Functions other areas call: `appointments_for(ws, day, site)` (the permanence
queue's expected arrivals), `tasks_for_person(ws, person_id)` (the person's
timeline), `create_task(...)`, `open_count(ws)`.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from citeslab_tui.domain import duedates
from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.models import (
    FollowUpTask,
    Orientation,
    Person,
    Stage,
    SuggestionDismissal,
    TaskKind,
    TaskStatus,
)
from citeslab_tui.domain.text import clean_text, fold
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
# the records suggestions are computed from (their cache follows these kinds only)
SUGGESTION_SOURCES = ("task", "orientation", "interview", "stage", "outcome", "dismissal", "person")

CHECK_AFTER_DAYS = 21  # an orientation is checked three weeks later
CHECK_WINDOW_DAYS = 180  # orientations older than this are not suggested any more
NO_CONTACT_DAYS = 91  # "no contact for 3 months"
NO_CONTACT_WINDOW_DAYS = 365  # older silences belong to retention, not follow-up
EMERGENCE_FOLLOW_UP_DAYS = 7

# first word of a quick-add title -> the kind it most likely is
_KIND_WORDS: dict[str, TaskKind] = {
    "rappeler": TaskKind.CALL,
    "appeler": TaskKind.CALL,
    "telephoner": TaskKind.CALL,
    "tel": TaskKind.CALL,
    "envoyer": TaskKind.DOCUMENT,
    "transmettre": TaskKind.DOCUMENT,
    "document": TaskKind.DOCUMENT,
    "doc": TaskKind.DOCUMENT,
    "rdv": TaskKind.APPOINTMENT,
    "rendez": TaskKind.APPOINTMENT,
    "rendez vous": TaskKind.APPOINTMENT,
    "verifier": TaskKind.CHECK_ORIENTATION,
}


def _today(today: date | None) -> date:
    return today or date.today()


# --- listing ------------------------------------------------------------------------


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
class _Buckets:
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


def _view_of(doc: dict[str, Any], today_s: str, week_end_s: str) -> str:
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


_BOARDS: weakref.WeakKeyDictionary[Workspace, TaskBoard] = weakref.WeakKeyDictionary()


def board_for(ws: Workspace) -> TaskBoard:
    """The workspace's board (one per workspace, so its caches serve every screen)."""
    board = _BOARDS.get(ws)
    if board is None:
        board = _BOARDS[ws] = TaskBoard(ws)
    return board


@contextlib.contextmanager
def _updating_board(ws: Workspace, *task_ids: str) -> Iterator[None]:
    """Around a save of these tasks (and no other): keep the cached board in step."""
    before = ws.repo.kind_version("task")
    yield
    board = _BOARDS.get(ws)
    if board is not None:
        board.apply_saved(before, task_ids)


class TaskBoard:
    """The views of one workspace, cached until the repository changes or the day turns."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._cache: _Buckets | None = None
        self._suggested: tuple[Any, list[Suggestion]] | None = None
        self._names: tuple[tuple[int, int], dict[str, str]] | None = None

    def _suggestions_key(self, today: date) -> tuple[Any, ...]:
        repo = self.ws.repo
        return (today, *(repo.kind_version(kind) for kind in SUGGESTION_SOURCES))

    def cached_suggestions(self, today: date | None = None) -> list[Suggestion] | None:
        """The suggestions if they are already computed for the current data, else None."""
        done = self._suggested
        if done is not None and done[0] == self._suggestions_key(_today(today)):
            return done[1]
        return None

    def suggestions(self, today: date | None = None) -> list[Suggestion]:
        """`suggestions(ws, today)`, cached until the records they are based on change
        or the day turns. May run in a worker thread (see `suggestions_in_thread`)."""
        key = self._suggestions_key(_today(today))
        done = self._suggested
        if done is None or done[0] != key:
            done = self._suggested = (key, suggestions(self.ws, key[0]))
        return done[1]

    def suggestions_in_thread(self, today: date | None = None) -> list[Suggestion]:
        """`suggestions` from a worker thread (the records are read as they are when each
        kind is read: a save on the UI thread meanwhile does not disturb it)."""
        return self.suggestions(today)

    def names(self) -> dict[str, str]:
        """Display names already looked up (dropped when a person record changes)."""
        version = self.ws.repo.kind_version("person")
        if self._names is None or self._names[0] != version:
            self._names = (version, {})
        return self._names[1]

    def _buckets(self, flt: TaskFilter, today: date) -> _Buckets:
        key = (self.ws.repo.kind_version("task"), today, flt)
        if self._cache is not None and self._cache.key == key:
            return self._cache
        self._cache = self._build(key)
        return self._cache

    def warm_up(self, today: date | None = None) -> None:
        """From a worker thread at start-up: bucket and sort every view, then compute
        the suggestions, so that the first F3 only draws. Installed only if no task
        changed meanwhile (else the screen computes them as usual)."""
        today = _today(today)
        version = self.ws.repo.kind_version("task")
        buckets = self._build((version, today, TaskFilter()))
        for view in VIEWS:
            buckets.sort(view)
        if self.ws.repo.kind_version("task") == version and (
            self._cache is None or self._cache.key[0] != version
        ):
            self._cache = buckets
        self.suggestions_in_thread(today)

    def _build(self, key: tuple[tuple[int, int], date, TaskFilter]) -> _Buckets:
        _version, today, flt = key
        today_s = today.isoformat()
        week_end_s = duedates.end_of_week(today).isoformat()
        overdue: list[dict[str, Any]] = []
        due_today: list[dict[str, Any]] = []
        week: list[dict[str, Any]] = []
        later: list[dict[str, Any]] = []
        done: list[dict[str, Any]] = []
        done_value = TaskStatus.DONE.value
        active = flt.active
        for doc in self.ws.repo.docs("task"):  # inlined `_view_of`: 20,000 documents
            if active and not flt.matches(doc):
                continue
            if doc.get("status") == done_value:
                done.append(doc)
                continue
            due = doc.get("due") or ""
            if due < today_s:
                overdue.append(doc)
            elif due == today_s:
                due_today.append(doc)
            elif due <= week_end_s:
                week.append(doc)
            else:
                later.append(doc)
        groups = {OVERDUE: overdue, TODAY: due_today, WEEK: week, LATER: later, DONE: done}
        return _Buckets(key, groups)

    def apply_saved(self, before: tuple[int, int], task_ids: Iterable[str]) -> None:
        """These tasks were just saved (and no other task since `before`): move them
        to their view in the cached buckets instead of recomputing every view."""
        cache = self._cache
        task_ids = list(dict.fromkeys(task_ids))
        now = self.ws.repo.kind_version("task")
        if cache is None or cache.key[0] != before:
            return  # nothing cached, or stale already: recomputed on next use
        if now != (before[0], before[1] + len(task_ids)):
            self._cache = None  # other task changes happened meanwhile
            return
        _version, today, flt = cache.key
        today_s = today.isoformat()
        week_end_s = duedates.end_of_week(today).isoformat()
        touched: set[str] = set()
        gone = set(task_ids)
        for view, docs in cache.docs.items():
            kept = [d for d in docs if d["id"] not in gone]
            if len(kept) != len(docs):
                cache.docs[view] = kept
                touched.add(view)
        for task_id in task_ids:
            doc = self.ws.repo.doc("task", task_id)
            if doc is None or doc.get("meta", {}).get("deleted"):
                continue
            if flt.active and not flt.matches(doc):
                continue
            view = _view_of(doc, today_s, week_end_s)
            cache.docs[view].append(doc)
            touched.add(view)
        for view in touched:
            if view in cache.ids:
                cache.sort(view)  # nearly sorted: linear time
        cache.key = (now, today, flt)

    def counts(self, flt: TaskFilter | None = None, today: date | None = None) -> dict[str, int]:
        buckets = self._buckets(flt or TaskFilter(), _today(today))
        return {view: len(docs) for view, docs in buckets.docs.items()}

    def ids(self, view: str, flt: TaskFilter | None = None, today: date | None = None) -> list[str]:
        """Task ids of a view: by due date and time (done: most recently done first)."""
        if view not in VIEWS:
            raise ValidationError(f"Vue inconnue : {view}.")
        buckets = self._buckets(flt or TaskFilter(), _today(today))
        if view not in buckets.ids:
            return buckets.sort(view)
        return buckets.ids[view]

    def rows(self, ids: Iterable[str], today: date | None = None) -> list[TaskRow]:
        """The rows for these task ids (deleted ones skipped)."""
        today = _today(today)
        names = self.names()
        result = []
        for task_id in ids:
            doc = self.ws.repo.doc("task", task_id)
            if doc is None or doc.get("meta", {}).get("deleted"):
                continue
            result.append(task_row(self.ws, FollowUpTask.model_validate(doc), today, names))
        return result


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


def open_count(ws: Workspace, today: date | None = None) -> dict[str, int]:
    """Counts per view (for a status line elsewhere)."""
    return TaskBoard(ws).counts(today=today)


def tasks_for_person(ws: Workspace, person_id: str) -> list[FollowUpTask]:
    """All tasks of a person (open and done), by due date: for the person's timeline."""
    docs = [d for d in ws.repo.docs("task") if d.get("person_id") == person_id]
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


# --- changes -----------------------------------------------------------------------


def _get(ws: Workspace, task_id: str) -> FollowUpTask:
    task = ws.repo.get(FollowUpTask, task_id)
    if task is None:
        raise ValidationError("Cette tâche n'existe plus (supprimée entre-temps ?).")
    return task


def _clean_title(title: str) -> str:
    cleaned = clean_text(title, 200)
    if not cleaned:
        raise ValidationError("L'intitulé de la tâche est obligatoire.")
    return cleaned


def _check_person(ws: Workspace, person_id: str | None) -> str | None:
    if person_id and ws.repo.get(Person, person_id) is None:
        raise ValidationError("Cette personne n'existe plus dans le fichier.")
    return person_id or None


def _check_appointment(kind: TaskKind, time: str | None, site: str) -> None:
    if kind is TaskKind.APPOINTMENT:
        if not site:
            raise ValidationError("Un rendez-vous a besoin d'un site.")
        if not time:
            raise ValidationError("Un rendez-vous a besoin d'une heure (exemple : 12/03 14h30).")


def infer_kind(title: str) -> TaskKind:
    """The likely kind of a quick-add title from its first word(s)."""
    folded = fold(title)
    for words, kind in sorted(_KIND_WORDS.items(), key=lambda kv: -len(kv[0])):
        if folded == words or folded.startswith(words + " "):
            return kind
    return TaskKind.OTHER


def create_task(
    ws: Workspace,
    *,
    title: str,
    due: date,
    time: str | None = None,
    task_kind: TaskKind = TaskKind.OTHER,
    person_id: str | None = None,
    site: str = "",
    assigned_to: str | None = None,
    notes: str = "",
    orientation_id: str | None = None,
) -> FollowUpTask:
    title = _clean_title(title)
    site = clean_text(site, 80)
    _check_appointment(task_kind, time, site)
    task = FollowUpTask(
        person_id=_check_person(ws, person_id),
        task_kind=task_kind,
        title=title,
        due=due,
        time=time,
        site=site,
        assigned_to=assigned_to if assigned_to is not None else ws.repo.staff,
        notes=clean_text(notes, 4000, multiline=True),
        orientation_id=orientation_id,
    )
    with _updating_board(ws, task.id):
        (saved,) = ws.repo.save(task)
    return saved  # type: ignore[return-value]


def quick_add(
    ws: Workspace,
    line: str,
    *,
    today: date | None = None,
    person_id: str | None = None,
    task_kind: TaskKind | None = None,
    site: str = "",
) -> FollowUpTask:
    """Create a task from a one-line entry ("Rappeler Mme Diallo jeudi 14h")."""
    parsed = duedates.parse_quick_task(line, _today(today))
    kind = task_kind or infer_kind(parsed.title)
    if kind is TaskKind.APPOINTMENT and not site:
        site = ws.settings.last_site
    return create_task(
        ws,
        title=parsed.title,
        due=parsed.due,
        time=parsed.time,
        task_kind=kind,
        person_id=person_id,
        site=site if kind is TaskKind.APPOINTMENT else "",
    )


def orientation_to_check(ws: Workspace, task: FollowUpTask) -> Orientation | None:
    """The orientation a "check" task is about (its own, else the person's latest open one)."""
    if task.task_kind is not TaskKind.CHECK_ORIENTATION:
        return None
    if task.orientation_id:
        return ws.repo.get(Orientation, task.orientation_id)
    if not task.person_id:
        return None
    mine = [
        d
        for d in ws.repo.docs("orientation")
        if d.get("person_id") == task.person_id and d.get("met") is None
    ]
    if not mine:
        return None
    return Orientation.model_validate(max(mine, key=lambda d: (d.get("on") or "", d["id"])))


def complete(
    ws: Workspace, task_id: str, *, met: bool | None = None, today: date | None = None
) -> FollowUpTask:
    """Mark done; for a check task, `met` (True/False) is recorded on the orientation.

    The task and the orientation are saved together (one durable save).
    """
    task = _get(ws, task_id)
    if task.status is TaskStatus.DONE:
        return task
    done = task.model_copy(update={"status": TaskStatus.DONE, "done_on": _today(today)})
    records: list[Any] = [done]
    if met is not None:
        orientation = orientation_to_check(ws, task)
        if orientation is not None:
            records.append(orientation.model_copy(update={"met": met}))
    with _updating_board(ws, task_id):
        saved = ws.repo.save(*records)
    return saved[0]  # type: ignore[return-value]


def reopen(ws: Workspace, task_id: str) -> FollowUpTask:
    task = _get(ws, task_id)
    with _updating_board(ws, task_id):
        (saved,) = ws.repo.save(
            task.model_copy(update={"status": TaskStatus.OPEN, "done_on": None})
        )
    return saved  # type: ignore[return-value]


def postpone_target(task: FollowUpTask, expression: str, today: date) -> tuple[date, str | None]:
    """Where `expression` moves a task: "+N"/"+Ns" counts from its due date (from today
    if it is overdue); other forms are read as usual. A time given replaces the old one."""
    relative = duedates.normalize(expression).startswith(("+", "dans "))
    due, time = duedates.parse_due(expression, max(task.due, today) if relative else today)
    return due, time or task.time


def postpone(
    ws: Workspace, task_id: str, expression: str, *, today: date | None = None
) -> FollowUpTask:
    task = _get(ws, task_id)
    due, time = postpone_target(task, expression, _today(today))
    with _updating_board(ws, task_id):
        (saved,) = ws.repo.save(task.model_copy(update={"due": due, "time": time}))
    return saved  # type: ignore[return-value]


def edit(
    ws: Workspace,
    task_id: str,
    *,
    title: str,
    due: date,
    time: str | None,
    task_kind: TaskKind,
    site: str = "",
    notes: str = "",
    person_id: str | None = None,
) -> FollowUpTask:
    task = _get(ws, task_id)
    site = clean_text(site, 80)
    _check_appointment(task_kind, time, site)
    changed = FollowUpTask.model_validate(
        {
            **task.model_dump(),
            "title": _clean_title(title),
            "due": due,
            "time": time,
            "task_kind": task_kind,
            "site": site,
            "notes": clean_text(notes, 4000, multiline=True),
            "person_id": _check_person(ws, person_id),
        }
    )
    with _updating_board(ws, task_id):
        (saved,) = ws.repo.save(changed)
    return saved  # type: ignore[return-value]


def reassign(ws: Workspace, task_id: str, staff: str) -> FollowUpTask:
    name = clean_text(staff, 80)
    if not name:
        raise ValidationError("Choisissez le chef de projet à qui confier la tâche.")
    task = _get(ws, task_id)
    with _updating_board(ws, task_id):
        (saved,) = ws.repo.save(task.model_copy(update={"assigned_to": name}))
    return saved  # type: ignore[return-value]


def delete(ws: Workspace, task_id: str) -> None:
    """Delete as a tombstone (sync carries the deletion to the other laptops)."""
    task = _get(ws, task_id)
    with _updating_board(ws, task_id):
        ws.repo.delete(task)


def staff_names(ws: Workspace) -> list[str]:
    """This laptop's staff, then anyone else tasks are assigned to."""
    names = list(ws.settings.staff)
    seen = set(names)
    for doc in ws.repo.docs("task"):
        name = doc.get("assigned_to") or ""
        if name and name not in seen:
            seen.add(name)
            names.append(name)
    return names


# --- suggested follow-ups -------------------------------------------------------------


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
    today = _today(today)
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
        return bool(doc) and not doc["meta"].get("deleted") and not doc.get("erased_at")

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
        on = doc.get("on") or ""
        if on > last_contact.get(pid, ""):
            last_contact[pid] = on
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


def accept_suggestion(ws: Workspace, suggestion: Suggestion) -> FollowUpTask:
    """Create the proposed task (the suggestion then disappears by itself)."""
    return create_task(
        ws,
        title=suggestion.title,
        due=suggestion.due,
        task_kind=suggestion.task_kind,
        person_id=suggestion.person_id,
        orientation_id=suggestion.orientation_id,
    )


def dismiss_suggestion(
    ws: Workspace, suggestion: Suggestion, today: date | None = None
) -> SuggestionDismissal:
    """Remember (durably, synced) that the user does not want this suggestion."""
    (saved,) = ws.repo.save(
        SuggestionDismissal(key=suggestion.key, person_id=suggestion.person_id, on=_today(today))
    )
    return saved  # type: ignore[return-value]
