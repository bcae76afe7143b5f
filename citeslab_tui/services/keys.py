"""Device identities and trust: the use cases behind `citeslab keys ...` (and, later,
the first-start and sync screens).

- a laptop exports its identity (`export_identity`), the office reads it
  (`read_identity` / `parse_identity_text`), shows its fingerprint (`fingerprint`)
  and, once two people compared it on the phone, enrols it (`enroll`);
- the office exports its own identity; a laptop reads it, shows its fingerprint and
  installs it (`install_office`): it learns the structure id and the office's keys;
- the office removes a lost or stolen laptop (`revoke`): its next files are refused
  and the return files are no longer encrypted to it;
- `key_summary` says what this device knows (French lines for `keys show`).

Every function raises `CitesLabError` with a French message; none prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from citeslab_tui.bundles import keys
from citeslab_tui.bundles.identity import DeviceIdentity, IdentityError, fingerprint, parse_identity
from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.domain.models import Settings
from citeslab_tui.domain.text import format_date
from citeslab_tui.store.files import describe_os_error, write_public

if TYPE_CHECKING:
    from citeslab_tui.services.workspace import Workspace

__all__ = [
    "DeviceIdentity",
    "EnrolResult",
    "enroll",
    "export_identity",
    "fingerprint",
    "identity_from",
    "install_office",
    "key_summary",
    "local_identity",
    "parse_identity_text",
    "read_identity",
    "revoke",
]


class KeyFolder(Protocol):
    """What the key read-outs need: a Workspace, or a data folder and its settings read
    without opening the database (`citeslab keys show` while the app is open)."""

    @property
    def data_dir(self) -> Path: ...

    @property
    def settings(self) -> Settings: ...


def local_identity(ws: KeyFolder) -> DeviceIdentity:
    """This device's public identity (its keys are made on first need)."""
    return keys.own_identity(ws.data_dir, ws.settings)


def export_identity(ws: Workspace, target: Path) -> DeviceIdentity:
    """Write this device's identity file to `target` (a USB stick): public keys only."""
    identity = local_identity(ws)
    target = Path(target).expanduser()
    if target.is_dir():
        target = target / f"identite-{identity.device}.txt"
    write_public(target, identity.render().encode("utf-8"))
    return identity


def parse_identity_text(text: str) -> DeviceIdentity:
    """An identity from pasted text (the JSON line of an identity file is enough)."""
    try:
        return parse_identity(text, "Le texte collé")
    except IdentityError as exc:
        raise CitesLabError(exc.message) from None


def read_identity(path: Path) -> DeviceIdentity:
    """An identity from an identity file (`citeslab keys export` on the other device)."""
    path = Path(path).expanduser()
    try:
        if path.is_dir():
            raise CitesLabError(
                f"{path} est un dossier : indiquez le fichier d'identité qu'il contient "
                "(identite-….txt)."
            )
        if path.stat().st_size > 64 * 1024:
            raise CitesLabError(f"{path} est trop gros pour être un fichier d'identité CitésLab.")
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CitesLabError(f"Fichier introuvable : {path}.") from None
    except (UnicodeDecodeError, ValueError):  # ValueError: a NUL byte in the name
        raise CitesLabError(f"{path} n'est pas un fichier d'identité CitésLab.") from None
    except OSError as exc:
        raise CitesLabError(describe_os_error(exc, f"Lecture de {path} impossible")) from None
    try:
        return parse_identity(text, f"Le fichier {path.name}")
    except IdentityError as exc:
        raise CitesLabError(exc.message) from None


def identity_from(typed: str) -> DeviceIdentity:
    """An identity from what a person typed or pasted: the path of an identity file,
    or the text of one (its JSON line is enough)."""
    text = typed.strip()
    if not text:
        raise CitesLabError("Indiquez le fichier d'identité (sur la clé USB), ou collez son texte.")
    path = Path(text).expanduser()
    try:
        is_file = path.is_file()
    except (OSError, ValueError):  # a name too long, a NUL byte: pasted text
        is_file = False
    if is_file:
        return read_identity(path)
    pasted = ("{", "#", "AGE-SECRET-KEY-", "age1")
    if text.startswith(pasted) or "citeslab-identity" in text or "\n" in text:
        return parse_identity_text(text)  # its checks name what was pasted instead
    return read_identity(path)


