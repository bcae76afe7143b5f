"""Follow-up tasks and appointments, one module per concern: `views` (the views, filters
and rows a screen lists), `board` (a workspace's views cached and updated in place),
`changes` (every change, one durable save each), `suggestions` (follow-ups proposed,
never created silently).

Views partition the tasks: overdue (open, due before today), today, this week
(open, after today until Sunday), later (open, after this Sunday), done.

Functions other areas call: `appointments_for(ws, day, site)` (the permanence
queue's expected arrivals), `tasks_for_person(ws, person_id)` (the person's
timeline), `create_task(...)`, `open_count(ws)`; the names callers use are re-exported
here.
"""

from citeslab_tui.services.tasks.board import TaskBoard, board_for, open_count
from citeslab_tui.services.tasks.changes import (
    accept_suggestion,
    complete,
    create_task,
    delete,
    dismiss_suggestion,
    edit,
    infer_kind,
    orientation_to_check,
    postpone,
    postpone_target,
    quick_add,
    reassign,
    reopen,
    staff_names,
)
from citeslab_tui.services.tasks.suggestions import Suggestion, suggestions
from citeslab_tui.services.tasks.views import (
    DONE,
    LATER,
    OVERDUE,
    OVERDUE_MARK,
    TODAY,
    VIEW_LABELS,
    VIEWS,
    WEEK,
    TaskFilter,
    TaskRow,
    appointments_for,
    person_name,
    task_row,
    tasks_for_person,
)

__all__ = [
    "DONE",
    "LATER",
    "OVERDUE",
    "OVERDUE_MARK",
    "TODAY",
    "VIEWS",
    "VIEW_LABELS",
    "WEEK",
    "Suggestion",
    "TaskBoard",
    "TaskFilter",
    "TaskRow",
    "accept_suggestion",
    "appointments_for",
    "board_for",
    "complete",
    "create_task",
    "delete",
    "dismiss_suggestion",
    "edit",
    "infer_kind",
    "open_count",
    "orientation_to_check",
    "person_name",
    "postpone",
    "postpone_target",
    "quick_add",
    "reassign",
    "reopen",
    "staff_names",
    "suggestions",
    "task_row",
    "tasks_for_person",
]
