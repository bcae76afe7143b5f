"""Changes to tasks: create (also from a one-line entry), complete (a check task records
whether the partner was met), reopen, postpone, edit, reassign, delete, and accepting
or dismissing a suggestion. Every change is one durable save and keeps the cached
board in step."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from citeslab_tui.domain import duedates
from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.models import (
    FollowUpTask,
    Orientation,
    Person,
    Record,
    SuggestionDismissal,
    TaskKind,
    TaskStatus,
)
from citeslab_tui.domain.text import clean_text, fold
from citeslab_tui.services.tasks.board import updating_board
from citeslab_tui.services.tasks.suggestions import Suggestion
from citeslab_tui.services.tasks.views import day_or_today
from citeslab_tui.services.workspace import Workspace

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


def _task(saved: Sequence[Record]) -> FollowUpTask:
    """The task a save returned (the first record saved)."""
    task = saved[0]
    assert isinstance(task, FollowUpTask)
    return task


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
    with updating_board(ws, task.id):
        saved = ws.repo.save(task)
    return _task(saved)


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
    parsed = duedates.parse_quick_task(line, day_or_today(today))
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
        for _kind, d in ws.repo.person_docs(task.person_id, kinds=("orientation",))
        if d.get("met") is None
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
    done = task.model_copy(update={"status": TaskStatus.DONE, "done_on": day_or_today(today)})
    records: list[Any] = [done]
    if met is not None:
        orientation = orientation_to_check(ws, task)
        if orientation is not None:
            records.append(orientation.model_copy(update={"met": met}))
    with updating_board(ws, task_id):
        saved = ws.repo.save(*records)
    return _task(saved)


def reopen(ws: Workspace, task_id: str) -> FollowUpTask:
    task = _get(ws, task_id)
    with updating_board(ws, task_id):
        saved = ws.repo.save(task.model_copy(update={"status": TaskStatus.OPEN, "done_on": None}))
    return _task(saved)


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
    due, time = postpone_target(task, expression, day_or_today(today))
    with updating_board(ws, task_id):
        saved = ws.repo.save(task.model_copy(update={"due": due, "time": time}))
    return _task(saved)


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
    with updating_board(ws, task_id):
        saved = ws.repo.save(changed)
    return _task(saved)


def reassign(ws: Workspace, task_id: str, staff: str) -> FollowUpTask:
    name = clean_text(staff, 80)
    if not name:
        raise ValidationError("Choisissez le chef de projet à qui confier la tâche.")
    task = _get(ws, task_id)
    with updating_board(ws, task_id):
        saved = ws.repo.save(task.model_copy(update={"assigned_to": name}))
    return _task(saved)


def delete(ws: Workspace, task_id: str) -> None:
    """Delete as a tombstone (sync carries the deletion to the other laptops)."""
    task = _get(ws, task_id)
    with updating_board(ws, task_id):
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
        SuggestionDismissal(
            key=suggestion.key, person_id=suggestion.person_id, on=day_or_today(today)
        )
    )
    assert isinstance(saved, SuggestionDismissal)
    return saved
