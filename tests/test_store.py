"""The store: durability, one writer, damage detection, backups, restore, schema."""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import orjson
import pytest

from citeslab_tui.cli import main as cli_main
from citeslab_tui.domain.models import RECORD_TYPES, Interview, Person
from citeslab_tui.store import backups, migrations, snapshot, storage
from citeslab_tui.store.errors import DatabaseCorrupt, DatabaseLocked, DatabaseTooNew, StoreError
from citeslab_tui.store.repository import Repository
from citeslab_tui.store.storage import SNAPSHOT_NAME, JournalStorage, encode_snapshot

DAY = date(2026, 11, 26)


def files_of(folder: Path) -> dict[str, bytes]:
    """The database files (snapshot, journals, backups) and their exact bytes."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if (
            path.is_file()
            and "logs" not in path.parts
            and not path.name.startswith("citeslab.lock")
        ):
            out[str(path.relative_to(folder))] = path.read_bytes()
    return out


def make_db(folder: Path, people: int = 3, *, close: bool = True) -> tuple[list[str], Repository]:
    """A database with a snapshot (checkpointed) and a journal holding later saves."""
    repo = Repository.open(folder)
    ids = [repo.save(Person(family_name=f"Nom{i}", first_name="Léa"))[0].id for i in range(people)]
    repo.checkpoint()
    ids += [repo.save(Interview(person_id=ids[0], on=DAY, notes=f"n{i}"))[0].id for i in range(3)]
    if close:
        repo._storage.close(fold=False)  # keep the journal as it is (as after a crash)
        repo._lock.release()
    return ids, repo


def journal_of(folder: Path) -> Path:
    (journal,) = folder.glob("journal-*.jsonl")
    return journal


def stored_ids(folder: Path) -> set[str]:
    with Repository.open(folder, create=False) as repo:
        return {d["id"] for kind in ("person", "interview") for d in repo.docs(kind)}


# --- basics -------------------------------------------------------------------------


def test_saves_survive_reopen_and_files_are_private(data_dir: Path) -> None:
    ids, _ = make_db(data_dir)
    assert stored_ids(data_dir) == set(ids)
    if os.name == "posix":
        assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
        for path in data_dir.rglob("*"):
            expected = 0o700 if path.is_dir() else 0o600
            assert stat.S_IMODE(path.stat().st_mode) == expected, path.name


def test_a_save_is_one_fsynced_journal_line(data_dir: Path, monkeypatch) -> None:
    synced: list[int] = []
    real = storage.full_fsync
    monkeypatch.setattr(storage, "full_fsync", lambda fd: (synced.append(fd), real(fd)))
    with Repository.open(data_dir) as repo:
        journal = repo._storage.journal_path()
        before = journal.read_bytes()
        person = Person(family_name="Diallo", first_name="Aïcha")
        with repo.transaction():
            repo.save(person)
            repo.save(Interview(person_id=person.id, on=DAY))
        added = journal.read_bytes()[len(before) :]
        assert added.count(b"\n") == 1 and added.endswith(b"\n")
        assert len(synced) == 1


def test_put_docs_replaces_the_whole_document(workspace) -> None:
    repo = workspace.repo
    person = repo.save(Person(family_name="Koné", first_name="Awa"))[0]
    doc = dict(repo.doc("person", person.id))
    doc["meta"] = {**doc["meta"], "extra": 1}
    repo.put_docs([("person", doc)])
    doc = {**doc, "meta": {k: v for k, v in doc["meta"].items() if k != "extra"}}
    repo.put_docs([("person", doc)])
    assert "extra" not in repo.doc("person", person.id)["meta"]


# --- one writer ---------------------------------------------------------------------

HOLD = r"""
import sys, time
from pathlib import Path
from citeslab_tui.store.repository import Repository
repo = Repository.open(Path(sys.argv[1]))
print("ready", flush=True)
time.sleep(60)
"""


def test_second_process_refused_with_start_time_then_stale_lock_recovered(data_dir: Path) -> None:
    make_db(data_dir)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(data_dir)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(DatabaseLocked) as refused:
            Repository.open(data_dir)
        message = refused.value.message
        assert "déjà ouvertes par une autre fenêtre" in message
        assert f"processus {holder.pid}" in message
        started = date.today().strftime("%d/%m/%Y")
        assert f"démarrée le {started} à " in message
        result = subprocess.run(
            [sys.executable, "-m", "citeslab_tui", "--data-dir", str(data_dir), "settings"],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0  # reading settings needs no lock
        result = subprocess.run(
            [sys.executable, "-m", "citeslab_tui", "--data-dir", str(data_dir), "restore", "x"],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 1 and "Traceback" not in result.stderr
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # the killed holder left its lock and info files: they must not block
    assert (data_dir / "citeslab.lock.json").exists()
    with Repository.open(data_dir) as repo:
        assert repo.count("person") == 3


def test_same_process_cannot_open_twice(data_dir: Path) -> None:
    with Repository.open(data_dir):
        with pytest.raises(DatabaseLocked):
            Repository.open(data_dir)


# --- damage ---------------------------------------------------------------------------


def truncate_snapshot(folder: Path) -> None:
    path = folder / SNAPSHOT_NAME
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def flip_snapshot_data(folder: Path) -> None:
    path = folder / SNAPSHOT_NAME
    raw = bytearray(path.read_bytes())
    raw[raw.index(b"Nom1") + 1] ^= 0x01  # "Nom1" -> "Nnm1": still valid JSON
    path.write_bytes(bytes(raw))


def flip_snapshot_header(folder: Path) -> None:
    path = folder / SNAPSHOT_NAME
    raw = bytearray(path.read_bytes())
    raw[raw.index(b'"crc32":"') + 9] ^= 0x04
    path.write_bytes(bytes(raw))


def flip_journal_middle(folder: Path) -> None:
    path = journal_of(folder)
    raw = bytearray(path.read_bytes())
    raw[raw.index(b"n1")] ^= 0x20  # second line, inside its payload
    path.write_bytes(bytes(raw))


def drop_journal_line(folder: Path) -> None:
    path = journal_of(folder)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(lines[0] + lines[2])  # a whole line missing: sequence gap


def empty_line_in_journal(folder: Path) -> None:
    path = journal_of(folder)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(lines[0] + b"\x00" * 20 + b"\n" + lines[1] + lines[2])


DAMAGES = [
    truncate_snapshot,
    flip_snapshot_data,
    flip_snapshot_header,
    flip_journal_middle,
    drop_journal_line,
    empty_line_in_journal,
]


@pytest.mark.parametrize("damage", DAMAGES, ids=lambda f: f.__name__)
def test_damage_is_detected_named_and_left_byte_identical(data_dir: Path, damage, capsys) -> None:
    make_db(data_dir)  # the open made today's backup
    damage(data_dir)
    before = files_of(data_dir)
    with pytest.raises(DatabaseCorrupt) as refused:
        Repository.open(data_dir)
    day = date.today().isoformat()
    assert "endommagé" in refused.value.message
    assert f"citeslab restore {day}" in refused.value.message
    assert files_of(data_dir) == before

    capsys.readouterr()
    assert cli_main(["--data-dir", str(data_dir), "check"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Erreur : ") and "endommagé" in err
    assert f"citeslab-{day}.json (du {date.today():%d/%m/%Y})" in err
    assert "Traceback" not in err
    assert files_of(data_dir) == before


def test_truncated_journal_tail_is_reported_then_set_aside_intact(data_dir: Path, capsys) -> None:
    ids, _ = make_db(data_dir)
    journal = journal_of(data_dir)
    raw = journal.read_bytes()
    cut = raw[: len(raw) - 25]  # the last save torn in the middle (power cut)
    journal.write_bytes(cut)
    before = files_of(data_dir)
    assert cli_main(["--data-dir", str(data_dir), "check"]) == 1
    assert "enregistrement interrompu" in capsys.readouterr().err
    assert files_of(data_dir) == before

    with Repository.open(data_dir) as repo:
        assert repo.recovered_torn_write
        aside = repo._storage.torn_file
        assert aside is not None and aside.read_bytes() == cut  # kept byte for byte
        kept = {d["id"] for kind in ("person", "interview") for d in repo.docs(kind)}
    assert kept == set(ids[:-1])
    assert cli_main(["--data-dir", str(data_dir), "check"]) == 0


def test_torn_tail_with_zeros_or_missing_newline(data_dir: Path) -> None:
    ids, _ = make_db(data_dir)
    journal = journal_of(data_dir)
    raw = journal.read_bytes()
    journal.write_bytes(raw[:-1])  # the whole last line is there, only its newline is not
    assert stored_ids(data_dir) == set(ids)
    journal = journal_of(data_dir)
    assert journal.read_bytes() == b""
    with Repository.open(data_dir) as repo:
        repo.save(Interview(person_id=ids[0], on=DAY))
        repo._storage.close(fold=False)
        repo._lock.release()
    journal.write_bytes(journal.read_bytes() + b"\x00" * 4096)  # zeros after a crash
    assert len(stored_ids(data_dir)) == len(ids) + 1


def test_missing_snapshot_with_backups_is_refused(data_dir: Path) -> None:
    make_db(data_dir)
    Repository.open(data_dir).close()  # folds the journal away
    (data_dir / SNAPSHOT_NAME).unlink()
    before = files_of(data_dir)
    with pytest.raises(DatabaseCorrupt, match="manque"):
        Repository.open(data_dir)
    assert files_of(data_dir) == before


# --- failed saves roll back --------------------------------------------------------


def test_disk_full_refuses_the_save_and_changes_nothing(data_dir: Path, monkeypatch) -> None:
    ids, _ = make_db(data_dir)
    with Repository.open(data_dir) as repo:
        person = repo.get(Person, ids[0])
        assert person is not None
        disk = files_of(data_dir)

        def full(fd: int) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(storage, "full_fsync", full)
        with pytest.raises(StoreError, match="le disque est plein"):
            repo.save(person.model_copy(update={"first_name": "Changé"}), Person(family_name="X"))
        assert repo.get(Person, ids[0]).first_name == "Léa"
        assert repo.count("person") == 3
        assert files_of(data_dir) == disk  # the partial line was cut off
        monkeypatch.undo()
        saved = repo.save(Person(family_name="Après", first_name="Zoé"))[0]  # disk freed
        repo._storage.close(fold=False)
        repo._lock.release()
    with Repository.open(data_dir) as repo:
        assert repo.get(Person, saved.id) is not None
        assert repo.get(Person, ids[0]).first_name == "Léa"
        assert repo.count("person") == 4


def test_failed_transaction_keeps_nothing(workspace) -> None:
    repo = workspace.repo
    person = repo.save(Person(family_name="Sow", first_name="Issa"))[0]
    lseq = repo.lseq
    with pytest.raises(RuntimeError):
        with repo.transaction():
            repo.save(person.model_copy(update={"first_name": "Autre"}))
            repo.save(Person(family_name="Fantôme"))
            raise RuntimeError("interrupted")
    assert repo.get(Person, person.id).first_name == "Issa"
    assert repo.count("person") == 1 and repo.lseq == lseq
    repo.save(Person(family_name="Ensuite"))
    assert repo.count("person") == 2


def test_unserialisable_document_is_refused_in_french_and_forgotten(data_dir: Path) -> None:
    repo = Repository.open(data_dir)
    person = repo.save(Person(family_name="Sow", first_name="Issa"))[0]
    doc = {**repo.doc("person", person.id), "first_name": {"un", "ensemble"}}
    lseq = repo.lseq
    with pytest.raises(StoreError, match="ne peut pas être enregistrée"):
        repo.put_docs([("person", doc)])
    assert repo.get(Person, person.id).first_name == "Issa" and repo.lseq == lseq
    repo.save(person.model_copy(update={"first_name": "Ensuite"}))  # later saves work
    repo.close()  # and so does the close (it folds the journal)
    with Repository.open(data_dir) as repo:
        assert repo.get(Person, person.id).first_name == "Ensuite"


def test_erasure_is_done_once_durable_even_if_the_fold_fails(workspace, monkeypatch) -> None:
    from citeslab_tui.services.privacy import erase_person

    repo = workspace.repo
    person = repo.save(Person(family_name="Koné", first_name="Awa", phone="+33612345678"))[0]
    journal = repo._storage.journal_path()
    assert b"+33612345678" in journal.read_bytes()

    def full(path, data):
        raise StoreError("Impossible d'écrire citeslab.json : le disque est plein.")

    monkeypatch.setattr(storage, "write_private", full)  # every snapshot write fails
    result = erase_person(workspace, person.id)
    assert result.people == 1
    assert b"+33612345678" in journal.read_bytes()  # not folded yet
    monkeypatch.undo()  # space freed
    repo.save(Person(family_name="Suivant"))
    assert repo._storage.journal_size == 0
    assert b"+33612345678" not in (repo.folder / SNAPSHOT_NAME).read_bytes()


# --- checkpoints -----------------------------------------------------------------------


def test_checkpoint_interrupted_before_removing_the_old_journal(data_dir: Path) -> None:
    ids, _ = make_db(data_dir)
    old = journal_of(data_dir)
    old_bytes = old.read_bytes()
    with Repository.open(data_dir) as repo:
        repo.checkpoint()  # folds the journal into the snapshot, removes it
        gen = repo._storage.generation
        repo._storage.close(fold=False)
        repo._lock.release()
    old.write_bytes(old_bytes)  # as if the process died right after the snapshot replace
    assert int(old.stem.split("-")[1]) < gen
    assert stored_ids(data_dir) == set(ids)
    assert not old.exists()  # stale journal removed at open


def test_checkpoint_interrupted_before_the_snapshot_replace(data_dir: Path, monkeypatch) -> None:
    ids, _ = make_db(data_dir)
    with Repository.open(data_dir) as repo:

        def crash(*args, **kwargs):
            raise OSError(errno.EIO, "I/O error")

        monkeypatch.setattr(os, "replace", crash)
        with pytest.raises(StoreError):
            repo.checkpoint()
        monkeypatch.undo()
        assert not list(data_dir.glob(".citeslab.json.*.tmp"))  # temp file cleaned
        repo.save(Interview(person_id=ids[0], on=DAY))
        repo._storage.close(fold=False)
        repo._lock.release()
    assert len(stored_ids(data_dir)) == len(ids) + 1


# --- backups and restore ------------------------------------------------------------


def test_backups_rotate_keep_n(data_dir: Path) -> None:
    data_dir.mkdir()
    snap = encode_snapshot({}, 0)
    for offset in range(10):
        backups.rotate(data_dir, snap, keep=4, today=DAY + timedelta(days=offset))
    names = [p.name for p in backups.list_backups(data_dir)]
    assert names == [f"citeslab-{(DAY + timedelta(days=d)).isoformat()}.json" for d in (9, 8, 7, 6)]
    # one a day: a second open the same day does not rewrite it
    assert backups.rotate(data_dir, b"other", keep=4, today=DAY + timedelta(days=9)) is None


def test_open_makes_todays_backup_with_configured_keep(data_dir: Path) -> None:
    from citeslab_tui.store.settings import save_settings

    with Repository.open(data_dir) as repo:
        save_settings(data_dir, repo.settings.model_copy(update={"backups_keep": 2}))
    folder = data_dir / "backups"
    for d in range(5):
        (folder / f"citeslab-2020-01-0{d + 1}.json").write_bytes(encode_snapshot({}, 0))
    Repository.open(data_dir).close()  # today's backup exists: no rotation needed
    with Repository.open(data_dir) as repo:
        assert repo.settings.backups_keep == 2
    (folder / f"citeslab-{date.today().isoformat()}.json").unlink()
    Repository.open(data_dir).close()
    names = [p.name for p in backups.list_backups(data_dir)]
    assert names == [f"citeslab-{date.today().isoformat()}.json", "citeslab-2020-01-05.json"]


def test_set_aside_files_go_as_old_backups_go(data_dir: Path) -> None:
    """Pre-migration copies and torn journal tails hold personal data: an erasure must
    reach them within the backups' time (settings.backups_keep days)."""
    Repository.open(data_dir).close()
    old = [data_dir / "citeslab.json.schema-1", data_dir / "journal-3.jsonl.torn-20260101-000000"]
    fresh = data_dir / "journal-2.jsonl.schema-1-20261130-120000"
    other = data_dir / "notes.txt"
    for path in [*old, fresh, other]:
        path.write_bytes(b"Diallo +33612345678")
    month_ago = time.time() - 30 * 86400
    for path in [*old, other]:
        os.utime(path, (month_ago, month_ago))
    for backup in backups.list_backups(data_dir):
        backup.unlink()  # the first open of the day expires them
    Repository.open(data_dir).close()
    assert not any(path.exists() for path in old)
    assert fresh.exists() and other.exists()


