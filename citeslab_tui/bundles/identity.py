"""A device's public identity: who it is and its two public keys.

A laptop gives its identity to the office (`citeslab keys export FICHIER`, then
`citeslab keys enroll FICHIER` at the office); the office gives its own to every
laptop (`keys export` at the office, `keys trust FICHIER` on the laptop). The file
is plain text: French comment lines, then one line of JSON:

    {"age": "age1…", "device": "portable1-3f2a9c", "device_name": "portable-1",
     "ed25519": "<32 bytes, base64>", "format": "citeslab-identity", "role": "laptop",
     "structure": "Mife du Calvados", "structure_id": "<32 hex>", "version": 1}

- `age`: the X25519 recipient bundles for this device are encrypted to;
- `ed25519`: the key that checks the signature of every bundle this device writes;
- `structure_id`: the structure (set at the office's `init --office`; a laptop takes
  it from the office's identity it trusts).

Nothing in it is secret. What makes it trustworthy is the **fingerprint**: six groups
of five digits, read aloud on the phone and compared with the screen of the device
itself (`citeslab keys show`) before the office enrols a laptop, or a laptop trusts
the office. It is computed from the ids and the keys (not from the display names).
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Annotated, Any, Final, Literal

import orjson
import pydantic
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from citeslab_tui.domain.errors import CitesLabError

FORMAT: Final = "citeslab-identity"
FORMAT_VERSION: Final = 1
MAX_FILE_BYTES = 16 * 1024

# Device ids: made by `Workspace.configure` from the device name (ASCII letters and
# digits, lower case) and 6 random hex digits; "-" allowed, nothing else.
DEVICE_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
DEVICE_RE = re.compile(DEVICE_PATTERN)
STRUCTURE_PATTERN = r"^[0-9a-f]{32}$"

DeviceId = Annotated[str, StringConstraints(pattern=DEVICE_PATTERN)]
StructureId = Annotated[str, StringConstraints(pattern=STRUCTURE_PATTERN)]


class IdentityError(CitesLabError):
    """An identity file or text is refused (French message)."""


def _check_ed25519(value: str) -> str:
    try:
        raw = base64.b64decode(value, validate=True)
    except ValueError:
        raise ValueError("clé de signature illisible") from None
    if len(raw) != 32:
        raise ValueError("clé de signature de mauvaise longueur")
    return value


class DeviceIdentity(BaseModel):
    """The public identity of a device (laptop or office)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    format: Literal["citeslab-identity"] = FORMAT
    version: Literal[1] = FORMAT_VERSION
    device: DeviceId
    device_name: Annotated[str, Field(max_length=80)] = ""
    role: Literal["laptop", "office"]
    structure_id: StructureId
    structure: Annotated[str, Field(max_length=200)] = ""
    age: Annotated[str, StringConstraints(pattern=r"^age1[0-9a-z]{50,70}$")]
    ed25519: Annotated[str, Field(min_length=44, max_length=44)]

    @pydantic.field_validator("ed25519")
    @classmethod
    def _ed25519(cls, value: str) -> str:
        return _check_ed25519(value)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self)

    @property
    def label(self) -> str:
        """ "portable-1 (portable1-3f2a9c)" for messages."""
        if self.device_name and self.device_name != self.device:
            return f"{self.device_name} ({self.device})"
        return self.device

    def to_line(self) -> bytes:
        return orjson.dumps(self.model_dump(), option=orjson.OPT_SORT_KEYS)

    def render(self) -> str:
        """The text of an identity file (comments in French, then the JSON line)."""
        who = "du bureau central" if self.role == "office" else "d'un portable de terrain"
        return (
            f"# Identité CitésLab {who} : {self.label}\n"
            f"# Structure : {self.structure or self.structure_id}\n"
            "# Ce fichier ne contient que des clés publiques (rien de secret).\n"
            "# Avant de l'installer, comparez son empreinte au téléphone avec\n"
            "# « citeslab keys show » sur le poste qui l'a écrit.\n"
            f"{self.to_line().decode('utf-8')}\n"
        )


def fingerprint(identity: DeviceIdentity) -> str:
    """Six groups of five digits (about 100 bits), easy to read aloud on the phone:
    "48210 93755 12883 01247 66091 55023". From the ids and the public keys."""
    canonical = orjson.dumps(
        {
            "age": identity.age,
            "device": identity.device,
            "ed25519": identity.ed25519,
            "role": identity.role,
            "structure_id": identity.structure_id,
        },
        option=orjson.OPT_SORT_KEYS,
    )
    digest = hashlib.sha256(b"citeslab-fingerprint-v1\n" + canonical).digest()
    groups = [int.from_bytes(digest[5 * i : 5 * i + 5], "big") % 100_000 for i in range(6)]
    return " ".join(f"{g:05d}" for g in groups)


def parse_identity(text: str, source: str = "ce texte") -> DeviceIdentity:
    """An identity from the text of an identity file, or text pasted from it (the JSON
    line is enough). IdentityError (French) when it is not one."""
    if len(text) > MAX_FILE_BYTES:
        raise IdentityError(f"{source} est trop long pour être un fichier d'identité CitésLab.")
    for token in text.split():
        if token.startswith("AGE-SECRET-KEY-"):
            raise IdentityError(
                f"{source} contient une clé SECRÈTE : ne la copiez jamais ; donnez le fichier "
                "écrit par « citeslab keys export »."
            )
    lines = [ln.strip() for ln in text.splitlines() if ln.strip().startswith("{")]
    if not lines:
        if any(token.startswith("age1") for token in text.split()):
            raise IdentityError(
                f"{source} ne contient qu'une clé de chiffrement « age1… » : il faut le fichier "
                "d'identité écrit par « citeslab keys export » sur l'autre poste."
            )
        raise IdentityError(
            f"{source} n'est pas un fichier d'identité CitésLab (écrit par « citeslab keys "
            "export »)."
        )
    try:
        data: Any = orjson.loads(lines[0])
    except orjson.JSONDecodeError:
        raise IdentityError(f"{source} est endommagé (ligne d'identité illisible).") from None
    if isinstance(data, dict) and data.get("format") == FORMAT:
        version = data.get("version")
        if isinstance(version, int) and not isinstance(version, bool) and version > 1:
            raise IdentityError(
                f"{source} a été écrit par une version plus récente de CitésLab : "
                "mettez l'application à jour."
            )
    try:
        return DeviceIdentity.model_validate_json(lines[0], strict=True)
    except pydantic.ValidationError as exc:
        where = ".".join(str(p) for p in exc.errors()[0].get("loc", ())) or "?"
        raise IdentityError(
            f"{source} est endommagé ou incomplet (champ « {where[:40]} » invalide)."
        ) from None
