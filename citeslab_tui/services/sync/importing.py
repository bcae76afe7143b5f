"""Receiving: bundle files read, checked whole (bundles/read.py) and merged in one
durable save; a bad file is refused whole (French reason) and the others still go in."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from citeslab_tui.bundles import codec
from citeslab_tui.bundles.claims import lying_files
from citeslab_tui.bundles.codec import BundleError, Manifest
from citeslab_tui.bundles.read import (
    Bundle,
    BundleIgnored,
    Trust,
    clock_offset,
    read_bundle,
    read_file,
)
from citeslab_tui.domain import merge as merging
from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.domain.text import format_duration
from citeslab_tui.perf import no_gc
from citeslab_tui.services.sync.common import (
    Progress,
    compact,
    copy,
    describe_counts,
    holes,
    notify,
    sentence,
)
from citeslab_tui.services.sync.duplicates import list_duplicate_pairs
from citeslab_tui.store.files import describe_os_error
from citeslab_tui.store.repository import Repository


@dataclass
class FileReport:
    path: Path
    status: str  # "imported", "already", "refused", "ignored"
    reason: str = ""
    device: str = ""
    device_name: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # e.g. the sender's clock is wrong
    folder: bool = False  # the report is about a folder (no file in it), not a file

    def line(self) -> str:
        name = self.path.name or str(self.path)
        if self.status == "imported":
            who = f" de {self.device_name or self.device}" if self.device else ""
            text = f"{name} : importé{who} ({describe_counts(self.counts)})."
            return " ".join([text, *self.notes])
        if self.status == "already":
            return f"{name} : déjà importé, rien n'a changé."
        if self.status == "ignored":
            return f"{name} : ignoré ({sentence(self.reason)})."
        if self.folder:
            return f"Dossier {name} : {sentence(self.reason)}. Rien n'a été importé."
        return f"{name} : REFUSÉ — {sentence(self.reason)}. Rien n'a été importé de ce fichier."


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
        for device, missing in sorted(self.gaps.items()):
            for a, b in missing:
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
        for device, missing in sorted(self.gaps.items()):
            for a, b in missing:
                out.append(f"Il manque un fichier du poste {device} (changements {a} à {b}).")
        return out


@dataclass
class _Good:
    """A file read and checked, waiting to be merged."""

    report: FileReport
    sha: str
    bundle: Bundle
    offset_ms: int = 0  # a clock in the file: ahead (> 0) or behind (< 0) when notable
    offset_device: str = ""  # whose clock

    @property
    def manifest(self) -> Manifest:
        return self.bundle.manifest

    @property
    def records(self) -> list[tuple[str, dict[str, Any]]]:
        return self.bundle.records


def collect_paths(paths: Iterable[Path | str]) -> tuple[list[Path], list[FileReport]]:
    """Bundle files to read (folders expanded) and reports for what is skipped."""
    files: list[Path] = []
    notes: list[FileReport] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            entries = sorted(p for p in path.iterdir() if p.is_file())
            found = [p for p in entries if codec.is_bundle_name(p.name)]
            if not found:
                notes.append(
                    FileReport(
                        path,
                        "refused",
                        "aucun fichier de synchronisation CitésLab (.cslb) dans ce dossier",
                        folder=True,
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


def _prepare(
    repo: Repository,
    paths: Iterable[Path | str],
    progress: Progress | None,
    allow_unsigned: bool,
    allow_unencrypted: bool,
) -> PreparedImport:
    files, notes = collect_paths(paths)
    report = ImportReport(files=list(notes))
    seen_files: dict[str, Any] = copy(repo.local_state("sync_files", {}) or {})
    ranges: dict[str, list[list[int]]] = copy(repo.local_state("sync_ranges", {}) or {})
    good: list[_Good] = []
    total = max(len(files), 1)
    trust = Trust.of(
        repo.folder,
        repo.settings,
        repo.device,
        allow_unsigned=allow_unsigned,
        allow_unencrypted=allow_unencrypted,
    )
    for i, path in enumerate(files):
        notify(progress, 0.6 * i / total, f"Vérification de {path.name}…")
        entry = FileReport(path, "refused")
        report.files.append(entry)
        try:
            raw = read_file(path)
        except BundleError as exc:
            entry.reason = exc.message
            continue
        except OSError as exc:
            entry.reason = describe_os_error(exc, "lecture impossible")
            continue
        sha = codec.sha256(raw)
        if sha in seen_files or any(g.sha == sha for g in good):
            entry.status = "already"
            continue
        try:
            bundle = read_bundle(raw, trust, repo)
        except BundleIgnored as exc:
            entry.status, entry.reason = "ignored", exc.message
            continue
        except CitesLabError as exc:
            entry.reason = exc.message
            continue
        except Exception as exc:  # never a traceback: anything unexpected refuses the file
            from citeslab_tui.logs import log_unexpected

            log_unexpected(exc)
            entry.reason = "fichier illisible (erreur inattendue, détail dans le journal)"
            continue
        manifest = bundle.manifest
        entry.device, entry.device_name = manifest.device, manifest.device_name
        entry.status = "imported"
        entry.counts = dict(manifest.counts) or {}
        offset, skewed = clock_offset(bundle)
        if offset:
            entry.notes.append(_clock_note(manifest, offset, skewed, repo.device))
        good.append(_Good(entry, sha, bundle, offset, skewed))
    lying = lying_files(
        [g.bundle for g in good],
        ranges,
        me=repo.device,
        office=repo.settings.role == "office",
        local=repo,
        lseq=repo.lseq,
    )
    for n, reason in lying.items():
        good[n].report.status, good[n].report.reason = "refused", reason
        good[n].report.notes = []
    return PreparedImport(
        report, [g for g in good if g.report.status == "imported"], seen_files, ranges
    )


def _acknowledgements(repo: Repository, good: list[_Good]) -> dict[str, Any]:
    """At the office: `sync_acked` updated by the laptops' files (format 3): per device,
    the office sequence number it holds everything up to, as stated by its latest file
    (the highest range end; a file imported late does not move it back). A number above
    the office's own is kept but read as unknown (office_return)."""
    acked: dict[str, Any] = copy(repo.local_state("sync_acked", {}) or {})
    for g in good:
        m = g.manifest
        if m.role != "laptop" or m.version < 3:
            continue
        entry = acked.get(m.device)
        if not isinstance(entry, dict) or int(entry.get("seq_to", -1)) <= m.seq_to:
            acked[m.device] = {"acked": m.acked, "seq_to": m.seq_to}
    return acked


