"""Start the terminal app (imported lazily by the CLI)."""

from __future__ import annotations

import io
import os
import sys
from typing import Any

from rich.console import Console
from textual.app import App

DEBUG_ENV = "CITESLAB_DEBUG"
"""Set to 1 (developers only) to see Textual's own crash report, local variables included."""

CRASH_MESSAGE = (
    "Erreur inattendue : l'application s'est arrêtée. Ce qui avait été enregistré est "
    "conservé ; relancez « citeslab ». Le signalement technique (sans données "
    "personnelles) est dans le journal (dossier logs)."
)


def run_guarded(app: App[Any], **run_options: Any) -> int:
    """Run `app`; an unexpected error ends it with a French sentence, never a traceback.

    Textual prints its crash report (a traceback with the local variables of every
    frame, so names, phones and notes of the people on screen) to `error_console`
    once the terminal is restored: that console is pointed at a buffer nobody reads.
    """
    if not os.environ.get(DEBUG_ENV):
        app.error_console = Console(file=io.StringIO(), stderr=False)
    app.run(**run_options)
    code = app.return_code or 0
    if code == 1:
        from citeslab_tui.logs import log_event

        log_event("app_crashed")
        print(CRASH_MESSAGE, file=sys.stderr)
    return code


def run_app(data_dir: str | None) -> int:
    from citeslab_tui.ui.app import CitesLabApp
    from citeslab_tui.ui.benchmark import BenchmarkApp, requested

    app: CitesLabApp
    if requested():  # bench/bench_startup.py: headless, 80x24, exits by itself
        app = BenchmarkApp(data_dir)
        code = run_guarded(app, headless=True, size=(80, 24))
    else:
        app = CitesLabApp(data_dir)
        code = run_guarded(app)
    app.close_workspace()
    return code