def test_restore_sets_the_damaged_files_aside(data_dir: Path, capsys) -> None:
    ids, _ = make_db(data_dir)
    for old in backups.list_backups(data_dir):
        old.unlink()
    with Repository.open(data_dir) as repo:  # today's backup: the 3 people and 3 interviews
        repo.save(Person(family_name="Après la sauvegarde"))
        repo._storage.close(fold=False)
        repo._lock.release()
    flip_journal_middle(data_dir)
    damaged = {k: v for k, v in files_of(data_dir).items() if not k.startswith("backups")}
    day = date.today().isoformat()
    assert cli_main(["--data-dir", str(data_dir), "restore"]) == 0
    assert day in capsys.readouterr().out
    assert cli_main(["--data-dir", str(data_dir), "restore", day]) == 0
    out = capsys.readouterr().out
    assert "restaurée" in out
    (aside,) = data_dir.glob("mis-de-cote-*")
    assert {k: (aside / k).read_bytes() for k in damaged} == damaged
    assert cli_main(["--data-dir", str(data_dir), "check"]) == 0
    assert stored_ids(data_dir) == set(ids)


def test_restore_refuses_bad_dates(data_dir: Path, capsys) -> None:
    make_db(data_dir)
    assert cli_main(["--data-dir", str(data_dir), "restore", "../../etc/passwd"]) == 1
    assert "AAAA-MM-JJ" in capsys.readouterr().err
    assert cli_main(["--data-dir", str(data_dir), "restore", "1999-01-01"]) == 1
    assert "Pas de sauvegarde du 01/01/1999" in capsys.readouterr().err


