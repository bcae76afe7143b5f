"""Start-up of the app vs a bare Textual app, and peak RSS once the data is loaded.

    .venv/bin/python bench/bench_startup.py [--runs 9] [--people 10000] [--cold]

`--cold`: the snapshot is dropped from the page cache before each start with data
(bench_scale.drop_cache: drop_caches if permitted, else posix_fadvise DONTNEED). For
the one-core profile run it under `taskset -c 0` (`make bench` does both profiles).

Both processes are measured the same way: from the moment this script spawns
them (time.perf_counter(), CLOCK_MONOTONIC, shared by processes on Linux) to
their first screen's on_ready, headless at 80x24:
- the app: CITESLAB_EXIT_ON_READY=1 and CITESLAB_T0=<spawn time> make it print
  the elapsed seconds at on_ready and exit;
- the baseline: ../shared/bench/bare_textual.py, run through a two-line wrapper
  that adds its module start time to the `ready_after` it measures.
Then CITESLAB_EXIT_ON_READY=loaded: time until the data filled the screen, and
the peak RSS (ru_maxrss) of the app at that moment.

The data folder is made once with `citeslab demo --people N` and cached in /tmp.

Bytecode: an installed wheel has its .pyc files (pip compiles them), and so has
Textual in the venv; PYTHONDONTWRITEBYTECODE=1 in a developer's shell would make
only our modules recompile at every start (~20 ms here). Both processes therefore
run with a .pyc cache in /tmp (PYTHONPYCACHEPREFIX, nothing written in the tree);
`--no-pyc` measures the other way (our modules compiled from source each time).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from demo_cache import demo_folder  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BARE = ROOT.parent / "shared" / "bench" / "bare_textual.py"
if not BARE.exists():
    BARE = Path("/work/shared/bench/bare_textual.py")
PYTHON = sys.executable
PYCACHE = Path("/tmp/citeslab-bench-pycache")
ENV = dict(os.environ)


def set_bytecode(compiled: bool) -> None:
    """Same bytecode conditions for both processes (see the module docstring)."""
    if compiled:
        ENV.pop("PYTHONDONTWRITEBYTECODE", None)
        ENV["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    else:
        ENV["PYTHONDONTWRITEBYTECODE"] = "1"
        ENV.pop("PYTHONPYCACHEPREFIX", None)


BARE_WRAPPER = """
import runpy, sys, time
ns = runpy.run_path(sys.argv[1], run_name="bare")
app = ns["Bare"]()
app.run(headless=True, size=(80, 24))
print(f"{ns['T0'] + app.ready_after:.6f}")
"""


def data_folder(people: int) -> Path:
    return demo_folder(people)


COLD = False


def run_app(folder: Path, mode: str) -> list[float]:
    if COLD and mode in ("loaded", "settled"):
        from bench_scale import drop_cache

        drop_cache(folder)
    env = dict(ENV, CITESLAB_EXIT_ON_READY=mode)
    env["CITESLAB_T0"] = repr(time.perf_counter())
    out = subprocess.run(
        [PYTHON, "-m", "citeslab_tui", "--data-dir", str(folder)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [float(x) for x in out.strip().splitlines()[-1].split()]


def run_bare() -> float:
    start = time.perf_counter()
    out = subprocess.run(
        [PYTHON, "-c", BARE_WRAPPER, str(BARE)],
        env=ENV,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(out.strip().splitlines()[-1]) - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument(
        "--no-pyc", action="store_true", help="our modules compiled from source at each start"
    )
    parser.add_argument("--cold", action="store_true", help="snapshot read from the disk")
    args = parser.parse_args()
    global COLD
    COLD = args.cold
    set_bytecode(not args.no_pyc)
    folder = data_folder(args.people)
    # warm the file cache and .pyc files once
    run_bare()
    run_app(folder, "1")
    bare: list[float] = []
    app: list[float] = []
    for i in range(args.runs):  # interleaved, order alternated: both see the same noise
        if i % 2:
            app.append(run_app(folder, "1")[0])
            bare.append(run_bare())
        else:
            bare.append(run_bare())
            app.append(run_app(folder, "1")[0])
    loaded: list[float] = []
    rss: list[float] = []
    for _ in range(max(3, args.runs // 3)):
        seconds, peak = run_app(folder, "loaded")
        loaded.append(seconds)
        rss.append(peak)
    settled: list[float] = []
    settled_rss: list[float] = []
    for _ in range(max(3, args.runs // 3)):
        seconds, peak = run_app(folder, "settled")
        settled.append(seconds)
        settled_rss.append(peak)
    med_bare, med_app = statistics.median(bare), statistics.median(app)
    print(f"runs: {args.runs}, data: {folder} ({args.people} personnes)")
    print(f"CPUs: {sorted(os.sched_getaffinity(0))}; snapshot " + ("cold" if COLD else "warm"))
    print("bytecode: " + ("compiled from source at each start" if args.no_pyc else ".pyc cache"))
    print(f"bare Textual  spawn->on_ready  median {med_bare:.3f} s  (min {min(bare):.3f})")
    print(f"citeslab      spawn->on_ready  median {med_app:.3f} s  (min {min(app):.3f})")
    print(f"ratio of medians (target <= 1.25): {med_app / med_bare:.2f}")
    print(f"ratio of minimums (least noise):   {min(app) / min(bare):.2f}")
    print(f"load average during the run: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPU")
    print(
        f"citeslab      spawn->data shown median {statistics.median(loaded):.3f} s"
        "  (target <= 0.8 s)"
    )
    print(
        f"peak RSS with data loaded: median {statistics.median(rss):.1f} MiB (max {max(rss):.1f})"
        "  (target <= 120 MiB)"
    )
    print(
        f"once the warm-ups are done (search index, tasks board): "
        f"{statistics.median(settled):.3f} s, peak RSS {statistics.median(settled_rss):.1f} MiB"
    )


if __name__ == "__main__":
    main()
