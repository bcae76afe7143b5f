"""The sync bundle: one file = a plain, signed manifest + an (encrypted) payload.

Layout (see docs/sync-format.md):

    CITESLAB-BUNDLE <sha256 of line 2, hex> <Ed25519 signature of line 2, base64 | ->\\n
    <manifest: one line of JSON, keys sorted>\\n
    <payload bytes>

The payload is gzip(JSON array of [kind, document]); encrypted with age
(standard format, `tail -n +3 FILE | age -d -i KEY | gunzip` reads it) unless
exported with `--unencrypted`. The manifest carries the sha256 of the payload as
stored, so the signature of the manifest covers the payload too, and a copy can be
verified without the key.

Reading is bounded: a file over MAX_BUNDLE_BYTES is not read, a manifest announcing
more than MAX_RECORDS records is refused before decryption, and decompression stops
as soon as the output passes `payload_limit(count)`: a gzip bomb never expands.

Decoding never raises anything but `BundleError` (a French reason).
"""

from __future__ import annotations

import base64
import hashlib
import re
import zlib
from collections.abc import Iterator
from typing import Annotated, Any, Final, Literal

import orjson
import pydantic
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from citeslab_tui.bundles.identity import DEVICE_PATTERN
from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.perf import no_gc

MAGIC = b"CITESLAB-BUNDLE"
FORMAT: Final = "citeslab-bundle"
FORMAT_VERSION: Final = 3  # 3: `acked` (laptop) and `for_device` (return); 2 still read
SUFFIX = ".cslb"
SIGNING_CONTEXT = b"citeslab-bundle-v2\n"  # signed = context + manifest line
# FAT32-safe, sorts by device then time: citeslab-<device>-<YYYYMMDD-HHMMSS>-<from>-<to>.cslb
NAME_RE = re.compile(r"^citeslab-[a-z0-9-]+-\d{8}-\d{6}-\d{9}-\d{9}\.cslb$")
_SAFE = re.compile(r"[^a-z0-9-]+")

# --- limits (docs/sync-format.md#limits) ------------------------------------------------
# Sized from the largest office the programme plans for: `demo --people 100000 --seed 1`
# (ten years: 709,789 records, a snapshot of 494 MB, ~700 bytes a record; its full return
# file is ~70 MB compressed). At 10,000 people: 70,835 records, 6.6 MB compressed.
MAX_BUNDLE_BYTES = 256 * 1024 * 1024  # the file as stored (3.5x the full return at 100k)
MAX_RECORDS = 2_000_000  # records in one bundle (2.8x the 100k-people database)
MAX_PAYLOAD_BYTES = 1024 * 1024 * 1024  # decompressed JSON (2x the 100k-people database)
MAX_RECORD_BYTES = 64 * 1024  # decompressed bytes allowed per announced record
MAX_MANIFEST_BYTES = 16 * 1024  # header + manifest lines
MAX_SEQ = 2**53 - 1  # sequence numbers and version-vector counters (exact in JSON)


class BundleError(CitesLabError):
    """A bundle file is refused (the message says why, in French)."""


Hex64 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Count = Annotated[int, Field(ge=0, le=MAX_SEQ)]


class Manifest(BaseModel):
    """The plain manifest (validated strictly: a counter is an integer, a flag a
    boolean). Built by the sender, read and checked before anything is decrypted."""

    model_config = ConfigDict(strict=True, extra="forbid")

    format: Literal["citeslab-bundle"] = FORMAT
    version: Literal[2, 3] = FORMAT_VERSION
    structure: Annotated[str, StringConstraints(pattern=r"^([0-9a-f]{32})?$")] = ""
    device: Annotated[str, StringConstraints(pattern=DEVICE_PATTERN)]
    device_name: Annotated[str, Field(max_length=80)] = ""
    role: Literal["laptop", "office"] = "laptop"
    app_version: Annotated[str, Field(max_length=40)] = ""
    created: Annotated[str, Field(max_length=40)] = ""
    seq_from: Count
    seq_to: Count
    full: bool = False
    count: Annotated[int, Field(ge=0, le=MAX_RECORDS)]
    counts: dict[Annotated[str, Field(max_length=20)], Count] = Field(
        default_factory=dict, max_length=20
    )
    hlc_max: Annotated[str, Field(max_length=120)] = ""
    encryption: Literal["age", "none"] = "age"
    signature: Literal["ed25519", "none"] = "ed25519"
    payload_sha256: Hex64 | Literal[""] = ""
    payload_bytes: Annotated[int, Field(ge=0, le=MAX_BUNDLE_BYTES)] = 0
    # version 3: on a laptop's file, the office's sequence number up to which it holds
    # every change of the office (its return files imported without a hole; 0: none);
    # on a return file, the laptop it is written for ("": any laptop of the structure)
    acked: Count = 0
    for_device: Annotated[str, StringConstraints(pattern=f"({DEVICE_PATTERN})|^$")] = ""

    def to_json(self) -> dict[str, Any]:
        return self.model_dump()

    def line(self) -> bytes:
        return orjson.dumps(self.to_json(), option=orjson.OPT_SORT_KEYS)


