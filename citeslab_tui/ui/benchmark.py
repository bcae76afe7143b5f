"""Start-up figures for `bench/bench_startup.py`; not used otherwise.

With CITESLAB_EXIT_ON_READY set, `ui/run.py` starts `BenchmarkApp` (headless, 80x24)
instead of the app: =1 exits as soon as the first screen is painted (the data is not
opened); =loaded exits once the data filled it; =settled once the work started after
it (search index, tasks board) is done too. Each prints on the real stdout the
seconds elapsed since CITESLAB_T0 (a `time.perf_counter()` value of the launcher) or
since this module was imported, and, for =loaded and =settled, the peak RSS in MiB.
"""

from __future__ import annotations

import os
import sys
import time

from textual import events

from citeslab_tui.ui.app import CitesLabApp

IMPORTED_AT = time.perf_counter()
EXIT_ON_READY = "CITESLAB_EXIT_ON_READY"


def requested() -> str:
    """ "1", "loaded", or "" when no benchmark is running."""
    return os.environ.get(EXIT_ON_READY, "")


def elapsed() -> float:
    t0 = os.environ.get("CITESLAB_T0")
    try:
        start = float(t0) if t0 else IMPORTED_AT
    except ValueError:
        start = IMPORTED_AT
    return time.perf_counter() - start


def report(line: str) -> None:
    """Figures on the real stdout (Textual captures sys.stdout while running)."""
    stream = sys.__stdout__
    if stream is not None:
        stream.write(line + "\n")
        stream.flush()


class BenchmarkApp(CitesLabApp):
    """The app, exiting at the moment the benchmark measures."""

    def on_ready(self, event: events.Ready) -> None:
        if requested() == "1":
            event.prevent_default()  # the app's own on_ready would open the data
            report(f"{elapsed():.4f}")
            self.exit(0)

    def data_loaded(self) -> None:
        if requested() == "settled":
            super().data_loaded()
            self.set_interval(0.02, self.exit_when_settled)
            return
        if requested() != "loaded":
            super().data_loaded()
            return
        self.data_ready = True  # the first screen fills now, as in the app
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        report(f"{elapsed():.4f} {peak:.1f}")
        self.exit(0)

    def exit_when_settled(self) -> None:
        """Once no worker runs any more (the warm-ups are done): figures, exit."""
        if any(worker.is_running for worker in self.workers):
            return
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        report(f"{elapsed():.4f} {peak:.1f}")
        self.exit(0)
