"""Sync use cases: export today's changes, import bundles, the office return,
conflicts and possible duplicates to review. Called by the CLI and the sync screen.

Bookkeeping lives in the repository's local (never synced) state, written in the
same durable step as the merged records:
- `sync_exported`: local sequence number up to which changes were exported (or need
  not be: they came from the office);
- `sync_sent_to`: end of the last sequence range sent (ranges are contiguous);
- `sync_pending`: [from, to] of a bundle being written, recorded durably BEFORE the
  file is written and cleared once it is verified and recorded: after a crash in
  between, the next export starts again at `from` (the office merges the overlap);
- `sync_ranges`: {device: [[from, to], ...]} sequence ranges imported per device;
- `sync_files`: {sha256 of file: {device, from, to, at}} files already imported;
- `sync_clocks`: {device: {"offset_ms", "at"}} clock skew seen in its last file;
- `sync_different`: [[id, id], ...] person pairs marked "different".

Who may send what (keys: sync/keys.py): the office imports bundles signed by the
laptops enrolled there (`citeslab keys enroll`), a laptop imports the return file
signed by the office it trusts (`citeslab keys trust`); both check the structure id
in the manifest. Unsigned or unencrypted files are refused unless the caller allows
them explicitly (`allow_unsigned`, `allow_unencrypted`: the CLI's `--allow-unsigned`
and `--allow-unencrypted`).
"""

from __future__ import annotations

import contextlib
import gzip
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from citeslab_tui import __version__
from citeslab_tui.domain import display, identity
from citeslab_tui.domain import merge as merging
from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.domain.hlc import SKEW_NOTICE_MS, Timestamp, clock_problem
from citeslab_tui.domain.models import PERSON_LINKED_KINDS, RECORD_TYPES, Person
from citeslab_tui.domain.records import content_of
from citeslab_tui.domain.text import format_date, format_duration, format_phone
from citeslab_tui.perf import no_gc
from citeslab_tui.services.workspace import Workspace
from citeslab_tui.store.files import atomic_write, describe_os_error
from citeslab_tui.store.repository import Repository
from citeslab_tui.sync import bundle as bundles
from citeslab_tui.sync import keys, wire
from citeslab_tui.sync.bundle import BundleError, Manifest
from citeslab_tui.sync.identity import DeviceIdentity

Progress = Callable[[float, str], None]
ALLOW_UNSIGNED = "--allow-unsigned"
ALLOW_UNENCRYPTED = "--allow-unencrypted"


def describe_counts(counts: dict[str, int], *, empty: str = "aucun enregistrement") -> str:
    """ "12 personnes, 19 entretiens, 7 tâches" (kinds with zero left out)."""
    return display.count_phrase(counts, empty=empty)


def _copy(value: Any) -> Any:
    return orjson.loads(orjson.dumps(value))


def _now_stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def _notify(progress: Progress | None, fraction: float, text: str) -> None:
    if progress is not None:
        progress(min(max(fraction, 0.0), 1.0), text)


def _sentence(reason: str) -> str:
    """A reason embedded in a sentence: no final period of its own ("maximum 80).")."""
    return reason.rstrip().rstrip(".")


# --- export ---------------------------------------------------------------------------


@dataclass
class ExportResult:
    path: Path | None
    counts: dict[str, int]
    seq_from: int = 0
    seq_to: int = 0
    encrypted: bool = True
    message: str = ""


def _changed_docs(repo: Repository, since: int) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for kind in RECORD_TYPES:
        for doc in repo.docs(kind, include_deleted=True):
            if int(doc.get("meta", {}).get("lseq", 0)) > since:
                out.append((kind, doc))
    out.sort(key=lambda item: item[1]["meta"].get("lseq", 0))
    return out


def pending_changes(repo: Repository) -> dict[str, int]:
    """What the next export will carry, per kind."""
    counts: dict[str, int] = {}
    for kind, _doc in _changed_docs(repo, int(repo.local_state("sync_exported", 0))):
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def _write_verified(folder: Path, name: str, data: bytes, *, private: bool = False) -> Path:
    """Write atomically (`files.atomic_write`: temporary name, fsync, rename, fsync of the
    folder), read back from the medium and compare (FAT32 sticks). `private`: the file
    is owner-only (an unencrypted bundle)."""
    if not folder.is_dir():
        raise CitesLabError(f"Le dossier {folder} n'existe pas (clé USB branchée ?).")
    target = folder / name
    # temporary copies left on the stick by an earlier crash of this device's send
    # (`.<name>.<random>.tmp`; before, `<name>.tmp`)
    prefix = name.rsplit("-", 4)[0]  # citeslab-<device>
    for pattern in (f".{prefix}-*{bundles.SUFFIX}.*.tmp", f"{prefix}-*{bundles.SUFFIX}.tmp"):
        for stale in folder.glob(pattern):
            with contextlib.suppress(OSError):
                stale.unlink()
    try:
        atomic_write(target, data, private=private)
        with open(target, "rb") as handle:
            if hasattr(os, "posix_fadvise"):  # read the medium, not the page cache
                try:
                    os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
                except OSError:
                    pass
            back = handle.read()
    except OSError as exc:
        raise CitesLabError(describe_os_error(exc, f"Écriture dans {folder} impossible")) from None
    if bundles.sha256(back) != bundles.sha256(data):
        raise CitesLabError(
            f"La copie relue de {name} ne correspond pas à ce qui a été écrit : "
            "la clé USB est peut-être défectueuse. Réessayez sur un autre support."
        )
    return target


