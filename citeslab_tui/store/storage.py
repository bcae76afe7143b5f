"""A TinyDB Storage that never rewrites a file in place: snapshot + fsync'd journal.

Files in the data folder:

- `citeslab.json`: the snapshot (format in snapshot.py), replaced atomically (temp
  file, fsync, `os.replace`, folder fsync), CRC-checked at open.
- `journal-<gen>.jsonl`: the saves since that snapshot, one line each (format in
  journal.py). A save returns once its line is written and fsync'd.

Writes arrive as changes: `apply(table, {doc_id: doc | None})` from the project's
TinyDB tables (tables.py), or TinyDB's own whole-data `write` (drop_table,
drop_tables, a stock Table), whose changes are found by table identity. Each
document is encoded once (a value JSON cannot hold is refused in French before
anything changes); memory gets the decoded copy, exactly what a replay would give.
Memory is changed by replacing references: a stored document is never modified in
place, so a reader in another thread sees the old document or the new one.

`batch()` groups several writes into one journal line (all or nothing). A failed
save (disk full, I/O error, a refused value inside a batch) cuts any partial line
off the journal and reloads the acknowledged state from disk; after an I/O error the
next save writes a fresh snapshot instead of appending.

At open the snapshot is verified and the journal replayed. An incomplete last line (a
save that never returned) is a torn write: set aside in a `.torn` file, and a fresh
snapshot is written; nothing acknowledged is lost. A complete line with a bad
checksum, or a bad snapshot, is damage: the open is refused and no file is touched.

Checkpoint (fold): a new snapshot (generation g+1) is written atomically before the
journal of generation g is removed; a journal older than the snapshot is therefore
inside it and is deleted at the next open. Folds happen at close, when the journal
passes CHECKPOINT_BYTES, for bulk saves (at least BULK_DOCS documents and a third of
the database: first full sync, register import), and after a save that erases
personal data (`fold_soon`): at once if the disk has room, else at the next save,
close or open that has.

An older schema is migrated at open (migrations.py); the old snapshot and journal
are kept beside it (`citeslab.json.schema-n`, `journal-g.jsonl.schema-n-<stamp>`).
"""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from citeslab_tui.perf import no_gc
from citeslab_tui.store import snapshot
from citeslab_tui.store.errors import DatabaseCorrupt, StoreError
from citeslab_tui.store.files import (
    describe_os_error,
    fsync_dir,
    full_fsync,
    open_private,
    write_private,
)
from citeslab_tui.store.index import FieldIndex
from citeslab_tui.store.journal import (
    EncodedOps,
    JournalEntry,
    apply_entry,
    encode_line,
    parse_journal,
)
from citeslab_tui.store.migrations import migrate
from citeslab_tui.store.snapshot import Tables, encode_snapshot, encode_snapshot_parts

SNAPSHOT_NAME = "citeslab.json"
CHECKPOINT_BYTES = 8 * 1024 * 1024
BULK_DOCS = 2000
BULK_SHARE = 3


def unserialisable(exc: TypeError) -> str:
    """French refusal of a value JSON cannot hold (never quoting the value itself)."""
    detail = str(exc)
    if "not JSON serializable" in detail:
        what = f"une valeur de type {detail.rsplit(':', 1)[-1].strip()}"
    elif "64-bit" in detail:
        what = "un nombre entier trop grand"
    elif "str" in detail and "key" in detail.lower():
        what = "une clé qui n'est pas du texte"
    else:
        what = "une valeur"
    return f"Enregistrement impossible : {what} ne peut pas être enregistrée. Rien n'a été modifié."


def encode_doc(doc: Any) -> bytes:
    try:
        return orjson.dumps(doc)
    except TypeError as exc:  # orjson.JSONEncodeError
        raise StoreError(unserialisable(exc)) from None


