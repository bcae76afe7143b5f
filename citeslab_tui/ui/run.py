"""Start the terminal app (imported lazily by the CLI)."""

from __future__ import annotations

import os


def run_app(data_dir: str | None) -> int:
    from citeslab_tui.ui.app import EXIT_ON_READY, CitesLabApp

    app = CitesLabApp(data_dir)
    if os.environ.get(EXIT_ON_READY):  # benchmark: headless, 80x24, exits by itself
        app.run(headless=True, size=(80, 24))
    else:
        app.run()
    app.close_workspace()
    return app.return_code or 0