def _structure_id(repo: Repository) -> str:
    structure = repo.settings.structure_id
    if not structure:
        raise CitesLabError(
            "Ce portable ne connaît pas encore le bureau : installez son identité avec "
            "« citeslab keys trust FICHIER » (fichier écrit au bureau par « citeslab keys "
            "export »), puis recommencez."
        )
    return structure


def _recipients_for_export(repo: Repository, unencrypted: bool) -> list[str]:
    if unencrypted:
        return []
    office = keys.office_key(repo.folder)
    if not office:
        raise CitesLabError(
            "Aucune identité du bureau n'est installée sur ce poste : lancez "
            "« citeslab keys trust FICHIER » avec le fichier d'identité du bureau, "
            "ou exportez en clair avec --unencrypted (déconseillé)."
        )
    return [office, *keys.escrow_keys(repo.folder)]


@dataclass
class ExportPlan:
    """An export decided and serialised on the thread that owns the repository;
    `write_export` (any thread, no repository) then compresses, encrypts, signs,
    writes and verifies; `commit_export` (owner thread) records it."""

    kind: str  # "export" or "return"
    manifest: Manifest
    raw: bytes  # JSON array of [kind, document]
    counts: dict[str, int]
    recipients: list[str]
    local: dict[str, Any]  # bookkeeping to record once the file is verified
    secret: bytes = b""  # the signing key
    resumed: tuple[int, int] | None = None  # an earlier bundle that was never recorded
    path: Path | None = None


def _plan(
    repo: Repository,
    docs: list[tuple[str, dict[str, Any]]],
    *,
    kind: str,
    seq_from: int,
    seq_to: int,
    full: bool,
    recipients: list[str],
    local: dict[str, Any],
) -> ExportPlan:
    counts: dict[str, int] = {}
    hlc_max = ""
    with no_gc():
        for record_kind, doc in docs:
            counts[record_kind] = counts.get(record_kind, 0) + 1
            hlc_max = max(hlc_max, str(doc.get("meta", {}).get("hlc", "")))
        # meta.lseq travels but is ignored on import
        raw = orjson.dumps(docs)
    manifest = Manifest(
        structure=_structure_id(repo),
        device=repo.device,
        device_name=repo.settings.device_name[:80],
        role=repo.settings.role,
        app_version=__version__,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        seq_from=seq_from,
        seq_to=seq_to,
        full=full,
        count=len(docs),
        counts=counts,
        hlc_max=hlc_max or repo.clock.last,
        encryption="age" if recipients else "none",
        signature="ed25519",
    )
    keys.ensure_identity(repo.folder)
    secret = keys.signer(repo.folder)
    return ExportPlan(kind, manifest, raw, counts, recipients, local, secret)


def plan_export(
    repo: Repository, *, full: bool = False, unencrypted: bool = False
) -> ExportPlan | None:
    """What the next export carries (None: nothing new). Owner thread.

    The range is reserved durably here, before the file is written (`sync_pending`):
    if the app dies between writing the file and recording it, the next export knows
    a file for that range may exist and starts again at its first number, so the office
    merges the overlap (idempotent) and sees no gap.
    """
    _structure_id(repo)
    recipients = _recipients_for_export(repo, unencrypted)
    exported = int(repo.local_state("sync_exported", 0))
    sent_to = int(repo.local_state("sync_sent_to", 0))
    pending = repo.local_state("sync_pending")
    since = 0 if full else exported
    docs = _changed_docs(repo, since)
    if not docs:
        return None
    # The range continues the last one sent, so the office sees no false gap when
    # numbers were skipped (changes that came from the office itself).
    seq_from = 1 if full else sent_to + 1
    resumed = None
    if isinstance(pending, list) and len(pending) == 2 and not full:
        resumed = (int(pending[0]), int(pending[1]))
        seq_from = min(seq_from, resumed[0])
    seq_to = repo.lseq
    repo.put_docs([], local={"sync_pending": [seq_from, seq_to]})
    local = {
        "sync_exported": max(exported, seq_to),
        "sync_sent_to": max(sent_to, seq_to),
        "sync_pending": None,
    }
    plan = _plan(
        repo,
        docs,
        kind="export",
        seq_from=seq_from,
        seq_to=seq_to,
        full=full,
        recipients=recipients,
        local=local,
    )
    plan.resumed = resumed
    return plan


def return_recipients(repo: Repository) -> list[str]:
    """At the office: itself, every enrolled laptop not revoked, and escrow."""
    own, _ = keys.ensure_identity(repo.folder)
    laptops = [identity.age for identity in keys.active_devices(repo.folder).values()]
    if not laptops:
        raise CitesLabError(
            "Aucun portable n'est inscrit au bureau : inscrivez chaque portable avec "
            "« citeslab keys enroll FICHIER » (fichier écrit sur le portable par « citeslab "
            "keys export »), ou écrivez le fichier retour en clair avec --unencrypted."
        )
    return [own, *laptops, *keys.escrow_keys(repo.folder)]


def plan_return(repo: Repository, *, unencrypted: bool = False) -> ExportPlan:
    """At the office: the whole merged state, for every enrolled laptop. Owner thread."""
    if repo.settings.role != "office":
        raise CitesLabError(
            "Le fichier retour s'écrit au bureau central (poste initialisé avec --office)."
        )
    recipients = [] if unencrypted else return_recipients(repo)
    docs = _changed_docs(repo, 0)
    return _plan(
        repo,
        docs,
        kind="return",
        seq_from=1 if docs else 0,
        seq_to=repo.lseq,
        full=True,
        recipients=recipients,
        local={},
    )


