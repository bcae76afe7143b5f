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
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
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
    EncodedDocs,
    EncodedOps,
    JournalEntry,
    apply_entry,
    encode_line,
    parse_journal,
)
from citeslab_tui.store.migrations import migrate
from citeslab_tui.store.snapshot import (
    Raw,
    Span,
    Tables,
    encode_snapshot,
    stream_snapshot,
)

SNAPSHOT_NAME = "citeslab.json"
CHECKPOINT_BYTES = 8 * 1024 * 1024
BULK_DOCS = 2000
BULK_SHARE = 3
# Lookups by id a table still on disk answers by one streamed pass before it is
# parsed: one (the first screen asks for its few ids at once; a loop over ids, such
# as a sync import's, then costs one parse and one wasted pass).
DISK_LOOKUPS = 1


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


@dataclass
class OnDisk:
    """A table not parsed yet: where its documents lie in the snapshot, and the
    journal's changes to it (applied, in order, when it is parsed)."""

    span: Span
    ops: dict[str, Any] = field(default_factory=dict)
    lookups: int = 0  # single documents read from disk (see JournalStorage.get)


def encode_doc(doc: Any) -> bytes:
    """`doc` as JSON, in a bytes object of its own size: orjson 3.13 returns each
    result in a 4 KiB buffer (a 600-byte document kept as is costs 4 KiB; the encoded
    documents of a first full sync at 10,000 people held 477 MiB instead of ~45)."""
    try:
        return bytes(memoryview(orjson.dumps(doc)))
    except TypeError as exc:  # orjson.JSONEncodeError
        raise StoreError(unserialisable(exc)) from None