# --- schema versions -----------------------------------------------------------------


def write_snapshot(folder: Path, tables: dict, schema: int) -> bytes:
    """A snapshot of `tables` whose header says `schema` (with a valid checksum)."""
    raw = encode_snapshot(tables, 0)
    header_end = raw.index(b',"data":')
    header = orjson.loads(raw[len(b'{"header":') : header_end])
    header["schema"] = schema
    raw = b'{"header":' + orjson.dumps(header) + raw[header_end:]
    folder.mkdir(exist_ok=True)
    (folder / SNAPSHOT_NAME).write_bytes(raw)
    return raw


def test_newer_schema_is_refused_untouched(data_dir: Path, capsys) -> None:
    write_snapshot(data_dir, {}, snapshot.SCHEMA_VERSION + 1)
    before = files_of(data_dir)
    with pytest.raises(DatabaseTooNew, match="version plus récente"):
        Repository.open(data_dir)
    assert cli_main(["--data-dir", str(data_dir), "check"]) == 1
    assert "Mettez l'application à jour" in capsys.readouterr().err
    assert files_of(data_dir) == before


def test_migration_hook_upgrades_and_keeps_the_old_file(data_dir: Path, monkeypatch) -> None:
    old_version = snapshot.SCHEMA_VERSION
    monkeypatch.setattr(snapshot, "SCHEMA_VERSION", old_version + 1)
    monkeypatch.setattr(migrations, "MIGRATIONS", {})

    def rename_field(tables: dict) -> dict:  # a fake schema change: prenom -> first_name
        for doc in tables["person"].values():
            doc["first_name"] = doc.pop("prenom")
        return tables

    legacy = Person(family_name="Ancien", first_name="x")
    doc = {"id": legacy.id, **legacy.content(), "meta": None}
    doc["prenom"] = doc.pop("first_name")
    raw = write_snapshot(data_dir, {"person": {legacy.id: doc}}, old_version)

    with pytest.raises(StoreError, match="aucune conversion"):
        JournalStorage(data_dir)
    assert (data_dir / SNAPSHOT_NAME).read_bytes() == raw

    migrations.register_migration(old_version, rename_field)
    opened = JournalStorage(data_dir)
    assert opened.migrated_from == old_version
    stored = opened.table("person")[legacy.id]
    assert stored["first_name"] == "x" and "prenom" not in stored
    opened.close()
    kept = data_dir / f"{SNAPSHOT_NAME}.schema-{old_version}"
    assert kept.read_bytes() == raw
    header, _ = snapshot.decode_snapshot((data_dir / SNAPSHOT_NAME).read_bytes(), "x")
    assert header["schema"] == old_version + 1