def _handover(items: list[tuple[str, dict[str, Any]]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The items of `items` in order, each dropped from the list as it is given."""
    items.reverse()
    while items:
        yield items.pop()


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
        notify(progress, 1.0, "Terminé.")
        return report

    notify(progress, 0.65, "Fusion…")
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
    clocks: dict[str, Any] = copy(repo.local_state("sync_clocks", {}) or {})
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
    if repo.settings.role == "office":
        state_acked = _acknowledgements(repo, good)
    for g in good:  # a wrong clock is remembered against the device that stamped with it
        if g.offset_ms:
            clocks[g.offset_device] = {"offset_ms": g.offset_ms, "at": now}
    for device in {g.manifest.device for g in good if g.manifest.device in ranges}:
        ranges[device] = compact(ranges[device])
        missing = holes(ranges[device])
        if missing:
            report.gaps[device] = missing
    notify(progress, 0.8, "Enregistrement…")
    # HLC observe step: this device's clock moves past every clock it has now seen
    # (never more than a few minutes ahead of its own wall clock: hlc.ABSORB_AHEAD_MS)
    repo.observe_clocks(
        [
            max(
                (str(doc["meta"].get("hlc", "")) for _k, doc in g.records),
                default=g.manifest.hlc_max,
            )
            for g in good
        ]
    )
    state: dict[str, Any] = {"sync_files": seen_files, "sync_ranges": ranges, "sync_clocks": clocks}
    if repo.settings.role == "office":
        state["sync_acked"] = state_acked
    if int(repo.local_state("sync_exported", 0)) == repo.lseq:
        # Nothing of ours was pending: what this import writes came from elsewhere (or
        # joins what we already sent), so the next export need not echo it back.
        state["sync_exported"] = repo.lseq + len(changed)
    # The records read are needed no more: the store takes them over kind by kind, so
    # they and the stored copies are never both whole in memory (first full sync).
    for g in good:
        g.bundle.records = []
    incoming.clear()
    repo.put_docs(_handover(changed), local=state, owned=True)
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
    notify(progress, 1.0, "Terminé.")
    return report
