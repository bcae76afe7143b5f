"""The store's index by person id always equals a full scan.

A hypothesis state machine saves, reassigns, deletes, erases and merges (put_docs)
records of several kinds, makes saves fail (an exception in a transaction, a value
JSON cannot hold), checkpoints, and crashes (close without folding, reopen: the
journal is replayed). The first lookup builds the index, at a random point of the
run; after every step, `person_docs` must give exactly what scanning every table gives.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
)

from citeslab_tui.domain.models import (
    RECORD_TYPES,
    FollowUpTask,
    Interview,
    Orientation,
    Person,
    QueueEntry,
)
from citeslab_tui.store import snapshot
from citeslab_tui.store.errors import StoreError
from citeslab_tui.store.journal import apply_entry, parse_journal
from citeslab_tui.store.repository import Repository
from citeslab_tui.store.storage import SNAPSHOT_NAME

DAY = date(2026, 11, 26)
PEOPLE = [f"{i:02x}" * 16 for i in range(1, 6)]


def scan(repo: Repository, person_id: str) -> list[tuple[str, str]]:
    return sorted(
        (kind, doc["id"])
        for kind in RECORD_TYPES
        for doc in repo.docs(kind, include_deleted=True)
        if doc.get("person_id") == person_id
    )


def indexed(
    repo: Repository, person_id: str, kinds: list[str] | None = None
) -> list[tuple[str, str]]:
    found = repo.person_docs(person_id, include_deleted=True, kinds=kinds)
    return [(kind, doc["id"]) for kind, doc in found]


def on_disk(folder: Path) -> dict[str, dict]:
    """The records as a crash-replay gives them: the snapshot and its journal, read
    from the files (no Repository: its tables stay as parsed or unparsed as they are)."""
    header, tables = snapshot.read_snapshot(folder / SNAPSHOT_NAME, SNAPSHOT_NAME)
    journal = folder / f"journal-{header['gen']}.jsonl"
    entries, _, _ = parse_journal(journal.read_bytes() if journal.exists() else b"", "j")
    for entry in entries:
        apply_entry(tables, entry)
    return tables


def disk_scan(folder: Path, person_id: str, kinds: list[str]) -> list[tuple[str, str]]:
    tables = on_disk(folder)
    return sorted(
        (kind, doc_id)
        for kind in kinds
        for doc_id, doc in tables.get(kind, {}).items()
        if doc.get("person_id") == person_id
    )


def new_record(kind: str, person: str | None):
    if kind == "interview":
        return Interview(person_id=person or PEOPLE[0], on=DAY, notes="Suivi")
    if kind == "orientation":
        return Orientation(person_id=person or PEOPLE[0], partner="BGE", on=DAY)
    if kind == "task":
        return FollowUpTask(person_id=person, title="Rappeler", due=DAY)
    return QueueEntry(day=DAY, site="Caen", person_id=person, display_name="Léa")


people = st.sampled_from([*PEOPLE, None])
KINDS = ["interview", "orientation", "task", "queue"]


def allowed(kind: str, person: str | None) -> str | None:
    """`person`, or someone when the kind requires a person."""
    return PEOPLE[-1] if person is None and kind in ("interview", "orientation") else person


class PersonIndexMachine(RuleBasedStateMachine):
    records = Bundle("records")

    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="citeslab-index-"))
        self.repo = Repository.open(self.tmp / "donnees")
        self.used = False  # the index is built at the first lookup
        for pid in PEOPLE:
            self.repo.save(Person(id=pid, family_name="Nom", first_name="Léa"))

    def teardown(self) -> None:
        self.repo.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    @rule(
        target=records,
        kind=st.sampled_from(["interview", "orientation", "task", "queue"]),
        person=people,
    )
    def save(self, kind: str, person: str | None):
        record = new_record(kind, person)
        self.repo.save(record)
        return (kind, record.id)

    @rule(ref=records, person=people)
    def reassign(self, ref, person: str | None) -> None:
        kind, record_id = ref
        record = RECORD_TYPES[kind].model_validate(self.repo.doc(kind, record_id))
        self.repo.save(record.model_copy(update={"person_id": allowed(kind, person)}))

    @rule(ref=records, person=people)
    def merge(self, ref, person: str | None) -> None:
        """A raw merged version (as the sync import writes it), via put_docs."""
        kind, record_id = ref
        doc = dict(self.repo.doc(kind, record_id))
        doc["person_id"] = allowed(kind, person)
        self.repo.put_docs([(kind, doc)])

    @rule(ref=records)
    def delete(self, ref) -> None:
        kind, record_id = ref
        self.repo.save(
            RECORD_TYPES[kind].model_validate(self.repo.doc(kind, record_id)), deleted=True
        )

    @rule(person=st.sampled_from(PEOPLE))
    def erase(self, person: str) -> None:
        linked = [
            RECORD_TYPES[kind].model_validate(doc)
            for kind, doc in self.repo.person_docs(person, include_deleted=True)
        ]
        self.repo.save(*linked, erased=True)

    @rule(ref=records, person=people)
    def failed_transaction(self, ref, person: str | None) -> None:
        kind, record_id = ref
        doc = dict(self.repo.doc(kind, record_id))
        with pytest.raises(RuntimeError):
            with self.repo.transaction():
                self.repo.put_docs([(kind, {**doc, "person_id": allowed(kind, person)})])
                self.repo.save(new_record("task", person))
                raise RuntimeError("interrompu")

    @rule(ref=records, person=people)
    def refused_value(self, ref, person: str | None) -> None:
        kind, record_id = ref
        doc = dict(self.repo.doc(kind, record_id))
        with pytest.raises(StoreError):
            with self.repo.transaction():
                self.repo.put_docs([(kind, {**doc, "person_id": allowed(kind, person)})])
                self.repo.put_docs([(kind, {**doc, "notes": {"un", "ensemble"}})])

    @rule()
    def checkpoint(self) -> None:
        self.repo.checkpoint()

    @rule()
    def crash(self) -> None:
        self.repo._storage.close(fold=False)
        self.repo._lock.release()
        self.repo = Repository.open(self.tmp / "donnees")
        self.used = False

    @rule()
    def reopen(self) -> None:
        """Closed (a checkpoint copies the tables never parsed as they are), reopened:
        every table is on disk again, parsed at its first use."""
        self.repo.close()
        self.repo = Repository.open(self.tmp / "donnees")
        self.used = False

    @precondition(lambda self: not self.used)
    @rule(person=st.sampled_from(PEOPLE))
    def first_lookup(self, person: str) -> None:
        assert indexed(self.repo, person) == scan(self.repo, person)
        self.used = True

    @rule(person=st.sampled_from(PEOPLE), kinds=st.lists(st.sampled_from(KINDS), unique=True))
    def lookup_some_kinds(self, person: str, kinds: list[str]) -> None:
        """A lookup in some kinds parses only those; it equals a scan of the files."""
        unparsed = [k for k in KINDS if not self.repo._storage.parsed(k)]
        expected = disk_scan(self.tmp / "donnees", person, kinds)
        assert indexed(self.repo, person, kinds) == expected
        assert all(not self.repo._storage.parsed(k) for k in unparsed if k not in kinds)

    @invariant()
    def index_equals_a_full_scan(self) -> None:
        if self.used:
            for person in PEOPLE:
                assert indexed(self.repo, person) == scan(self.repo, person)


PersonIndexMachine.TestCase.settings = settings(
    max_examples=40,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_person_index_equals_a_full_scan = PersonIndexMachine.TestCase


def test_index_built_while_another_thread_saves(data_dir: Path) -> None:
    """The first lookup builds the index in a worker thread while saves go on."""
    with Repository.open(data_dir) as repo:
        for pid in PEOPLE:
            repo.save(Person(id=pid, family_name="Nom"))
        repo.save(*[Interview(person_id=PEOPLE[i % 5], on=DAY) for i in range(3000)])
        found: list = []
        worker = threading.Thread(target=lambda: found.append(repo.person_docs(PEOPLE[0])))
        worker.start()
        for i in range(200):
            repo.save(Interview(person_id=PEOPLE[i % 5], on=DAY))
        worker.join()
        for person in PEOPLE:
            assert indexed(repo, person) == scan(repo, person)