LEGACY = Path(__file__).parent / "data" / "legacy-schema1"


def expected_legacy() -> dict:
    """What the code before one table per kind (commit 19343a1) read from LEGACY."""
    return orjson.loads((LEGACY.parent / "legacy-schema1.expected.json").read_bytes())


def test_a_folder_written_before_one_table_per_kind_opens_whole(tmp_path: Path, capsys) -> None:
    """tests/data/legacy-schema1: written by that code (8 demo people, an erasure, then
    three saves left in the journal as after a crash): shard tables, integer ids."""
    import shutil

    folder = tmp_path / "donnees"
    shutil.copytree(LEGACY, folder)
    expected = expected_legacy()
    assert cli_main(["--data-dir", str(folder), "check"]) == 0  # checked in memory only
    assert "Base saine : 87 enregistrements" in capsys.readouterr().out
    assert (folder / SNAPSHOT_NAME).read_bytes() == (LEGACY / SNAPSHOT_NAME).read_bytes()
    for _ in range(2):  # the migrating open, then an open of the migrated folder
        with Repository.open(folder, create=False) as repo:
            for kind in RECORD_TYPES:
                stored = {d["id"]: d for d in repo.docs(kind, include_deleted=True)}
                assert stored == expected[kind], kind
            assert [repo.lseq, repo.clock.last] == expected["_local"]
            person = next(iter(expected["interview"].values()))["person_id"]
            assert {d["id"] for _, d in repo.person_docs(person, include_deleted=True)} == {
                d["id"]
                for kind in RECORD_TYPES
                for d in expected[kind].values()
                if d.get("person_id") == person
            }
    kept = folder / f"{SNAPSHOT_NAME}.schema-1"
    assert kept.read_bytes() == (LEGACY / SNAPSHOT_NAME).read_bytes()
    (aside,) = folder.glob("journal-2.jsonl.schema-1-*")
    assert aside.read_bytes() == (LEGACY / "journal-2.jsonl").read_bytes()
    header, tables = snapshot.read_snapshot(folder / SNAPSHOT_NAME, SNAPSHOT_NAME)
    assert header["schema"] == 2
    assert set(tables) == (set(RECORD_TYPES) - {"dismissal"}) | {"_local"}
    assert cli_main(["--data-dir", str(folder), "check"]) == 0


