"""Pay for what you use: a table is parsed when first read, not at open.

The open verifies the whole snapshot (CRC-32) and locates each table; a checkpoint
or a backup copies a table never parsed byte for byte; what any reader sees is what
a full load gives.
"""

from __future__ import annotations

import importlib
from datetime import date
from pathlib import Path

import pytest

from citeslab_tui.demo import generate
from citeslab_tui.domain.bilan import Period, compute_bilan
from citeslab_tui.domain.models import Interview, Person, StageEvent
from citeslab_tui.services.reports import bilan_for
from citeslab_tui.services.workspace import Workspace
from citeslab_tui.store import backups, snapshot
from citeslab_tui.store.errors import DatabaseCorrupt
from citeslab_tui.store.repository import Repository
from citeslab_tui.store.storage import SNAPSHOT_NAME, JournalStorage

timeline = importlib.import_module("citeslab_tui.services.people.timeline")
KINDS = ("person", "interview", "stage", "orientation", "outcome", "task", "queue")


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    folder = tmp_path / "demo"
    with Workspace.open(folder) as ws:
        ws.configure(structure="Démo", staff=["Céline"], device="demo")
        generate(ws, 60, 1)
    return folder


def full_load(folder: Path) -> dict[str, dict]:
    storage = JournalStorage(folder, lazy=False)
    try:
        return {name: dict(table) for name, table in storage.read().items()}
    finally:
        storage.close(fold=False)


def test_open_parses_no_table_and_a_read_parses_its_own(demo: Path) -> None:
    with Repository.open(demo) as repo:
        storage = repo._storage
        assert not any(storage.parsed(kind) for kind in KINDS)
        people = list(repo.docs("person"))
        assert people and storage.parsed("person")
        assert not any(storage.parsed(kind) for kind in KINDS if kind != "person")


def test_person_file_reads_only_the_kinds_it_shows(demo: Path) -> None:
    """The person's file goes through the index by person id: the people and queue
    tables stay on disk, and the rows equal those of a full scan."""
    full = full_load(demo)
    person_id = min(full["person"])
    with Workspace.open(demo) as ws:
        rows = timeline.timeline(ws, person_id)
        assert not ws.repo._storage.parsed("person")
        assert not ws.repo._storage.parsed("queue")
    expected = sorted(
        doc["id"]
        for kind in ("interview", "stage", "orientation", "outcome", "task")
        for doc in full[kind].values()
        if doc.get("person_id") == person_id and not doc["meta"].get("deleted")
    )
    assert rows and sorted(row.record_id for row in rows) == expected


def test_checkpoint_copies_unparsed_tables_and_keeps_every_record(demo: Path) -> None:
    before = full_load(demo)
    with Repository.open(demo) as repo:
        interview = Interview(person_id=next(iter(before["person"])), on=date(2026, 11, 26))
        repo.save(interview)  # a journal line for a table left on disk
        assert not repo._storage.parsed("task")
        repo.checkpoint()  # interview parsed to be written anew, task copied as it is
        assert not repo._storage.parsed("task")
        assert len(list(repo.docs("task"))) == len(before["task"])  # located in the new file
    after = full_load(demo)
    assert after["interview"].pop(interview.id)["person_id"] == interview.person_id
    assert {k: v for k, v in after.items() if k != "_local"} == {
        k: v for k, v in before.items() if k != "_local"
    }


def test_journal_changes_to_an_unparsed_table_survive_a_crash(demo: Path) -> None:
    with Repository.open(demo) as repo:
        person = Person(family_name="Durand", first_name="Léa")
        repo.save(person)
        repo._storage.close(fold=False)  # a crash: the save is only in the journal
        repo._lock.release()
    with Repository.open(demo) as repo:
        assert not repo._storage.parsed("person")
        assert repo.get(Person, person.id) is not None


