"""The repository: records in, records out, every save durable.

The only module (with storage.py) that knows TinyDB. Records live in tables
named `<kind>.<first two hex digits of the id>` so that each durable save
touches a small table (TinyDB rebuilds the whole table on every write). All
documents are indexed in memory by id at open; reads never touch the disk.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import pydantic
from tinydb import TinyDB
from tinydb.table import Document

from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.hlc import HybridLogicalClock
from citeslab_tui.domain.models import RECORD_TYPES, Record, Settings
from citeslab_tui.domain.records import stamp
from citeslab_tui.store import backups
from citeslab_tui.store.errors import DatabaseCorrupt, StoreError
from citeslab_tui.store.files import describe_os_error, ensure_private_dir, remove_temp_files
from citeslab_tui.store.lock import DataDirLock
from citeslab_tui.store.settings import load_settings, save_settings
from citeslab_tui.store.storage import JournalStorage, encode_snapshot_parts

R = TypeVar("R", bound=Record)
LOCAL_TABLE = "_local"  # this file's counters: local sequence, last clock


def table_name(kind: str, record_id: str) -> str:
    return f"{kind}.{record_id[:2]}"


class Repository:
    """Open with `Repository.open(folder)`; use as a context manager or call close()."""

    def __init__(self, folder: Path, lock: DataDirLock, storage: JournalStorage) -> None:
        self.folder = folder
        self._lock = lock
        self._storage = storage
        self._db = TinyDB(storage=lambda: storage)  # type: ignore[arg-type]
        self.settings = load_settings(folder)
        self._docs: dict[str, dict[str, dict[str, Any]]] = {k: {} for k in RECORD_TYPES}
        self._where: dict[str, tuple[str, int]] = {}
        self._index()
        local = self._local()
        self.clock = HybridLogicalClock(self.device, local.get("hlc"))
        self._lseq = int(local.get("lseq", 0))
        self._kind_changes: dict[str, int] = {}  # kind -> changes seen (see kind_version)
        self._generation = 0  # bumped when the in-memory index is rebuilt

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
        storage: JournalStorage | None = None
        try:
            try:
                storage = JournalStorage(folder, create=create)
            except DatabaseCorrupt as exc:
                raise DatabaseCorrupt(exc.message + backups.latest_backup_hint(folder)) from None
            except OSError as exc:  # the folder vanished or became unreadable meanwhile
                raise StoreError(
                    describe_os_error(exc, "Ouverture de la base impossible")
                ) from None
            # A crash during an atomic write left a copy of the data (perhaps holding
            # data erased since): gone once the database opened sound.
            remove_temp_files(folder)
            repo = cls(folder, lock, storage)
            repo._daily_backup()
            return repo
        except BaseException:
            if storage is not None:
                storage.close(fold=False)
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
        snapshot = encode_snapshot_parts(self._storage.read(), self._storage.generation)
        with contextlib.suppress(StoreError, OSError):  # a failed backup must not block the day
            backups.rotate(self.folder, snapshot, self.settings.backups_keep)

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

    def _index(self) -> None:
        for name, table in self._storage.read().items():
            kind, _, _ = name.partition(".")
            if kind not in self._docs:
                continue
            docs = self._docs[kind]
            for doc_id, doc in table.items():
                docs[doc["id"]] = doc
                self._where[doc["id"]] = (name, int(doc_id))

    def _local(self) -> dict[str, Any]:
        return dict(self._storage.read().get(LOCAL_TABLE, {}).get("1", {}))

    def doc(self, kind: str, record_id: str) -> dict[str, Any] | None:
        return self._docs[kind].get(record_id)

    def docs(self, kind: str, *, include_deleted: bool = False) -> Iterator[dict[str, Any]]:
        for doc in self._docs[kind].values():
            if include_deleted or not doc.get("meta", {}).get("deleted"):
                yield doc

    def kind_of(self, record_id: str) -> str | None:
        """The kind of the stored record with this id (deleted ones included), or None."""
        where = self._where.get(record_id)
        return None if where is None else where[0].partition(".")[0]

    def count(self, kind: str) -> int:
        return sum(1 for _ in self.docs(kind))

    def get(self, model: type[R], record_id: str) -> R | None:
        doc = self._docs[model.kind].get(record_id)
        if doc is None or doc.get("meta", {}).get("deleted"):
            return None
        return model.model_validate(doc)

    def all(self, model: type[R]) -> list[R]:
        return [model.model_validate(doc) for doc in self.docs(model.kind)]

    @property
    def lseq(self) -> int:
        return self._lseq

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
            self._reindex()
            raise

    def save(
        self, *records: Record, deleted: bool = False, erased: bool = False, returning: bool = True
    ) -> list[Record]:
        """Durably save records (one journal line). Returns them with their envelope.

        When this returns, the records are on disk (fsync'd). Bulk writers that do not
        use the result (register import) pass `returning=False` and get [] back.
        """
        now = datetime.now(UTC)
        stamped: list[tuple[Record, dict[str, Any]]] = []
        for record in records:
            old = self._docs[record.kind].get(record.id)
            doc = stamp(
                record,
                old,
                device=self.device,
                staff=self.staff,
                clock=self.clock.now(),
                now=now,
                deleted=deleted,
                erased=erased,
            )
            stamped.append((record, doc))
        self.put_docs([(record.kind, doc) for record, doc in stamped])
        if not returning:
            return []
        return [type(record).model_validate(doc) for record, doc in stamped]

    def delete(self, *records: Record) -> None:
        """Delete as a tombstone (the id stays, marked deleted, so sync carries it)."""
        self.save(*records, deleted=True)

    def local_state(self, key: str, default: Any = None) -> Any:
        """A value of this file's local (never synced) state, e.g. sync bookkeeping."""
        return self._local().get(key, default)

    def observe_clocks(self, clocks: Iterable[str]) -> None:
        """HLC observe step: absorb clocks seen in imported records (persisted by the
        next put_docs)."""
        for clock in clocks:
            self.clock.observe(clock)

    def put_docs(
        self, items: Iterable[tuple[str, dict[str, Any]]], *, local: dict[str, Any] | None = None
    ) -> None:
        """Write documents exactly as given (after stamping or merging), durably.

        Each gets the next local sequence number (`meta.lseq`), used by sync export.
        `local` updates keys of this file's local state in the same durable step
        (sync bookkeeping: what was exported, imported files).
        """
        items = list(items)
        if not items and not local:
            return
        for kind, _doc in items:
            if kind not in self._docs:
                raise ValidationError(f"Type d'enregistrement inconnu : {kind}.")
        try:
            with self._storage.batch():
                if any(self._erases(kind, doc) for kind, doc in items):
                    self._storage.fold_soon()  # older journal lines hold the erased data
                for kind, doc in items:
                    self._lseq += 1
                    doc["meta"]["lseq"] = self._lseq
                    self._kind_changes[kind] = self._kind_changes.get(kind, 0) + 1
                self._put_all(items)
                self._db.table(LOCAL_TABLE).upsert(
                    Document(
                        {**(local or {}), "lseq": self._lseq, "hlc": self.clock.last}, doc_id=1
                    )
                )
        except BaseException:
            self._reindex()
            raise

    def _erases(self, kind: str, doc: dict[str, Any]) -> bool:
        """Whether writing `doc` erases personal data (locally or received by sync)."""
        if not doc.get("meta", {}).get("erased"):
            return False
        old = self._docs[kind].get(doc["id"])
        return old is None or not old.get("meta", {}).get("erased")

    def _put_all(self, items: list[tuple[str, dict[str, Any]]]) -> None:
        new: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for kind, doc in items:
            record_id = doc["id"]
            where = self._where.get(record_id)
            if where is None:
                new.setdefault(table_name(kind, record_id), []).append((kind, doc))
            else:
                name, doc_id = where
                # Replace the whole document (TinyDB's upsert would merge: a key absent
                # from `doc` would survive). Copy first: `doc` may be the stored dict.
                exact = dict(doc)

                def replace(stored: dict[str, Any], exact: dict[str, Any] = exact) -> None:
                    stored.clear()
                    stored.update(exact)

                self._db.table(name).update(replace, doc_ids=[doc_id])
                self._docs[kind][record_id] = self._storage.read()[name][str(doc_id)]
        for name, group in new.items():
            ids = self._db.table(name).insert_multiple(doc for _, doc in group)
            stored = self._storage.read()[name]
            for (kind, doc), doc_id in zip(group, ids, strict=True):
                self._where[doc["id"]] = (name, doc_id)
                self._docs[kind][doc["id"]] = stored[str(doc_id)]

    def _reindex(self) -> None:
        self._docs = {k: {} for k in RECORD_TYPES}
        self._where = {}
        for table in list(self._db._tables.values()):  # drop TinyDB's caches
            table.clear_cache()
        self._db._tables.clear()
        self._index()
        self._lseq = int(self._local().get("lseq", 0))
        self._generation += 1

    def checkpoint(self) -> None:
        self._storage.checkpoint()

    @property
    def recovered_torn_write(self) -> bool:
        return self._storage.recovered_torn_write


def validate_doc(kind: str, doc: dict[str, Any]) -> str | None:
    """French reason why a document is not a valid record of `kind`, or None."""
    model = RECORD_TYPES.get(kind)
    if model is None:
        return f"type d'enregistrement inconnu « {kind} »"
    try:
        model.model_validate(doc)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return f"champ « {where} » invalide"
    return None
