"""The repository: records in, records out, every save durable.

The only module (with tables.py and storage.py) that knows TinyDB. Each kind of
record is one TinyDB table keyed by the record's id (tables.RecordTable): the tables
are the index by id, and the storage keeps an index by `person_id`. Everything is in
memory after the open; reads never touch the disk and never see a half-saved
document (a save replaces stored documents, it never edits them in place).

The write path: save -> records.stamp -> put_docs -> RecordTable.put ->
JournalStorage.apply (encode each document once) -> batch end -> _commit ->
journal.encode_line -> os.write + fsync (docs/architecture.md).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import orjson

from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.hlc import HybridLogicalClock
from citeslab_tui.domain.models import RECORD_TYPES, Record, Settings
from citeslab_tui.domain.records import stamp
from citeslab_tui.store import backups
from citeslab_tui.store.errors import DatabaseCorrupt, StoreError
from citeslab_tui.store.files import (
    describe_os_error,
    ensure_private_dir,
    remove_temp_files,
    write_private,
)
from citeslab_tui.store.lock import DataDirLock
from citeslab_tui.store.settings import load_settings, save_settings
from citeslab_tui.store.storage import JournalStorage
from citeslab_tui.store.tables import Database, JournalTable, RecordTable

R = TypeVar("R", bound=Record)
LOCAL_TABLE = "_local"  # this file's counters: local sequence, last clock (doc "1")
LOCAL_DOC = "1"
INDEX_FIELD = "person_id"
SENT_SEQUENCE = "sequence-envoyee.json"
"""Outside the database (a restore does not bring it back): the highest local sequence
number this file's changes carried out of the machine (the office's return files)."""


class Repository:
    """Open with `Repository.open(folder)`; use as a context manager or call close()."""

    def __init__(self, folder: Path, lock: DataDirLock, db: Database) -> None:
        self.folder = folder
        self._lock = lock
        self._db = db
        self._storage: JournalStorage = db.journal
        self._tables: dict[str, RecordTable] = {kind: db.records(kind) for kind in RECORD_TYPES}
        local = db.table(LOCAL_TABLE)
        assert isinstance(local, JournalTable)
        self._local_table = local
        self.settings = load_settings(folder)
        state = self._local()
        self.clock = HybridLogicalClock(self.device, state.get("hlc"))
        self._lseq = int(state.get("lseq", 0))
        self._kind_changes: dict[str, int] = {}  # kind -> changes seen (see kind_version)
        self._generation = 0  # bumped when a failed save reloaded the records

    # --- lifecycle -----------------------------------------------------------------

    @classmethod
    def open(cls, folder: Path, *, create: bool = True) -> Repository:
        """Lock the folder, verify and load the database, rotate backups.

        Raises DatabaseLocked / DatabaseCorrupt / StoreError with French messages;
        a damaged database is never written to.
        """
        if create:
            try:
                ensure_private_dir(folder)
            except OSError as exc:
                where = f"Impossible de créer le dossier de données {folder}"
                raise StoreError(describe_os_error(exc, where)) from None
        elif not folder.is_dir():
            raise StoreError(f"Le dossier de données {folder} n'existe pas.")
        lock = DataDirLock(folder)
        lock.acquire()
        db: Database | None = None
        try:
            try:
                db = Database(
                    folder, create=create, index_field=INDEX_FIELD, record_kinds=RECORD_TYPES
                )
            except DatabaseCorrupt as exc:
                raise DatabaseCorrupt(exc.message + backups.latest_backup_hint(folder)) from None
            except OSError as exc:  # the folder vanished or became unreadable meanwhile
                raise StoreError(
                    describe_os_error(exc, "Ouverture de la base impossible")
                ) from None
            # A crash during an atomic write left a copy of the data (perhaps holding
            # data erased since): gone once the database opened sound.
            remove_temp_files(folder)
            repo = cls(folder, lock, db)
            repo._never_reuse_sent_numbers()
            repo._daily_backup()
            return repo
        except BaseException:
            if db is not None:
                db.journal.close(fold=False)
            lock.release()
            raise

    def close(self) -> None:
        try:
            self._db.close()
        finally:
            self._lock.release()

    def __enter__(self) -> Repository:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _daily_backup(self) -> None:
        # one a day, checked first: encoding the snapshot is not free
        name = f"{backups.PREFIX}{date.today().isoformat()}.json"
        if (backups.backup_folder(self.folder) / name).exists():
            return
        snapshot = self._storage.snapshot_parts()
        with contextlib.suppress(StoreError, OSError):  # a failed backup must not block the day
            backups.rotate(self.folder, snapshot, self.settings.backups_keep)
        with contextlib.suppress(OSError):
            backups.expire_set_aside(self.folder, self.settings.backups_keep)

    # --- settings --------------------------------------------------------------------

    def save_settings(self, settings: Settings) -> None:
        save_settings(self.folder, settings)
        self.settings = settings
        self.clock.device = self.device

    @property
    def device(self) -> str:
        return self.settings.device_id or "local"

    @property
    def staff(self) -> str:
        return self.settings.current_staff or (
            self.settings.staff[0] if self.settings.staff else ""
        )

    # --- reading -----------------------------------------------------------------------
    # Stored documents are shared, read-only: a save replaces them, never edits them.

    def _local(self) -> dict[str, Any]:
        return self._local_table.get(doc_id=int(LOCAL_DOC)) or {}

    def doc(self, kind: str, record_id: str) -> dict[str, Any] | None:
        return self._tables[kind].record(record_id)

    def docs_by_id(self, kind: str, record_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """{id: document} of the records of a kind with those ids (deleted ones
        included); a kind not read yet is looked up in one pass, not parsed."""
        return self._tables[kind].records_by_id(record_ids)

    def docs(self, kind: str, *, include_deleted: bool = False) -> Iterator[dict[str, Any]]:
        """The documents of a kind as they are now (later saves do not change the
        iteration: safe from a worker thread while the UI saves)."""
        records = self._tables[kind].records()
        if include_deleted:
            return iter(records)
        return (doc for doc in records if not doc.get("meta", {}).get("deleted"))

    def find_docs(self, kind: str, where: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
        """The documents of a kind (deleted ones included) for which `where(doc)` is
        true; a kind not read yet is streamed and stays unparsed (a screen that needs
        a few records of a large kind does not hold the kind)."""
        if kind not in self._tables:
            raise KeyError(kind)
        return self._storage.scan(kind, where)

    def docs_fields(
        self, kind: str, fields: Collection[str], *, include_deleted: bool = False
    ) -> Iterator[dict[str, Any]]:
        """The documents of a kind reduced to `fields` ("meta.deleted": that key of the
        envelope; it is added when deleted ones are left out). A kind not read yet
        is streamed from the disk and stays unparsed: a command that needs a few
        fields (the bilan) never holds the whole records."""
        wanted = set(fields) | (set() if include_deleted else {"meta.deleted"})
        if kind not in self._tables:
            raise KeyError(kind)
        docs = self._storage.project(kind, wanted)
        if include_deleted:
            return docs
        return (doc for doc in docs if not doc.get("meta", {}).get("deleted"))

    def person_docs(
        self,
        person_id: str,
        *,
        include_deleted: bool = False,
        kinds: Iterable[str] | None = None,
    ) -> list[tuple[str, dict[str, Any]]]:
        """(kind, document) of the records whose `person_id` is this person's (of
        `kinds` only, if given), from the index kept by the store (no scan)."""
        found = []
        for kind, record_id in self._storage.linked(person_id, kinds):
            table = self._tables.get(kind)
            doc = None if table is None else table.record(record_id)
            if doc is not None and (include_deleted or not doc.get("meta", {}).get("deleted")):
                found.append((kind, doc))
        return found

    def kind_of(self, record_id: str) -> str | None:
        """The kind of the stored record with this id (deleted ones included), or None.
        Every kind is parsed (called in loops: one parse each, no lookup from disk)."""
        for kind in self._tables:
            table = self._storage.table(kind)
            if table is not None and type(table.get(record_id)) is dict:
                return kind
        return None

    def count(self, kind: str) -> int:
        return sum(1 for _ in self.docs(kind))

    def get(self, model: type[R], record_id: str) -> R | None:
        doc = self.doc(model.kind, record_id)
        if doc is None or doc.get("meta", {}).get("deleted"):
            return None
        return model.model_validate(doc)

    def all(self, model: type[R]) -> list[R]:
        return [model.model_validate(doc) for doc in self.docs(model.kind)]

    @property
    def lseq(self) -> int:
        return self._lseq

    def mark_sent(self) -> None:
        """Before changes leave the machine numbered (the office's return files, whose
        numbers laptops acknowledge): remember the highest number handed out, durably and
        outside the database. A database restored from an older backup then numbers its
        next changes after it (see `_never_reuse_sent_numbers`)."""
        write_private(self.folder / SENT_SEQUENCE, orjson.dumps({"lseq": self._lseq}))

    def _never_reuse_sent_numbers(self) -> None:
        """At open: a database older than what was sent (restored from a backup, copied
        back by hand) jumps its local sequence past the numbers already sent, so that a
        laptop that acknowledged them is never sent less than the changes made since."""
        try:
            sent = orjson.loads((self.folder / SENT_SEQUENCE).read_bytes()).get("lseq")
        except (OSError, orjson.JSONDecodeError, AttributeError):
            return  # never written (a laptop), or unreadable: the next return rewrites it
        if not isinstance(sent, int) or sent <= self._lseq:
            return
        try:
            with self._storage.batch():
                self._local_table.put({LOCAL_DOC: {**self._local(), "lseq": sent}})
        except BaseException:
            self._reloaded()
            raise
        self._lseq = sent

    def kind_version(self, kind: str) -> tuple[int, int]:
        """Changes whenever a record of this kind is written (caches of one kind, e.g.
        the tasks board, survive saves of other kinds)."""
        return (self._generation, self._kind_changes.get(kind, 0))

    # --- writing --------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything saved inside is one durable save (all or nothing)."""
        try:
            with self._storage.batch():
                yield
        except BaseException:
            self._reloaded()
            raise

    def save(
        self, *records: R, deleted: bool = False, erased: bool = False, returning: bool = True
    ) -> list[R]:
        """Durably save records (one journal line). Returns them with their envelope.

        When this returns, the records are on disk (fsync'd). Bulk writers that do not
        use the result (register import) pass `returning=False` and get [] back.
        """
        now = datetime.now(UTC)
        stamped = [
            stamp(
                record,
                self.doc(record.kind, record.id),
                device=self.device,
                staff=self.staff,
                clock=self.clock.now(),
                now=now,
                deleted=deleted,
                erased=erased,
            )
            for record in records
        ]
        self.put_docs([(record.kind, doc) for record, doc in zip(records, stamped, strict=True)])
        if not returning:
            return []
        return [type(r).model_validate(self.doc(r.kind, r.id)) for r in records]

    def delete(self, *records: Record) -> None:
        """Delete as a tombstone (the id stays, marked deleted, so sync carries it)."""
        self.save(*records, deleted=True)

    def local_state(self, key: str, default: Any = None) -> Any:
        """A value of this file's local (never synced) state, e.g. sync bookkeeping.
        A private copy: change it and hand it back through `put_docs(local=...)`."""
        value = self._local().get(key, default)
        return orjson.loads(orjson.dumps(value)) if isinstance(value, dict | list) else value

    def observe_clocks(self, clocks: Iterable[str]) -> None:
        """HLC observe step: absorb clocks seen in imported records (persisted by the
        next put_docs)."""
        for clock in clocks:
            self.clock.observe(clock)

    def put_docs(
        self,
        items: Iterable[tuple[str, dict[str, Any]]],
        *,
        local: dict[str, Any] | None = None,
        owned: bool = False,
    ) -> None:
        """Write documents exactly as given (after stamping or merging), durably.

        Each gets the next local sequence number (`meta.lseq`), used by sync export.
        `local` updates keys of this file's local state in the same durable step
        (sync bookkeeping: what was exported, imported files). The given documents
        are not modified; what is stored is a copy, unless `owned`: the caller hands
        them over (the sync import: it keeps no reference to them or their parts, and
        reads none of them again), and each is kept itself when equal to the copy.
        """
        by_kind: dict[str, list[dict[str, Any]]] = {}
        erasing = False
        lseq = self._lseq
        # one at a time: a caller handing its documents over (the sync import's
        # generator) frees each as its copy is made, never both whole in memory
        for kind, doc in items:
            if kind not in self._tables:
                raise ValidationError(f"Type d'enregistrement inconnu : {kind}.")
            erasing = erasing or self._erases(kind, doc)
            lseq += 1
            by_kind.setdefault(kind, []).append({**doc, "meta": {**doc["meta"], "lseq": lseq}})
        if not by_kind and not local:
            return
        counts = {kind: len(docs) for kind, docs in by_kind.items()}
        try:
            with self._storage.batch():
                if erasing:
                    self._storage.fold_soon()  # older journal lines hold the erased data
                for kind in list(by_kind):
                    # stored as a copy: this kind's given documents are dropped once
                    # stored (the whole save stays one durable step, all or nothing)
                    self._tables[kind].put_records(by_kind.pop(kind), owned=owned)
                state = {**self._local(), **(local or {}), "lseq": lseq, "hlc": self.clock.last}
                self._local_table.put({LOCAL_DOC: state})
        except BaseException:
            self._reloaded()
            raise
        self._lseq = lseq
        for kind, count in counts.items():
            self._kind_changes[kind] = self._kind_changes.get(kind, 0) + count

    def _erases(self, kind: str, doc: dict[str, Any]) -> bool:
        """Whether writing `doc` erases personal data (locally or received by sync)."""
        if not doc.get("meta", {}).get("erased"):
            return False
        old = self.doc(kind, doc["id"])
        return old is None or not old.get("meta", {}).get("erased")

    def _reloaded(self) -> None:
        """After a failed save (the storage reloaded what is on disk): counters follow."""
        self._lseq = int(self._local().get("lseq", 0))
        self._generation += 1

    def checkpoint(self) -> None:
        self._storage.checkpoint()

    @property
    def recovered_torn_write(self) -> bool:
        return self._storage.recovered_torn_write
