"""Do shard tables pay? One table per record kind vs `<kind>.<2 hex>` shards (~1,500).

Run by hand: `.venv/bin/python bench/bench_tables.py [--people 10000] [--samples 300]`.

Shards existed because stock TinyDB rebuilds a whole table on every write
(`Table._update_table`): the smaller the table, the cheaper a save. The store now
passes a save's changes to the storage (`RecordTable.put`, no rebuild), so the
question is what each layout costs now. On the 10,000-person demo, for both layouts:
- a write of one document: stock TinyDB Table.insert (MemoryStorage, the old cost)
  and the project's path (RecordTable.put inside a batch: encode + memory, no disk);
- reading every document of a kind (the bilan, the tasks board, the search index);
- opening a snapshot of that layout: time and peak RSS (in a fresh process).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from demo_cache import demo_folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from citeslab_tui.store.snapshot import encode_snapshot_parts, read_snapshot  # noqa: E402
from citeslab_tui.store.storage import SNAPSHOT_NAME, JournalStorage  # noqa: E402
from citeslab_tui.store.tables import Database, RecordTable  # noqa: E402


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:.3f} ms"


def sharded(tables: dict) -> dict:
    """The schema-1 layout of the same documents (integer ids per shard)."""
    out: dict = {}
    for name, table in tables.items():
        if name.startswith("_"):
            out[name] = table
            continue
        for record_id, doc in table.items():
            shard = out.setdefault(f"{name}.{record_id[:2]}", {})
            shard[str(len(shard) + 1)] = doc
    return out


def stock_insert(tables: dict, name: str, samples: int) -> list[float]:
    from tinydb import TinyDB
    from tinydb.storages import MemoryStorage

    db = TinyDB(storage=MemoryStorage)  # stock ids are integers: re-key the documents
    db.storage.write(
        {n: {str(i): d for i, d in enumerate(t.values(), 1)} for n, t in tables.items()}
    )
    table = db.table(name)
    times = []
    for i in range(samples):
        doc = {"id": f"{i:032x}", "person_id": "x", "notes": "Point."}
        t = time.perf_counter()
        table.insert(doc)
        times.append(time.perf_counter() - t)
    return times


def journal_put(folder: Path, tables: dict, name: str, samples: int) -> list[float]:
    """RecordTable.put inside one batch: what a save costs before the journal write."""
    data = folder / f"put-{name}"
    data.mkdir()
    (data / SNAPSHOT_NAME).write_bytes(b"".join(encode_snapshot_parts(tables, 0)))
    db = Database(data, record_kinds=[name])
    table = db.table(name)
    assert isinstance(table, RecordTable)
    storage = db.storage
    assert isinstance(storage, JournalStorage)
    times = []
    with storage.batch():
        for i in range(samples):
            doc = {"id": f"{i:032x}", "person_id": "x", "notes": "Point.", "meta": {}}
            t = time.perf_counter()
            table.put_records([doc])
            times.append(time.perf_counter() - t)
        storage._forget_pending()  # nothing to write: this measures the CPU part
    storage.close(fold=False)
    return times


def read_kind(tables: dict, kind: str, shards: bool, samples: int = 20) -> list[float]:
    times = []
    for _ in range(samples):
        t = time.perf_counter()
        if shards:
            docs = [
                d
                for n, table in tables.items()
                if n.partition(".")[0] == kind
                for d in list(table.values())
            ]
        else:
            docs = list(tables[kind].values())
        times.append(time.perf_counter() - t)
        assert docs
    return times


# VmHWM, not ru_maxrss: the latter keeps the parent's peak across fork + exec.
OPEN = """
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from citeslab_tui.store.snapshot import read_snapshot
t = time.perf_counter()
read_snapshot(Path(sys.argv[1]), "x")
seconds = time.perf_counter() - t
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
print(seconds, peak)
"""


def open_layout(path: Path, runs: int = 3) -> tuple[float, float]:
    seconds, rss = [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", OPEN, str(path), str(ROOT)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        seconds.append(float(out[0]))
        rss.append(int(out[1]) / 1024)
    return statistics.median(seconds), max(rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()
    folder = demo_folder(args.people)
    _, kinds = read_snapshot(folder / SNAPSHOT_NAME, SNAPSHOT_NAME)
    from citeslab_tui.store.migrations import migrate

    kinds = migrate(kinds, 1) if any("." in n for n in kinds) else kinds
    shards = sharded(kinds)
    big = max((n for n in kinds if not n.startswith("_")), key=lambda n: len(kinds[n]))
    shard = f"{big}.{next(iter(kinds[big]))[:2]}"
    print(
        f"data: {folder} ({sum(len(t) for t in kinds.values())} documents); "
        f"per kind: {len(kinds)} tables, largest {big} ({len(kinds[big])} docs); "
        f"sharded: {len(shards)} tables, {shard} has {len(shards[shard])} docs"
    )
    with tempfile.TemporaryDirectory(prefix="bench-tables-") as tmp:
        work = Path(tmp)
        print("one write (CPU only, no disk):")
        for label, times in (
            (f"  stock TinyDB insert, shard {shard}", stock_insert(shards, shard, 50)),
            (f"  stock TinyDB insert, table {big}", stock_insert(kinds, big, 50)),
            (
                f"  RecordTable.put, shard-sized table {shard}",
                journal_put(work, {shard: shards[shard]}, shard, args.samples),
            ),
            (f"  RecordTable.put, table {big}", journal_put(work, kinds, big, args.samples)),
        ):
            print(f"{label:<58} {ms(times)}")
        print(f"read every document of {big}:")
        print(f"  {'one table':<56} {ms(read_kind(kinds, big, False))}")
        print(f"  {'256 shards':<56} {ms(read_kind(shards, big, True))}")
        print("open a snapshot of the layout (fresh process: time, peak RSS):")
        for label, layout in (("one table per kind", kinds), ("shards", shards)):
            path = work / f"{label}.json"
            with path.open("wb") as handle:
                for piece in encode_snapshot_parts(layout, 0):
                    handle.write(piece)
            seconds, rss = open_layout(path)
            size = path.stat().st_size / 1e6
            print(f"  {label:<56} {seconds * 1000:.0f} ms, {rss:.0f} MiB ({size:.1f} MB)")
            path.unlink()
        shutil.rmtree(work / f"put-{big}", ignore_errors=True)


if __name__ == "__main__":
    main()
