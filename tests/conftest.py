"""Shared fixtures: a fresh data folder and a configured workspace on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from citeslab_tui.services.workspace import Workspace


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A fresh, not yet existing data folder (the store creates it, owner-only)."""
    return tmp_path / "donnees"


@pytest.fixture
def workspace(data_dir: Path) -> Iterator[Workspace]:
    """An open, configured workspace on `data_dir` (closed at teardown)."""
    ws = Workspace.open(data_dir)
    ws.configure(
        structure="Mife du Calvados",
        staff=["Céline Perriot", "Karim Benali"],
        device="portable-test",
        sites=["Caen – Chemin Vert"],
    )
    try:
        yield ws
    finally:
        ws.close()  # idempotent: fine if the test closed it already
