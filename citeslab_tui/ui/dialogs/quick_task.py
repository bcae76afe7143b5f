"""Quick add (Ctrl+T from anywhere, `n` on the tasks screen, from a person's file).

One line: "Rappeler Mme Diallo jeudi 14h". The date understood is shown live
("→ jeudi 03/12/2026 à 14:00") before saving; an unreadable line is kept and the
understood forms are listed; a past date asks for confirmation. Dismisses with
the saved `FollowUpTask`, or None.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Select
from textual.widgets.option_list import Option

from citeslab_tui.domain import duedates
from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.domain.models import FollowUpTask, TaskKind
from citeslab_tui.services import tasks as task_service
from citeslab_tui.ui.dialogs.task_base import TaskDialog, options
from citeslab_tui.ui.widgets.choice import LetterSelect

AUTO = "auto"
EXAMPLE = "Rappeler Mme Diallo jeudi 14h"
MAX_HITS = 4


class QuickTaskDialog(TaskDialog[FollowUpTask | None]):
    """One-line task entry; `person_id` ties it to a person (else one can be searched)."""

    HELP_TITLE = "Tâche rapide"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Enregistrer", id="quick_task_save"),
        Binding("escape", "cancel", "Annuler", id="quick_task_cancel"),
    ]

    def __init__(self, person_id: str | None = None) -> None:
        super().__init__()
        self.person_id = person_id
        self._hits: list[Any] = []

    def compose(self) -> ComposeResult:
        ws = self.ws
        title = "Nouvelle tâche"
        if self.person_id:
            title += " pour " + task_service.person_name(ws, self.person_id)
        sites = ws.site_names()
        last_site = ws.settings.last_site
        with Vertical():
            yield Label(title, classes="title", markup=False)
            yield Input(placeholder=EXAMPLE, id="line", compact=True, max_length=200)
            yield Label(
                "Échéance à la fin : demain, jeudi, +3, +2s, 12/03, 12/03 14h30…",
                id="preview",
                classes="hint",
                markup=False,
            )
            yield LetterSelect(
                options([("Type : deviné d'après le texte", AUTO)])
                + options([(f"Type : {kind.label}", kind.value) for kind in TaskKind]),
                allow_blank=False,
                value=AUTO,
                id="kind",
                compact=True,
            )
            yield LetterSelect(
                options([(f"Site (rendez-vous) : {name}", name) for name in sites])
                or options([("Aucun site configuré", "")]),
                allow_blank=False,
                value=last_site if last_site in sites else (sites[0] if sites else ""),
                id="site",
                compact=True,
            )
            if not self.person_id:
                yield Input(
                    placeholder="Personne (facultatif) : tapez un nom ou un téléphone",
                    id="person",
                    compact=True,
                    max_length=80,
                )
                yield OptionList(id="hits", compact=True)
                yield Label("", id="chosen", classes="preview", markup=False)
            yield Label("", id="error", classes="error", markup=False)
            yield Label(
                "Entrée ou Ctrl+S : enregistrer · Tab : champ suivant · Échap : annuler",
                classes="hint",
                markup=False,
            )

    def on_mount(self) -> None:
        if not self.person_id:
            self.query_one("#hits", OptionList).display = False
            self.query_one("#chosen", Label).display = False
        self.query_one("#error", Label).display = False
        self.query_one("#line", Input).focus()

    # --- live preview ---------------------------------------------------------------

    def _kind(self, title: str) -> TaskKind:
        value = self.query_one("#kind", Select).value
        if isinstance(value, str) and value != AUTO:
            return TaskKind(value)
        return task_service.infer_kind(title)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "line":
            self._preview()
        elif event.input.id == "person":
            self._search(event.value)

    def on_select_changed(self, event: Select.Changed) -> None:
        self._preview()

    def _preview(self) -> None:
        line = self.query_one("#line", Input).value
        label = self.query_one("#preview", Label)
        if not line.strip():
            label.update("Échéance à la fin : demain, jeudi, +3, +2s, 12/03, 12/03 14h30…")
            label.set_classes("hint")
            return
        try:
            parsed = duedates.parse_quick_task(line, self.today)
        except CitesLabError:
            label.update("→ échéance non comprise (demain, jeudi, +3, +2s, 12/03 14h30…)")
            label.set_classes("hint")
            return
        kind = self._kind(parsed.title)
        text = f"→ {duedates.describe_due(parsed.due, parsed.time)} · {kind.label}"
        if parsed.due < self.today:
            text += " (date passée)"
        label.update(Text(text))
        label.set_classes("preview")

    def _search(self, query: str) -> None:
        hits_list = self.query_one("#hits", OptionList)
        hits_list.clear_options()
        self._hits = []
        if query.strip():
            from citeslab_tui.services.search import search

            self._hits = search(self.ws.repo, query, limit=MAX_HITS)
            hits_list.add_options(
                [Option(Text(hit.summary()), id=hit.person_id) for hit in self._hits]
            )
            if self._hits:
                hits_list.highlighted = 0
        hits_list.display = bool(self._hits)
        self._show_chosen()

    def _show_chosen(self) -> None:
        """Say in words which person the task will be for (the highlight alone is subtle)."""
        chosen = self.query_one("#chosen", Label)
        hits_list = self.query_one("#hits", OptionList)
        query = self.query_one("#person", Input).value.strip()
        if not query:
            chosen.display = False
            return
        chosen.display = True
        index = hits_list.highlighted
        if not self._hits or index is None:
            chosen.update("Personne introuvable : corrigez ou videz le champ.")
        else:
            chosen.update(f"→ pour {self._hits[index].name} (↑↓ dans la liste pour changer)")

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._show_chosen()

    def _chosen_person(self) -> str | None:
        if self.person_id:
            return self.person_id
        if not self.query_one("#person", Input).value.strip():
            return None
        hits_list = self.query_one("#hits", OptionList)
        if hits_list.highlighted is None or not self._hits:
            raise CitesLabError("Personne introuvable : corrigez le nom ou videz le champ.")
        return self._hits[hits_list.highlighted].person_id

    # --- saving ---------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        line = self.query_one("#line", Input).value
        try:
            parsed = duedates.parse_quick_task(line, self.today)
            person_id = self._chosen_person()
        except CitesLabError as exc:
            self.show_error(exc)
            self.query_one("#line", Input).focus()
            return
        kind = self._kind(parsed.title)
        site = self.query_one("#site", Select).value if kind is TaskKind.APPOINTMENT else ""

        def save() -> None:
            task = self.run_service(
                lambda: task_service.create_task(
                    self.ws,
                    title=parsed.title,
                    due=parsed.due,
                    time=parsed.time,
                    task_kind=kind,
                    person_id=person_id,
                    site=str(site or ""),
                ),
                refused=self.show_error,
            )
            if task is None:
                return
            self.app.notify(
                f"Tâche enregistrée pour le {duedates.describe_due(task.due, task.time)}."
            )
            self.dismiss(task)

        self.confirm_past(parsed.due, save)

    def action_cancel(self) -> None:
        from citeslab_tui.ui.dialogs.confirm import leave_or_ask

        typed = bool(self.query_one("#line", Input).value.strip())
        leave_or_ask(self, typed, lambda: self.dismiss(None), "cette tâche")
