"""Edit any field of a person: the intake form (two pages), filled, Ctrl+S saves."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Label

from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.resources import style_file
from citeslab_tui.services import people
from citeslab_tui.ui.base import AppDialog
from citeslab_tui.ui.dialogs.person_form import PersonForm
from citeslab_tui.ui.widgets.footer import KeysFooter


class EditPersonDialog(AppDialog[bool]):
    """Dismisses True once saved, False when left without saving."""

    HELP_TITLE = "Modifier la fiche"
    CSS_PATH = [str(style_file("dialogs.tcss")), str(style_file("forms.tcss"))]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Enregistrer", id="edit_save", priority=True),
        Binding("escape", "leave", "Annuler", id="edit_leave"),
        Binding("f6", "toggle_page", "Autre page", id="edit_page"),
    ]

    def __init__(self, person_id: str) -> None:
        super().__init__()
        self.person_id = person_id

    def compose(self) -> ComposeResult:
        ws = self.ws
        person = people.get_person(ws, self.person_id)
        self.initial = people.form_values(person, ws.reference.places)
        yield Label(f"Modifier : {person.display_name}", id="edit-title", markup=False)
        yield PersonForm(ws, with_notes=True, values=self.initial, today=self.today)
        yield KeysFooter()

    @property
    def form(self) -> PersonForm:
        return self.query_one(PersonForm)

    def on_mount(self) -> None:
        self.form.field("family_name").focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def action_toggle_page(self) -> None:
        self.form.toggle_page()

    def action_save(self) -> None:
        values = self.form.values()
        saved = self.run_service(
            lambda: people.update_person(self.ws, self.person_id, values, today=self.today),
            title="Enregistrement impossible",
            refused=self._refused,
        )
        if saved is not None:
            self.dismiss(True)

    def _refused(self, exc: CitesLabError) -> None:
        if isinstance(exc, people.FormErrors):
            self.form.show_errors(exc.errors)
            self.notify(exc.message, title="Non enregistré", severity="error", timeout=6)
        else:
            self.app.show_message("Enregistrement impossible", exc.message)

    def action_leave(self) -> None:
        if self.form.values() == {k: self.initial.get(k) for k in self.form.keys}:
            self.dismiss(False)
            return
        from citeslab_tui.ui.dialogs.confirm import ConfirmDialog

        def answer(yes: bool | None) -> None:
            if yes:
                self.dismiss(False)

        self.app.push_screen(
            ConfirmDialog(
                "Abandonner les modifications ?", yes="Abandonner", no="Continuer", safe=False
            ),
            answer,
        )
