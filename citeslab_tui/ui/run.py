"""Start the terminal app (imported lazily by the CLI)."""

from __future__ import annotations


def run_app(data_dir: str | None) -> int:
    from citeslab_tui.ui.app import CitesLabApp

    app = CitesLabApp(data_dir)
    app.run()
    return app.return_code or 0
