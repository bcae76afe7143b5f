"""Start the terminal app (imported lazily by the CLI)."""

from __future__ import annotations


def run_app(data_dir: str | None) -> int:
    from citeslab_tui.ui.app import CitesLabApp
    from citeslab_tui.ui.benchmark import BenchmarkApp, requested

    app: CitesLabApp
    if requested():  # bench/bench_startup.py: headless, 80x24, exits by itself
        app = BenchmarkApp(data_dir)
        app.run(headless=True, size=(80, 24))
    else:
        app = CitesLabApp(data_dir)
        app.run()
    app.close_workspace()
    return app.return_code or 0