def write_export(plan: ExportPlan, folder: Path, progress: Progress | None = None) -> Path:
    """Compress, encrypt, sign, write under a temporary name, rename, read back,
    compare. Touches no repository: safe in a worker thread."""
    _notify(progress, 0.2, "Compression…")
    with no_gc():
        payload = gzip.compress(plan.raw, compresslevel=1, mtime=0)
    if plan.recipients:
        _notify(progress, 0.5, "Chiffrement…")
        payload = keys.encrypt(payload, plan.recipients)
    m = plan.manifest
    m.payload_sha256, m.payload_bytes = bundles.sha256(payload), len(payload)
    signature = keys.sign(plan.secret, bundles.signed_message(m.line()))
    data = bundles.encode_bundle(m, payload, signature)
    name = bundles.file_name(m.device, _now_stamp(), m.seq_from, m.seq_to)
    _notify(progress, 0.7, "Écriture et relecture…")
    plan.path = _write_verified(Path(folder), name, data, private=not plan.recipients)
    return plan.path


def commit_export(repo: Repository, plan: ExportPlan) -> ExportResult:
    """Record a verified export (owner thread) and say what went, in French."""
    assert plan.path is not None, "write_export first"
    if plan.local:
        repo.put_docs([], local=plan.local)
    from citeslab_tui.logs import log_event

    m = plan.manifest
    log_event(
        f"sync.{plan.kind}", records=m.count, seq_from=m.seq_from, seq_to=m.seq_to, full=m.full
    )
    what = describe_counts(plan.counts)
    clear = "" if plan.recipients else " (NON chiffré)"
    title = "Fichier retour prêt et vérifié" if plan.kind == "return" else "Envoi prêt et vérifié"
    message = f"{title}{clear} : {what}. Fichier {plan.path.name}."
    if plan.resumed:
        a, b = plan.resumed
        message += (
            f" Il reprend un envoi précédent interrompu (changements {a} à {b}) : si ce "
            "fichier-là est aussi sur la clé, le bureau peut importer les deux sans risque."
        )
    return ExportResult(
        plan.path, plan.counts, m.seq_from, m.seq_to, bool(plan.recipients), message
    )


NOTHING_NEW = "Rien de nouveau à envoyer depuis le dernier envoi."


def export_bundle(
    repo: Repository,
    folder: Path,
    *,
    full: bool = False,
    unencrypted: bool = False,
    progress: Progress | None = None,
) -> ExportResult:
    """Write the changes not yet exported (or everything with `full`) to `folder`."""
    folder = Path(folder)
    _notify(progress, 0.05, "Recherche des changements…")
    plan = plan_export(repo, full=full, unencrypted=unencrypted)
    if plan is None:
        return ExportResult(None, {}, message=NOTHING_NEW)
    write_export(plan, folder, progress)
    result = commit_export(repo, plan)
    _notify(progress, 1.0, "Terminé.")
    return result


def write_return(
    repo: Repository,
    folder: Path,
    *,
    unencrypted: bool = False,
    progress: Progress | None = None,
) -> ExportResult:
    """At the office: the whole merged state, encrypted to every enrolled laptop."""
    _notify(progress, 0.05, "Préparation…")
    plan = plan_return(repo, unencrypted=unencrypted)
    write_export(plan, Path(folder), progress)
    result = commit_export(repo, plan)
    _notify(progress, 1.0, "Terminé.")
    return result


# --- import -------------------------------------------------------------------------


@dataclass
class FileReport:
    path: Path
    status: str  # "imported", "already", "refused", "ignored"
    reason: str = ""
    device: str = ""
    device_name: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # e.g. the sender's clock is wrong

    def line(self) -> str:
        name = self.path.name or str(self.path)
        if self.status == "imported":
            who = f" de {self.device_name or self.device}" if self.device else ""
            text = f"{name} : importé{who} ({describe_counts(self.counts)})."
            return " ".join([text, *self.notes])
        if self.status == "already":
            return f"{name} : déjà importé, rien n'a changé."
        if self.status == "ignored":
            return f"{name} : ignoré ({_sentence(self.reason)})."
        return f"{name} : REFUSÉ — {_sentence(self.reason)}. Rien n'a été importé de ce fichier."


@dataclass
class ImportReport:
    files: list[FileReport] = field(default_factory=list)
    new: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    conflicts: int = 0
    gaps: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    duplicates: int = 0

    @property
    def refused(self) -> list[FileReport]:
        return [f for f in self.files if f.status == "refused"]

    @property
    def imported(self) -> list[FileReport]:
        return [f for f in self.files if f.status == "imported"]

    def lines(self) -> list[str]:
        out = [f.line() for f in self.files]
        if self.imported:
            out.append(f"Nouveaux : {describe_counts(self.new, empty='aucun')}.")
            out.append(f"Mis à jour : {describe_counts(self.updated, empty='aucun')}.")
            out.append(f"Inchangés : {describe_counts(self.unchanged, empty='aucun')}.")
        if self.conflicts:
            out.append(
                f"{self.conflicts} conflit(s) à examiner (modifications simultanées) : "
                "« citeslab sync conflicts » ou l'écran Synchro (F5)."
            )
        if self.duplicates:
            out.append(
                f"{self.duplicates} doublon(s) possible(s) à examiner : "
                "« citeslab sync duplicates » ou l'écran Synchro (F5)."
            )
        for device, holes in sorted(self.gaps.items()):
            for a, b in holes:
                out.append(
                    f"Il manque un fichier du poste {device} : changements {a} à {b} "
                    "non reçus (demandez ce fichier, ou un envoi complet --full)."
                )
        return out

    def short_lines(self) -> list[str]:
        """A compact summary for the sync screen (refusals and gaps first)."""
        out = [f.line() for f in self.refused]
        out += [note for f in self.imported for note in f.notes]
        counts = {s: sum(1 for f in self.files if f.status == s) for s in ("imported", "already")}
        head = f"{counts['imported']} fichier(s) importé(s)"
        if counts["already"]:
            head += f", {counts['already']} déjà importé(s) (rien n'a changé)"
        ignored = sum(1 for f in self.files if f.status == "ignored")
        if ignored:
            head += f", {ignored} ignoré(s)"
        out.append(head + ".")
        if self.imported:
            out.append(f"Nouveaux : {describe_counts(self.new, empty='aucun')}.")
            out.append(f"Mis à jour : {describe_counts(self.updated, empty='aucun')}.")
        for device, holes in sorted(self.gaps.items()):
            for a, b in holes:
                out.append(f"Il manque un fichier du poste {device} (changements {a} à {b}).")
        return out