def test_a_backup_written_before_one_table_per_kind_restores(tmp_path: Path, capsys) -> None:
    import shutil

    folder = tmp_path / "donnees"
    shutil.copytree(LEGACY, folder)
    Repository.open(folder).close()  # migrated
    assert cli_main(["--data-dir", str(folder), "restore", "2026-11-25"]) == 0
    assert "restaurée" in capsys.readouterr().out
    with Repository.open(folder, create=False) as repo:  # the old-format backup, migrated
        names = {d["family_name"] for d in repo.docs("person", include_deleted=True)}
        assert len(names) == 8 and "Journal" not in names  # before the journaled saves
    assert cli_main(["--data-dir", str(folder), "check"]) == 0


# --- demo data --------------------------------------------------------------------


def demo_people(folder: Path, seed: int) -> tuple[list[tuple], dict[str, int]]:
    from citeslab_tui.demo import generate
    from citeslab_tui.services.workspace import Workspace

    with Workspace.open(folder) as ws:
        ws.configure(structure="Démo", staff=["Céline"], device="demo")
        counts = generate(ws, 40, seed=seed, today=DAY)
        people = sorted((d["id"], d["family_name"], d["phone"]) for d in ws.repo.docs("person"))
        stages = {d["stage"] for d in ws.repo.docs("stage")}
        assert stages == {"sensitized", "detected", "emergence"}
        assert all(d["day"] == DAY.isoformat() for d in ws.repo.docs("queue"))
    return people, counts