def office_fingerprint(ws: Workspace) -> str | None:
    """The installed office identity's fingerprint (laptop), or None."""
    office = keys.office_identity(ws.data_dir)
    return office.fingerprint if office else None


def check_office(ws: KeyFolder, identity: DeviceIdentity) -> str | None:
    """What installing `identity` as the office changes, in French (None: nothing
    unusual). Raises when it cannot be installed here."""
    settings = ws.settings
    if settings.role == "office":
        raise CitesLabError(
            "Ce poste est le bureau central : il n'installe pas d'identité de bureau ; "
            "il inscrit les portables (citeslab keys enroll FICHIER)."
        )
    if identity.role != "office":
        raise CitesLabError(
            f"{identity.label} est un portable, pas le bureau central : installez ici "
            "l'identité du poste du bureau (écrite au bureau par F5 Synchro, F9 Clés, "
            "Ctrl+E, ou par « citeslab keys export »)."
        )
    current = keys.office_identity(ws.data_dir)
    if settings.structure_id and settings.structure_id != identity.structure_id:
        return (
            f"Attention : ce portable appartenait à une autre structure "
            f"({settings.structure_id[:8]}) ; il rejoint celle du bureau {identity.label} "
            f"({identity.structure_id[:8]}) et devra y être inscrit."
        )
    if current is not None and current.fingerprint != identity.fingerprint:
        return f"Attention : cette identité remplace celle du bureau {current.label}."
    return None


def install_office(ws: Workspace, identity: DeviceIdentity) -> None:
    """Trust `identity` as this laptop's office: its keys and the structure id."""
    check_office(ws, identity)
    keys.install_office(ws.data_dir, identity)
    keys.ensure_identity(ws.data_dir)
    if ws.settings.structure_id != identity.structure_id:
        ws.repo.save_settings(
            ws.settings.model_copy(update={"structure_id": identity.structure_id})
        )


@dataclass
class EnrolResult:
    identity: DeviceIdentity
    replaced: bool  # the device was enrolled before with other keys, or revoked


def check_enrol(ws: KeyFolder, identity: DeviceIdentity) -> str | None:
    """What enrolling `identity` changes, in French (None: a new laptop). Raises when
    it cannot be enrolled here."""
    settings = ws.settings
    if settings.role != "office":
        raise CitesLabError(
            "Les portables s'inscrivent au bureau central (poste préparé avec --office)."
        )
    if identity.role != "laptop":
        raise CitesLabError(
            f"{identity.label} est un poste de bureau : seuls les portables s'inscrivent."
        )
    if identity.device == settings.device_id:
        raise CitesLabError("Ce fichier est l'identité de ce poste-ci.")
    if identity.structure_id != settings.structure_id:
        raise CitesLabError(
            f"Ce portable appartient à une autre structure (identifiant "
            f"{identity.structure_id[:8]}, ici {settings.structure_id[:8]}) : sur le portable, "
            "installez d'abord l'identité de ce bureau (F5 Synchro, F9 Clés ; ou « citeslab "
            "keys trust FICHIER »), puis réécrivez la sienne (Ctrl+E ; ou « citeslab keys "
            "export »)."
        )
    entry = keys.enrolled(ws.data_dir).get(identity.device)
    if entry is None:
        return None
    old = keys.enrolled_identity(entry)
    if entry.get("revoked_at"):
        return (
            f"Attention : le poste {identity.label} avait été retiré ; il sera de nouveau accepté."
        )
    if old is not None and old.fingerprint == identity.fingerprint:
        return f"Le poste {identity.label} est déjà inscrit avec ces clés."
    return f"Attention : le poste {identity.label} est déjà inscrit avec d'autres clés ; elles seront remplacées."