class Parsed(BaseModel):
    """A bundle file split and checked (header, manifest, payload checksum)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    manifest: Manifest
    payload: bytes
    signature: bytes | None  # None: the file is not signed
    signed: bytes  # what the signature covers


def file_name(device: str, when: str, seq_from: int, seq_to: int) -> str:
    """`when` is YYYYMMDD-HHMMSS (UTC)."""
    safe = _SAFE.sub("-", device.lower()).strip("-") or "poste"
    return f"citeslab-{safe}-{when}-{seq_from:09d}-{seq_to:09d}{SUFFIX}"


def is_bundle_name(name: str) -> bool:
    """A sync file by its name: `.cslb` in any case (FAT32 sticks show `.CSLB`)."""
    return name.lower().endswith(SUFFIX) and not name.startswith(".")


def encode_payload(records: list[tuple[str, dict[str, Any]]]) -> bytes:
    import gzip

    return gzip.compress(orjson.dumps(records), compresslevel=1, mtime=0)


def payload_limit(count: int) -> int:
    """Most decompressed bytes a payload announcing `count` records may expand to."""
    return min(MAX_PAYLOAD_BYTES, (count + 1) * MAX_RECORD_BYTES)


def _too_big(limit: int) -> BundleError:
    return BundleError(
        f"contenu trop volumineux une fois décompressé (plus de {limit // 1024} Kio "
        f"pour les enregistrements annoncés ; maximum {MAX_PAYLOAD_BYTES // 2**20} Mio) : "
        "fichier refusé sans être décompressé en entier"
    )


def decompress(raw: bytes, limit: int) -> bytes:
    """gunzip, stopping as soon as the output would pass `limit` bytes."""
    inflater = zlib.decompressobj(wbits=31)  # gzip container
    try:
        out = inflater.decompress(raw, limit + 1)
        if len(out) > limit:
            raise _too_big(limit)
        if not inflater.eof:
            raise BundleError("contenu tronqué (fichier endommagé)")
        if inflater.unused_data:
            raise BundleError("contenu endommagé (données en trop après la fin)")
    except zlib.error:
        raise BundleError("contenu illisible (fichier endommagé)") from None
    return out


CHUNK_BYTES = 4 << 20  # decompressed JSON parsed at a time
MAX_PIECE = 16 << 20  # JSON without a boundary between records: refused beyond
_CUT = b'],["'  # between two records: `...}],["person",{...`


class _NotSplit(Exception):
    """The payload does not start as a JSON array: parse it whole."""


def iter_payload(raw: bytes, count: int = MAX_RECORDS) -> Iterator[list[Any]]:
    """The payload's records, decompressed (bounded) and parsed ~CHUNK_BYTES at a
    time, in order: memory never holds the whole JSON (494 MB for the office's full
    return at 100,000 people), and a caller validating each piece as it comes never
    holds all the records as read. BundleError when the payload is damaged (the
    pieces before it may have been given).

    The JSON is cut before each `],["` found (records are `[kind, {...}]`): the piece
    from a record's start to a cut is parsed as `[piece]`. A cut inside a string or
    deeper than the top level leaves a piece that is not valid JSON once wrapped (an
    unterminated string, unbalanced brackets): that cut is not taken, the piece grows
    to the next one. So every piece given ends at a real boundary between records,
    and the pieces are exactly the records one parse of the whole would give. A
    payload that does not start as an array is parsed whole (which says what is
    wrong)."""
    limit = payload_limit(count)
    try:
        yield from _pieces(raw, limit)
    except _NotSplit:
        yield decode_whole(raw, limit)


def _pieces(raw: bytes, limit: int) -> Iterator[list[Any]]:
    inflater = zlib.decompressobj(wbits=31)  # gzip container
    rest = raw
    buffer = b""
    total = 0
    started = False
    tried = 0  # the buffer holds no cut worth trying before this offset
    try:
        while not inflater.eof:
            piece = inflater.decompress(rest, CHUNK_BYTES)
            rest = inflater.unconsumed_tail
            if not piece and not rest:
                raise BundleError("contenu tronqué (fichier endommagé)")
            total += len(piece)
            if total > limit:
                raise _too_big(limit)
            buffer += piece
            if not started:
                if not buffer:
                    continue
                if buffer[:1] != b"[":
                    raise _NotSplit
                buffer, started = buffer[1:], True
            if len(buffer) > max(MAX_PIECE, 4 * CHUNK_BYTES):
                # no record is this long (payload_limit: 64 KiB a record): a forged
                # payload, refused before its pieces are parsed again and again
                raise BundleError("contenu illisible (fichier endommagé)")
            cut = buffer.rfind(_CUT, tried)
            if cut >= 0:
                parsed = _parse_piece(b"[" + buffer[: cut + 1] + b"]")
                if parsed is None:  # not a boundary: wait for the next cut
                    tried = cut + 1
                    continue
                buffer, tried = buffer[cut + 2 :], 0
                yield parsed
        if inflater.unused_data:
            raise BundleError("contenu endommagé (données en trop après la fin)")
    except zlib.error:
        raise BundleError("contenu illisible (fichier endommagé)") from None
    if not started:
        raise _NotSplit
    parsed = _parse_piece(b"[" + buffer)
    if parsed is None:
        raise BundleError("contenu illisible (fichier endommagé)")
    yield parsed


def _parse_piece(text: bytes) -> list[Any] | None:
    try:
        with no_gc():
            parsed = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    return parsed if isinstance(parsed, list) else None


def decode_whole(raw: bytes, limit: int) -> list[Any]:
    """The payload decompressed and parsed in one piece: a list, or BundleError."""
    data = decompress(raw, limit)
    try:
        with no_gc():
            records = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise BundleError("contenu illisible (fichier endommagé)") from None
    if not isinstance(records, list):
        raise BundleError("contenu inattendu")
    return records


def decode_payload(raw: bytes, count: int = MAX_RECORDS) -> list[Any]:
    """Decompress (bounded) and parse the payload: a list, or BundleError (streamed:
    `iter_payload`)."""
    records: list[Any] = []
    for piece in iter_payload(raw, count):
        records += piece
    return records


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def encode_bundle(manifest: Manifest, payload: bytes, signature: bytes | None = None) -> bytes:
    line = manifest.line()
    sig = base64.b64encode(signature) if signature is not None else b"-"
    return MAGIC + b" " + sha256(line).encode() + b" " + sig + b"\n" + line + b"\n" + payload


def signed_message(manifest_line: bytes) -> bytes:
    return SIGNING_CONTEXT + manifest_line


def _field_name(exc: pydantic.ValidationError) -> str:
    loc = exc.errors()[0].get("loc", ())
    return ".".join(str(p) for p in loc)[:40] or "?"


def split_bundle(raw: bytes) -> Parsed:
    """Verify the header, manifest and payload checksum; BundleError (French) otherwise."""
    if not raw.startswith(MAGIC):
        raise BundleError("ce n'est pas un fichier de synchronisation CitésLab")
    first = raw.find(b"\n", 0, MAX_MANIFEST_BYTES)
    second = raw.find(b"\n", first + 1, MAX_MANIFEST_BYTES) if first >= 0 else -1
    if first < 0 or second < 0:
        if len(raw) < MAX_MANIFEST_BYTES:
            raise BundleError("fichier tronqué (en-tête incomplet)")
        raise BundleError("en-tête illisible (ce n'est pas un fichier de synchronisation valide)")
    header = raw[:first].split(b" ")
    line = raw[first + 1 : second]
    if len(header) not in (2, 3) or header[1] != sha256(line).encode():
        raise BundleError("fichier endommagé (somme de contrôle du manifeste fausse)")
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError:
        raise BundleError("manifeste illisible") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BundleError("manifeste illisible")
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise BundleError(
            f"fichier écrit par une version plus récente de CitésLab (format {version}, "
            f"cette version lit jusqu'au {FORMAT_VERSION}) : mettez l'application à jour"
        )
    if version == 1:
        raise BundleError(
            "fichier écrit par une ancienne version de CitésLab (format 1, non signé) : "
            "mettez à jour le poste qui l'a écrit, puis refaites l'envoi"
        )
    try:
        manifest = Manifest.model_validate_json(line, strict=True)
    except pydantic.ValidationError as exc:
        raise BundleError(
            f"manifeste incomplet ou incohérent (champ « {_field_name(exc)} » invalide)"
        ) from None
    if manifest.seq_from > manifest.seq_to:
        raise BundleError("manifeste incohérent (numéros de changements à l'envers)")
    signature: bytes | None = None
    if len(header) == 3 and header[2] != b"-":
        try:
            signature = base64.b64decode(header[2], validate=True)
        except ValueError:
            raise BundleError("signature illisible (fichier endommagé)") from None
    if (signature is None) != (manifest.signature == "none"):
        raise BundleError("fichier endommagé (signature absente ou inattendue)")
    payload = raw[second + 1 :]
    if len(payload) < manifest.payload_bytes:
        raise BundleError(
            f"fichier tronqué ({len(payload)} octets de données sur {manifest.payload_bytes})"
        )
    if len(payload) > manifest.payload_bytes:
        raise BundleError(
            f"fichier endommagé ({len(payload) - manifest.payload_bytes} octets en trop après "
            "les données annoncées)"
        )
    if sha256(payload) != manifest.payload_sha256:
        raise BundleError("fichier endommagé (somme de contrôle des données fausse)")
    return Parsed(manifest=manifest, payload=payload, signature=signature, signed=line)
