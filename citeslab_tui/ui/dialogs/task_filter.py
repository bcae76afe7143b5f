"""Filter the tasks screen by person, site, kind and staff member. Dismisses a TaskFilter."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Label, Select

from citeslab_tui.domain.models import TaskKind
from citeslab_tui.services import tasks as task_service
from citeslab_tui.ui.dialogs.task_base import TaskDialog, options
from citeslab_tui.ui.widgets.choice import LetterSelect

ANY = ""


class TaskFilterDialog(TaskDialog[task_service.TaskFilter | None]):
    HELP_TITLE = "Filtrer les tâches"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "apply", "Appliquer", id="task_filter_apply"),
        Binding("escape", "cancel", "Annuler", id="task_filter_cancel"),
    ]

    def __init__(self, current: task_service.TaskFilter, row_person_id: str | None) -> None:
        super().__init__()
        self.current = current
        self.row_person_id = row_person_id

    def compose(self) -> ComposeResult:
        ws = self.ws
        people: list[tuple[str, Any]] = [("Personne : toutes", ANY)]
        for pid in dict.fromkeys(p for p in (self.current.person_id, self.row_person_id) if p):
            people.append((f"Personne : {task_service.person_name(ws, pid)}", pid))
        sites = ws.site_names()
        if self.current.site and self.current.site not in sites:
            sites.append(self.current.site)
        staff = task_service.staff_names(ws)
        if self.current.staff and self.current.staff not in staff:
            staff.append(self.current.staff)
        with Vertical():
            yield Label("Filtrer les tâches", classes="title", markup=False)
            yield LetterSelect(
                options(people),
                allow_blank=False,
                value=self.current.person_id or ANY,
                id="person",
                compact=True,
            )
            yield LetterSelect(
                options([("Site : tous", ANY)] + [(f"Site : {s}", s) for s in sites]),
                allow_blank=False,
                value=self.current.site or ANY,
                id="site",
                compact=True,
            )
            yield LetterSelect(
                options(
                    [("Type : tous", ANY)]
                    + [(f"Type : {kind.label}", kind.value) for kind in TaskKind]
                ),
                allow_blank=False,
                value=self.current.kind.value if self.current.kind else ANY,
                id="kind",
                compact=True,
            )
            yield LetterSelect(
                options([("Suivi par : tous", ANY)] + [(f"Suivi par : {s}", s) for s in staff]),
                allow_blank=False,
                value=self.current.staff or ANY,
                id="staff",
                compact=True,
            )
            yield Label(
                "Tab : champ suivant · Entrée : ouvrir la liste · Ctrl+S : appliquer · "
                "Échap : annuler",
                classes="hint",
                markup=False,
            )

    def on_mount(self) -> None:
        self.query_one("#person", Select).focus()

    def _value(self, select_id: str) -> str | None:
        value = self.query_one(f"#{select_id}", Select).value
        return str(value) if value and value is not Select.BLANK else None

    def action_apply(self) -> None:
        kind = self._value("kind")
        self.dismiss(
            task_service.TaskFilter(
                person_id=self._value("person"),
                site=self._value("site"),
                kind=TaskKind(kind) if kind else None,
                staff=self._value("staff"),
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