def test_backup_of_unparsed_tables_equals_a_full_encoding(demo: Path) -> None:
    full = full_load(demo)
    with Repository.open(demo) as repo:
        raw = b"".join(repo._storage.snapshot_parts())
        assert not repo._storage.parsed("task")
    assert snapshot.decode_snapshot(raw, "x")[1] == full
    assert any(backups.backup_folder(demo).iterdir())


def test_a_table_changed_behind_the_store_is_refused_not_read(demo: Path) -> None:
    with Repository.open(demo) as repo:
        path = demo / SNAPSHOT_NAME
        raw = path.read_bytes()
        at = raw.index(b'"task":{') + 100
        path.write_bytes(raw[:at] + (b"0" if raw[at : at + 1] != b"0" else b"1") + raw[at + 1 :])
        with pytest.raises(DatabaseCorrupt, match="modifié depuis l'ouverture"):
            repo.docs("task")
        path.write_bytes(raw)


def test_a_partial_load_gives_the_same_bilan_as_the_full_load(demo: Path) -> None:
    """The bilan streams the fields it reads of kinds still on disk (journal changes
    included) and equals the bilan of the whole records."""
    period = Period(date(2000, 1, 1), date(2030, 12, 31))
    with Repository.open(demo) as repo:  # journal lines: a new interview, a deleted stage
        person_id = next(iter(repo.docs("person")))["id"]
        repo.save(Interview(person_id=person_id, on=date(2026, 11, 26), site="Ifs"))
        stage = StageEvent.model_validate(next(iter(repo.docs("stage"))))
        repo.delete(stage)
        repo._storage.close(fold=False)
        repo._lock.release()
    with Workspace.open(demo) as ws:
        partial = bilan_for(ws, period)
        for kind in ("person", "stage", "interview", "orientation", "outcome", "task"):
            assert not ws.repo._storage.parsed(kind), kind
        full_docs = full_load(demo)
        full = compute_bilan(
            period,
            people=full_docs["person"].values(),
            stages=full_docs["stage"].values(),
            interviews=full_docs["interview"].values(),
            orientations=full_docs["orientation"].values(),
            outcomes=full_docs["outcome"].values(),
            collectives=full_docs.get("collective", {}).values(),
            places=ws.reference.places,
        )
        ws.repo._storage.parse_all()
        assert bilan_for(ws, period) == full  # from the parsed tables
    assert partial == full
    assert partial.indicators["received"] > 0


def test_fields_of_a_kind_on_disk_equal_those_of_the_parsed_kind(demo: Path) -> None:
    with Repository.open(demo) as repo:
        interview = next(iter(repo.docs("interview")))
        repo.save(Interview.model_validate({**interview, "site": "Ifs"}))
        repo.save(Interview(person_id=interview["person_id"], on=date(2026, 11, 26)))
        repo._storage.close(fold=False)
        repo._lock.release()
    fields = ("id", "site", "meta.deleted")
    with Repository.open(demo) as repo:
        streamed = list(repo.docs_fields("interview", fields, include_deleted=True))
        assert not repo._storage.parsed("interview")
        parsed = [
            {"id": d["id"], "site": d["site"], "meta": {"deleted": d["meta"]["deleted"]}}
            for d in repo.docs("interview", include_deleted=True)
        ]
        assert streamed == parsed
        assert list(repo.docs_fields("interview", fields, include_deleted=True)) == parsed


def test_check_streams_and_counts_what_a_full_load_holds(demo: Path) -> None:
    """`citeslab check` reads one run at a time; its counts are a full load's, with
    journal lines that add, replace, remove documents and drop a table."""
    from citeslab_tui.store.check import verify_folder

    with Repository.open(demo) as repo:
        first = next(iter(repo.docs("person")))
        repo.save(Person(family_name="Durand"))
        repo._storage.apply("interview", {next(iter(repo.docs("interview")))["id"]: None})
        repo._storage.apply("person", {first["id"]: {**first, "notes": "Vu"}})
        repo._storage.apply("scratch", {"a": {"id": "a"}})
        repo._db.drop_table("collective")
        repo._storage.close(fold=False)  # the changes stay in the journal
        repo._lock.release()
    full = full_load(demo)
    expected = (len(full), sum(len(t) for n, t in full.items() if not n.startswith("_")))
    assert verify_folder(demo) == expected
    journal = next(demo.glob("journal-*.jsonl"))
    assert journal.stat().st_size > 0


