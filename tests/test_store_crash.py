"""Kill -9 a process that saves in a loop; every acknowledged save must survive.

A child process (forked: no interpreter start-up per round) opens the database
and saves records in a loop (single saves, grouped transactions, an occasional
checkpoint), printing each id once `save()` has returned. The parent reads a
random number of ids, then SIGKILLs the child (most likely in the middle of the
next save or checkpoint). After each kill the database must open, pass
`citeslab check`, and hold every printed id.
"""

from __future__ import annotations

import os
import random
import signal
import sys
from datetime import date
from pathlib import Path

import pytest

from citeslab_tui.cli import main as cli_main
from citeslab_tui.domain.models import FollowUpTask, Interview, Person, Stage, StageEvent
from citeslab_tui.store.repository import Repository

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork and SIGKILL are POSIX")

KILLS = 60
DAY = date(2026, 11, 26)


def save_forever(folder: Path, round_no: int) -> None:
    """The child: save in a loop, print what was acknowledged. Never returns."""
    repo = Repository.open(folder)
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        if n % 5 == 0:  # one durable save of three records
            person = Person(family_name=f"Crash{round_no}", first_name="Léa")
            with repo.transaction():
                repo.save(person)
                repo.save(Interview(person_id=person.id, on=DAY, notes="x" * (n % 300)))
                task = repo.save(FollowUpTask(person_id=person.id, title="Rappeler", due=DAY))
            ids = [person.id, task[0].id]
        else:
            interview = Interview(person_id="p" * 32, on=DAY, notes="é" * (n * 37 % 900))
            ids = [repo.save(interview)[0].id]
        if n % 11 == 0:
            repo.checkpoint()  # snapshot replace + journal switch: crash windows too
        print(" ".join(ids), flush=True)


def start_child(folder: Path, round_no: int) -> tuple[int, object]:
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:  # child
        try:
            os.close(read_end)
            os.dup2(write_end, 1)
            sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
            save_forever(folder, round_no)
        finally:
            os._exit(1)
    os.close(write_end)
    return pid, os.fdopen(read_end, encoding="utf-8")


def test_sigkill_never_loses_an_acknowledged_save(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "donnees"
    with Repository.open(folder) as repo:
        # records the child never reads: their table stays on disk in the child, so
        # its checkpoints copy it byte for byte (crash windows of that copy too)
        stages = repo.save(
            *[StageEvent(person_id="s" * 32, on=DAY, stage=Stage.DETECTED) for _ in range(450)]
        )
    untouched = {stage.id for stage in stages}
    rng = random.Random(20261126)
    acknowledged: set[str] = set()
    for round_no in range(KILLS):
        pid, out = start_child(folder, round_no)
        target = rng.choice([0, 1, 2, 3, 4, 6, 9, 12, 16, 25])
        with out:
            assert out.readline().strip() == "ready", "child failed to open the database"
            for _ in range(target):
                line = out.readline()
                assert line, "child died"
                acknowledged.update(line.split())
            os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            for line in out:  # lines written before the kill are acknowledged too
                acknowledged.update(line.split())
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL

        with Repository.open(folder, create=False) as repo:
            stored = {d["id"] for kind in ("interview", "person", "task") for d in repo.docs(kind)}
            assert {d["id"] for d in repo.docs("stage")} == untouched
        missing = acknowledged - stored
        assert not missing, f"round {round_no}: {len(missing)} acknowledged saves lost"
        assert cli_main(["--data-dir", str(folder), "check"]) == 0, capsys.readouterr().err
    assert len(acknowledged) > KILLS * 3


# --- a crash during a snapshot write ---------------------------------------------------

CHECKPOINT_KILLED = r"""
import sys, time
from pathlib import Path
from citeslab_tui.store import files
from citeslab_tui.store.repository import Repository

real_fsync = files.full_fsync


def stall(fd):  # the temporary snapshot is complete: the kill lands before the rename
    real_fsync(fd)
    print("written", flush=True)
    time.sleep(60)


repo = Repository.open(Path(sys.argv[1]))
files.full_fsync = stall
repo.checkpoint()
"""

PHONE = "+33612345678"


def test_snapshot_temp_file_left_by_a_kill_is_listed_then_removed(tmp_path: Path, capsys) -> None:
    import subprocess

    from citeslab_tui.services.privacy import erase_person
    from citeslab_tui.services.workspace import Workspace

    folder = tmp_path / "donnees"
    with Repository.open(folder) as repo:  # today's backup exists from here on
        person = repo.save(Person(family_name="Diallo", first_name="Awa", phone=PHONE))[0]
    child = subprocess.Popen(
        [sys.executable, "-c", CHECKPOINT_KILLED, str(folder)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "written"
    child.kill()  # SIGKILL
    child.wait()
    (leftover,) = folder.glob(".citeslab.json.*.tmp")
    assert PHONE.encode() in leftover.read_bytes()  # a whole copy of the database

    capsys.readouterr()
    assert cli_main(["--data-dir", str(folder), "check"]) == 0
    out = capsys.readouterr().out
    assert "Fichiers temporaires laissés par une interruption (1)" in out
    assert leftover.name in out

    with Workspace.open(folder) as ws:  # opened for writing: the copy goes
        assert not leftover.exists()
        erase_person(ws, person.id)
    for path in folder.rglob("*"):
        if path.is_file() and "backups" not in path.parts:
            assert PHONE.encode() not in path.read_bytes(), path.name
    assert cli_main(["--data-dir", str(folder), "check"]) == 0
    assert "temporaires" not in capsys.readouterr().out


# --- a crash during a bulk save (the first full sync) ------------------------------------

BULK_KILLED = r"""
import sys
from pathlib import Path
from citeslab_tui.store.repository import Repository

repo = Repository.open(Path(sys.argv[1]))
round_no = int(sys.argv[2])
meta = {"hlc": "1764140000000-0000-p1-ab12cd", "vv": {"p1-ab12cd": 1}, "dots": {}}


def handover():  # as the sync import hands its records over: one at a time
    for i in range(3000):
        doc_id = f"{round_no:04x}{i:028x}"
        yield "person", {"id": doc_id, "family_name": f"Bulk{round_no}", "notes": "n" * 300,
                         "meta": dict(meta)}


print("ready", flush=True)
repo.put_docs(handover(), owned=True)  # a bulk save: written as a fresh snapshot
print("saved", flush=True)
repo.close()
"""


def test_sigkill_during_a_bulk_save_leaves_all_of_it_or_none(tmp_path: Path, capsys) -> None:
    """A bulk save (the first full sync, written as a snapshot streamed into its file)
    killed at any moment: the database opens, passes `check`, and holds the whole
    save or nothing of it, never a part."""
    import subprocess
    import time

    folder = tmp_path / "donnees"
    Repository.open(folder).close()
    rng = random.Random(20261130)
    saved = 0
    for round_no in range(8):
        child = subprocess.Popen(
            [sys.executable, "-c", BULK_KILLED, str(folder), str(round_no)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0, 0.4))
        child.kill()
        rest = child.stdout.read()
        child.wait()
        with Repository.open(folder, create=False) as repo:
            names = {d["family_name"] for d in repo.docs("person")}
            count = repo.count("person")
        done = "saved" in rest or f"Bulk{round_no}" in names
        saved += done
        assert count == 3000 * saved, f"round {round_no}: {count} people, a part of a save"
        assert cli_main(["--data-dir", str(folder), "check"]) == 0, capsys.readouterr().err
    assert 0 < saved < 8  # killed both before and after the save was made durable