@dataclass
class _Good:
    report: FileReport
    manifest: Manifest
    sha: str
    records: list[tuple[str, dict[str, Any]]]
    offset_ms: int = 0  # a clock in the file: ahead (> 0) or behind (< 0) when notable
    offset_device: str = ""  # whose clock


def collect_paths(paths: Iterable[Path | str]) -> tuple[list[Path], list[FileReport]]:
    """Bundle files to read (folders expanded) and reports for what is skipped."""
    files: list[Path] = []
    notes: list[FileReport] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            entries = sorted(p for p in path.iterdir() if p.is_file())
            found = [p for p in entries if bundles.is_bundle_name(p.name)]
            if not found:
                notes.append(
                    FileReport(
                        path,
                        "refused",
                        "aucun fichier de synchronisation CitésLab (.cslb) dans ce dossier",
                    )
                )
            for other in entries:
                if other not in found and not other.name.startswith("."):
                    notes.append(
                        FileReport(other, "ignored", "pas un fichier de synchronisation CitésLab")
                    )
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            notes.append(FileReport(path, "refused", "fichier ou dossier introuvable"))
    unique = list(dict.fromkeys(p.resolve() for p in files))
    return unique, notes


def _check_ids(repo: Repository, records: list[tuple[str, dict[str, Any]]]) -> None:
    """Each id once per file, and never the id of a record of another kind here."""
    seen: set[str] = set()
    kinds: dict[str, str] | None = None
    if len(records) > 2000:  # a full file: one pass over what is stored beats a lookup each
        kinds = {d["id"]: k for k in RECORD_TYPES for d in repo.docs(k, include_deleted=True)}
    for n, (kind, doc) in enumerate(records, start=1):
        record_id = doc["id"]
        if record_id in seen:
            raise BundleError(
                f"{wire.record_name(n, kind, record_id)} : identifiant en double dans le fichier"
            )
        seen.add(record_id)
        found = kinds.get(record_id) if kinds is not None else repo.kind_of(record_id)
        if found is not None and found != kind:
            raise BundleError(
                f"{wire.record_name(n, kind, record_id)} : identifiant déjà utilisé ici "
                "par un autre type"
            )


def _holes(ranges: list[list[int]]) -> list[tuple[int, int]]:
    holes = []
    expect = 1
    for a, b in sorted(ranges):
        if a > expect:
            holes.append((expect, a - 1))
        expect = max(expect, b + 1)
    return holes


def import_bundles(
    repo: Repository,
    paths: Iterable[Path | str],
    *,
    progress: Progress | None = None,
    allow_unsigned: bool = False,
    allow_unencrypted: bool = False,
) -> ImportReport:
    """Validate every file first, then merge all good ones in one durable step.

    A bad file is refused whole (French reason) and contributes nothing; the
    others still go in. A file already imported changes nothing.
    """
    with no_gc():
        prepared = prepare_import(
            repo,
            paths,
            progress,
            allow_unsigned=allow_unsigned,
            allow_unencrypted=allow_unencrypted,
        )
        return apply_import(repo, prepared, progress)


@dataclass
class PreparedImport:
    report: ImportReport
    good: list[_Good]
    seen_files: dict[str, Any]
    ranges: dict[str, list[list[int]]]


def prepare_import(
    repo: Repository,
    paths: Iterable[Path | str],
    progress: Progress | None = None,
    *,
    allow_unsigned: bool = False,
    allow_unencrypted: bool = False,
) -> PreparedImport:
    """Read, authenticate, decrypt and validate every file; writes nothing (safe in a
    worker thread: it only looks documents up)."""
    with no_gc():
        return _prepare(repo, paths, progress, allow_unsigned, allow_unencrypted)


def _who(manifest: Manifest) -> str:
    if manifest.role == "office":
        return f"du bureau ({manifest.device_name or manifest.device})"
    return f"du poste {manifest.device_name or manifest.device}"


