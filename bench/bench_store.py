"""Store benchmark: durable save, its floor, TinyDB's JSONStorage, open + load, peak RSS.

Run by hand: `.venv/bin/python bench/bench_store.py [--people 10000] [--saves 300]`.

The dataset is `citeslab demo --people N --seed 1`, generated once and cached
under /tmp/citeslab_bench/ (the generation time is printed when it happens);
each run works on a fresh copy, so the cache is never modified.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

CACHE = Path("/tmp/citeslab_bench")
HERE = Path(__file__).resolve().parent.parent


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def dataset(people: int) -> Path:
    folder = CACHE / f"demo{people}"
    if (folder / "citeslab.json").exists():
        print(f"dataset: cached {folder}")
        return folder
    CACHE.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "citeslab_tui", "--data-dir", str(folder), "demo"]
        + ["--people", str(people), "--seed", "1"],
        check=True,
        cwd=HERE,
    )
    print(f"dataset: generated {folder} in {time.perf_counter() - started:.1f} s")
    return folder


OPEN_SCRIPT = """
import resource, sys, time
from pathlib import Path
t = time.perf_counter()
from citeslab_tui.store.repository import Repository
t_import = time.perf_counter() - t
t = time.perf_counter()
repo = Repository.open(Path(sys.argv[1]), create=False)
repo._storage.parse_all()  # every table parsed: what opening the whole database costs
t_open = time.perf_counter() - t
n = sum(repo.count(k) for k in ("person", "interview", "stage", "task"))
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:  # resident memory now (Linux), as opposed to the peak
    with open("/proc/self/statm") as statm:
        now = int(statm.read().split()[1]) * resource.getpagesize() // 1024
except OSError:
    now = 0
repo.close()
print(t_import, t_open, rss, n, now)
"""


def bench_open(folder: Path, runs: int = 3) -> None:
    opens, imports, rss, steady = [], [], [], []
    for run in range(runs + 1):  # the first open of the day also writes the daily backup
        out = subprocess.run(
            [sys.executable, "-c", OPEN_SCRIPT, str(folder)],
            check=True,
            capture_output=True,
            text=True,
            cwd=HERE,
        ).stdout.split()
        if run == 0:
            print(
                f"first open (also writes the daily backup if none exists today): {ms(float(out[1]))}"
            )
            continue
        imports.append(float(out[0]))
        opens.append(float(out[1]))
        rss.append(int(out[2]))
        docs = int(out[3])
        steady.append(int(out[4]))
    size = (folder / "citeslab.json").stat().st_size
    print(
        f"open + load ({docs} documents, snapshot {size / 1e6:.1f} MB): "
        f"median {ms(statistics.median(opens))} (imports {ms(statistics.median(imports))}), "
        f"peak RSS after open {max(rss) / 1024:.0f} MiB, "
        f"resident once open {max(steady) / 1024:.0f} MiB"
    )


def bench_saves(folder: Path, saves: int) -> tuple[float, float]:
    """Durable saves interleaved with floor samples (same folder, same moment, same load)."""
    from citeslab_tui.domain.models import Interview
    from citeslab_tui.store import storage
    from citeslab_tui.store.repository import Repository

    rng = random.Random(7)
    repo = Repository.open(folder, create=False)
    people = [doc["id"] for doc in repo.docs("person")]
    journal = repo._storage.journal_path()
    fsyncs: list[float] = []
    real_fsync = storage.full_fsync

    def timed_fsync(fd: int) -> None:
        t = time.perf_counter()
        real_fsync(fd)
        fsyncs.append(time.perf_counter() - t)

    storage.full_fsync = timed_fsync
    floor_path = folder / "floor.bin"
    floor_fd = os.open(floor_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    times: list[float] = []
    floors: list[float] = []
    line = 0
    try:
        for _ in range(saves):
            interview = Interview(
                person_id=rng.choice(people),
                on=date(2026, 11, 26),
                site="Caen – Chemin Vert",
                staff="Céline",
                notes="Point sur le projet et les démarches.",
            )
            size = journal.stat().st_size
            t = time.perf_counter()
            repo.save(interview)
            times.append(time.perf_counter() - t)
            line = journal.stat().st_size - size
            payload = b"x" * (line - 1) + b"\n"  # the same number of bytes
            t = time.perf_counter()
            os.write(floor_fd, payload)
            os.fsync(floor_fd)
            floors.append(time.perf_counter() - t)
    finally:
        storage.full_fsync = real_fsync
        os.close(floor_fd)
        floor_path.unlink()
    t = time.perf_counter()
    repo.checkpoint()  # what close() does, and a save every ~8 MiB of journal
    checkpoint = time.perf_counter() - t
    import resource

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    repo.close()
    med, floor = statistics.median(times), statistics.median(floors)
    cpu = statistics.median(t - f for t, f in zip(times, fsyncs, strict=True))
    print(
        f"durable save (new Interview via Repository.save, {saves} saves, ~{line} bytes "
        f"journaled each): median {ms(med)}, p95 {ms(percentile(times, 95))}, "
        f"max {ms(max(times))} [target median <= 5 ms: {'OK' if med <= 0.005 else 'MISSED'}]"
    )
    print(
        f"  of which fsync: median {ms(statistics.median(fsyncs))}; "
        f"the rest (stamp, TinyDB, encode): median {ms(cpu)}"
    )
    print(
        f"floor (append + fsync of the same bytes, interleaved with the saves): "
        f"median {ms(floor)}, p95 {ms(percentile(floors, 95))}"
    )
    print(f"checkpoint (snapshot rewrite, at close and every ~8 MiB of journal): {ms(checkpoint)}")
    print(f"peak RSS of the benchmark process: {rss / 1024:.0f} MiB")
    return med, floor


def bench_tinydb_default(folder: Path, samples: int) -> float:
    """TinyDB's JSONStorage (rewrites the whole file at each insert) on the same tables."""
    import orjson
    from tinydb import TinyDB

    from citeslab_tui.domain.models import Interview
    from citeslab_tui.store.snapshot import read_snapshot
    from citeslab_tui.store.storage import SNAPSHOT_NAME

    _, tables = read_snapshot(folder / SNAPSHOT_NAME, SNAPSHOT_NAME)
    path = folder / "tinydb-default.json"
    path.write_bytes(orjson.dumps(tables))
    person = next(iter(tables["person"].values()))
    db = TinyDB(path)  # default JSONStorage
    times = []
    for _ in range(samples):
        doc = Interview(person_id=person["id"], on=date(2026, 11, 26), notes="Point.")
        record = {"id": doc.id, **doc.content()}
        t = time.perf_counter()
        db.table("bench").insert(record)  # stock ids: integers; the file rewrite dominates
        times.append(time.perf_counter() - t)
    db.close()
    path.unlink()
    med = statistics.median(times)
    print(
        f"TinyDB default JSONStorage, same insert ({samples} samples, no fsync at all): "
        f"median {ms(med)}"
    )
    return med


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--tinydb-samples", type=int, default=5)
    args = parser.parse_args()
    source = dataset(args.people)
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        folder = Path(tmp) / "data"
        shutil.copytree(source, folder)
        (folder / "citeslab.lock").unlink(missing_ok=True)
        bench_open(folder)
        save, floor = bench_saves(folder, args.saves)
        tiny = bench_tinydb_default(folder, args.tinydb_samples)
    print(
        f"ratios: save / floor = {save / floor:.1f}x ; "
        f"TinyDB JSONStorage / save = {tiny / save:.0f}x"
    )


if __name__ == "__main__":
    main()
