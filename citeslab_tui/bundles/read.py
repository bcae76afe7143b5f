"""Reading a received bundle: every check of one file, behind one entry point.

`read_bundle(raw, trust, local) -> Bundle` refuses a file with a French `BundleError`
(or `BundleIgnored`: a file that is not for this device), checking in this order:

1. its layout: header, manifest, checksums (`codec.split_bundle`);
2. that it is for this device: not written by itself; a laptop reads only its
   office's return files, and (after step 3) only those written for it (`for_device`);
3. who wrote it (`Trust`): this structure's id; at the office a laptop enrolled and not
   revoked, on a laptop the office it trusts; its Ed25519 signature (`allow_unsigned`
   lets an unsigned file or an unenrolled laptop in: the CLI's --allow-unsigned);
4. its encryption (`allow_unencrypted` lets a plain file in), then decryption;
5. its content: decompressed within bounds, as many records as announced, each valid
   and canonical (`wire.canonical_records`), the counts per kind as announced;
6. its ids: each once in the file, never the id of a record of another kind here.

`read_file(path)` reads a file no larger than `MAX_BUNDLE_BYTES`; `clock_offset` says
whether a clock in the file was notably off. What a set of files claims about each
other and the database is checked by `claims.py`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from citeslab_tui.bundles import codec, keys, wire
from citeslab_tui.bundles.codec import BundleError, Manifest
from citeslab_tui.bundles.identity import DeviceIdentity
from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.domain.hlc import SKEW_NOTICE_MS, Timestamp
from citeslab_tui.domain.models import RECORD_TYPES, Settings
from citeslab_tui.domain.text import format_date

ALLOW_UNSIGNED = "--allow-unsigned"
ALLOW_UNENCRYPTED = "--allow-unencrypted"
FULL_FILE = 2000  # records: above, the ids are checked against one pass over the database


class BundleIgnored(BundleError):
    """A file that is not for this device (its own, another laptop's): set aside."""


class Local(Protocol):
    """What the database here says about the records a file carries (a Repository)."""

    def doc(self, kind: str, record_id: str) -> dict[str, Any] | None: ...

    def kind_of(self, record_id: str) -> str | None: ...

    def docs(self, kind: str, *, include_deleted: bool = False) -> Iterator[dict[str, Any]]: ...


@dataclass(frozen=True)
class Trust:
    """Whom this device trusts, and how it decrypts ("the keys" of read_bundle)."""

    device: str  # this device's id
    role: str  # "laptop" or "office"
    structure: str  # this structure's id ("" not known yet)
    decrypt: Callable[[bytes], bytes]
    enrolled: dict[str, dict[str, Any]] = field(default_factory=dict)  # at the office
    office: DeviceIdentity | None = None  # on a laptop
    problem: str = ""  # the key files could not be read (French): every file refused
    allow_unsigned: bool = False
    allow_unencrypted: bool = False

    @classmethod
    def of(
        cls,
        folder: Path,
        settings: Settings,
        device: str,
        *,
        allow_unsigned: bool = False,
        allow_unencrypted: bool = False,
    ) -> Trust:
        """The trust of the data folder `folder` (its key files, read once)."""
        enrolled: dict[str, dict[str, Any]] = {}
        office: DeviceIdentity | None = None
        problem = ""
        try:
            if settings.role == "office":
                enrolled = keys.enrolled(folder)
            else:
                office = keys.office_identity(folder)
        except CitesLabError as exc:
            problem = exc.message
        return cls(
            device=device,
            role=settings.role,
            structure=settings.structure_id,
            decrypt=lambda payload: keys.decrypt(folder, payload),
            enrolled=enrolled,
            office=office,
            problem=problem,
            allow_unsigned=allow_unsigned,
            allow_unencrypted=allow_unencrypted,
        )


@dataclass
class Bundle:
    """A file read and checked: its manifest and its records in canonical form."""

    manifest: Manifest
    records: list[tuple[str, dict[str, Any]]]


def read_file(path: Path) -> bytes:
    """The bytes of a bundle file, or BundleError when it is too large to be one."""
    size = path.stat().st_size
    if size > codec.MAX_BUNDLE_BYTES:
        raise BundleError(
            f"fichier trop gros ({size // 2**20} Mio, maximum "
            f"{codec.MAX_BUNDLE_BYTES // 2**20} Mio) : ce n'est pas un envoi CitésLab "
            "ordinaire ; il n'a pas été lu"
        )
    return path.read_bytes()


def _who(manifest: Manifest) -> str:
    if manifest.role == "office":
        return f"du bureau ({manifest.device_name or manifest.device})"
    return f"du poste {manifest.device_name or manifest.device}"


def authenticate(parsed: codec.Parsed, trust: Trust) -> None:
    """The file comes from a device this one trusts, of this structure; BundleError."""
    m = parsed.manifest
    here = trust.structure
    if not here:
        raise BundleError(
            "ce poste ne connaît pas encore sa structure : installez l'identité du bureau "
            "(F5 Synchro, F9 Clés ; ou « citeslab keys trust FICHIER »), puis recommencez"
        )
    if m.structure != here:
        raise BundleError(
            f"ce fichier vient d'une autre structure (identifiant {m.structure[:8] or 'absent'}, "
            f"ici {here[:8]}) : il n'est pas destiné à ce poste ; vérifiez la clé USB"
        )
    unsigned_hint = (
        f"pour l'importer quand même (provenance vérifiée autrement) : citeslab sync import "
        f"{ALLOW_UNSIGNED} CHEMIN"
    )
    if trust.role == "office":
        if m.role != "laptop":
            raise BundleError(
                f"fichier écrit par un autre poste de bureau ({m.device_name or m.device}) : "
                "seuls les envois des portables s'importent au bureau"
            )
        entry = trust.enrolled.get(m.device)
        identity = keys.enrolled_identity(entry) if entry else None
        if entry is not None and entry.get("revoked_at"):
            when = str(entry["revoked_at"])[:10]
            raise BundleError(
                f"le poste {m.device_name or m.device} a été retiré le "
                f"{format_date(datetime.fromisoformat(when).date())} (citeslab keys revoke) : "
                "ses fichiers ne sont plus acceptés"
            )
        if identity is None:
            if trust.allow_unsigned:
                return
            raise BundleError(
                f"le poste {m.device_name or m.device} n'est pas inscrit au bureau : "
                "inscrivez-le (F5 Synchro, F9 Clés ; ou « citeslab keys enroll FICHIER ») "
                "avec le fichier d'identité écrit sur ce portable (F9 Clés, Ctrl+E ; ou "
                f"« citeslab keys export ») ; {unsigned_hint}"
            )
        public = identity.ed25519
    else:
        office = trust.office
        if office is None:
            raise BundleError(
                "ce poste n'a pas l'identité du bureau : installez-la (F5 Synchro, F9 Clés ; "
                "ou « citeslab keys trust FICHIER »), puis recommencez"
            )
        if m.device != office.device:
            raise BundleError(
                f"fichier retour d'un autre bureau ({m.device_name or m.device}) : ce poste "
                f"fait confiance au bureau {office.label}"
            )
        public = office.ed25519
    if parsed.signature is None:
        if trust.allow_unsigned:
            return
        raise BundleError(
            f"fichier NON signé : rien ne prouve qu'il vient bien {_who(m)} ; refaites "
            f"l'envoi avec la version à jour de CitésLab ; {unsigned_hint}"
        )
    if not keys.verify(public, codec.signed_message(parsed.signed), parsed.signature):
        raise BundleError(
            f"signature invalide : ce fichier n'a pas été écrit {_who(m)} ou il a été modifié "
            "depuis ; ne l'importez pas, et refaites l'envoi depuis ce poste"
        )


def _decrypted(parsed: codec.Parsed, trust: Trust) -> bytes:
    manifest, payload = parsed.manifest, parsed.payload
    if manifest.encryption == "none":
        if not trust.allow_unencrypted:
            raise BundleError(
                "fichier NON chiffré (écrit avec --unencrypted) : les données "
                "personnelles ont voyagé en clair ; refaites l'envoi chiffré, ou pour "
                f"l'importer quand même : citeslab sync import {ALLOW_UNENCRYPTED} CHEMIN"
            )
        return payload
    try:
        return trust.decrypt(payload)
    except CitesLabError as exc:
        if manifest.role == "office" and trust.role != "office":
            raise BundleError(
                exc.message + " ; si ce portable vient d'être inscrit au bureau, "
                "demandez un nouveau fichier retour"
            ) from None
        raise BundleError(exc.message) from None


def check_ids(records: list[tuple[str, dict[str, Any]]], local: Local | None) -> None:
    """Each id once per file, and never the id of a record of another kind here."""
    seen: set[str] = set()
    kinds: dict[str, str] | None = None
    if local is not None and len(records) > FULL_FILE:  # one pass beats a lookup each
        kinds = {d["id"]: k for k in RECORD_TYPES for d in local.docs(k, include_deleted=True)}
    for n, (kind, doc) in enumerate(records, start=1):
        record_id = doc["id"]
        if record_id in seen:
            raise BundleError(
                f"{wire.record_name(n, kind, record_id)} : identifiant en double dans le fichier"
            )
        seen.add(record_id)
        if local is None:
            continue
        found = kinds.get(record_id) if kinds is not None else local.kind_of(record_id)
        if found is not None and found != kind:
            raise BundleError(
                f"{wire.record_name(n, kind, record_id)} : identifiant déjà utilisé ici "
                "par un autre type"
            )


def read_bundle(raw: bytes, trust: Trust, local: Local | None = None) -> Bundle:
    """A received file, checked whole (see the module docstring); BundleError (French)
    otherwise, BundleIgnored when the file is not for this device. `local`: the database
    here (a record identical to its stored version is taken as stored)."""
    parsed = codec.split_bundle(raw)
    manifest = parsed.manifest
    if manifest.device == trust.device:
        raise BundleIgnored("écrit par ce poste-ci")
    if trust.role != "office" and manifest.role != "office":
        raise BundleIgnored("envoi d'un autre portable, pour le bureau")
    if trust.problem:
        raise BundleError(trust.problem)
    authenticate(parsed, trust)
    if trust.role != "office" and manifest.for_device not in ("", trust.device):
        raise BundleIgnored(f"fichier retour du portable {manifest.for_device}")
    # validated piece by piece as the payload is parsed (codec.iter_payload): the
    # records as read and their canonical form are never both whole in memory
    records: list[tuple[str, dict[str, Any]]] = []
    strings: dict[str, str] = {}
    found = 0
    stored = local.doc if local is not None else None
    for piece in codec.iter_payload(_decrypted(parsed, trust), manifest.count):
        if found + len(piece) <= manifest.count:  # else only counted, for the message
            records += wire.canonical_records(piece, stored, first=found + 1, strings=strings)
        found += len(piece)
    if found != manifest.count:
        raise BundleError(
            f"le manifeste annonce {manifest.count} enregistrement(s) mais le fichier "
            f"en contient {found}"
        )
    counts: dict[str, int] = {}
    for kind, _doc in records:
        counts[kind] = counts.get(kind, 0) + 1
    if {k: v for k, v in manifest.counts.items() if v} != counts:
        raise BundleError("le manifeste ne correspond pas au contenu (nombre par type)")
    check_ids(records, local)
    return Bundle(manifest, records)


def clock_offset(bundle: Bundle, now_ms: int | None = None) -> tuple[int, str]:
    """(ms, device) when a clock in the file was notably off (0 within SKEW_NOTICE_MS):
    a modification stamped in our future (> 0, by the device named in its clock), or the
    sender's clock behind its own latest modification when it wrote the file (< 0)."""
    manifest, records = bundle.manifest, bundle.records
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    newest: Timestamp | None = None
    # validated clocks sort as text the way they sort as time: one parse
    latest = max((str(doc["meta"].get("hlc") or "") for _k, doc in records), default="")
    for stamp in (manifest.hlc_max, latest):
        try:
            parsed = Timestamp.parse_strict(stamp)
        except CitesLabError:
            continue
        if newest is None or parsed > newest:
            newest = parsed
    try:
        created = int(datetime.fromisoformat(manifest.created).timestamp() * 1000)
    except ValueError:
        created = 0
    if newest is not None and newest.millis - now_ms > SKEW_NOTICE_MS:
        return newest.millis - now_ms, newest.device
    if created - now_ms > SKEW_NOTICE_MS:
        return created - now_ms, manifest.device
    if (
        newest is not None
        and created
        and newest.device == manifest.device
        and newest.millis - created > SKEW_NOTICE_MS
    ):
        return created - newest.millis, manifest.device
    return 0, ""
