"""Record a collective action (information meeting, forum, workshop) with its head
counts: women, men, unknown. They count in "Personnes sensibilisées" of the bilan.

Dismisses with the saved `CollectiveAction`, or None when cancelled.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select

from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.domain.models import CollectiveAction, CollectiveKind
from citeslab_tui.domain.text import format_date
from citeslab_tui.ui.base import AppDialog
from citeslab_tui.ui.dialogs.confirm import leave_or_ask, typed_values
from citeslab_tui.ui.widgets.choice import LetterSelect

FIELDS = (
    ("on", "Date"),
    ("site", "Lieu"),
    ("title", "Intitulé"),
    ("women", "Femmes"),
    ("men", "Hommes"),
    ("unknown", "Non renseigné"),
)


class CollectiveDialog(AppDialog[CollectiveAction | None]):
    HELP_TITLE = "Action collective"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Enregistrer", id="collective_save", priority=True),
        Binding("escape", "cancel", "Annuler", id="collective_cancel"),
    ]

    def __init__(self, *, site: str = "") -> None:
        super().__init__()
        self.site = site
        self._start: dict[str, str] = {}  # the fields as shown (Échap asks if changed)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(
                "Action collective de sensibilisation (comptée par têtes)", id="collective-heading"
            )
            with Horizontal(id="collective-kind-row"):
                yield Label("Type", classes="collective-label")
                yield LetterSelect(
                    [(kind.label, kind.value) for kind in CollectiveKind],
                    value=CollectiveKind.INFORMATION_MEETING.value,
                    allow_blank=False,
                    id="collective-kind",
                    compact=True,
                )
            defaults = {"on": format_date(self.today), "site": self.site}
            for key, label in FIELDS:
                with Horizontal():
                    yield Label(label, classes="collective-label")
                    yield Input(
                        defaults.get(key, ""),
                        id=f"collective-{key}",
                        compact=True,
                        type="integer" if key in ("women", "men", "unknown") else "text",
                        max_length=200,
                    )
            yield Label("", id="collective-error", markup=False)
            yield Label(
                "Tab : champ suivant · Entrée sur le dernier champ ou Ctrl+S : enregistrer · "
                "Échap : annuler",
                id="collective-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#collective-kind", Select).focus()
        self._start = typed_values(self)

    def value(self, key: str) -> str:
        return self.query_one(f"#collective-{key}", Input).value

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "collective-unknown":
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        from citeslab_tui.services.reports import record_collective_action

        kind = str(self.query_one("#collective-kind", Select).value)
        values = {
            key: self.value(key) for key in ("on", "site", "title", "women", "men", "unknown")
        }
        action = self.run_service(
            lambda: record_collective_action(self.ws, kind=kind, **values),
            refused=self._refused,
        )
        if action is not None:
            self.dismiss(action)

    def _refused(self, exc: CitesLabError) -> None:
        self.query_one("#collective-error", Label).update(exc.message)

    def action_cancel(self) -> None:
        changed = typed_values(self) != self._start
        leave_or_ask(self, changed, lambda: self.dismiss(None), "cette action collective")
