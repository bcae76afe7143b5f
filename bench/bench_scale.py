"""The ten-year database: open, memory of the commands, the person's file, each figure
beside its target and its floor (issue #16).

    .venv/bin/python bench/bench_scale.py [--people 10000] [--cold]

- parse floor: reading the snapshot's bytes and one orjson parse of its data;
- open: `Repository.open` (verifies the whole file, parses no table); open+load: the
  open and every table parsed (what any command paid before tables were parsed on
  first read);
- peak RSS (ru_maxrss of the child) of `citeslab check` and `citeslab report`;
- the person's file (timeline + furthest stage): the first one (parses the kinds it
  shows and builds their part of the index) and the median of the next ones.
`--cold`: the snapshot is dropped from the page cache before each timed read
(`/proc/sys/vm/drop_caches` if permitted, else posix_fadvise DONTNEED on the files).
Run under `taskset -c 0` for the one-core profile (`make bench` does both).
"""

from __future__ import annotations

import argparse
import importlib
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import orjson
from demo_cache import demo_folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from citeslab_tui.perf import no_gc  # noqa: E402
from citeslab_tui.services.workspace import Workspace  # noqa: E402
from citeslab_tui.store.repository import Repository  # noqa: E402
from citeslab_tui.store.storage import SNAPSHOT_NAME  # noqa: E402

timeline = importlib.import_module("citeslab_tui.services.people.timeline")


def drop_cache(folder: Path) -> str:
    """Drop the data files from the page cache; says how (or that it could not)."""
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return "drop_caches"
    except OSError:
        pass
    for path in [folder / SNAPSHOT_NAME, *folder.glob("journal-*.jsonl")]:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    return "posix_fadvise DONTNEED (drop_caches refused here)"


def best(runs: int, call: Callable[[], None], folder: Path, cold: bool) -> float:
    times = []
    for _ in range(runs):
        if cold:
            drop_cache(folder)
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def parse_floor(folder: Path) -> None:
    raw = (folder / SNAPSHOT_NAME).read_bytes()
    data = memoryview(raw)[raw.index(b',"data":') + 8 : -1]
    with no_gc():  # as the store parses
        orjson.loads(data)


def open_only(folder: Path) -> None:
    Repository.open(folder, create=False).close()


def open_and_load(folder: Path) -> None:
    repo = Repository.open(folder, create=False)
    repo._storage.parse_all()
    repo.close()


def child_peak(args: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS MiB) of a citeslab command run as a child process."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "citeslab_tui", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: citeslab {' '.join(args)}")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def person_file(folder: Path) -> tuple[float, float, float]:
    """(first file s, median of the next ones s, peak RSS MiB of this process)."""
    with Workspace.open(folder, create=False) as ws:
        ids = sorted(doc["id"] for doc in ws.repo.docs_fields("person", ("id",)))[:400:8]
        times = []
        for person_id in ids:
            started = time.perf_counter()
            timeline.timeline(ws, person_id)
            timeline.current_stage(ws, person_id)
            times.append(time.perf_counter() - started)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return times[0], statistics.median(times[1:]), peak


def line(label: str, value: str, target: str = "", floor: str = "") -> None:
    print(f"{label:<38} {value:>12}   target {target or '-':<12} floor {floor or '-'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold", action="store_true", help="snapshot read from the disk")
    args = parser.parse_args()
    folder = demo_folder(args.people)
    size = (folder / SNAPSHOT_NAME).stat().st_size / 2**20
    cpus = sorted(os.sched_getaffinity(0))
    print(f"data: {folder} ({args.people} personnes, snapshot {size:.0f} MiB); CPUs {cpus}")
    if args.cold:
        print(f"cold reads: {drop_cache(folder)}")
    # children and the person's file first: a child's ru_maxrss starts from its
    # parent's size at fork, and this process grows once it parses the whole file
    for label, command, target in (
        ("peak RSS citeslab check", ["check"], ""),
        ("peak RSS citeslab report", ["report", "--format", "json"], "<= 100 MiB"),
    ):
        if args.cold:
            drop_cache(folder)
        seconds, peak = child_peak(["--data-dir", str(folder), *command])
        line(label, f"{peak:.0f} MiB", target, f"snapshot {size:.0f} MiB")
        line(f"  time of {command[0]}", f"{seconds:.2f} s")
    if args.cold:
        drop_cache(folder)
    first, median, peak = person_file(folder)
    line("person's file, first (parses its kinds)", f"{first * 1000:.0f} ms")
    line("person's file, next ones (median)", f"{median * 1000:.2f} ms", "<= 10 ms")
    line("  peak RSS of that process", f"{peak:.0f} MiB")
    floor = best(args.runs, lambda: parse_floor(folder), folder, args.cold)
    opened = best(args.runs, lambda: open_only(folder), folder, args.cold)
    loaded = best(args.runs, lambda: open_and_load(folder), folder, args.cold)
    line("parse floor (read + orjson.loads)", f"{floor * 1000:.0f} ms")
    line("open (every table located)", f"{opened * 1000:.0f} ms", "", f"{floor * 1000:.0f} ms")
    line(
        "open + load (every table parsed)",
        f"{loaded * 1000:.0f} ms ({loaded / floor:.2f}x)",
        "<= 2x floor",
        f"{floor * 1000:.0f} ms",
    )


if __name__ == "__main__":
    main()
