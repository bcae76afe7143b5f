"""Keys of the sync bundles, in `<data folder>/keys/` (folder 0700, secrets 0600).

Every device has two key pairs, made on first need:
- `identity.age` (secret) / `identity.pub`: X25519 (age format, via pyrage) — bundles
  for this device are encrypted to it;
- `signing.key` (secret) / `signing.pub`: Ed25519 (via `cryptography`) — this device
  signs every bundle it writes.

And the public keys it trusts:
- on a laptop, `office.json`: the office's identity (`citeslab keys trust FICHIER`):
  its bundles go to that age key, and the office's return file must carry a
  signature that its Ed25519 key verifies;
- at the office, `devices.json`: the enrolled laptops (`citeslab keys enroll
  FICHIER`), revoked ones kept with their date (`citeslab keys revoke POSTE`): a
  laptop bundle must be signed by an enrolled, not revoked, device; the return file
  is encrypted to the enrolled laptops;
- `escrow.pub`: optional escrow recipients, one age public key a line.

pyrage and cryptography are imported where used (start-up speed).
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from citeslab_tui.bundles.identity import DeviceIdentity, IdentityError, parse_identity
from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.domain.models import Settings
from citeslab_tui.store.files import ensure_private_dir, write_private

if TYPE_CHECKING:  # pyrage is imported where used (start-up speed)
    from pyrage import x25519

KEYS_DIR = "keys"
IDENTITY = "identity.age"
PUBLIC = "identity.pub"
SIGNING = "signing.key"
SIGNING_PUBLIC = "signing.pub"
OFFICE = "office.json"
DEVICES = "devices.json"
ESCROW = "escrow.pub"


class KeyError_(CitesLabError):
    """A key is missing or invalid (French message)."""


def keys_dir(data_dir: Path) -> Path:
    return data_dir / KEYS_DIR


def _lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def check_recipient(value: str) -> str:
    from pyrage import x25519

    value = value.strip()
    try:
        x25519.Recipient.from_str(value)
    except Exception:
        raise KeyError_("Clé publique invalide (attendu : une ligne « age1… »).") from None
    return value


# --- this device's keys ----------------------------------------------------------------


def has_identity(data_dir: Path) -> bool:
    return (keys_dir(data_dir) / IDENTITY).exists()


def ensure_identity(data_dir: Path) -> tuple[str, bool]:
    """This device's age public key, creating both key pairs if needed:
    (public, created)."""
    folder = ensure_private_dir(keys_dir(data_dir))
    ensure_signing_key(data_dir)
    secret_path = folder / IDENTITY
    if secret_path.exists():
        return public_key(data_dir), False
    from pyrage import x25519

    identity = x25519.Identity.generate()
    public = str(identity.to_public())
    when = datetime.now().astimezone().isoformat(timespec="seconds")
    write_private(
        secret_path,
        f"# created: {when}\n# public key: {public}\n{identity}\n".encode(),
    )
    write_private(folder / PUBLIC, f"{public}\n".encode())
    return public, True


def public_key(data_dir: Path) -> str:
    folder = keys_dir(data_dir)
    lines = _lines(folder / PUBLIC)
    if lines:
        return lines[0]
    identity = _identity(data_dir)
    return str(identity.to_public())


def _identity(data_dir: Path) -> x25519.Identity:
    from pyrage import x25519

    path = keys_dir(data_dir) / IDENTITY
    lines = [ln for ln in _lines(path) if ln.startswith("AGE-SECRET-KEY-")]
    if not lines:
        raise KeyError_("Ce poste n'a pas de clé de déchiffrement : lancez « citeslab keys init ».")
    try:
        return x25519.Identity.from_str(lines[0])
    except Exception:
        raise KeyError_(f"La clé secrète {path} est illisible.") from None


def ensure_signing_key(data_dir: Path) -> str:
    """This device's Ed25519 public key (base64), creating the pair if needed."""
    folder = ensure_private_dir(keys_dir(data_dir))
    path = folder / SIGNING
    if path.exists():
        return signing_public(data_dir)
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
        PublicFormat,
    )

    key = Ed25519PrivateKey.generate()
    secret = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public = base64.b64encode(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
    when = datetime.now().astimezone().isoformat(timespec="seconds")
    write_private(
        path,
        f"# CitésLab signing key (Ed25519, secret), created: {when}\n".encode()
        + base64.b64encode(secret)
        + b"\n",
    )
    write_private(folder / SIGNING_PUBLIC, public + b"\n")
    return public.decode()


def _signing_secret(data_dir: Path) -> bytes:
    path = keys_dir(data_dir) / SIGNING
    lines = _lines(path)
    try:
        raw = base64.b64decode(lines[0], validate=True) if lines else b""
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise KeyError_(
            f"La clé de signature {path} est absente ou illisible : restaurez le dossier des "
            "données depuis sa sauvegarde, ou créez une nouvelle identité (supprimez le dossier "
            "keys, puis « citeslab keys export » et faites réinscrire ce poste au bureau)."
        )
    return raw


def signing_public(data_dir: Path) -> str:
    lines = _lines(keys_dir(data_dir) / SIGNING_PUBLIC)
    if lines:
        return lines[0]
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = Ed25519PrivateKey.from_private_bytes(_signing_secret(data_dir))
    return base64.b64encode(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def signer(data_dir: Path) -> bytes:
    """The secret signing key (raw bytes) to give to `sign` (read on the owner thread)."""
    return _signing_secret(data_dir)


def sign(secret: bytes, message: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(secret).sign(message)


def verify(public_b64: str, message: bytes, signature: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_b64, validate=True))
        key.verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def own_identity(data_dir: Path, settings: Settings) -> DeviceIdentity:
    """This device's public identity (keys made if needed)."""
    if not settings.configured:
        raise KeyError_("Ce poste n'est pas préparé : lancez d'abord « citeslab init ».")
    if not settings.structure_id:
        raise KeyError_(
            "Ce portable ne connaît pas encore sa structure : installez d'abord l'identité du "
            "bureau (« citeslab keys trust FICHIER », fichier écrit au bureau par "
            "« citeslab keys export »)."
        )
    age, _ = ensure_identity(data_dir)
    return DeviceIdentity(
        device=settings.device_id,
        device_name=settings.device_name,
        role=settings.role,
        structure_id=settings.structure_id,
        structure=settings.structure,
        age=age,
        ed25519=ensure_signing_key(data_dir),
    )


# --- the office, trusted by a laptop ----------------------------------------------------


def office_identity(data_dir: Path) -> DeviceIdentity | None:
    path = keys_dir(data_dir) / OFFICE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        raise KeyError_(
            f"Le fichier {path} est illisible : réinstallez l'identité du bureau."
        ) from None
    try:
        return parse_identity(text, f"Le fichier {path.name}")
    except IdentityError as exc:
        raise KeyError_(exc.message + " Réinstallez l'identité du bureau.") from None


def install_office(data_dir: Path, identity: DeviceIdentity) -> None:
    if identity.role != "office":
        raise KeyError_(
            f"{identity.label} est un portable, pas le bureau central : installez ici "
            "l'identité du poste du bureau."
        )
    check_recipient(identity.age)
    folder = ensure_private_dir(keys_dir(data_dir))
    write_private(folder / OFFICE, identity.render().encode("utf-8"))


def office_key(data_dir: Path) -> str | None:
    office = office_identity(data_dir)
    return office.age if office else None


# --- the laptops, enrolled at the office -----------------------------------------------


def enrolled(data_dir: Path) -> dict[str, dict[str, Any]]:
    """device id -> {"identity": {...}, "enrolled_at": iso, "revoked_at": iso | None}."""
    path = keys_dir(data_dir) / DEVICES
    try:
        data = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, orjson.JSONDecodeError):
        raise KeyError_(
            f"La liste des postes inscrits ({path}) est illisible : restaurez le dossier keys "
            "depuis sa sauvegarde, ou réinscrivez les portables."
        ) from None
    devices = data.get("devices") if isinstance(data, dict) else None
    return devices if isinstance(devices, dict) else {}


def enrolled_identity(entry: dict[str, Any]) -> DeviceIdentity | None:
    try:
        return DeviceIdentity.model_validate(entry.get("identity"))
    except Exception:
        return None


def _save_devices(data_dir: Path, devices: dict[str, dict[str, Any]]) -> None:
    folder = ensure_private_dir(keys_dir(data_dir))
    write_private(
        folder / DEVICES,
        orjson.dumps({"devices": devices}, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS),
    )


def enroll(data_dir: Path, identity: DeviceIdentity) -> None:
    check_recipient(identity.age)
    devices = enrolled(data_dir)
    devices[identity.device] = {
        "identity": identity.model_dump(),
        "enrolled_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "revoked_at": None,
    }
    _save_devices(data_dir, devices)


def revoke(data_dir: Path, device: str) -> None:
    devices = enrolled(data_dir)
    devices[device]["revoked_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    _save_devices(data_dir, devices)


def active_devices(data_dir: Path) -> dict[str, DeviceIdentity]:
    out = {}
    for device, entry in enrolled(data_dir).items():
        identity = enrolled_identity(entry)
        if identity is not None and not entry.get("revoked_at"):
            out[device] = identity
    return out


# --- escrow and encryption ---------------------------------------------------------------


def escrow_keys(data_dir: Path) -> list[str]:
    return _lines(keys_dir(data_dir) / ESCROW)


def read_public_file(path: Path) -> str:
    """The age public key written in a file (`citeslab keys init` output or identity.pub)."""
    try:
        raw = path.read_bytes()[: 64 * 1024].decode("utf-8")
    except FileNotFoundError:
        raise KeyError_(f"Fichier introuvable : {path}.") from None
    except (OSError, UnicodeDecodeError):
        raise KeyError_(f"Fichier illisible : {path}.") from None
    for token in raw.replace("\n", " ").split():
        if token.startswith("AGE-SECRET-KEY-"):
            raise KeyError_(
                "Ce fichier contient une clé SECRÈTE : ne la copiez jamais ; "
                "donnez la clé publique (age1…)."
            )
    for token in raw.replace("\n", " ").replace('"', " ").split():
        if token.startswith("age1"):
            return check_recipient(token)
    raise KeyError_("Aucune clé publique « age1… » dans ce fichier.")


def add_escrow(data_dir: Path, public: str) -> None:
    folder = ensure_private_dir(keys_dir(data_dir))
    public = check_recipient(public)
    existing = escrow_keys(data_dir)
    if public not in existing:
        existing.append(public)
    write_private(folder / ESCROW, ("\n".join(existing) + "\n").encode())


def encrypt(data: bytes, recipients: list[str]) -> bytes:
    import pyrage
    from pyrage import x25519

    keys = [x25519.Recipient.from_str(r) for r in dict.fromkeys(recipients)]
    return pyrage.encrypt(data, keys)


def decrypt(data_dir: Path, data: bytes) -> bytes:
    import pyrage

    identity = _identity(data_dir)
    try:
        return pyrage.decrypt(data, [identity])
    except Exception:  # pyrage.DecryptError and damaged-header errors
        raise KeyError_(
            "impossible de déchiffrer : ce fichier n'est pas chiffré pour ce poste "
            "(mauvaise clé) ou il est endommagé"
        ) from None
