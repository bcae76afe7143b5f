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


@pytest.fixture
def notifications(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every toast message the apps of the test show (Textual keeps its own list private)."""
    from textual.app import App
    from textual.notifications import SeverityLevel

    shown: list[str] = []
    notify = App.notify

    def recording(
        self: App[object],
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        shown.append(str(message))
        notify(self, message, title=title, severity=severity, timeout=timeout, markup=markup)

    monkeypatch.setattr(App, "notify", recording)
    return shown
