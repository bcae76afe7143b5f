"""Sync benchmark (run by hand): `.venv/bin/python bench/bench_sync.py [--people N]`.

1. A day's bundles from 7 laptops (~200 changed records: new people, interviews,
   edits of known people) imported into an office database built with
   `citeslab demo --people 10000` (cached under /tmp), durable write included.
   Target <= 1 s.
2. A first full sync of that whole database into an empty one (the office's
   return file imported by a new laptop), durable write included. Target <= 5 s.
3. The next morning: the office's incremental return file for that laptop (200 people
   edited at the office), and the --full fallback into an up-to-date laptop.
Each is printed next to the time to simply parse the same bytes (read, decrypt,
gunzip, JSON).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demo_cache import demo_folder  # noqa: E402

from citeslab_tui.bundles import codec, keys  # noqa: E402
from citeslab_tui.domain.models import Interview, Person, Settings  # noqa: E402
from citeslab_tui.reference import Reference  # noqa: E402
from citeslab_tui.services import keys as identities  # noqa: E402
from citeslab_tui.services import sync  # noqa: E402
from citeslab_tui.services.workspace import Workspace  # noqa: E402
from citeslab_tui.store.repository import Repository  # noqa: E402

CACHE = Path(tempfile.gettempdir()) / "citeslab-bench-sync"
LAPTOPS = 7


def office_cache(people: int) -> Path:
    folder = CACHE / f"office-{people}"
    if not (folder / "citeslab.json").exists():
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(demo_folder(people), folder)
    with Repository.open(folder) as repo:  # also a cache made by an older version
        update = {"role": "office", "structure_id": repo.settings.structure_id or "b" * 32}
        repo.save_settings(repo.settings.model_copy(update=update))
    keys.ensure_identity(folder)
    return folder


def fresh_copy(source: Path, dest: Path) -> Path:
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("backups", "logs", "*.lock"))
    return dest


def laptop(folder: Path, name: str, office: Path) -> Repository:
    """A laptop that trusts the office and is enrolled there (keys trust / enroll)."""
    repo = Repository.open(folder)
    repo.save_settings(Settings(structure="S", staff=["Céline"], device_id=name, device_name=name))
    with Repository.open(office) as office_repo:
        office_ws = Workspace(office_repo, Reference(office))
        laptop_ws = Workspace(repo, Reference(folder))
        identities.install_office(laptop_ws, identities.local_identity(office_ws))
        identities.enroll(office_ws, identities.local_identity(laptop_ws))
    return repo


def make_day(office: Path, work: Path, rng: random.Random) -> list[Path]:
    """7 laptops, each knowing 15 people of the office, make ~29 changes and export."""
    with Repository.open(office) as repo:
        known = [doc for doc in repo.docs("person")]
    stick = work / "cle"
    stick.mkdir(parents=True)
    paths = []
    for n in range(LAPTOPS):
        with laptop(work / f"laptop{n}", f"portable{n}", office) as repo:
            mine = rng.sample(known, 15)
            repo.put_docs([("person", dict(doc)) for doc in mine])
            repo.put_docs([], local={"sync_exported": repo.lseq})  # as after a return
            edits = [
                Person.model_validate(doc).model_copy(update={"commune": "Caen", "notes": "vu"})
                for doc in mine[:10]
            ]
            repo.save(*edits)
            for i in range(10):
                person = Person(family_name=f"Nouveau{n}", first_name=f"P{i}")
                records = [person]
                if i < 9:
                    records.append(Interview(person_id=person.id, on=date(2026, 11, 26)))
                repo.save(*records)
            result = sync.export_bundle(repo, stick)
            paths.append(result.path)
    return paths


def parse_only(paths: list[Path], data_dir: Path) -> float:
    start = time.perf_counter()
    for path in paths:
        parsed = codec.split_bundle(path.read_bytes())
        payload = parsed.payload
        if parsed.manifest.encryption == "age":
            payload = keys.decrypt(data_dir, payload)
        codec.decode_payload(payload, parsed.manifest.count)
    return time.perf_counter() - start


FULL_SYNC_SCRIPT = """
import sys, time
from pathlib import Path
from citeslab_tui.services import sync
from citeslab_tui.store.repository import Repository
repo = Repository.open(Path(sys.argv[1]))
start = time.perf_counter()
report = sync.import_bundles(repo, [Path(sys.argv[2])])
seconds = time.perf_counter() - start
assert not report.refused, report.lines()
repo.close()
peak = next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]
print(seconds, int(peak) / 1024)
"""


def full_sync_child(newcomer: Path, bundle: Path) -> tuple[float, float]:
    """(seconds, peak RSS MiB) of a first full sync in a fresh process (VmHWM: the
    peak of that process alone, not inherited from this one at fork)."""
    out = subprocess.run(
        [sys.executable, "-c", FULL_SYNC_SCRIPT, str(newcomer), str(bundle)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    source = office_cache(args.people)
    rng = random.Random(1)
    with tempfile.TemporaryDirectory(prefix="citeslab-bench-") as tmp:
        work = Path(tmp)
        day = make_day(source, work / "day", rng)
        changed = 0
        for path in day:
            changed += codec.split_bundle(path.read_bytes()).manifest.count
        print(f"Office database: demo --people {args.people}")
        print(
            f"Day: {LAPTOPS} laptop bundles, {changed} changed records, "
            f"{sum(p.stat().st_size for p in day) / 1024:.0f} KiB"
        )

        # 1. a day's bundles into the office database
        times, parse, cold = [], [], []
        for run in range(args.runs):
            office = fresh_copy(source, work / f"office{run}")
            with Repository.open(office) as repo:
                parse.append(parse_only(day, office))
                repo._storage.parse_all()  # as an app that has shown its screens
                start = time.perf_counter()
                report = sync.import_bundles(repo, day)
                times.append(time.perf_counter() - start)
                assert not report.refused, report.lines()
            office = fresh_copy(source, work / f"office-cold{run}")
            with Repository.open(office) as repo:  # the kinds parsed by the import itself
                start = time.perf_counter()
                sync.import_bundles(repo, day)
                cold.append(time.perf_counter() - start)
        print(
            f"1. day import into office: median {statistics.median(times):.3f} s "
            f"(runs {', '.join(f'{t:.3f}' for t in times)}; target <= 1 s); "
            f"parse only {statistics.median(parse):.3f} s; just after the open (the "
            f"kinds parsed by the import): {statistics.median(cold):.3f} s"
        )
        print("   " + " ".join(report.lines()[-3:]))

        # 2. first full sync of the whole database into an empty one
        office = work / "office0"
        newcomer = work / "new-laptop"
        repo = laptop(newcomer, "portable-new", office)
        repo.close()
        with Repository.open(office) as repo:
            start = time.perf_counter()
            (work / "retour").mkdir()
            # one file per laptop: the 7 of the day acknowledged nothing yet, the newcomer
            # is new: every file is full
            written = sync.write_return(repo, work / "retour")
            export_time = time.perf_counter() - start
            total = repo.lseq
        (mine,) = [p for p in written.paths if "portable-new" in p.name]
        size = mine.stat().st_size
        spare = work / "new-laptop-child"
        shutil.copytree(newcomer, spare, ignore=shutil.ignore_patterns("*.lock"))
        child_time, child_peak = full_sync_child(spare, mine)
        repo = Repository.open(newcomer)
        try:
            parse_full = parse_only([mine], newcomer)
            start = time.perf_counter()
            report = sync.import_bundles(repo, [mine])
            full_time = time.perf_counter() - start
            left = repo._storage.journal_size  # 0: the bulk save was written as a snapshot
            assert not report.refused, report.lines()
            n = sum(1 for k in ("person", "interview", "task") for _ in repo.docs(k))
            # 3. the next morning: the laptop acknowledges (a file with no record), then
            # a day's changes at the office come back incrementally; and --full
            time.sleep(1.1)  # another file name (seconds in it)
            ack = sync.export_bundle(repo, work / "retour")
            assert ack.path is not None
            with Repository.open(office) as office_repo:
                assert not sync.import_bundles(office_repo, [ack.path]).refused
                edits = [
                    Person.model_validate(doc).model_copy(update={"notes": "revu"})
                    for doc in list(office_repo.docs("person"))[:200]
                ]
                office_repo.save(*edits)
                (work / "retour2").mkdir()
                start = time.perf_counter()
                inc = sync.write_return(office_repo, work / "retour2")
                inc_write = time.perf_counter() - start
                (work / "retour3").mkdir()
                again = sync.write_return(office_repo, work / "retour3", full=True)
            (inc_path,) = [p for p in inc.paths if "portable-new" in p.name]
            inc_manifest = codec.split_bundle(inc_path.read_bytes()).manifest
            start = time.perf_counter()
            report = sync.import_bundles(repo, [inc_path])
            inc_time = time.perf_counter() - start
            assert not report.refused and report.updated == {"person": 200}, report.lines()
            (full_again,) = [p for p in again.paths if "portable-new" in p.name]
            start = time.perf_counter()
            report = sync.import_bundles(repo, [full_again])
            morning_time = time.perf_counter() - start
            assert not report.refused and not report.new and not report.updated
        finally:
            start = time.perf_counter()
            repo.close()
            close_time = time.perf_counter() - start
        print(
            f"2. first full sync into an empty database: {full_time:.3f} s (target <= 5 s; "
            f"durable write included); parse only {parse_full:.3f} s; journal left to fold "
            f"at close: {left / 1e6:.1f} MB; close after step 3: {close_time:.3f} s"
        )
        print(
            f"   in a fresh process: {child_time:.3f} s, peak RSS {child_peak:.0f} MiB "
            "(target <= 250 MiB at 100,000 people)"
        )
        print(
            f"   {len(written.paths)} full return files (one per laptop) written, read back "
            f"and verified in {export_time:.3f} s: {size / 1e6:.1f} MB each, {total} records, "
            f"{n} people+interviews+tasks"
        )
        print(
            f"3. next morning, incremental return (200 people edited at the office): "
            f"{inc_manifest.count} records, {inc_path.stat().st_size / 1e3:.0f} kB, all "
            f"{len(inc.paths)} files written in {inc_write:.3f} s, imported in {inc_time:.3f} s"
        )
        print(
            f"   --full return file into an up-to-date laptop: {morning_time:.3f} s "
            "(every record checked, none rewritten)"
        )


if __name__ == "__main__":
    main()
