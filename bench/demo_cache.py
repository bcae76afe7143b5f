"""Demo data folders shared by the benchmarks: `citeslab demo --people N --seed 1`,
generated once per size and cached under /tmp (benchmarks copy them before writing;
$CITESLAB_BENCH_CACHE names another cache folder)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("CITESLAB_BENCH_CACHE", "/tmp/citeslab_bench_demo"))


def demo_folder(people: int, cache: Path = CACHE) -> Path:
    """The cached demo folder of `people` people, created (and timed) on first use."""
    folder = cache / f"demo{people}"
    if not (folder / "citeslab.json").exists():
        print(f"(demo --people {people}: building {folder} once)", flush=True)
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "citeslab_tui",
                "--data-dir",
                str(folder),
                "demo",
                "--people",
                str(people),
            ],
            check=True,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        print(f"(demo built in {time.perf_counter() - started:.1f} s)", flush=True)
    return folder
