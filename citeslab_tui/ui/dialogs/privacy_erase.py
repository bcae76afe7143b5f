"""Right to erasure: a confirmation naming the person, then the erasure.

`EraseDialog(person_id)` dismisses with the French result message (erased) or
None (cancelled). The user types EFFACER and presses Entrée: a single key press
cannot erase anyone.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, Input, Label

from citeslab_tui.domain.text import fold
from citeslab_tui.ui.base import AppDialog

CONFIRM_WORD = "EFFACER"


class EraseDialog(AppDialog[str | None]):
    HELP_TITLE = "Effacement des données"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Annuler", id="privacy_erase_cancel"),
    ]

    def __init__(self, person_id: str) -> None:
        super().__init__()
        self.person_id = person_id

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(
                "Effacer les données personnelles de :", classes="privacy-title", markup=False
            )
            yield Label("", id="erase-person", markup=False)
            yield Label("", id="erase-explain", markup=False)
            yield Input(
                placeholder=f"Tapez {CONFIRM_WORD} puis Entrée", id="erase-confirm", max_length=20
            )
            yield Label("", id="erase-status", classes="privacy-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        from citeslab_tui.domain.models import Person
        from citeslab_tui.services import privacy

        ws = self.ws
        doc = ws.repo.doc("person", self.person_id)
        if doc is None:
            self._status("Personne introuvable : rien ne sera effacé.")
            self.query_one("#erase-confirm", Input).disabled = True
            return
        person = Person.model_validate(doc)
        linked = len(privacy.linked_docs(ws, [self.person_id])[self.person_id])
        self.query_one("#erase-person", Label).update(privacy.describe_person(person))
        self.query_one("#erase-explain", Label).update(
            "Seront effacés : nom, prénom, date de naissance, téléphone, e-mail, idée de "
            f"projet, notes, et les notes de ses {linked} enregistrement"
            f"{'s' if linked > 1 else ''} lié{'s' if linked > 1 else ''}. "
            "Restent pour les statistiques : dates, étapes, issues, civilité, commune, "
            "quartier. L'effacement partira avec la prochaine synchronisation ; les "
            f"sauvegardes plus anciennes seront effacées d'ici {ws.settings.backups_keep} "
            "jours. C'est définitif."
        )
        self.query_one("#erase-confirm", Input).focus()

    def _status(self, message: str) -> None:
        label = self.query_one("#erase-status", Label)
        label.update(message)
        label.add_class("-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        from citeslab_tui.services import privacy

        event.stop()
        if fold(event.value) != fold(CONFIRM_WORD):
            self._status(f"Tapez {CONFIRM_WORD} pour confirmer, ou Échap pour annuler.")
            return
        result = self.run_service(
            lambda: privacy.erase_person(self.ws, self.person_id),
            refused=lambda exc: self._status(exc.message),
        )
        if result is not None:
            self.dismiss(result.message)

    def action_cancel(self) -> None:
        self.dismiss(None)