def test_check_finds_a_record_whose_id_is_not_its_key(demo: Path) -> None:
    from citeslab_tui.store.check import verify_folder

    with Repository.open(demo) as repo:
        doc = next(iter(repo.docs("task")))
        repo._storage.apply("task", {doc["id"]: {**doc, "id": "autre"}})
    with pytest.raises(DatabaseCorrupt, match="table task"):
        verify_folder(demo)


def test_warm_up_builds_the_person_files_index_ahead(demo: Path) -> None:
    """The app's warm-up parses the kinds a person's file shows and builds their
    index by person id, so the first file opened is a lookup."""
    from citeslab_tui.services import people

    with Workspace.open(demo) as ws:
        people.warm_up_files(ws)
        storage = ws.repo._storage
        assert all(storage.parsed(kind) for kind in timeline.TIMELINE_KINDS)
        assert storage._index is not None
        assert set(timeline.TIMELINE_KINDS) <= set(storage._index._ids)
        assert not storage.parsed("queue")


def test_the_first_screen_reads_a_few_records_not_the_kinds(demo: Path) -> None:
    """The permanence's rows (names, appointment times, the day's expected
    appointments) are found without parsing the people or the tasks, and equal the
    rows computed from the parsed tables."""
    from datetime import datetime, timedelta

    from citeslab_tui.domain.models import FollowUpTask, QueueEntry, TaskKind
    from citeslab_tui.services import queue

    with Repository.open(demo) as repo:  # saved in the journal: tables left on disk
        first = next(iter(repo.docs("queue")))
        day, site = date.fromisoformat(first["day"]), first["site"]
        people = sorted(d["id"] for d in repo.docs("person"))
        kind = TaskKind.APPOINTMENT
        expected = FollowUpTask(person_id=people[0], task_kind=kind, due=day, site=site)
        booked = FollowUpTask(person_id=people[1], task_kind=kind, due=day, site=site, time="9:30")
        repo.save(expected, booked)
        arrived_at = datetime.combine(day, datetime.min.time()).astimezone()
        repo.save(
            QueueEntry(
                day=day,
                site=site,
                person_id=people[1],
                appointment=True,
                task_id=booked.id,
                arrived_at=arrived_at + timedelta(hours=9),
            )
        )
        repo._storage.close(fold=False)
        repo._lock.release()
    now = datetime.combine(day, datetime.min.time()).astimezone() + timedelta(hours=15)
    with Workspace.open(demo) as ws:
        lazy_rows = queue.queue_rows(ws, day, site, now)
        assert not ws.repo._storage.parsed("person")
        assert not ws.repo._storage.parsed("task")
        ws.repo._storage.parse_all()
        assert queue.queue_rows(ws, day, site, now) == lazy_rows
    assert any(row.expected for row in lazy_rows)
    assert any(row.appointment.startswith("RDV ") for row in lazy_rows), lazy_rows


def test_lookups_by_id_parse_a_table_after_a_few(demo: Path) -> None:
    from citeslab_tui.store.storage import DISK_LOOKUPS

    full = full_load(demo)
    ids = sorted(full["person"])
    with Repository.open(demo) as repo:
        for n in range(DISK_LOOKUPS):
            assert repo.docs_by_id("person", [ids[n], ids[n + 1], "absent"]) == {
                i: full["person"][i] for i in ids[n : n + 2]
            }
            assert not repo._storage.parsed("person")
        assert repo.doc("person", ids[5]) == full["person"][ids[5]]
        assert repo._storage.parsed("person")  # a loop over ids costs one parse
        assert repo.docs_by_id("person", ids[:3]) == {i: full["person"][i] for i in ids[:3]}