class JournalStorage(Storage):
    """Snapshot + append-only journal; see the module docstring.

    `index_field`: keep a FieldIndex of the documents by that field (`linked`).
    `lazy`: a table (except local ones, named "_...") is parsed when first used, not
    at open: the open verifies the whole file (its CRC-32) and locates each table;
    a command or screen pays for the kinds it reads. A checkpoint or a backup copies
    a table never parsed byte for byte.
    """

    def __init__(
        self,
        folder: str | os.PathLike[str],
        *,
        create: bool = True,
        index_field: str | None = None,
        lazy: bool = True,
    ) -> None:
        self.folder = Path(folder)
        self.snapshot_path = self.folder / SNAPSHOT_NAME
        self._tables: Tables = {}
        self._on_disk: dict[str, OnDisk] = {}  # tables of the snapshot not parsed yet
        self._lazy = lazy
        self._shared: dict[str, str] = {}  # strings shared by the documents (intern_doc)
        self._load_lock = threading.RLock()
        self._index = FieldIndex(index_field) if index_field else None
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
    ) -> tuple[int, Tables, dict[str, OnDisk], list[JournalEntry], bool]:
        """(schema, tables parsed, tables left on disk, journal entries, torn tail?) of
        what is on disk: the snapshot with its journal replayed, up to `journal_bytes`
        of it if given (a table left on disk keeps its journal changes for later)."""
        self._shared = {}
        lazy = (lambda name: not name.startswith("_")) if self._lazy else None
        try:
            header, tables, spans = snapshot.open_snapshot(
                self.snapshot_path, SNAPSHOT_NAME, lazy=lazy, shared=self._shared
            )
            journal = self.folder / f"journal-{int(header['gen'])}.jsonl"
            raw = journal.read_bytes() if journal.exists() else b""
        except OSError as exc:
            raise StoreError(describe_os_error(exc, "Lecture de la base impossible")) from None
        if journal_bytes is not None:
            raw = raw[:journal_bytes]  # a failed save may have left bytes behind
        entries, _valid, torn = parse_journal(raw, journal.name)
        del raw
        on_disk = {name: OnDisk(span) for name, span in spans.items()}
        with no_gc():
            for entry in entries:
                snapshot.intern_tables(entry["ops"], self._shared)
                for name in entry.get("drop", ()):
                    on_disk.pop(name, None)
                parsed: Tables = {}
                for name, docs in entry["ops"].items():
                    if name in on_disk:
                        on_disk[name].ops.update(docs)
                    else:
                        parsed[name] = docs
                drop = list(entry.get("drop", ()))
                apply_entry(tables, {"seq": entry["seq"], "ops": parsed, "drop": drop})
            if int(header["schema"]) < snapshot.SCHEMA_VERSION:  # migrated: parse all
                for name, stored in on_disk.items():
                    tables[name] = self._read_table(stored)
                on_disk = {}
        self._gen = int(header["gen"])
        return int(header["schema"]), tables, on_disk, entries, torn

    def _load(self, create: bool) -> None:
        if not self.snapshot_path.exists():
            self._refuse_missing_snapshot()
            if not create:
                raise StoreError(f"Aucune base CitésLab dans {self.folder}.")
            write_private(self.snapshot_path, encode_snapshot({}, 0))
        # The cyclic GC paused while ~1M objects are built, then everything loaded is
        # frozen: long-lived, kept out of later collections (no spikes in later saves).
        with no_gc():
            schema, tables, on_disk, entries, torn = self._read_disk()
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
            self._set_tables(tables, on_disk)
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

    def _set_tables(self, tables: Tables, on_disk: dict[str, OnDisk]) -> None:
        with self._load_lock:
            self._tables = tables
            self._on_disk = on_disk
            if self._index is not None:
                self._index.reset()
            self.version += 1

    def _parse(self, name: str) -> dict[str, Any] | None:
        """The live table `name`, parsed now if it was left on disk (thread-safe)."""
        table = self._tables.get(name)
        if table is not None or name not in self._on_disk:
            return table
        with self._load_lock:
            stored = self._on_disk.get(name)
            if stored is None:  # parsed meanwhile by another thread, or dropped
                return self._tables.get(name)
            with no_gc():
                table = self._read_table(stored)
                self._tables[name] = table  # before leaving _on_disk: always found
                del self._on_disk[name]
                gc.freeze()  # long-lived, as at open
            return table

    def _read_table(self, stored: OnDisk) -> dict[str, Any]:
        """A table left on disk, parsed, with the journal's changes to it."""
        table = snapshot.read_table(self.snapshot_path, stored.span, SNAPSHOT_NAME, self._shared)
        for doc_id, doc in stored.ops.items():
            if doc is None:
                table.pop(doc_id, None)
            else:
                table[doc_id] = doc
        return table

    def project(self, name: str, fields: Collection[str]) -> Iterator[dict[str, Any]]:
        """The documents of table `name` reduced to `fields` ("meta.deleted" keeps that
        key of the envelope), as a full read would give them, in the same order. A
        table still on disk is streamed one run at a time and stays unparsed: memory
        holds the reduced documents only (the bilan needs ~a third of each record)."""
        top = [f for f in fields if "." not in f]
        inner: dict[str, list[str]] = {}
        for f in fields:
            if "." in f:
                outer, key = f.split(".", 1)
                inner.setdefault(outer, []).append(key)
        shared = self._shared.setdefault

        def reduce(doc: dict[str, Any]) -> dict[str, Any]:
            out = {}
            for f in top:
                if f in doc:
                    value = doc[f]
                    out[f] = shared(value, value) if value.__class__ is str else value
            for outer, keys in inner.items():
                sub = doc.get(outer)
                if type(sub) is dict:
                    out[outer] = {k: sub[k] for k in keys if k in sub}
            return out

        with self._load_lock:  # no checkpoint replaces the file while it is streamed
            stored = self._on_disk.get(name)
            if stored is None:
                table = self._tables.get(name) or {}
                return iter([reduce(doc) for doc in list(table.values())])
            ops = stored.ops
            found: list[dict[str, Any]] = []
            replaced: set[str] = set()
            with no_gc():
                for run in snapshot.iter_runs(self.snapshot_path, stored.span, SNAPSHOT_NAME):
                    for doc_id, doc in run.items():
                        if doc_id in ops:
                            replaced.add(doc_id)
                            doc = ops[doc_id]
                        if type(doc) is dict:
                            found.append(reduce(doc))
                    del run
                found.extend(
                    reduce(doc)
                    for doc_id, doc in ops.items()
                    if type(doc) is dict and doc_id not in replaced
                )
            return iter(found)

    def parse_all(self) -> None:
        """Parse every table left on disk."""
        for name in list(self._on_disk):
            self._parse(name)

    def names(self) -> list[str]:
        """Every table's name, parsed or not."""
        return [*self._tables, *(n for n in self._on_disk if n not in self._tables)]

    def parsed(self, name: str) -> bool:
        """Whether table `name` is in memory (tests, benchmarks)."""
        return name in self._tables

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
        deletes from it before calling `write`), every table parsed. Tables themselves
        are live: read-only."""
        self.parse_all()
        return dict(self._tables)

    def table(self, name: str) -> dict[str, Any] | None:
        """The live documents of one table (read-only; iterate a copy across threads),
        parsed now if it was not yet."""
        return self._parse(name)

    def get(self, name: str, doc_id: str) -> Any:
        """One live document of table `name` (read-only), or None (see `get_many`)."""
        return self.get_many(name, (doc_id,)).get(doc_id)

    def get_many(self, name: str, doc_ids: Collection[str]) -> dict[str, Any]:
        """{id: live document} of those of `doc_ids` in table `name` (read-only). A
        table still on disk is not parsed for its first DISK_LOOKUPS lookups: one
        streamed pass finds the runs holding them (a first screen needing a few
        records of a large kind does not pay for the kind); the next lookup parses
        it (a loop over many ids costs one parse)."""
        table = self._tables.get(name)
        if table is None:
            with self._load_lock:  # no checkpoint replaces the file while it is read
                stored = self._on_disk.get(name)
                if stored is not None and stored.lookups < DISK_LOOKUPS:
                    stored.lookups += 1
                    ops = stored.ops
                    rest = [i for i in doc_ids if i not in ops]
                    found = (
                        snapshot.find_docs(self.snapshot_path, stored.span, SNAPSHOT_NAME, rest)
                        if rest
                        else {}
                    )
                    found.update((i, ops[i]) for i in doc_ids if i in ops)
                    return {k: v for k, v in found.items() if v is not None}
            table = self._parse(name)
        if table is None:
            return {}
        return {i: doc for i in doc_ids if (doc := table.get(i)) is not None}

    def scan(self, name: str, where: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
        """The documents of table `name` for which `where(doc)` is true, in table
        order. A table still on disk is streamed one run at a time and stays unparsed:
        only the matches are kept (today's appointments among ten years of tasks)."""
        with self._load_lock:
            stored = self._on_disk.get(name)
            if stored is None:
                table = self._tables.get(name) or {}
                return [doc for doc in list(table.values()) if where(doc)]
            ops = stored.ops
            found: list[dict[str, Any]] = []
            replaced: set[str] = set()
            for run in snapshot.iter_runs(self.snapshot_path, stored.span, SNAPSHOT_NAME):
                for doc_id, doc in run.items():
                    if doc_id in ops:
                        replaced.add(doc_id)
                        doc = ops[doc_id]
                    if type(doc) is dict and where(doc):
                        found.append(doc)
            found.extend(
                doc
                for doc_id, doc in ops.items()
                if type(doc) is dict and doc_id not in replaced and where(doc)
            )
            return found

    def linked(self, value: str, tables: Iterable[str] | None = None) -> list[tuple[str, str]]:
        """(table, doc id) of the documents whose index field is `value`, sorted, in
        `tables` (default: every table but the local ones). Only those are parsed."""
        if self._index is None:
            raise StoreError("Aucun index n'est tenu pour ce stockage.")
        names = [n for n in (self.names() if tables is None else tables) if not n.startswith("_")]
        live = {name: table for name in names if (table := self._parse(name)) is not None}
        return self._index.find(value, live)

    def snapshot_parts(self) -> list[bytes]:
        """The current state encoded as a snapshot (daily backups); a table never
        parsed is copied from the snapshot file as it is."""
        with self._load_lock:
            return list(self._layout(self._gen)[0])

    def _layout(self, gen: int) -> tuple[Iterator[bytes], dict[str, Span]]:
        """The snapshot of the current state, its bytes produced as they are written
        (`snapshot.stream_snapshot`: hold the load lock until they are all written)."""
        with self._load_lock:
            for name, stored in list(self._on_disk.items()):
                if stored.ops:  # changed by the journal: parsed to be written anew
                    self._parse(name)
            tables: dict[str, dict[str, Any] | Raw] = dict(self._tables)
            for name, stored in self._on_disk.items():
                runs = snapshot.read_runs(self.snapshot_path, stored.span, SNAPSHOT_NAME)
                tables[name] = Raw(runs, stored.span.runs)
            return stream_snapshot(tables, gen)

    # --- writing -------------------------------------------------------------------

    def apply(
        self, name: str, changes: Mapping[str, Any], *, create: bool = False, owned: bool = False
    ) -> None:
        """Set (a document) or remove (None) documents of table `name`, durably unless
        inside `batch()`; `create` makes the table exist even with no document.
        `owned`: the caller hands the documents over (keeps no reference, never changes
        them): each is stored itself when equal to its JSON round trip, not copied."""
        self._refuse_if_closed()
        encoded: EncodedDocs = {}
        for key, doc in changes.items():
            if doc is None:
                encoded[str(key)] = None
                continue
            raw = encode_doc(doc)
            # a document handed over and equal to its round trip is stored itself: one
            # copy in memory, not two, and its bytes are not kept (the first full sync:
            # made again if the save is a journal line, journal.encode_line)
            owned_doc = owned and type(doc) is dict and orjson.loads(raw) == doc
            encoded[str(key)] = doc if owned_doc else raw
        self._change(name, encoded, create=create)
        self._done()

    def write(self, data: Tables) -> None:
        """TinyDB's whole-data write (drop_table, drop_tables, a stock Table): tables
        missing from `data` are dropped, tables that are other objects are replaced."""
        self._refuse_if_closed()
        self.parse_all()
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

    def _change(
        self, name: str, encoded: Mapping[str, bytes | dict[str, Any] | None], *, create: bool
    ) -> None:
        """The one place documents change in memory: references replaced, the decoded
        copy of what is journaled stored (or a document handed over: itself, see
        `apply`), the index kept in step."""
        table = self._parse(name)
        if table is None:
            if not encoded and not create:
                return
            table = self._tables[name] = {}
            self._pending.setdefault(name, {})  # journaled even if it stays empty
        for doc_id, raw in encoded.items():
            old = table.get(doc_id)
            new = orjson.loads(raw) if isinstance(raw, bytes) else raw
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
                del ops  # the snapshot is encoded from the tables: not needed twice
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
        total = sum(len(table) for table in self._tables.values())
        total += sum(stored.span.docs_at_most for stored in self._on_disk.values())
        return changed * BULK_SHARE >= total

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
                schema, tables, on_disk, _entries, _torn = self._read_disk(self._journal_size)
                if schema < snapshot.SCHEMA_VERSION:
                    tables = migrate(tables, schema)
                self._set_tables(tables, on_disk)
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
        with self._load_lock:  # no table parsed from the old file once it is replaced
            parts, spans = self._layout(new_gen)
            write_private(self.snapshot_path, parts)
            del parts
            for name, stored in self._on_disk.items():
                stored.span = spans[name]
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