def _authenticate(
    repo: Repository,
    parsed: bundles.Parsed,
    allow_unsigned: bool,
    enrolled: dict[str, dict[str, Any]],
    office: DeviceIdentity | None,
) -> None:
    """The file comes from a device this one trusts, of this structure; BundleError."""
    m = parsed.manifest
    here = repo.settings.structure_id
    if not here:
        raise BundleError(
            "ce poste ne connaît pas encore sa structure : installez l'identité du bureau "
            "(« citeslab keys trust FICHIER »), puis recommencez"
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
    if repo.settings.role == "office":
        if m.role != "laptop":
            raise BundleError(
                f"fichier écrit par un autre poste de bureau ({m.device_name or m.device}) : "
                "seuls les envois des portables s'importent au bureau"
            )
        entry = enrolled.get(m.device)
        identity = keys.enrolled_identity(entry) if entry else None
        if entry is not None and entry.get("revoked_at"):
            when = str(entry["revoked_at"])[:10]
            raise BundleError(
                f"le poste {m.device_name or m.device} a été retiré le "
                f"{format_date(datetime.fromisoformat(when).date())} (citeslab keys revoke) : "
                "ses fichiers ne sont plus acceptés"
            )
        if identity is None:
            if allow_unsigned:
                return
            raise BundleError(
                f"le poste {m.device_name or m.device} n'est pas inscrit au bureau : "
                "inscrivez-le avec « citeslab keys enroll FICHIER » (fichier écrit sur ce "
                f"portable par « citeslab keys export ») ; {unsigned_hint}"
            )
        public = identity.ed25519
    else:
        if office is None:
            raise BundleError(
                "ce poste n'a pas l'identité du bureau : installez-la avec « citeslab keys "
                "trust FICHIER », puis recommencez"
            )
        if m.device != office.device:
            raise BundleError(
                f"fichier retour d'un autre bureau ({m.device_name or m.device}) : ce poste "
                f"fait confiance au bureau {office.label}"
            )
        public = office.ed25519
    if parsed.signature is None:
        if allow_unsigned:
            return
        raise BundleError(
            f"fichier NON signé : rien ne prouve qu'il vient bien {_who(m)} ; refaites "
            f"l'envoi avec la version à jour de CitésLab ; {unsigned_hint}"
        )
    if not keys.verify(public, bundles.signed_message(parsed.signed), parsed.signature):
        raise BundleError(
            f"signature invalide : ce fichier n'a pas été écrit {_who(m)} ou il a été modifié "
            "depuis ; ne l'importez pas, et refaites l'envoi depuis ce poste"
        )


def _clock_offset(manifest: Manifest, records: list[tuple[str, dict[str, Any]]]) -> tuple[int, str]:
    """(ms, device) when a clock in the file was notably off (0 within SKEW_NOTICE_MS):
    a modification stamped in our future (> 0, by the device named in its clock), or the
    sender's clock behind its own latest modification when it wrote the file (< 0)."""
    now_ms = int(time.time() * 1000)
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


def _clock_note(manifest: Manifest, offset: int, device: str, me: str) -> str:
    if device == me:  # our own modifications, stamped while our clock was ahead
        return (
            f"Attention : des modifications de ce poste-ci sont datées d'environ "
            f"{format_duration(offset)} dans le futur : son horloge était en avance. Elles "
            "sont importées ; vérifiez la date et l'heure de cet ordinateur."
        )
    who = manifest.device_name or device if device == manifest.device else device
    if offset > 0:
        return (
            f"Attention : l'horloge du poste {who} est en avance d'environ "
            f"{format_duration(offset)} (modifications datées dans le futur) ; elles sont "
            "importées, mais faites régler la date de cet ordinateur."
        )
    return (
        f"Attention : l'horloge du poste {who} retarde d'environ {format_duration(offset)} "
        "sur ses propres modifications ; elles sont importées, mais faites régler la date "
        "de cet ordinateur."
    )


def _read(path: Path) -> bytes:
    size = path.stat().st_size
    if size > bundles.MAX_BUNDLE_BYTES:
        raise BundleError(
            f"fichier trop gros ({size // 2**20} Mio, maximum "
            f"{bundles.MAX_BUNDLE_BYTES // 2**20} Mio) : ce n'est pas un envoi CitésLab "
            "ordinaire ; il n'a pas été lu"
        )
    return path.read_bytes()


def _prepare(
    repo: Repository,
    paths: Iterable[Path | str],
    progress: Progress | None,
    allow_unsigned: bool,
    allow_unencrypted: bool,
) -> PreparedImport:
    files, notes = collect_paths(paths)
    report = ImportReport(files=list(notes))
    seen_files: dict[str, Any] = _copy(repo.local_state("sync_files", {}) or {})
    ranges: dict[str, list[list[int]]] = _copy(repo.local_state("sync_ranges", {}) or {})
    good: list[_Good] = []
    total = max(len(files), 1)
    is_office = repo.settings.role == "office"
    trust_error = ""
    enrolled: dict[str, dict[str, Any]] = {}
    office: DeviceIdentity | None = None
    try:
        if is_office:
            enrolled = keys.enrolled(repo.folder)
        else:
            office = keys.office_identity(repo.folder)
    except CitesLabError as exc:
        trust_error = exc.message
    for i, path in enumerate(files):
        _notify(progress, 0.6 * i / total, f"Vérification de {path.name}…")
        entry = FileReport(path, "refused")
        report.files.append(entry)
        try:
            raw = _read(path)
        except BundleError as exc:
            entry.reason = exc.message
            continue
        except OSError as exc:
            entry.reason = describe_os_error(exc, "lecture impossible")
            continue
        sha = bundles.sha256(raw)
        if sha in seen_files or any(g.sha == sha for g in good):
            entry.status = "already"
            continue
        try:
            parsed = bundles.split_bundle(raw)
            manifest, payload = parsed.manifest, parsed.payload
            entry.device, entry.device_name = manifest.device, manifest.device_name
            if manifest.device == repo.device:
                entry.status, entry.reason = "ignored", "écrit par ce poste-ci"
                continue
            if not is_office and manifest.role != "office":
                entry.status, entry.reason = "ignored", "envoi d'un autre portable, pour le bureau"
                continue
            if trust_error:
                raise BundleError(trust_error)
            _authenticate(repo, parsed, allow_unsigned, enrolled, office)
            if manifest.encryption == "none":
                if not allow_unencrypted:
                    raise BundleError(
                        "fichier NON chiffré (écrit avec --unencrypted) : les données "
                        "personnelles ont voyagé en clair ; refaites l'envoi chiffré, ou pour "
                        f"l'importer quand même : citeslab sync import {ALLOW_UNENCRYPTED} CHEMIN"
                    )
            else:
                try:
                    payload = keys.decrypt(repo.folder, payload)
                except CitesLabError as exc:
                    if manifest.role == "office" and not is_office:
                        raise BundleError(
                            exc.message + " ; si ce portable vient d'être inscrit au bureau, "
                            "demandez un nouveau fichier retour"
                        ) from None
                    raise
            data = bundles.decode_payload(payload, manifest.count)
            if len(data) != manifest.count:
                raise BundleError(
                    f"le manifeste annonce {manifest.count} enregistrement(s) mais le fichier "
                    f"en contient {len(data)}"
                )
            records = wire.canonical_records(data, repo.doc)
            counts: dict[str, int] = {}
            for kind, _doc in records:
                counts[kind] = counts.get(kind, 0) + 1
            if {k: v for k, v in manifest.counts.items() if v} != counts:
                raise BundleError("le manifeste ne correspond pas au contenu (nombre par type)")
            _check_ids(repo, records)
        except CitesLabError as exc:
            entry.reason = exc.message
            continue
        except Exception as exc:  # never a traceback: anything unexpected refuses the file
            from citeslab_tui.logs import log_unexpected

            log_unexpected(exc)
            entry.reason = "fichier illisible (erreur inattendue, détail dans le journal)"
            continue
        entry.status = "imported"
        entry.counts = dict(manifest.counts) or {}
        offset, skewed = _clock_offset(manifest, records)
        if offset:
            entry.notes.append(_clock_note(manifest, offset, skewed, repo.device))
        good.append(_Good(entry, manifest, sha, records, offset, skewed))
    _check_claims(repo, good, ranges)
    return PreparedImport(
        report, [g for g in good if g.report.status == "imported"], seen_files, ranges
    )


def _check_claims(repo: Repository, good: list[_Good], ranges: dict[str, list[list[int]]]) -> None:
    """Version vectors that cannot lie: a file from device X may not claim, for X, more
    writes than the sequence numbers X ever declared, nor (at the office), for another
    device Y, more writes of a record than this database holds or receives from Y in
    the same call (laptops only learn other laptops' writes through the office). A
    lying file is refused whole (its claims would make the merge drop genuine later
    writes); the check runs again until no refused file remains counted as a source.
    A laptop checks only the office's claims about itself: the office checked the rest."""
    me, is_office = repo.device, repo.settings.role == "office"
    while True:
        live = [g for g in good if g.report.status == "imported"]
        declared: dict[str, int] = {}
        for device, spans in ranges.items():
            declared[device] = max((b for _a, b in spans), default=0)
        for g in live:
            m = g.manifest
            declared[m.device] = max(declared.get(m.device, 0), m.seq_to)
        from_author: dict[str, dict[str, int]] = {}  # record id -> device -> counter
        if is_office:
            for g in live:
                author = g.manifest.device
                for _kind, doc in g.records:
                    counter = doc["meta"]["vv"].get(author, 0)
                    seen = from_author.setdefault(doc["id"], {})
                    seen[author] = max(seen.get(author, 0), counter)
        refused = False
        for g in live:
            problem = _lie(repo, g, me, is_office, declared, from_author)
            if problem:
                g.report.status, g.report.reason = "refused", problem
                g.report.notes = []
                refused = True
        if not refused:
            return


def _lie(
    repo: Repository,
    g: _Good,
    me: str,
    is_office: bool,
    declared: dict[str, int],
    from_author: dict[str, dict[str, int]],
) -> str | None:
    author = g.manifest.device
    for n, (kind, doc) in enumerate(g.records, start=1):
        local = repo.doc(kind, doc["id"])
        local_vv = (local or {}).get("meta", {}).get("vv", {}) if local else {}
        for device, counter in doc["meta"]["vv"].items():
            if device == author:
                limit = declared.get(author, 0)
                why = f"alors que ce poste n'a jamais déclaré plus de {limit} changement(s)"
            elif not is_office:
                continue  # a laptop trusts its office's signed file: the office checked it
            elif device == me:
                limit = max(int(local_vv.get(me, 0)), repo.lseq)
                why = f"alors que ce poste-ci n'en a fait que {limit} au plus"
            else:
                limit = max(
                    int(local_vv.get(device, 0)), from_author.get(doc["id"], {}).get(device, 0)
                )
                why = f"alors que le bureau n'en a reçu que {limit} de ce poste"
            if counter > limit:
                return (
                    f"{wire.record_name(n, kind, doc['id'])} : son vecteur de versions annonce "
                    f"{counter} modification(s) du poste {device} {why} (vecteur falsifié, ou "
                    "envois manquants) ; fichier refusé en entier. Si des envois du poste "
                    f"{device} manquent, importez-les d'abord (ou demandez-lui un envoi complet "
                    "--full), puis réimportez ce fichier"
                )
    return None


def apply_import(
    repo: Repository, prepared: PreparedImport, progress: Progress | None = None
) -> ImportReport:
    """Merge every good file and write in ONE durable save (owner thread)."""
    with no_gc():
        return _apply(repo, prepared, progress)


def _apply(repo: Repository, prepared: PreparedImport, progress: Progress | None) -> ImportReport:
    report, good = prepared.report, prepared.good
    seen_files, ranges = prepared.seen_files, prepared.ranges
    if not good:
        _notify(progress, 1.0, "Terminé.")
        return report

    _notify(progress, 0.65, "Fusion…")
    incoming: dict[str, tuple[str, dict[str, Any]]] = {}
    for g in good:
        for kind, doc in g.records:
            have = incoming.get(doc["id"])
            if have is None:
                incoming[doc["id"]] = (kind, doc)
            elif have[0] == kind:
                incoming[doc["id"]] = (kind, merging.merge_docs(have[1], doc, kind))
    changed: list[tuple[str, dict[str, Any]]] = []
    fold_journal = False  # personal data held here was just erased by the merge
    touched_persons: set[str] = set()
    for kind, doc in incoming.values():
        local = repo.doc(kind, doc["id"])
        if local is None:
            merged = doc
            report.new[kind] = report.new.get(kind, 0) + 1
        elif local is doc or merging.includes(local, doc):
            # this database has already seen every write of the incoming version: the
            # merge would give the local version back (the morning's full return file)
            report.unchanged[kind] = report.unchanged.get(kind, 0) + 1
            continue
        else:
            merged = merging.merge_docs(local, doc, kind)
            if merging.same_state(merged, local):
                report.unchanged[kind] = report.unchanged.get(kind, 0) + 1
                continue
            report.updated[kind] = report.updated.get(kind, 0) + 1
        before = (local or {}).get("meta", {}).get("conflicts", {})
        after = merged["meta"].get("conflicts", {})
        report.conflicts += sum(1 for f, v in after.items() if before.get(f) != v)
        if local is not None and not local["meta"].get("erased") and merged["meta"].get("erased"):
            fold_journal = True
        if kind == "person":
            touched_persons.add(doc["id"])
        changed.append((kind, merged))

    now = datetime.now(UTC).isoformat(timespec="seconds")
    clocks: dict[str, Any] = _copy(repo.local_state("sync_clocks", {}) or {})
    for g in good:
        m = g.manifest
        seen_files[g.sha] = {
            "device": m.device,
            "from": m.seq_from,
            "to": m.seq_to,
            "full": m.full,
            "at": now,
        }
        if m.seq_to > 0:
            ranges.setdefault(m.device, []).append([1 if m.full else m.seq_from, m.seq_to])
        clocks[m.device] = {"offset_ms": 0, "at": now}
    for g in good:  # a wrong clock is remembered against the device that stamped with it
        if g.offset_ms:
            clocks[g.offset_device] = {"offset_ms": g.offset_ms, "at": now}
    for device in {g.manifest.device for g in good if g.manifest.device in ranges}:
        ranges[device] = _compact(ranges[device])
        holes = _holes(ranges[device])
        if holes:
            report.gaps[device] = holes
    _notify(progress, 0.8, "Enregistrement…")
    # HLC observe step: this device's clock moves past every clock it has now seen
    # (never more than a few minutes ahead of its own wall clock: hlc.ABSORB_AHEAD_MS)
    repo.observe_clocks(
        max((str(doc["meta"].get("hlc", "")) for _k, doc in g.records), default=g.manifest.hlc_max)
        for g in good
    )
    local: dict[str, Any] = {"sync_files": seen_files, "sync_ranges": ranges, "sync_clocks": clocks}
    if int(repo.local_state("sync_exported", 0)) == repo.lseq:
        # Nothing of ours was pending: what this import writes came from elsewhere (or
        # joins what we already sent), so the next export need not echo it back.
        local["sync_exported"] = repo.lseq + len(changed)
    repo.put_docs(changed, local=local)
    if fold_journal:
        # journal lines written before still hold the erased data: a fresh snapshot drops them
        repo.checkpoint()
    if touched_persons and repo.settings.role == "office":  # reviewed at the office
        report.duplicates = sum(
            1
            for a, b, _ in list_duplicate_pairs(repo)
            if a in touched_persons or b in touched_persons
        )
    from citeslab_tui.logs import log_event

    log_event(
        "sync.import",
        files=len(good),
        refused=len(report.refused),
        new=sum(report.new.values()),
        updated=sum(report.updated.values()),
        unchanged=sum(report.unchanged.values()),
        conflicts=report.conflicts,
        gaps=sum(len(h) for h in report.gaps.values()),
    )
    _notify(progress, 1.0, "Terminé.")
    return report


def _compact(ranges: list[list[int]]) -> list[list[int]]:
    out: list[list[int]] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out


def received_summary(repo: Repository) -> list[str]:
    """Per device: what was received, the missing ranges and clocks that were off
    (French lines)."""
    ranges = repo.local_state("sync_ranges", {}) or {}
    clocks = repo.local_state("sync_clocks", {}) or {}
    out = []
    for device in sorted(ranges.keys() | clocks.keys()):
        spans = ranges.get(device, [])
        last = max((b for _a, b in spans), default=0)
        out.append(
            f"Poste {device} : changements reçus jusqu'au n° {last}."
            if spans
            else f"Poste {device} :"
        )
        for a, b in _holes(spans):
            out.append(f"  Il manque un fichier du poste {device} : changements {a} à {b}.")
        seen = clocks.get(device) or {}
        offset = int(seen.get("offset_ms", 0) or 0)
        if abs(offset) > SKEW_NOTICE_MS:
            way = "en avance" if offset > 0 else "en retard"
            when = str(seen.get("at", ""))[:10]
            try:
                day = format_date(datetime.fromisoformat(when).date())
            except ValueError:
                day = "?"
            out.append(
                f"  Horloge de ce poste {way} d'environ {format_duration(offset)} lors du "
                f"dernier import (le {day}) : faites régler sa date."
            )
    return out


def own_clock_warning(repo: Repository, wall: float | None = None) -> str | None:
    """French warning when this computer's clock is wrong (app start, `sync status`)."""
    return clock_problem(repo.clock.last, wall)


@dataclass
class ConflictItem:
    kind: str
    record_id: str
    field: str
    label: str  # what record, in French
    field_label: str
    values: list[Any]  # [shown value, alternatives...]
    shown_values: list[str]  # the same, as a person reads them (display.show_value)

    def shown(self) -> list[str]:
        return list(self.shown_values)


def record_label(repo: Repository, kind: str, doc: dict[str, Any]) -> str:
    """ "Entretien du 12/03/2025 — DIALLO Aïcha", or the person's name."""
    if kind == "person":
        try:
            return Person.model_validate(doc).display_name
        except Exception:
            return display.record_title(kind, doc)
    person = repo.doc("person", str(doc.get("person_id") or ""))
    who = ""
    if person is not None:
        try:
            who = " — " + Person.model_validate(person).display_name
        except Exception:
            who = ""
    return f"{display.record_title(kind, doc)}{who}"


def list_conflicts(ws: Workspace) -> list[ConflictItem]:
    """Every field holding concurrent values, each value shown as a person reads it."""
    repo, places = ws.repo, ws.reference.places
    items = []
    for kind in RECORD_TYPES:
        for doc in repo.docs(kind):
            conflicts = doc.get("meta", {}).get("conflicts") or {}
            for name in sorted(conflicts):
                values = [doc.get(name)] + [entry[2] for entry in conflicts[name]]
                items.append(
                    ConflictItem(
                        kind,
                        doc["id"],
                        name,
                        record_label(repo, kind, doc),
                        display.title(kind, name),
                        values,
                        [display.show_value(kind, name, v, places) for v in values],
                    )
                )
    return items


def resolve_conflict(repo: Repository, kind: str, record_id: str, field_name: str, choice: int):
    """Keep value number `choice` (0 = the one shown) of a conflict: a local write."""
    doc = repo.doc(kind, record_id) if kind in RECORD_TYPES else None
    conflicts = (doc or {}).get("meta", {}).get("conflicts", {})
    if doc is None or field_name not in conflicts:
        raise CitesLabError("Ce conflit n'existe plus (déjà résolu ?).")
    values = [doc.get(field_name)] + [entry[2] for entry in conflicts[field_name]]
    if not 0 <= choice < len(values):
        raise CitesLabError(f"Choix invalide : entre 0 et {len(values) - 1}.")
    new = merging.resolve_conflict(
        kind,
        doc,
        field_name,
        values[choice],
        device=repo.device,
        staff=repo.staff,
        clock=repo.clock.now(),
        now=datetime.now(UTC),
    )
    repo.put_docs([(kind, new)])


# --- possible duplicates ----------------------------------------------------------------


@dataclass
class DuplicatePair:
    a: str
    b: str
    reasons: list[str]
    label_a: str
    label_b: str


def _different(repo: Repository) -> set[frozenset[str]]:
    return {frozenset(p) for p in repo.local_state("sync_different", []) or []}


def list_duplicate_pairs(repo: Repository) -> list[tuple[str, str, list[str]]]:
    return identity.possible_duplicates(repo.docs("person"), _different(repo))


def _person_label(repo: Repository, person_id: str) -> str:
    doc = repo.doc("person", person_id)
    if doc is None:
        return "?"
    person = Person.model_validate(doc)
    bits = [person.display_name]
    if person.birth_date:
        bits.append(f"né(e) le {format_date(person.birth_date)}")
    if person.phone:
        bits.append(format_phone(person.phone))
    if person.email:
        bits.append(person.email)
    site = person.first_site or (doc.get("meta") or {}).get("created_device", "")
    if site:
        bits.append(f"({site})")
    return ", ".join(bits)


def list_duplicates(repo: Repository) -> list[DuplicatePair]:
    return [
        DuplicatePair(a, b, reasons, _person_label(repo, a), _person_label(repo, b))
        for a, b, reasons in list_duplicate_pairs(repo)
    ]


def mark_different(repo: Repository, a: str, b: str) -> None:
    pairs = [list(p) for p in repo.local_state("sync_different", []) or []]
    pair = sorted((a, b))
    if pair not in pairs:
        pairs.append(pair)
    repo.put_docs([], local={"sync_different": pairs})


def merge_persons(repo: Repository, keep_id: str, other_id: str) -> int:
    """Merge a duplicate into the kept person: linked records re-pointed (history of
    both kept), the kept person's blanks filled, the other one a tombstone pointing
    to the kept one (`meta.merged_into`). Returns the number of records moved."""
    if keep_id == other_id:
        raise CitesLabError("Choisissez deux personnes différentes.")
    keep, other = repo.get(Person, keep_id), repo.get(Person, other_id)
    if keep is None or other is None:
        raise CitesLabError("Personne introuvable (déjà fusionnée ou supprimée ?).")
    keep_doc = repo.doc("person", keep_id)
    other_doc = repo.doc("person", other_id)
    assert keep_doc is not None and other_doc is not None
    moved = []
    for kind in PERSON_LINKED_KINDS:
        if kind not in RECORD_TYPES:
            continue
        model = RECORD_TYPES[kind]
        for doc in list(repo.docs(kind)):
            if doc.get("person_id") == other_id:
                moved.append(model.model_validate({**doc, "person_id": keep_id}))
    filled = Person.model_validate(
        {**merging.merged_person_content(keep_doc, other_doc), "id": keep_id}
    )
    with repo.transaction():
        if moved:
            repo.save(*moved)
        if filled.content() != content_of(keep_doc):
            repo.save(filled)
        repo.delete(other)
        tomb = _copy(repo.doc("person", other_id))
        tomb["meta"]["merged_into"] = keep_id
        repo.put_docs([("person", tomb)])
    return len(moved)
