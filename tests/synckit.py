"""Test helpers for sync: link an office and laptops the way the office procedure does
(`keys export` / `keys trust` / `keys enroll`, fingerprints compared), through the
same service functions the CLI calls after its confirmation question."""

from __future__ import annotations

from pathlib import Path

from citeslab_tui.reference import Reference
from citeslab_tui.services import keys as identities
from citeslab_tui.services.workspace import Workspace
from citeslab_tui.store.repository import Repository


def as_workspace(repo: Repository) -> Workspace:
    """A Workspace over an already open Repository (for tests that hold repositories)."""
    return Workspace(repo, Reference(repo.folder))


def link_workspaces(office: Workspace, *laptops: Workspace) -> None:
    identity = identities.local_identity(office)
    for laptop in laptops:
        identities.install_office(laptop, identity)
        identities.enroll(office, identities.local_identity(laptop))


def link(office: Path, *laptops: Path) -> None:
    """Each laptop trusts the office; the office enrols each laptop (folders closed)."""
    with Workspace.open(office) as ows:
        for folder in laptops:
            with Workspace.open(folder) as lws:
                link_workspaces(ows, lws)


def link_repos(office: Repository, *laptops: Repository) -> None:
    link_workspaces(as_workspace(office), *(as_workspace(r) for r in laptops))
