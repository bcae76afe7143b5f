"""The sync bundle: one file = a plain manifest + an (encrypted) payload.

Layout (see docs/sync-format.md):

    CITESLAB-BUNDLE <sha256 of line 2, hex>\\n
    <manifest: one line of JSON>\\n
    <payload bytes>

The payload is gzip(JSON array of [kind, document]); encrypted with age
(standard format, `tail -n +3 FILE | age -d -i KEY | gunzip` reads it) unless
exported with `--unencrypted`. The manifest carries the sha256 of the payload
as stored, so a copy can be verified without the key.

Decoding never raises anything but `BundleError` (a French reason).
"""

from __future__ import annotations

import gzip
import hashlib
import re
import zlib
from dataclasses import dataclass, field
from typing import Any

import orjson

from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.perf import no_gc

MAGIC = b"CITESLAB-BUNDLE"
FORMAT = "citeslab-bundle"
FORMAT_VERSION = 1
SUFFIX = ".cslb"
# FAT32-safe, sorts by device then time: citeslab-<device>-<YYYYMMDD-HHMMSS>-<from>-<to>.cslb
NAME_RE = re.compile(r"^citeslab-[a-z0-9-]+-\d{8}-\d{6}-\d{9}-\d{9}\.cslb$")
_SAFE = re.compile(r"[^a-z0-9-]+")


class BundleError(CitesLabError):
    """A bundle file is refused (the message says why, in French)."""


@dataclass
class Manifest:
    device: str
    seq_from: int
    seq_to: int
    count: int
    hlc_max: str
    payload_sha256: str
    payload_bytes: int
    full: bool = False
    role: str = "laptop"
    device_name: str = ""
    app_version: str = ""
    created: str = ""
    encryption: str = "age"
    device_key: str = ""  # the sender's age public key (the office encrypts returns to it)
    counts: dict[str, int] = field(default_factory=dict)
    format: str = FORMAT
    version: int = FORMAT_VERSION

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def file_name(device: str, when: str, seq_from: int, seq_to: int) -> str:
    """`when` is YYYYMMDD-HHMMSS (UTC)."""
    safe = _SAFE.sub("-", device.lower()).strip("-") or "poste"
    return f"citeslab-{safe}-{when}-{seq_from:09d}-{seq_to:09d}{SUFFIX}"


def encode_payload(records: list[tuple[str, dict[str, Any]]]) -> bytes:
    return gzip.compress(orjson.dumps(records), compresslevel=1, mtime=0)


def decode_payload(raw: bytes) -> list[Any]:
    try:
        with no_gc():
            data = orjson.loads(gzip.decompress(raw))
    except (OSError, EOFError, zlib.error, orjson.JSONDecodeError):
        raise BundleError("contenu illisible (fichier endommagé)") from None
    if not isinstance(data, list):
        raise BundleError("contenu inattendu")
    return data


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def encode_bundle(manifest: Manifest, payload: bytes) -> bytes:
    line = orjson.dumps(manifest.to_json(), option=orjson.OPT_SORT_KEYS)
    return MAGIC + b" " + sha256(line).encode() + b"\n" + line + b"\n" + payload


def split_bundle(raw: bytes) -> tuple[Manifest, bytes]:
    """Verify the header, manifest and payload checksum; BundleError (French) otherwise."""
    if not raw.startswith(MAGIC):
        raise BundleError("ce n'est pas un fichier de synchronisation CitésLab")
    first = raw.find(b"\n")
    second = raw.find(b"\n", first + 1) if first >= 0 else -1
    if first < 0 or second < 0:
        raise BundleError("fichier tronqué (en-tête incomplet)")
    header = raw[:first].split(b" ")
    line = raw[first + 1 : second]
    if len(header) != 2 or header[1] != sha256(line).encode():
        raise BundleError("fichier endommagé (somme de contrôle du manifeste fausse)")
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError:
        raise BundleError("manifeste illisible") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BundleError("manifeste illisible")
    version = data.get("version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BundleError(
            f"fichier écrit par une version plus récente de CitésLab (format {version}, "
            f"cette version lit jusqu'au {FORMAT_VERSION}) : mettez l'application à jour"
        )
    try:
        manifest = Manifest(**data)
        for name in ("seq_from", "seq_to", "count", "payload_bytes"):
            if not isinstance(getattr(manifest, name), int) or getattr(manifest, name) < 0:
                raise TypeError(name)
        if not manifest.device or manifest.seq_from > manifest.seq_to:
            raise TypeError("range")
    except TypeError:
        raise BundleError("manifeste incomplet ou incohérent") from None
    payload = raw[second + 1 :]
    if len(payload) != manifest.payload_bytes:
        raise BundleError(
            f"fichier tronqué ({len(payload)} octets de données sur {manifest.payload_bytes})"
        )
    if sha256(payload) != manifest.payload_sha256:
        raise BundleError("fichier endommagé (somme de contrôle des données fausse)")
    return manifest, payload