class JournalStorage(Storage):
    """Snapshot + append-only journal; see the module docstring.

    `index_field`: keep a FieldIndex of the documents by that field (`linked`).
    """

    def __init__(
        self,
        folder: str | os.PathLike[str],
        *,
        create: bool = True,
        index_field: str | None = None,
    ) -> None:
        self.folder = Path(folder)
        self.snapshot_path = self.folder / SNAPSHOT_NAME
        self._tables: Tables = {}
        self._index = FieldIndex(index_field, lambda: self._tables) if index_field else None
        self.version = 0  # bumped at every change in memory (tables' query caches)
        self._gen = 0
        self._seq = 0
        self._journal_fd: int | None = None
        self._journal_size = 0
        self._batch_depth = 0
        self._pending: EncodedOps = {}  # the changes not yet journaled, encoded
        self._pending_drop: list[str] = []
        self._fold_requested = False  # the save being made erases personal data
        self._fold_pending = False  # journal lines hold erased data: fold when space allows
        self._needs_checkpoint = False
        self._closed = False
        self.recovered_torn_write = False
        self.torn_file: Path | None = None
        self.migrated_from: int | None = None
        self._load(create)

    # --- opening -----------------------------------------------------------------

    def journal_path(self, gen: int | None = None) -> Path:
        return self.folder / f"journal-{self._gen if gen is None else gen}.jsonl"

    def _read_disk(
        self, journal_bytes: int | None = None
    ) -> tuple[int, Tables, list[JournalEntry], bool]:
        """(schema, tables, journal entries, torn tail?) of what is on disk: the snapshot
        with its journal replayed, up to `journal_bytes` of it if given."""
        try:
            header, tables = snapshot.read_snapshot(self.snapshot_path, SNAPSHOT_NAME)
            journal = self.folder / f"journal-{int(header['gen'])}.jsonl"
            raw = journal.read_bytes() if journal.exists() else b""
        except OSError as exc:
            raise StoreError(describe_os_error(exc, "Lecture de la base impossible")) from None
        if journal_bytes is not None:
            raw = raw[:journal_bytes]  # a failed save may have left bytes behind
        entries, _valid, torn = parse_journal(raw, journal.name)
        del raw
        with no_gc():
            shared: dict[str, str] = {}
            for entry in entries:
                snapshot.intern_tables(entry["ops"], shared)
                apply_entry(tables, entry)
        self._gen = int(header["gen"])
        return int(header["schema"]), tables, entries, torn

    def _load(self, create: bool) -> None:
        if not self.snapshot_path.exists():
            self._refuse_missing_snapshot()
            if not create:
                raise StoreError(f"Aucune base CitésLab dans {self.folder}.")
            write_private(self.snapshot_path, encode_snapshot({}, 0))
        # The cyclic GC paused while ~1M objects are built, then everything loaded is
        # frozen: long-lived, kept out of later collections (no spikes in later saves).
        with no_gc():
            schema, tables, entries, torn = self._read_disk()
            self._seq = entries[-1]["seq"] if entries else 0
            self._fold_pending = any(entry.get("fold") for entry in entries)
            del entries
            if schema < snapshot.SCHEMA_VERSION:
                tables = migrate(tables, schema)
                self.migrated_from = schema
                # keep the pre-migration snapshot as it was before writing the new schema
                try:
                    raw = self.snapshot_path.read_bytes()
                except OSError as exc:
                    raise StoreError(
                        describe_os_error(exc, "Lecture de la base impossible")
                    ) from None
                write_private(self.folder / f"{SNAPSHOT_NAME}.schema-{schema}", raw)
                del raw
            self._set_tables(tables)
            gc.freeze()
        if torn:
            self.recovered_torn_write = True
            self._checkpoint(set_aside=".torn")
        elif self.migrated_from is not None:
            self._checkpoint(set_aside=f".schema-{schema}")
        self._remove_stale_journals()
        if self._journal_fd is None:
            self._open_journal()
        if self._fold_pending:  # an erasure whose fold failed (full disk) or was cut short
            self._try_fold()

    def _set_tables(self, tables: Tables) -> None:
        self._tables = tables
        if self._index is not None:
            self._index.reset()
        self.version += 1

    def _refuse_missing_snapshot(self) -> None:
        """No snapshot, but traces of a database: refuse rather than start empty."""
        if any(self.folder.glob("journal-*.jsonl")):
            raise DatabaseCorrupt(f"Le fichier {SNAPSHOT_NAME} manque alors que le journal existe.")
        if (self.folder / "backups").is_dir() and any((self.folder / "backups").iterdir()):
            raise DatabaseCorrupt(
                f"Le fichier {SNAPSHOT_NAME} manque alors que ce dossier contient des "
                "sauvegardes : la base a été déplacée ou effacée."
            )

    def _remove_stale_journals(self) -> None:
        """Journals older than the snapshot are inside it (a checkpoint was interrupted)."""
        for path in self.folder.glob("journal-*.jsonl"):
            gen = path.name.removeprefix("journal-").removesuffix(".jsonl")
            if gen.isdigit() and int(gen) < self._gen:
                with contextlib.suppress(OSError):
                    path.unlink()

    def _open_journal(self) -> None:
        path = self.journal_path()
        existed = path.exists()
        fd = open_private(path)
        try:
            self._journal_size = os.fstat(fd).st_size
            if not existed:
                fsync_dir(self.folder)  # the new file's name must survive a power cut too
        except OSError:
            os.close(fd)
            raise
        self._journal_fd = fd

    # --- reading -------------------------------------------------------------------

    def read(self) -> Tables:
        """TinyDB's whole-data read: a new dict of the live tables (TinyDB's drop_table
        deletes from it before calling `write`). Tables themselves are live: read-only."""
        return dict(self._tables)

    def table(self, name: str) -> dict[str, Any] | None:
        """The live documents of one table (read-only; iterate a copy across threads)."""
        return self._tables.get(name)

    def linked(self, value: str) -> list[tuple[str, str]]:
        """(table, doc id) of the documents whose index field is `value`, sorted."""
        if self._index is None:
            raise StoreError("Aucun index n'est tenu pour ce stockage.")
        return self._index.find(value)

    def snapshot_parts(self) -> list[bytes]:
        """The current state encoded as a snapshot (daily backups)."""
        return encode_snapshot_parts(self._tables, self._gen)

    # --- writing -------------------------------------------------------------------

    def apply(self, name: str, changes: Mapping[str, Any], *, create: bool = False) -> None:
        """Set (a document) or remove (None) documents of table `name`, durably unless
        inside `batch()`; `create` makes the table exist even with no document."""
        self._refuse_if_closed()
        encoded = {str(k): None if doc is None else encode_doc(doc) for k, doc in changes.items()}
        self._change(name, encoded, create=create)
        self._done()

    def write(self, data: Tables) -> None:
        """TinyDB's whole-data write (drop_table, drop_tables, a stock Table): tables
        missing from `data` are dropped, tables that are other objects are replaced."""
        self._refuse_if_closed()
        dropped = [name for name in self._tables if name not in data]
        try:
            replaced = {
                name: {str(k): encode_doc(doc) for k, doc in table.items()}
                for name, table in data.items()
                if self._tables.get(name) is not table
            }
        except StoreError:
            if not self._batch_depth:  # a stock Table may have changed documents in place
                self._forget_pending()
                self._reload()
            raise
        for name in dropped + [n for n in replaced if n in self._tables]:
            old = self._tables.pop(name)
            if self._index is not None:
                for doc_id, doc in old.items():
                    self._index.change(name, doc_id, doc, None)
            self._pending.pop(name, None)
            self._pending_drop.append(name)
        for name, docs in replaced.items():
            self._change(name, docs, create=True)
        self.version += 1
        self._done()

    def _change(self, name: str, encoded: Mapping[str, bytes | None], *, create: bool) -> None:
        """The one place documents change in memory: references replaced, the decoded
        copy of what is journaled stored, the index kept in step."""
        table = self._tables.get(name)
        if table is None:
            if not encoded and not create:
                return
            table = self._tables[name] = {}
            self._pending.setdefault(name, {})  # journaled even if it stays empty
        for doc_id, raw in encoded.items():
            old = table.get(doc_id)
            new = None if raw is None else orjson.loads(raw)
            if new is None:
                table.pop(doc_id, None)
            else:
                table[doc_id] = new
            if self._index is not None:
                self._index.change(name, doc_id, old, new)
        self._pending.setdefault(name, {}).update(encoded)
        self.version += 1

    def _refuse_if_closed(self) -> None:
        if self._closed:
            raise StoreError("La base est fermée : rouvrez l'application pour enregistrer.")

    def _done(self) -> None:
        if not self._batch_depth:
            self._commit()

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group the writes inside into one durable journal line (all or nothing)."""
        self._batch_depth += 1
        try:
            yield
        except BaseException:
            self._batch_depth -= 1
            if not self._batch_depth and (self._pending or self._pending_drop):
                self._forget_pending()
                self._reload()
            raise
        self._batch_depth -= 1
        if not self._batch_depth:
            self._commit()

    def fold_soon(self) -> None:
        """The save being made erases personal data: once it is durable, fold the journal
        (whose older lines still hold that data) into a fresh snapshot, now if the disk
        has room, else at the next save, close or open that has."""
        self._fold_requested = True

    def _forget_pending(self) -> tuple[EncodedOps, list[str], bool]:
        pending = self._pending, self._pending_drop, self._fold_requested
        self._pending, self._pending_drop, self._fold_requested = {}, [], False
        return pending

    def _commit(self) -> None:
        ops, drop, fold = self._forget_pending()
        if not ops and not drop:
            return
        try:
            if (
                self._needs_checkpoint
                or self._journal_fd is None
                or self._journal_size > CHECKPOINT_BYTES
                or self._is_bulk(ops)
            ):
                self._checkpoint()
            else:
                self._append(encode_line(self._seq + 1, ops, drop, fold=fold))
        except BaseException:
            self._reload()
            raise
        if (fold or self._fold_pending) and self._journal_size:
            self._fold_pending = True
            self._try_fold()

    def _is_bulk(self, ops: EncodedOps) -> bool:
        """A save changing a large part of the database (first full sync, register
        import) writes a fresh snapshot instead of a journal line about as big: one
        encoding instead of two (line now, fold at close) and no huge line to replay."""
        changed = sum(len(docs) for docs in ops.values())
        if changed < BULK_DOCS:
            return False
        return changed * BULK_SHARE >= sum(len(table) for table in self._tables.values())

    def _append(self, line: bytes) -> None:
        assert self._journal_fd is not None, "storage closed"
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(self._journal_fd, view) :]
            full_fsync(self._journal_fd)
        except OSError as exc:
            # A partial (or unflushed) line may be on disk: cut it off if we can, and
            # never append after it: the next save writes a fresh snapshot instead.
            self._needs_checkpoint = True
            with contextlib.suppress(OSError):
                os.ftruncate(self._journal_fd, self._journal_size)
                full_fsync(self._journal_fd)
            raise StoreError(describe_os_error(exc, "Enregistrement impossible")) from None
        self._seq += 1
        self._journal_size += len(line)

    def _reload(self) -> None:
        """Forget unsaved changes in memory: reload what was acknowledged on disk."""
        try:
            with no_gc():
                schema, tables, _entries, _torn = self._read_disk(self._journal_size)
                if schema < snapshot.SCHEMA_VERSION:
                    tables = migrate(tables, schema)
                self._set_tables(tables)
                gc.freeze()  # as at open: long-lived, out of later collections
        except BaseException:
            self._closed = True  # memory no longer matches the disk: no later save
            raise

    def _try_fold(self) -> None:
        """Best effort: fold the journal now if the disk seems to have room for a
        snapshot. The saves are durable already; a failure only leaves the fold pending."""
        try:
            needed = self.snapshot_path.stat().st_size + self._journal_size
            if shutil.disk_usage(self.folder).free < needed + needed // 10:
                return
            self._checkpoint()
        except (StoreError, OSError):
            return

    def checkpoint(self) -> None:
        """Write a fresh snapshot and start an empty journal (public for tests/tools)."""
        self._checkpoint()

    def _checkpoint(self, set_aside: str | None = None, *, reopen: bool = True) -> None:
        old_journal = self.journal_path()
        new_gen = self._gen + 1
        write_private(self.snapshot_path, encode_snapshot_parts(self._tables, new_gen))
        # From here the new snapshot is authoritative (the save, if any, is durable);
        # the old journal is stale: failures below must not report a lost save.
        if self._journal_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._journal_fd)
            self._journal_fd = None
        self._gen = new_gen
        self._seq = 0
        self._journal_size = 0
        self._needs_checkpoint = False
        self._fold_pending = False
        if old_journal.exists():
            if set_aside:
                stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
                aside = old_journal.with_name(f"{old_journal.name}{set_aside}-{stamp}")
                os.replace(old_journal, aside)
                with contextlib.suppress(OSError):
                    os.utime(aside)  # its age counts from now (backups.expire_set_aside)
                if set_aside == ".torn":
                    self.torn_file = aside
            else:
                with contextlib.suppress(OSError):  # removed at the next open otherwise
                    old_journal.unlink()
        try:
            fsync_dir(self.folder)
            if reopen:
                self._open_journal()
        except OSError:
            self._needs_checkpoint = True  # the next save writes a snapshot again

    def close(self, *, fold: bool = True) -> None:
        """Fold the journal into a fresh snapshot (best effort, unless `fold=False`)."""
        if self._closed:
            return
        self._closed = True
        if self._journal_fd is None and not self._needs_checkpoint:
            return
        try:
            if fold and (self._needs_checkpoint or self._journal_size > 0):
                with contextlib.suppress(StoreError, OSError):
                    self._checkpoint(reopen=False)
        finally:
            if self._journal_fd is not None:
                os.close(self._journal_fd)
                self._journal_fd = None
            self._needs_checkpoint = False

    @property
    def generation(self) -> int:
        return self._gen

    @property
    def journal_size(self) -> int:
        return self._journal_size
