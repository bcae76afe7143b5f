"""Search-as-you-type benchmark: index build time and per-keystroke latency.

Usage: .venv/bin/python bench/bench_search.py [--people 10000 100000]

Demo folders are generated once (`citeslab demo --people N`) and cached under
by bench/demo_cache.py (the 100,000 one takes a few minutes the first time).
Every query is typed one character at a time; each prefix is one keystroke.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from demo_cache import demo_folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from citeslab_tui.services import people as people_service  # noqa: E402
from citeslab_tui.services import search  # noqa: E402
from citeslab_tui.services.workspace import Workspace  # noqa: E402

QUERIES = [
    "heloise",  # accent-insensitive, may not exist
    "diallo aicha",
    "Traoré",
    "traore mamdou",  # typo
    "hebret",  # typo in Hébert
    "06 12 34",
    "+33 6 45",
    "celine.3",
    "m",
    "chevalier sebastien",
    "fofanna",  # typo
    "45678",  # middle of a phone number
]
DUPLICATES = [
    ("Diallo", "Aïcha", "06 12 34 56 78", None),
    ("Tarore", "Mamadou", None, None),
    ("Nouveau", "Personne", "07 00 00 00 01", None),
]


def ensure_demo(people: int) -> Path:
    """The shared demo folder of that size (bench/demo_cache.py, made once)."""
    return demo_folder(people)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def bench(people: int) -> None:
    folder = ensure_demo(people)
    with Workspace.open(folder, create=False) as ws:
        count = ws.repo.count("person")
        t0 = time.perf_counter()
        index = search.SearchIndex.build(ws.repo)
        build = time.perf_counter() - t0
        timings: list[float] = []
        cpu: list[float] = []  # CPU time of this thread: less sensitive to a busy machine
        for _round in range(3):
            index = search.SearchIndex.build(ws.repo)  # cold caches each round
            for query in QUERIES:
                for end in range(1, len(query) + 1):
                    t = time.perf_counter()
                    c = time.thread_time()
                    index.search(query[:end])
                    cpu.append((time.thread_time() - c) * 1000)
                    timings.append((time.perf_counter() - t) * 1000)
        dup_timings = []
        for family, first, phone, birth in DUPLICATES:
            t = time.perf_counter()
            index.likely_duplicates(family, first, phone, birth)
            dup_timings.append((time.perf_counter() - t) * 1000)
        import os

        print(f"people: {count} (load average {os.getloadavg()[0]:.1f})")
        print(f"  index build: {build * 1000:.0f} ms")
        print(
            f"  per keystroke ({len(timings)} keystrokes): median {statistics.median(timings):.2f} ms,"
            f" p95 {percentile(timings, 95):.2f} ms, max {max(timings):.2f} ms"
        )
        print(
            f"  per keystroke, CPU time: median {statistics.median(cpu):.2f} ms,"
            f" p95 {percentile(cpu, 95):.2f} ms"
        )
        print(
            f"  likely_duplicates: median {statistics.median(dup_timings):.2f} ms,"
            f" max {max(dup_timings):.2f} ms"
        )
        file_timings = []
        for hit in index.search("diallo", 5):
            t = time.perf_counter()
            people_service.current_stage(ws, hit.person_id)
            people_service.timeline(ws, hit.person_id)
            file_timings.append((time.perf_counter() - t) * 1000)
        print(
            f"  person's file data (stage + timeline): median"
            f" {statistics.median(file_timings):.0f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, nargs="+", default=[10000, 100000])
    args = parser.parse_args()
    for people in args.people:
        bench(people)


if __name__ == "__main__":
    main()
