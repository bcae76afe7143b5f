"""Base of the small record dialogs of the person's file (interview, stage,
orientation, outcome): a title, a few rows, a French error line. Ctrl+S (or Entrée in
a text field) saves through `submit(values)`, Échap cancels. Dismisses True once saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Input, Label, Select

from citeslab_tui.domain.errors import CitesLabError, ValidationError
from citeslab_tui.services.people import FormErrors
from citeslab_tui.store.errors import StoreError
from citeslab_tui.ui.base import AppDialog
from citeslab_tui.ui.dialogs.confirm import leave_or_ask, typed_values


class RecordDialog(AppDialog[bool]):
    """Subclasses give `TITLE_TEXT`, `rows()` and the `submit` call."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Enregistrer", id="record_save"),
        Binding("escape", "cancel", "Annuler", id="record_cancel"),
    ]
    TITLE_TEXT = ""
    HELP_TEXT = "Ctrl+S (ou Entrée dans une zone de texte) : enregistrer · Échap : annuler"

    def __init__(self, submit: Callable[[dict[str, Any]], object]) -> None:
        super().__init__()
        self.submit = submit
        self._start: dict[str, str] = {}

    def on_mount(self) -> None:
        # after the subclass's on_mount filled its defaults (today's date...)
        self.call_after_refresh(self._remember_start)

    def _remember_start(self) -> None:
        self._start = typed_values(self)

    def rows(self) -> ComposeResult:  # pragma: no cover - overridden
        yield from ()

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.TITLE_TEXT, classes="dialog-title", markup=False)
            yield from self.rows()
            yield Label("", id="dialog-error", markup=False)
            yield Label(self.HELP_TEXT, classes="dialog-help")

    @staticmethod
    def row(label: str, widget: Widget) -> Horizontal:
        return Horizontal(Label(label, classes="form-label"), widget, classes="form-row")

    def values(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for widget in self.query("Input, Select"):
            if not widget.id:
                continue
            if isinstance(widget, Select):
                found[widget.id] = "" if widget.value is Select.NULL else widget.value
            elif isinstance(widget, Input):
                found[widget.id] = widget.value
        return found

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        values = self.values()

        def save() -> bool:
            try:
                self.submit(values)
            except CitesLabError:
                raise
            except ValueError as exc:  # a value the models refuse
                raise ValidationError("Valeur refusée : vérifiez les champs.") from exc
            return True

        if self.run_service(save, title="Enregistrement impossible", refused=self._refused):
            self.dismiss(True)

    def _refused(self, exc: CitesLabError) -> None:
        if isinstance(exc, StoreError):  # the disk, not the values: a dialog says so
            self.app.show_message("Enregistrement impossible", exc.message)
            return
        message = " ".join(exc.errors.values()) if isinstance(exc, FormErrors) else exc.message
        self.query_one("#dialog-error", Label).update(message)

    def action_cancel(self) -> None:
        leave_or_ask(self, typed_values(self) != self._start, lambda: self.dismiss(False))
