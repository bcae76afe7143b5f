"""The tasks board of a workspace: the views bucketed once per change of the tasks and
per day (20,000 tasks in ~10 ms), each sorted when first shown, updated in place by the
changes made here (changes.py) instead of being recomputed; the suggestions cached until
the records they read change."""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from citeslab_tui.domain import duedates
from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.models import FollowUpTask, TaskStatus
from citeslab_tui.services.tasks.suggestions import SUGGESTION_SOURCES, Suggestion, suggestions
from citeslab_tui.services.tasks.views import (
    DONE,
    LATER,
    OVERDUE,
    TODAY,
    VIEWS,
    WEEK,
    Buckets,
    TaskFilter,
    TaskRow,
    day_or_today,
    task_row,
    view_of,
)
from citeslab_tui.services.workspace import Workspace

_BOARDS: weakref.WeakKeyDictionary[Workspace, TaskBoard] = weakref.WeakKeyDictionary()


def board_for(ws: Workspace) -> TaskBoard:
    """The workspace's board (one per workspace, so its caches serve every screen)."""
    board = _BOARDS.get(ws)
    if board is None:
        board = _BOARDS[ws] = TaskBoard(ws)
    return board


@contextlib.contextmanager
def updating_board(ws: Workspace, *task_ids: str) -> Iterator[None]:
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
        self._cache: Buckets | None = None
        self._suggested: tuple[Any, list[Suggestion]] | None = None
        self._names: tuple[tuple[int, int], dict[str, str]] | None = None

    def _suggestions_key(self, today: date) -> tuple[Any, ...]:
        repo = self.ws.repo
        return (today, *(repo.kind_version(kind) for kind in SUGGESTION_SOURCES))

    def cached_suggestions(self, today: date | None = None) -> list[Suggestion] | None:
        """The suggestions if they are already computed for the current data, else None."""
        done = self._suggested
        if done is not None and done[0] == self._suggestions_key(day_or_today(today)):
            return done[1]
        return None

    def suggestions(self, today: date | None = None) -> list[Suggestion]:
        """`suggestions(ws, today)`, cached until the records they are based on change
        or the day turns. May run in a worker thread (see `suggestions_in_thread`)."""
        key = self._suggestions_key(day_or_today(today))
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

    def _buckets(self, flt: TaskFilter, today: date) -> Buckets:
        key = (self.ws.repo.kind_version("task"), today, flt)
        if self._cache is not None and self._cache.key == key:
            return self._cache
        self._cache = self._build(key)
        return self._cache

    def warm_up(self, today: date | None = None) -> None:
        """From a worker thread at start-up: bucket and sort every view, then compute
        the suggestions, so that the first F3 only draws. Installed only if no task
        changed meanwhile (else the screen computes them as usual)."""
        today = day_or_today(today)
        version = self.ws.repo.kind_version("task")
        buckets = self._build((version, today, TaskFilter()))
        for view in VIEWS:
            buckets.sort(view)
        if self.ws.repo.kind_version("task") == version and (
            self._cache is None or self._cache.key[0] != version
        ):
            self._cache = buckets
        self.suggestions_in_thread(today)

    def _build(self, key: tuple[tuple[int, int], date, TaskFilter]) -> Buckets:
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
        for doc in self.ws.repo.docs("task"):  # inlined `view_of`: 20,000 documents
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
        return Buckets(key, groups)

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
            view = view_of(doc, today_s, week_end_s)
            cache.docs[view].append(doc)
            touched.add(view)
        for view in touched:
            if view in cache.ids:
                cache.sort(view)  # nearly sorted: linear time
        cache.key = (now, today, flt)

    def counts(self, flt: TaskFilter | None = None, today: date | None = None) -> dict[str, int]:
        buckets = self._buckets(flt or TaskFilter(), day_or_today(today))
        return {view: len(docs) for view, docs in buckets.docs.items()}

    def ids(self, view: str, flt: TaskFilter | None = None, today: date | None = None) -> list[str]:
        """Task ids of a view: by due date and time (done: most recently done first)."""
        if view not in VIEWS:
            raise ValidationError(f"Vue inconnue : {view}.")
        buckets = self._buckets(flt or TaskFilter(), day_or_today(today))
        if view not in buckets.ids:
            return buckets.sort(view)
        return buckets.ids[view]

    def rows(self, ids: Iterable[str], today: date | None = None) -> list[TaskRow]:
        """The rows for these task ids (deleted ones skipped)."""
        today = day_or_today(today)
        names = self.names()
        result = []
        for task_id in ids:
            doc = self.ws.repo.doc("task", task_id)
            if doc is None or doc.get("meta", {}).get("deleted"):
                continue
            result.append(task_row(self.ws, FollowUpTask.model_validate(doc), today, names))
        return result


def open_count(ws: Workspace, today: date | None = None) -> dict[str, int]:
    """Counts per view (for a status line elsewhere)."""
    return TaskBoard(ws).counts(today=today)
