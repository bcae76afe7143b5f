"""The real app for pilot tests of one screen or dialog, on a workspace the test opened."""

from __future__ import annotations

from datetime import datetime

from textual import events
from textual.screen import Screen

from citeslab_tui.services.workspace import Workspace
from citeslab_tui.ui.app import CitesLabApp, local_now


class OpenApp(CitesLabApp):
    """CitesLabApp on an already open workspace, starting on a blank screen: the test
    pushes what it tests. Nothing runs at start (no warm-up, no draft offered)."""

    SCREENS = {**CitesLabApp.SCREENS, "blank": Screen}
    START_SCREEN = "blank"

    def __init__(self, ws: Workspace, now: datetime | None = None) -> None:
        super().__init__(str(ws.data_dir), now=(lambda: now) if now else local_now)
        self.workspace = ws
        self.published_lseq = ws.repo.lseq

    def on_ready(self, event: events.Ready) -> None:
        event.prevent_default()  # the workspace is already open: nothing to load
