"""First start on a laptop: structure, staff names, device name, sites (`ws.configure`),
and the office's identity (a file on the USB stick, or its text pasted), installed once
its fingerprint was compared on the phone: the first send (F5, F6) then just works."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Input, Label

from citeslab_tui.domain.errors import CitesLabError, ValidationError
from citeslab_tui.ui.base import AppScreen
from citeslab_tui.ui.widgets.footer import KeysFooter
from citeslab_tui.ui.widgets.paths import PathInput

FIELDS = (
    ("structure", "Structure porteuse", "ex. : Mife du Calvados"),
    ("staff", "Chefs de projet (séparés par des virgules)", "ex. : Céline Perriot, Karim Benali"),
    ("device", "Nom de ce poste", "ex. : portable-1"),
    (
        "sites",
        "Sites de permanence (séparés par des virgules)",
        "laisser vide : sites de référence",
    ),
)


def split_list(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


class SetupScreen(AppScreen[bool]):
    """Dismissed with True once the settings are saved."""

    HELP_TITLE = "Premier démarrage"
    ALLOWED_GLOBAL_ACTIONS: ClassVar[frozenset[str] | None] = frozenset({"quit", "hide", "help"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Enregistrer", id="setup_save"),
    ]

    def compose(self) -> ComposeResult:
        yield Label("Premier démarrage — paramètres de ce poste", id="setup-title")
        yield Label(
            "Enregistrés sur ce poste seulement. Entrée : champ suivant, Ctrl+S : enregistrer.",
            id="setup-help",
        )
        yield Label("", id="setup-error", markup=False)
        with VerticalScroll(id="setup-form"):
            for name, label, placeholder in FIELDS:
                yield Label(label, classes="setup-label")
                yield Input(id=f"setup-{name}", placeholder=placeholder, compact=True)
            yield Label(
                "Identité du bureau : fichier sur la clé USB, ou texte collé (facultatif)",
                classes="setup-label",
            )
            yield PathInput(
                placeholder="ex. : /media/cle/identite-bureau.txt (Tab complète le nom)",
                field_id="setup-office",
            )
        yield KeysFooter()

    def on_mount(self) -> None:
        if self.has_data:
            settings = self.ws.settings
            self.query_one("#setup-structure", Input).value = settings.structure
            self.query_one("#setup-staff", Input).value = ", ".join(settings.staff)
            self.query_one("#setup-device", Input).value = settings.device_name
            self.query_one("#setup-sites", Input).value = ", ".join(settings.sites)
        self.query_one("#setup-structure", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "setup-office":
            self.action_save()
        else:
            self.focus_next()

    def values(self) -> dict[str, Any]:
        def get(name: str) -> str:
            return self.query_one(f"#setup-{name}", Input).value

        return {
            "structure": get("structure"),
            "staff": split_list(get("staff")),
            "device": get("device"),
            "sites": split_list(get("sites")),
        }

    def action_save(self) -> None:
        values = self.values()
        settings = self.run_service(lambda: self.ws.configure(**values), refused=self._refused)
        if settings is None:
            return
        office = self.query_one("#setup-office", Input).value.strip()
        if not office or self.ws.settings.structure_id:
            self._saved("Paramètres enregistrés.")
            return
        from citeslab_tui.ui.dialogs.keys import trust_identity

        trust_identity(self, office, self._saved, self._office_refused)

    def _saved(self, message: str) -> None:
        app = self.app
        installed = bool(self.query_one("#setup-office", Input).value.strip())
        self.dismiss(True)
        if installed:  # what to do next stays on screen (a toast would vanish)
            app.show_message("Identité du bureau installée", message)
        else:
            app.notify(message, timeout=4, markup=False)

    def _refused(self, exc: CitesLabError) -> None:
        """The reason above the form, the cursor in the field to fix (what is typed next
        must not land at the end of another field)."""
        self.query_one("#setup-error", Label).update(exc.message)
        field = exc.field if isinstance(exc, ValidationError) else None
        if field and self.query(f"#setup-{field}"):
            target = self.query_one(f"#setup-{field}", Input)
            target.focus()
            target.cursor_position = len(target.value)

    def _office_refused(self, message: str) -> None:
        """The settings are saved; the office's identity is not: say why, stay here."""
        self.query_one("#setup-error", Label).update(
            f"Paramètres enregistrés. {message} Corrigez le champ « Identité du bureau », "
            "ou videz-le, puis Ctrl+S."
        )
        self.query_one("#setup-office", Input).focus()
