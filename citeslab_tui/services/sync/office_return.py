"""The office's return file: the whole merged state, for every enrolled laptop."""

from __future__ import annotations

from pathlib import Path

from citeslab_tui.bundles import keys
from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.services.sync.common import Progress, notify
from citeslab_tui.services.sync.export import (
    ExportPlan,
    ExportResult,
    changed_docs,
    commit_export,
    make_plan,
    write_export,
)
from citeslab_tui.store.repository import Repository


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
    docs = changed_docs(repo, 0)
    return make_plan(
        repo,
        docs,
        kind="return",
        seq_from=1 if docs else 0,
        seq_to=repo.lseq,
        full=True,
        recipients=recipients,
        local={},
    )


def write_return(
    repo: Repository,
    folder: Path,
    *,
    unencrypted: bool = False,
    progress: Progress | None = None,
) -> ExportResult:
    """At the office: the whole merged state, encrypted to every enrolled laptop."""
    notify(progress, 0.05, "Préparation…")
    plan = plan_return(repo, unencrypted=unencrypted)
    write_export(plan, Path(folder), progress)
    result = commit_export(repo, plan)
    notify(progress, 1.0, "Terminé.")
    return result
