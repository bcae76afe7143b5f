"""The office's return files: one per laptop, holding what that laptop has not
acknowledged yet.

Each file a laptop sends states `acked` (Manifest, format 3): the office's sequence
number up to which the laptop holds every change of the office. The office records it
per device when it imports the file (`sync_acked`, see the package docstring), and its
next return file for that laptop carries only the documents the office changed after
it. The whole merged state goes instead (a "full" return) when asked (`full`, the CLI's
`--full`), or when the office does not know what the laptop holds: a laptop that never
sent a format-3 file, one that acknowledged nothing, or one acknowledging a number
above the office's own (the office's data restored from an older backup).

A laptop that misses a return file loses nothing: its acknowledgement does not move
until it imports the file, so the next return for it starts from the same number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from citeslab_tui.bundles import keys
from citeslab_tui.bundles.identity import DeviceIdentity
from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.perf import no_gc
from citeslab_tui.services.sync.common import Progress, describe_counts, notify
from citeslab_tui.services.sync.export import (
    ExportPlan,
    ExportResult,
    changed_docs,
    commit_export,
    make_plan,
    write_export,
)
from citeslab_tui.store.repository import Repository

UP_TO_DATE = "à jour, rien de nouveau pour lui"


def return_recipients(repo: Repository) -> list[str]:
    """At the office: itself, every enrolled laptop not revoked, and escrow."""
    own, _ = keys.ensure_identity(repo.folder)
    laptops = [identity.age for identity in keys.active_devices(repo.folder).values()]
    if not laptops:
        raise CitesLabError(_NO_LAPTOP)
    return [own, *laptops, *keys.escrow_keys(repo.folder)]


_NO_LAPTOP = (
    "Aucun portable n'est inscrit au bureau : inscrivez chaque portable avec "
    "« citeslab keys enroll FICHIER » (fichier écrit sur le portable par « citeslab "
    "keys export »), ou écrivez le fichier retour en clair avec --unencrypted."
)


def acknowledged(repo: Repository) -> dict[str, int]:
    """At the office: {laptop: office sequence number it holds everything up to}."""
    raw = repo.local_state("sync_acked", {}) or {}
    out: dict[str, int] = {}
    if isinstance(raw, dict):
        for device, entry in raw.items():
            if isinstance(entry, dict) and isinstance(entry.get("acked"), int):
                out[str(device)] = int(entry["acked"])
    return out


@dataclass
class ReturnPlan:
    """The return files decided on the owner thread: one plan per laptop that needs
    one; `up_to_date`: the laptops that hold everything already (names)."""

    plans: list[ExportPlan] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)


def _targets(repo: Repository, unencrypted: bool) -> dict[str, DeviceIdentity | None]:
    """The laptops a return file is written for: the enrolled ones not revoked, and
    when writing in clear, also the laptops whose files came in unsigned (known by
    their acknowledgement). Empty: one file for any laptop."""
    active: dict[str, DeviceIdentity | None] = dict(keys.active_devices(repo.folder))
    if unencrypted:
        revoked = {d for d, e in keys.enrolled(repo.folder).items() if e.get("revoked_at")}
        for device in acknowledged(repo):
            if device not in revoked:
                active.setdefault(device, None)
    return dict(sorted(active.items()))


def plan_return(repo: Repository, *, unencrypted: bool = False, full: bool = False) -> ReturnPlan:
    """At the office: a return file per laptop with what it has not acknowledged (the
    whole merged state with `full`, or when its holdings are unknown). Owner thread."""
    if repo.settings.role != "office":
        raise CitesLabError(
            "Le fichier retour s'écrit au bureau central (poste initialisé avec --office)."
        )
    own, _ = keys.ensure_identity(repo.folder)
    escrow = keys.escrow_keys(repo.folder)
    targets = _targets(repo, unencrypted)
    if not targets and not unencrypted:
        raise CitesLabError(_NO_LAPTOP)
    acked = acknowledged(repo)
    lseq = repo.lseq
    by_since: dict[int, tuple[list[tuple[str, dict[str, Any]]], bytes]] = {}

    def docs_since(since: int) -> list[tuple[str, dict[str, Any]]]:
        """The documents changed after `since`, serialised once for every laptop."""
        if since not in by_since:
            docs = changed_docs(repo, since)
            with no_gc():
                by_since[since] = (docs, orjson.dumps(docs))
        return by_since[since][0]

    def raw_since(since: int) -> bytes:
        return by_since[since][1]

    result = ReturnPlan()
    if not targets:  # in clear, no laptop known: one full file any laptop imports
        docs = docs_since(0)
        result.plans.append(
            make_plan(
                repo,
                docs,
                kind="return",
                seq_from=1 if docs else 0,
                seq_to=lseq,
                full=True,
                recipients=[],
                local={},
                raw=raw_since(0),
            )
        )
        return result
    for device, identity in targets.items():
        since = acked.get(device, 0)
        whole = full or since <= 0 or since > lseq
        if whole:
            since = 0
        docs = docs_since(since)
        if not whole and not docs:
            name = identity.device_name if identity is not None else ""
            result.up_to_date.append(name or device)
            continue
        recipients = [] if unencrypted or identity is None else [own, identity.age, *escrow]
        result.plans.append(
            make_plan(
                repo,
                docs,
                kind="return",
                seq_from=(1 if docs else 0) if whole else since + 1,
                seq_to=lseq,
                full=whole,
                recipients=recipients,
                local={},
                for_device=device,
                raw=raw_since(since),
            )
        )
    return result


def return_line(plan: ExportPlan) -> str:
    """ "– portable-1 : changements 12 à 30, 3 personnes." (the sync screen, 80 columns)"""
    m = plan.manifest
    scope = "tout" if m.full else f"changements {m.seq_from} à {m.seq_to}"
    return f"– {m.for_device or 'tous les portables'} : {scope}, {describe_counts(plan.counts)}."


@dataclass
class ReturnResult:
    results: list[ExportResult]
    up_to_date: list[str]

    @property
    def paths(self) -> list[Path]:
        return [r.path for r in self.results if r.path is not None]

    def lines(self) -> list[str]:
        out = [r.message for r in self.results]
        out += [f"Portable {name} : {UP_TO_DATE}." for name in self.up_to_date]
        return out or ["Aucun fichier retour à écrire."]


def write_return(
    repo: Repository,
    folder: Path,
    *,
    unencrypted: bool = False,
    full: bool = False,
    progress: Progress | None = None,
) -> ReturnResult:
    """At the office: one return file per laptop (see the module docstring)."""
    notify(progress, 0.05, "Préparation…")
    planned = plan_return(repo, unencrypted=unencrypted, full=full)
    if planned.plans:
        repo.mark_sent()  # before any number reaches a laptop
    results = []
    for plan in planned.plans:
        write_export(plan, Path(folder), progress)
        results.append(commit_export(repo, plan))
    notify(progress, 1.0, "Terminé.")
    return ReturnResult(results, planned.up_to_date)
