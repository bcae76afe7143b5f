"""A person's file read back: the furthest stage reached and the dated timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from citeslab_tui.domain.models import (
    STAGE_ORDER,
    FollowUpTask,
    Interview,
    Orientation,
    Outcome,
    Stage,
    StageEvent,
    TaskKind,
    TaskStatus,
)
from citeslab_tui.services.workspace import Workspace


def _linked(ws: Workspace, kind: str, person_id: str) -> list[dict[str, Any]]:
    """The person's records of one kind, through the store's index by person id."""
    return [doc for _kind, doc in ws.repo.person_docs(person_id, kinds=(kind,))]


TIMELINE_KINDS = ("interview", "stage", "orientation", "outcome", "task")


def warm_up(ws: Workspace) -> None:
    """Parse the kinds a person's file shows and build their index by person id ahead
    of the first file opened (off the UI thread): that file then costs a lookup."""
    ws.repo.person_docs("", kinds=TIMELINE_KINDS)


def current_stage(ws: Workspace, person_id: str) -> Stage | None:
    """The furthest stage reached (None if no stage recorded)."""
    stages = {doc.get("stage") for doc in _linked(ws, "stage", person_id)}
    reached = [s for s in STAGE_ORDER if s.value in stages]
    return reached[-1] if reached else None


@dataclass(frozen=True)
class TimelineRow:
    """One dated line of a person's file."""

    on: date
    kind: str  # record kind: interview, stage, orientation, outcome, task
    label: str  # French: "Entretien", "Étape", ...
    detail: str  # French, may hold user text (never markup)
    record_id: str
    time: str = ""
    written: str = ""  # when the record was created (ISO): orders a day's lines


def _written(doc: dict[str, Any]) -> str:
    return str(doc.get("meta", {}).get("created_at", ""))


def timeline(ws: Workspace, person_id: str) -> list[TimelineRow]:
    """Everything dated about a person, newest first."""
    rows: list[TimelineRow] = []
    for doc in _linked(ws, "interview", person_id):
        i = Interview.model_validate(doc)
        where = " · ".join(p for p in (i.channel.label, i.site, i.staff) if p)
        detail = where + (f" — {i.notes}" if i.notes else "")
        rows.append(TimelineRow(i.on, "interview", "Entretien", detail, i.id, "", _written(doc)))
    for doc in _linked(ws, "stage", person_id):
        s = StageEvent.model_validate(doc)
        detail = s.stage.label + (f" — {s.notes}" if s.notes else "")
        rows.append(TimelineRow(s.on, "stage", "Étape", detail, s.id, "", _written(doc)))
    for doc in _linked(ws, "orientation", person_id):
        o = Orientation.model_validate(doc)
        met = {True: " (rencontré)", False: " (non rencontré)", None: ""}[o.met]
        detail = o.partner + met + (f" — {o.notes}" if o.notes else "")
        rows.append(
            TimelineRow(o.on, "orientation", "Orientation", detail, o.id, "", _written(doc))
        )
    for doc in _linked(ws, "outcome", person_id):
        r = Outcome.model_validate(doc)
        detail = r.outcome.label + (f" — {r.notes}" if r.notes else "")
        rows.append(TimelineRow(r.on, "outcome", "Issue", detail, r.id, "", _written(doc)))
    for doc in _linked(ws, "task", person_id):
        t = FollowUpTask.model_validate(doc)
        state = "fait" if t.status is TaskStatus.DONE else "à faire"
        # the type's one name (TaskKind.label); a task with a time is not an appointment
        appointment = t.task_kind is TaskKind.APPOINTMENT
        label = TaskKind.APPOINTMENT.label if appointment else "Tâche"
        title = t.title or t.task_kind.label
        detail = f"{title} ({state})" if appointment else f"{t.task_kind.label} : {title} ({state})"
        if t.time:
            detail = f"{t.time} {detail}"
        rows.append(TimelineRow(t.due, "task", label, detail, t.id, t.time or "", _written(doc)))
    order = {"outcome": 0, "orientation": 1, "stage": 2, "interview": 3, "task": 4}
    rows.sort(key=lambda r: (r.on, r.time, r.written, -order[r.kind]), reverse=True)
    return rows
