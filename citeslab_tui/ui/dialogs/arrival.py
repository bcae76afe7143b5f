"""Add an arrival: a name or first name, optionally a known person, and the reason.

Typing shows the known people who match (services.search, accent-insensitive);
↓ goes to the list, Entrée links the highlighted person. Entrée in the name field,
or Ctrl+S, saves. Dismisses with an `Arrival`, or None when cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, RadioButton, RadioSet
from textual.widgets.option_list import Option

from citeslab_tui.domain.models import QueueReason
from citeslab_tui.ui.base import AppDialog

MAX_MATCHES = 5


@dataclass(frozen=True)
class Arrival:
    name: str
    person_id: str | None
    reason: QueueReason


class ArrivalDialog(AppDialog[Arrival | None]):
    HELP_TITLE = "Nouvelle arrivée"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Enregistrer", id="arrival_save"),
        Binding("ctrl+d", "unlink", "Délier la personne", id="arrival_unlink"),
        Binding("escape", "cancel", "Annuler", id="arrival_cancel"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.person_id: str | None = None
        self.person_name = ""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Nouvelle arrivée", id="arrival-title")
            yield Label("Nom, ou prénom seul si la personne n'est pas encore connue :")
            yield Input(id="arrival-name", placeholder="ex. : Yasmine, ou DIALLO Aïcha")
            yield OptionList(id="arrival-matches")
            yield Label("", id="arrival-linked", markup=False)
            yield Label("Motif :")
            with RadioSet(id="arrival-reason"):
                for i, reason in enumerate(QueueReason):
                    yield RadioButton(reason.label, value=i == 0, name=reason.value)
            yield Label("", id="arrival-error", markup=False)
            yield Label(
                "Entrée : enregistrer · ↓ : personnes connues · Échap : annuler",
                id="arrival-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#arrival-matches", OptionList).display = False
        self.query_one("#arrival-name", Input).focus()

    # --- known people --------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        matches = self.query_one("#arrival-matches", OptionList)
        matches.clear_options()
        hits = self.search(event.value) if len(event.value.strip()) >= 2 else []
        for hit in hits:
            matches.add_option(Option(Text(hit.summary()), id=hit.person_id))
        matches.display = bool(hits)

    def search(self, query: str) -> list[Any]:
        try:
            from citeslab_tui.services import search

            return search.search(self.ws.repo, query, limit=MAX_MATCHES)
        except Exception:  # search is a help, never a blocker
            return []

    def on_key(self, event: events.Key) -> None:
        name = self.query_one("#arrival-name", Input)
        matches = self.query_one("#arrival-matches", OptionList)
        if event.key == "down" and self.focused is name and matches.display:
            event.stop()
            matches.focus()
            matches.highlighted = 0
        elif event.key == "enter" and isinstance(self.focused, RadioSet):
            # Entrée on the reason chooses the highlighted one and saves, as the hint says.
            event.stop()
            event.prevent_default()
            # the highlighted button is the one Textual marks "-selected" (its style)
            highlighted = self.focused.query(RadioButton).filter(".-selected")
            if highlighted:
                button = highlighted.first(RadioButton)
                button.value = True
                self.action_save(button.name)
            else:
                self.action_save()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.link(event.option.id or "", str(event.option.prompt))

    def link(self, person_id: str, summary: str) -> None:
        self.person_id = person_id
        self.person_name = summary.split(" · ")[0]
        self.query_one("#arrival-linked", Label).update(
            f"Personne liée : {self.person_name} (Ctrl+D pour délier)"
        )
        self.query_one("#arrival-matches", OptionList).display = False
        reasons = self.query_one("#arrival-reason", RadioSet)
        buttons = list(reasons.query(RadioButton))
        if reasons.pressed_index == 0:
            buttons[1].value = True  # a known person usually comes for a follow-up
        self.query_one("#arrival-name", Input).focus()

    def action_unlink(self) -> None:
        self.person_id = None
        self.person_name = ""
        self.query_one("#arrival-linked", Label).update("")

    # --- saving --------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def reason(self) -> QueueReason:
        pressed = self.query_one("#arrival-reason", RadioSet).pressed_button
        return QueueReason(pressed.name) if pressed and pressed.name else QueueReason.FIRST_CONTACT

    def action_save(self, reason: str | None = None) -> None:
        from citeslab_tui.domain.errors import CitesLabError
        from citeslab_tui.domain.text import clean_name

        name = self.query_one("#arrival-name", Input).value
        if self.person_id is None:
            try:
                name = clean_name(name, "Le nom ou le prénom")
            except CitesLabError as exc:
                self.query_one("#arrival-error", Label).update(exc.message)
                self.query_one("#arrival-name", Input).focus()
                return
        chosen = QueueReason(reason) if reason else self.reason()
        self.dismiss(Arrival(name=name, person_id=self.person_id, reason=chosen))

    def action_cancel(self) -> None:
        from citeslab_tui.ui.dialogs.confirm import leave_or_ask

        typed = bool(self.query_one("#arrival-name", Input).value.strip())
        leave_or_ask(self, typed, lambda: self.dismiss(None), "cette arrivée")