def enroll(ws: Workspace, identity: DeviceIdentity) -> EnrolResult:
    """Enrol a laptop at the office (after its fingerprint was compared)."""
    note = check_enrol(ws, identity)
    keys.enroll(ws.data_dir, identity)
    return EnrolResult(identity, replaced=note is not None)


def _device_name(entry: dict[str, Any]) -> str:
    identity = keys.enrolled_identity(entry)
    return identity.device_name if identity is not None else ""


def _find_device(ws: Workspace, device: str) -> str:
    devices = keys.enrolled(ws.data_dir)
    if device in devices:
        return device
    by_name = [d for d, entry in devices.items() if _device_name(entry) == device]
    if len(by_name) == 1:
        return by_name[0]
    known = ", ".join(sorted(devices)) or "aucun"
    if len(by_name) > 1:
        raise CitesLabError(
            f"Plusieurs postes s'appellent « {device} » : donnez l'identifiant ({known})."
        )
    raise CitesLabError(f"Poste inconnu : « {device} ». Postes inscrits : {known}.")


def revoke(ws: Workspace, device: str) -> DeviceIdentity:
    """Remove an enrolled laptop (lost or stolen): its files are refused from now on
    and the return files are no longer encrypted to it."""
    if ws.settings.role != "office":
        raise CitesLabError("Les portables se retirent au bureau central.")
    device_id = _find_device(ws, device)
    entry = keys.enrolled(ws.data_dir)[device_id]
    if entry.get("revoked_at"):
        raise CitesLabError(f"Le poste {device_id} est déjà retiré.")
    keys.revoke(ws.data_dir, device_id)
    identity = keys.enrolled_identity(entry)
    if identity is None:
        raise CitesLabError(f"Le poste {device_id} est retiré (son identité était illisible).")
    return identity


def _day(iso: str | None) -> str:
    try:
        return format_date(datetime.fromisoformat(str(iso)).date())
    except ValueError:
        return "?"


TRUST_HOW = "citeslab keys trust FICHIER"
ENROL_HOW = "citeslab keys enroll FICHIER"


def key_summary(
    ws: KeyFolder, *, trust_how: str = TRUST_HOW, enrol_how: str = ENROL_HOW
) -> list[str]:
    """What this device knows: Workspace, in French lines (`citeslab keys show`; the
    app gives its own `trust_how` / `enrol_how`: the keys that do it there)."""
    settings = ws.settings
    out = []
    if settings.role != "office" and not settings.structure_id:
        out.append(
            f"Ce poste : {settings.device_name or settings.device_id}, portable ; ses clés "
            "seront créées quand l'identité du bureau sera installée."
        )
        out.append(f"Bureau : identité non installée ({trust_how}).")
        return out
    try:
        me = local_identity(ws)
    except CitesLabError as exc:
        out.append(f"Ce poste : {exc.message}")
    else:
        role = "bureau central" if me.role == "office" else "portable"
        out.append(f"Ce poste : {me.label}, {role}")
        out.append(f"  Empreinte : {me.fingerprint}")
        out.append(f"  Structure : {settings.structure} (identifiant {me.structure_id})")
        out.append(f"  Clé de chiffrement : {me.age}")
    if settings.role != "office":
        office = keys.office_identity(ws.data_dir)
        if office is None:
            out.append(f"Bureau : identité non installée ({trust_how}).")
        else:
            out.append(f"Bureau : {office.label}")
            out.append(f"  Empreinte : {office.fingerprint}")
    else:
        devices = keys.enrolled(ws.data_dir)
        if not devices:
            out.append(f"Portables inscrits : aucun ({enrol_how}).")
        for device_id, entry in sorted(devices.items()):
            identity = keys.enrolled_identity(entry)
            label = identity.label if identity else device_id
            state = (
                f"RETIRÉ le {_day(entry.get('revoked_at'))}"
                if entry.get("revoked_at")
                else f"inscrit le {_day(entry.get('enrolled_at'))}"
            )
            out.append(f"Portable : {label}, {state}")
            if identity:
                out.append(f"  Empreinte : {identity.fingerprint}")
    for key in keys.escrow_keys(ws.data_dir):
        out.append(f"Séquestre : {key}")
    return out
