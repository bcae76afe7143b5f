"""Keys for bundle encryption (age format via pyrage, imported lazily).

In `<data folder>/keys/` (owner-only):
- `identity.age`: this device's secret key (age-keygen format), `identity.pub` its public key;
- `office.pub`: the office's public key, installed on a laptop by `citeslab keys trust FILE`;
- `escrow.pub`: optional escrow recipients, one public key a line (`keys trust --escrow`).

The office decrypts laptop bundles with its identity; the laptops decrypt the
office's return bundle with theirs (the office learns their public keys from
the manifests of their bundles).
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.store.files import ensure_private_dir, write_private

KEYS_DIR = "keys"
IDENTITY = "identity.age"
PUBLIC = "identity.pub"
OFFICE = "office.pub"
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


def has_identity(data_dir: Path) -> bool:
    return (keys_dir(data_dir) / IDENTITY).exists()


def ensure_identity(data_dir: Path) -> tuple[str, bool]:
    """This device's public key, creating the key pair if needed: (public, created)."""
    folder = ensure_private_dir(keys_dir(data_dir))
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


def _identity(data_dir: Path):  # -> pyrage.x25519.Identity
    from pyrage import x25519

    path = keys_dir(data_dir) / IDENTITY
    lines = [ln for ln in _lines(path) if ln.startswith("AGE-SECRET-KEY-")]
    if not lines:
        raise KeyError_("Ce poste n'a pas de clé de déchiffrement : lancez « citeslab keys init ».")
    try:
        return x25519.Identity.from_str(lines[0])
    except Exception:
        raise KeyError_(f"La clé secrète {path} est illisible.") from None


def office_key(data_dir: Path) -> str | None:
    lines = _lines(keys_dir(data_dir) / OFFICE)
    return lines[0] if lines else None


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
    for token in raw.replace("\n", " ").split():
        if token.startswith("age1"):
            return check_recipient(token)
    raise KeyError_("Aucune clé publique « age1… » dans ce fichier.")


def trust(data_dir: Path, public: str, *, escrow: bool = False) -> None:
    folder = ensure_private_dir(keys_dir(data_dir))
    public = check_recipient(public)
    if escrow:
        existing = escrow_keys(data_dir)
        if public not in existing:
            existing.append(public)
        write_private(folder / ESCROW, ("\n".join(existing) + "\n").encode())
    else:
        write_private(folder / OFFICE, f"{public}\n".encode())


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


def private_mode_ok(data_dir: Path) -> bool:
    path = keys_dir(data_dir) / IDENTITY
    return os.name != "posix" or not path.exists() or (path.stat().st_mode & 0o077) == 0
