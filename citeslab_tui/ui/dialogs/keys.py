"""Keys from the app (F9 on the sync screen; the first-start screen uses the same
question): what this device knows, the office's identity installed on a laptop, a
laptop enrolled at the office, this device's identity written to the USB stick.

Everything goes through `services.keys` (the same calls as `citeslab keys ...`).
Before an identity is trusted, its fingerprint (six groups of five digits) is shown
with who to call and where they read theirs; the focus is on "ne pas installer", so
a hurried Entrée never trusts a key nobody compared.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Input, Label, Static

from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.domain.text import visible
from citeslab_tui.services import keys as key_service
from citeslab_tui.ui.base import AppDialog, AppScreen
from citeslab_tui.ui.widgets.paths import PathInput

# How to do it here (key_summary's hints, shown above the field)
TRUST_HOW = "son fichier dans le champ ci-dessous, Entrée"
ENROL_HOW = "le fichier d'un portable dans le champ ci-dessous, Entrée"
SHOW_HOW = "F5 Synchro puis F9 Clés"


def fingerprint_question(identity: key_service.DeviceIdentity, note: str | None) -> str:
    """The question asked before trusting `identity`: who, its fingerprint, who reads
    the other one on the phone."""
    if identity.role == "office":
        who = f"Bureau : {identity.label}, structure {identity.structure or identity.structure_id}"
        other = "au bureau"
        verb = "installer"
    else:
        who = f"Portable : {identity.label}"
        other = "sur le portable"
        verb = "inscrire"
    lines = [
        visible(who),
        f"Empreinte : {identity.fingerprint}",
        "",
        f"Au téléphone, faites lire l'empreinte affichée {other} ({SHOW_HOW}) : "
        f"les six groupes de chiffres doivent être identiques. Sinon, ne pas {verb}.",
    ]
    if note:
        lines += ["", visible(note)]
    return "\n".join(lines)


def trust_identity(
    owner: AppScreen[bool] | AppDialog[None],
    typed: str,
    done: Callable[[str], None],
    refused: Callable[[str], None],
) -> None:
    """Read the identity typed or pasted, show its fingerprint, and once the person
    says both match, install it (laptop) or enrol it (office). `done(message)` after
    it is saved, `refused(message)` when it cannot be (nothing changed)."""
    from citeslab_tui.ui.dialogs.confirm import ConfirmDialog

    ws = owner.ws
    office_here = ws.settings.role == "office"
    try:
        identity = key_service.identity_from(typed)
        if office_here:
            note = key_service.check_enrol(ws, identity)
        else:
            note = key_service.check_office(ws, identity)
    except CitesLabError as exc:
        refused(exc.message)
        return

    def answered(same: bool | None) -> None:
        if not same:
            refused("Rien n'a été installé : les empreintes n'ont pas été confirmées.")
            return
        if office_here:
            result = owner.run_service(lambda: key_service.enroll(ws, identity))
            if result is not None:
                done(
                    f"Portable inscrit : {identity.label}. Ses envois seront acceptés et les "
                    "prochains fichiers retour chiffrés pour lui."
                )
            return

        def install() -> bool:
            key_service.install_office(ws, identity)
            return True

        if not owner.run_service(install):
            return
        me = owner.run_service(lambda: key_service.local_identity(ws))
        mine = f" (empreinte de ce portable : {me.fingerprint})" if me else ""
        done(
            f"Identité du bureau installée : {identity.label}. Donnez maintenant "
            f"l'identité de ce portable au bureau : F5 Synchro, F9 Clés, Ctrl+E l'écrit "
            f"sur la clé USB{mine}."
        )

    owner.app.push_screen(
        ConfirmDialog(
            fingerprint_question(identity, note),
            yes="Identiques : inscrire" if office_here else "Identiques : installer",
            no="Ne pas inscrire" if office_here else "Ne pas installer",
            safe=False,
        ),
        answered,
    )


class KeysDialog(AppDialog[None]):
    """This device's keys; install the office (laptop) or enrol a laptop (office)."""

    HELP_TITLE = "Clés de synchronisation"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+e",
            "export",
            "Écrire mon identité",
            id="keys_export",
            priority=True,  # before the field's own Ctrl+E (end of line; Fin does it too)
            tooltip="Écrire l'identité de ce poste (clés publiques) dans le dossier indiqué",
        ),
        Binding("escape", "close", "Fermer", id="keys_close"),
    ]

    def __init__(self, folder: str = "") -> None:
        super().__init__()
        self.folder = folder

    def compose(self) -> ComposeResult:
        office = self.ws.settings.role == "office"
        with Vertical():
            yield Label("Clés de synchronisation", id="keys-title")
            with VerticalScroll(id="keys-summary-box"):  # many laptops: it scrolls
                yield Static("", id="keys-summary", markup=False)
            yield Label(
                "Identité d'un portable à inscrire : fichier (clé USB) ou texte collé"
                if office
                else "Identité du bureau : fichier (clé USB) ou texte collé",
                id="keys-label",
            )
            yield PathInput(
                self.folder,
                placeholder="/media/cle/identite-portable-1.txt"
                if office
                else "/media/cle/identite-bureau.txt",
                field_id="keys-path",
            )
            yield Label("", id="keys-error", markup=False)
            yield Label(
                "Entrée : lire et comparer l'empreinte · Tab : compléter le nom · "
                "Ctrl+E : écrire l'identité de ce poste dans ce dossier · Échap : fermer",
                id="keys-help",
            )

    def on_mount(self) -> None:
        self.refresh_summary()
        path = self.query_one("#keys-path", Input)
        path.focus()
        path.cursor_position = len(path.value)

    def refresh_summary(self) -> None:
        lines = key_service.key_summary(self.ws, trust_how=TRUST_HOW, enrol_how=ENROL_HOW)
        shown = [
            # the detail lines of a device, marked (leading spaces are not drawn)
            "  · " + visible(line[2:]) if line.startswith("  ") else visible(line)
            for line in lines
            if not line.startswith("  Clé ")  # the age key: long, and not to compare
        ]
        self.query_one("#keys-summary", Static).update("\n".join(shown))

    def _say(self, message: str, error: bool = True) -> None:
        label = self.query_one("#keys-error", Label)
        label.update(visible(message))
        label.set_class(error, "-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        trust_identity(self, event.value, self._trusted, self._say)

    def _trusted(self, message: str) -> None:
        self.refresh_summary()
        self._say(message, error=False)
        self.query_one("#keys-path", Input).value = self.folder if self.folder else ""

    def action_export(self) -> None:
        typed = self.query_one("#keys-path", Input).value.strip()
        folder = Path(typed).expanduser() if typed else None
        if folder is not None and not folder.is_dir():
            folder = folder.parent if folder.parent.is_dir() and typed.endswith(".txt") else None
        if folder is None:
            self._say(
                "Indiquez dans le champ le dossier de la clé USB (il doit exister), puis Ctrl+E."
            )
            return
        ws = self.ws
        if ws.settings.role != "office" and not ws.settings.structure_id:
            self._say(
                "Installez d'abord l'identité du bureau (son fichier dans le champ, Entrée) : "
                "celle de ce portable en dépend."
            )
            return
        target = folder
        identity = self.run_service(
            lambda: key_service.export_identity(ws, target), refused=self._refused
        )
        if identity is None:
            return
        name = f"identite-{identity.device}.txt"
        where = "À inscrire au bureau (F5 Synchro, F9 Clés, ce fichier, Entrée)"
        if identity.role == "office":
            where = "À installer sur chaque portable (F5 Synchro, F9 Clés, ce fichier, Entrée)"
        self._say(
            f"Identité écrite : {target / name}. {where}. "
            f"Empreinte à lire au téléphone : {identity.fingerprint}.",
            error=False,
        )
        self.refresh_summary()

    def _refused(self, exc: CitesLabError) -> None:
        self._say(exc.message)

    def action_close(self) -> None:
        self.dismiss(None)
