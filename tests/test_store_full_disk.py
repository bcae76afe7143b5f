"""A full disk, for real: a tiny tmpfs mounted for the test (Linux, as root).

Erasure must be reported done once durable and the journal folded when space
allows; commands that only read must work on a full disk. The same erasure rule
is also checked with a simulated ENOSPC (tests/test_store.py), which runs anywhere.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from citeslab_tui.domain.models import Interview, Person
from citeslab_tui.services.privacy import erase_person
from citeslab_tui.services.workspace import Workspace
from citeslab_tui.store.storage import SNAPSHOT_NAME

SIZE = "1m"


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs: a file system that really fills up (ENOSPC from the kernel)."""
    mount = tmp_path / "disque"
    mount.mkdir()
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs Linux and root (CI runs as root)")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SIZE},mode=0700", "tmpfs", str(mount)],
        capture_output=True,
    )
    if done.returncode:
        pytest.skip(f"mount refused: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(disk: Path, leave: int = 0) -> Path:
    """Fill the file system, then free `leave` bytes; returns the filler file."""
    filler = disk / "remplissage"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        block = b"\0" * 65536
        while True:
            try:
                os.write(fd, block)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
                if len(block) == 1:
                    break
                block = block[: len(block) // 2]
        os.ftruncate(fd, max(0, os.fstat(fd).st_size - leave))
    finally:
        os.close(fd)
    return filler


def open_workspace(folder: Path) -> Workspace:
    ws = Workspace.open(folder)
    if not ws.settings.configured:
        ws.configure(structure="Mife", staff=["Céline"], device="portable-1")
    return ws


def database_bytes(folder: Path) -> bytes:
    """The live database files (snapshot and journals), backups excepted."""
    paths = [folder / SNAPSHOT_NAME, *sorted(folder.glob("journal-*"))]
    return b"".join(p.read_bytes() for p in paths if p.exists())


def crash(ws: Workspace) -> None:
    """Stop as a power cut would: no fold of the journal, the lock dropped."""
    ws.repo._storage.close(fold=False)
    ws.repo._lock.release()


def test_erasure_on_a_nearly_full_disk_is_done_and_folded_when_space_allows(
    tiny_disk: Path,
) -> None:
    folder = tiny_disk / "donnees"
    ws = open_workspace(folder)
    people = [
        ws.repo.save(Person(family_name=f"Nom{i}", first_name="Léa", phone=f"+3361234{i:04d}"))[0]
        for i in range(60)
    ]
    target = people[0]
    ws.repo.checkpoint()
    ws.repo.save(Interview(person_id=target.id, on="2026-11-26", notes="Suivi."))
    ws.repo.save(target.model_copy(update={"email": "awa@example.org"}))  # a journal line
    phone = target.phone.encode()
    assert phone in database_bytes(folder)
    snapshot_size = (folder / SNAPSHOT_NAME).stat().st_size
    filler = fill(tiny_disk, leave=16 * 1024)  # room for a journal line, not a snapshot
    assert snapshot_size > 16 * 1024

    result = erase_person(ws, target.id)  # was: StoreError "le disque est plein"
    assert result.people == 1 and result.records >= 2
    assert ws.repo.get(Person, target.id).phone is None
    assert phone in database_bytes(folder)  # old journal lines: the fold had no room
    crash(ws)

    ws = open_workspace(folder)  # disk still full: the erasure was durable
    assert ws.repo.get(Person, target.id).phone is None
    assert phone in database_bytes(folder)
    crash(ws)

    filler.unlink()  # space freed: the next open folds
    ws = open_workspace(folder)
    assert phone not in database_bytes(folder)
    assert ws.repo.get(Person, target.id).phone is None
    assert ws.repo.count("person") == 60
    ws.close()


def test_erasure_fold_waits_for_the_next_save_when_space_comes_back(tiny_disk: Path) -> None:
    folder = tiny_disk / "donnees"
    ws = open_workspace(folder)
    people = [
        ws.repo.save(Person(family_name=f"Nom{i}", phone=f"+3361234{i:04d}"))[0] for i in range(60)
    ]
    ws.repo.checkpoint()
    ws.repo.save(people[0].model_copy(update={"first_name": "Awa"}))
    phone = people[0].phone.encode()
    filler = fill(tiny_disk, leave=16 * 1024)
    erase_person(ws, people[0].id)
    assert phone in database_bytes(folder)
    filler.unlink()
    ws.repo.save(Person(family_name="Suivant"))  # the first save with room folds
    assert phone not in database_bytes(folder)
    assert ws.repo._storage.journal_size == 0
    ws.close()


def run_cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "citeslab_tui", "--data-dir", str(folder), *args],
        capture_output=True,
        text=True,
    )


def test_commands_that_only_read_work_on_a_full_disk(tiny_disk: Path) -> None:
    folder = tiny_disk / "donnees"
    with open_workspace(folder) as ws:
        person = ws.repo.save(Person(family_name="Diallo", first_name="Awa"))[0]
        ws.repo.save(Interview(person_id=person.id, on="2026-11-26"))
    assert not (folder / "citeslab.lock.json").exists()
    fill(tiny_disk)
    for args in (
        ["report", "--from", "2026-09-01", "--to", "2027-08-31"],
        ["person", "export", person.id, "--format", "json", "--output", "-"],
        ["check"],
    ):
        done = run_cli(folder, *args)
        assert done.returncode == 0, (args, done.stderr)
        assert "Traceback" not in done.stderr and "Logging error" not in done.stderr
    assert "Diallo" in run_cli(folder, "person", "export", person.id, "--output", "-").stdout