def test_demo_is_reproducible_and_covers_every_kind(tmp_path: Path) -> None:
    first, counts = demo_people(tmp_path / "a", seed=5)
    again, _ = demo_people(tmp_path / "b", seed=5)
    other, _ = demo_people(tmp_path / "c", seed=6)
    assert first == again and first != other
    assert counts["person"] == 40
    for kind in ("interview", "stage", "orientation", "outcome", "task", "queue", "collective"):
        assert counts.get(kind, 0) > 0, kind


def test_no_write_after_close(data_dir: Path) -> None:
    repo = Repository.open(data_dir)
    repo.close()
    with pytest.raises(StoreError, match="fermée"):
        repo.save(Person(family_name="Tard"))
    assert repo.count("person") == 0
    assert all(p.stat().st_size == 0 for p in data_dir.glob("journal-*"))
    with Repository.open(data_dir) as again:
        assert again.count("person") == 0


def test_windows_replace_is_retried_never_copied(tmp_path: Path, monkeypatch) -> None:
    from citeslab_tui.store import files

    target = tmp_path / "citeslab.json"
    target.write_bytes(b"old")
    real_replace = os.replace
    failures = []

    def busy(src, dst):  # an antivirus holds the file twice, then lets go
        if len(failures) < 2:
            failures.append(dst)
            raise PermissionError(13, "Access is denied")
        real_replace(src, dst)

    monkeypatch.setattr(files, "RETRY_REPLACE", True)
    monkeypatch.setattr(files.time, "sleep", lambda s: None)
    monkeypatch.setattr(files.os, "replace", busy)
    files.atomic_write(target, b"new")
    assert target.read_bytes() == b"new" and len(failures) == 2

    failures.clear()
    monkeypatch.setattr(files, "RETRY_REPLACE", False)  # POSIX: no retry, clear error
    with pytest.raises(StoreError, match="écriture refusée"):
        files.write_private(target, b"newer")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["citeslab.json"]  # no temp file left
