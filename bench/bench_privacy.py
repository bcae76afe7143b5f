"""Personal-data operations on a realistic database (run by hand, prints figures).

    .venv/bin/python bench/bench_privacy.py [--people 10000]

Builds `demo --people N` in a temporary folder, then times: the retention scan,
the access export of one person, the erasure of one person (one durable save +
checkpoint), and anonymising everyone due (retention --apply).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from citeslab_tui.demo import generate
from citeslab_tui.services import privacy
from citeslab_tui.services.workspace import Workspace


def timed(label: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    print(f"{label:<48} {1000 * (time.perf_counter() - t0):9.1f} ms")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "donnees"
        with Workspace.open(folder) as ws:
            ws.configure(structure="Bench", staff=["Céline"], device="bench")
            t0 = time.perf_counter()
            counts = generate(ws, args.people, seed=1)
            print(f"demo: {sum(counts.values())} records in {time.perf_counter() - t0:.1f} s")
            ws.repo.checkpoint()
            later = date(date.today().year + 3, 1, 1)
            due = timed("retention scan (all due, 3 years on)", privacy.retention_due, ws, later)
            print(f"  people due: {len(due)}")
            timed(
                "retention reminder (first this month: scan)",
                privacy.retention_reminder,
                ws,
                later,
            )
            timed("retention reminder (same month: no scan)", privacy.retention_reminder, ws, later)
            pid = due[0].person_id
            timed("access report + text of one person", privacy.render_access, ws, pid, "text")
            timed("audit trail of one person", privacy.audit_trail, ws, pid)
            timed("erase one person (1 save + checkpoint)", privacy.erase_person, ws, pid)
            result = timed(
                "retention --apply (everyone due, 1 save)", privacy.apply_retention, ws, later
            )
            print(f"  anonymised: {result.people} people, {result.records} documents")
            size = (folder / "citeslab.json").stat().st_size
            print(f"snapshot size after: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
