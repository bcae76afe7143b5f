"""A TinyDB Storage that never rewrites a file in place.

Files in the data folder:

- `citeslab.json`: the snapshot, replaced atomically (temp file, fsync,
  `os.replace`, folder fsync). Valid JSON:
  `{"header": {...}, "data": <TinyDB tables>}` where the header carries the
  format, the schema version, the journal generation and the CRC-32 of the exact
  bytes of `data`: a bit flip or a truncation is detected at open.
- `journal-<gen>.jsonl`: changes since that snapshot, one line per durable save:
  `<crc32 8 hex> <json>\n` with json `{"seq": n, "ops": {table: {doc_id: doc|null}}}`.
  A save returns once its line is written and fsync'd.

At open the snapshot is verified and the journal replayed. An incomplete last
line (no newline: a save that never returned) is a torn write: it is set aside
in a `.torn` file and a fresh snapshot is written; nothing acknowledged is lost.
A complete line with a bad checksum, or a bad snapshot, is damage: the open is
refused and no file is touched. A torn tail whose bytes still form a whole,
checksummed line (only its newline is missing) is kept as a save.

Crash windows of a checkpoint: the new snapshot (generation g+1) is written
atomically before the journal of generation g is removed; a journal whose
generation is older than the snapshot's is therefore already inside it, and is
deleted at the next open.

`batch()` groups several TinyDB writes into one journal line (one durable save
for a person, their interview and their queue entry).

A failed save (disk full, I/O error, a value JSON cannot hold) cuts any partial
line off the journal, reloads the acknowledged state (nothing half-saved stays in
memory) and, after an I/O error, makes the next save write a fresh snapshot. A save
that erases personal data (`fold_soon`) is marked in its line: once it is durable the
journal, whose older lines still hold that data, is folded into a fresh snapshot at
once if the disk has room, else at the next save, close or open that has. Migrations: `register_migration(n, f)`
turns a schema-n database into n+1 at open; the old snapshot and journal are
kept beside it (`citeslab.json.schema-n`, `journal-g.jsonl.schema-n-<stamp>`).
A commit only diffs the tables TinyDB replaced since the last one
(`TrackedTables`), so a save costs the same whatever the size of the database.

Bulk saves (at least BULK_DOCS documents and a third of the database: first full
sync, register import) are written as a checkpoint (fresh snapshot) rather than
as a journal line of the same size that would have to be folded in again at close.

Memory: the snapshot is parsed table by table (orjson's parse tree for the whole
45 MB would add ~100 MB at the peak) and repeated string values are shared
(device ids, staff, sites, dates, enum values); it is written as a list of
per-table pieces (no single 45 MB buffer, no copy to prepend the header). The
on-disk bytes are unchanged.
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
import shutil
import zlib
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from citeslab_tui.perf import no_gc
from citeslab_tui.store.errors import DatabaseCorrupt, DatabaseTooNew, StoreError
from citeslab_tui.store.files import (
    PRIVATE_FILE,
    describe_os_error,
    fsync_dir,
    full_fsync,
    write_private,
)

FORMAT = "citeslab-db"
SCHEMA_VERSION = 1
SNAPSHOT_NAME = "citeslab.json"
CHECKPOINT_BYTES = 8 * 1024 * 1024
# A save changing at least BULK_DOCS documents and 1/BULK_SHARE of the database is
# written as a checkpoint (fresh snapshot) rather than as a journal line.
BULK_DOCS = 2000
BULK_SHARE = 3

Tables = dict[str, dict[str, Any]]
Migration = Callable[[Tables], Tables]
# schema version N -> function turning a version-N database into version N+1
MIGRATIONS: dict[int, Migration] = {}

_DATA_MARK = b',"data":'


class TrackedTables(dict):
    """The tables dict, noting which tables TinyDB replaced or dropped since the last commit.

    TinyDB writes a table by assigning a new dict to `tables[name]`; tracking those
    keys lets a commit diff only the touched tables instead of scanning ~1,500.
    """

    __slots__ = ("touched",)

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.touched: set[str] = set(self)

    def __setitem__(self, key: str, value: Any) -> None:
        self.touched.add(key)
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.touched.add(key)
        super().__delitem__(key)

    def pop(self, key: str, *default: Any) -> Any:
        self.touched.add(key)
        return super().pop(key, *default)

    def setdefault(self, key: str, default: Any = None) -> Any:
        self.touched.add(key)
        return super().setdefault(key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        other = dict(*args, **kwargs)
        self.touched.update(other)
        super().update(other)

    def clear(self) -> None:
        self.touched.update(self)
        super().clear()


def register_migration(from_version: int, migration: Migration) -> None:
    """Register the function turning a schema-`from_version` database into the next."""
    MIGRATIONS[from_version] = migration


def migrate(tables: Tables, schema: int, target: int | None = None) -> Tables:
    """Run the registered migrations from `schema` up to `target` (default: current)."""
    target = SCHEMA_VERSION if target is None else target
    for version in range(schema, target):
        step = MIGRATIONS.get(version)
        if step is None:
            raise StoreError(
                f"La base est au schéma {schema} et aucune conversion vers le schéma "
                f"{version + 1} n'est disponible : rien n'a été modifié. Installez la "
                "version de CitésLab qui a écrit ces données, ou contactez le support."
            )
        tables = step(tables)
    return tables


def encode_snapshot_parts(tables: Tables, gen: int) -> list[bytes]:
    """The snapshot as a list of byte strings to write one after the other.

    Encoded table by table (the bytes are exactly those of `orjson.dumps(tables)`):
    no single 45 MB buffer grown by reallocation, and no second copy to prepend
    the header; the CRC-32 is computed piece by piece.
    """
    pieces: list[bytes] = []
    crc = zlib.crc32(b"{")
    for i, (name, table) in enumerate(tables.items()):
        piece = (b"," if i else b"") + orjson.dumps(name) + b":" + orjson.dumps(table)
        crc = zlib.crc32(piece, crc)
        pieces.append(piece)
    crc = zlib.crc32(b"}", crc)
    header = {
        "format": FORMAT,
        "schema": SCHEMA_VERSION,
        "gen": gen,
        "crc32": f"{crc:08x}",
        "written": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    return [b'{"header":' + orjson.dumps(header) + _DATA_MARK + b"{", *pieces, b"}}"]


def encode_snapshot(tables: Tables, gen: int) -> bytes:
    return b"".join(encode_snapshot_parts(tables, gen))


# A table boundary inside the snapshot's data: `},"<kind>.<2 hex>":{`. The bytes `,"`
# never occur inside a JSON string (a quote there is escaped), so a match is either a
# boundary between two tables or, in theory, a nested key of that shape: such a wrong
# cut leaves unbalanced braces in a chunk, which then fails to parse, and the whole
# data is parsed in one go instead (see _load_tables).
_TABLE_CUT = re.compile(rb'\},"[A-Za-z_][A-Za-z0-9_]*\.[0-9a-f]{2}":\{')


_META_SHARED = ("created_by", "created_device", "updated_by", "device", "created_at", "updated_at")
# Measured on the 10,000-person demo (65,000 documents): sharing the envelope's strings
# costs ~0.03 s at open and saves ~40 MiB; sharing the documents' own field values too
# costs ~0.16 s more and saves ~40 MiB more. False keeps only the envelope part.
SHARE_FIELD_VALUES = True


def _intern_doc(doc: Any, shared: Callable[[str, str], str]) -> None:
    """Share repeated string values of a document (device ids, staff, sites, dates,
    enum values): ~80 MiB saved on a 10,000-person database.

    `shared` is the `setdefault` of a dict of the strings seen so far.
    """
    if type(doc) is not dict:
        return
    if SHARE_FIELD_VALUES:
        for key, value in doc.items():
            if value.__class__ is str:
                doc[key] = shared(value, value)
    meta = doc.get("meta")
    if type(meta) is not dict:
        return
    for key in _META_SHARED:
        value = meta.get(key)
        if value.__class__ is str:
            meta[key] = shared(value, value)
    dot0 = meta.get("dot0")
    if type(dot0) is list and dot0 and type(dot0[0]) is str:
        dot0[0] = shared(dot0[0], dot0[0])
    dots = meta.get("dots")
    if type(dots) is dict:
        for dot in dots.values():
            if type(dot) is list and dot and type(dot[0]) is str:
                dot[0] = shared(dot[0], dot[0])


def _parse_chunk(chunk: bytes | memoryview, cache: dict[str, str]) -> Tables:
    part = orjson.loads(chunk)
    if not isinstance(part, dict):
        raise DatabaseCorrupt("contenu inattendu")
    _intern_tables(part, cache)
    return part


def _load_tables(data: memoryview) -> Any:
    """Parse the snapshot's data table by table (a few hundred KB at a time).

    orjson builds its own parse tree before the Python objects: parsing the whole
    45 MB at once needs ~100 MB more at the peak. Falls back to one whole parse if
    the data does not split cleanly (orjson.JSONDecodeError if it is not JSON).
    """
    cache: dict[str, str] = {}
    if len(data) < 2 or data[0] != ord("{") or data[-1] != ord("}"):
        return orjson.loads(data)
    tables: Tables = {}
    start = 1
    try:
        for match in _TABLE_CUT.finditer(data):
            cut = match.start() + 1
            tables.update(_parse_chunk(b"{" + data[start:cut] + b"}", cache))
            start = cut + 1  # skip the comma
        if start > 1 or len(data) > 2:
            tables.update(_parse_chunk(b"{" + data[start:-1] + b"}", cache))
    except (orjson.JSONDecodeError, DatabaseCorrupt):
        tables.clear()
        whole = orjson.loads(data)  # JSONDecodeError: damage, reported by the caller
        if isinstance(whole, dict):
            _intern_tables(whole, cache)
        return whole
    return tables


def _intern_tables(tables: Tables, cache: dict[str, str]) -> None:
    shared = cache.setdefault
    for table in tables.values():
        if type(table) is dict:
            for doc in table.values():
                _intern_doc(doc, shared)


def decode_snapshot(raw: bytes, name: str) -> tuple[dict[str, Any], Tables]:
    """Verify and parse a snapshot; DatabaseCorrupt (French) on any damage."""
    damaged = f"Le fichier {name} est endommagé"
    if not raw.startswith(b'{"header":') or not raw.endswith(b"}"):
        raise DatabaseCorrupt(f"{damaged} (début ou fin manquant : fichier tronqué ?).")
    cut = raw.find(_DATA_MARK)
    if cut < 0:
        raise DatabaseCorrupt(f"{damaged} (en-tête illisible).")
    try:
        header = orjson.loads(raw[len(b'{"header":') : cut])
        expected = header["crc32"]
        schema = int(header["schema"])
        int(header["gen"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise DatabaseCorrupt(f"{damaged} (en-tête illisible).") from None
    if header.get("format") != FORMAT:
        raise DatabaseCorrupt(f"{name} n'est pas une base CitésLab.")
    data = memoryview(raw)[cut + len(_DATA_MARK) : -1]  # no 45 MB copy
    if f"{zlib.crc32(data):08x}" != expected:
        raise DatabaseCorrupt(f"{damaged} (somme de contrôle fausse : octets modifiés).")
    if schema > SCHEMA_VERSION:
        raise DatabaseTooNew(
            f"{name} a été écrit par une version plus récente de CitésLab "
            f"(schéma {schema}, cette version lit jusqu'au {SCHEMA_VERSION}). "
            "Mettez l'application à jour."
        )
    try:
        with no_gc():
            tables = _load_tables(data)
    except orjson.JSONDecodeError:
        raise DatabaseCorrupt(f"{damaged} (contenu illisible).") from None
    if not isinstance(tables, dict):
        raise DatabaseCorrupt(f"{damaged} (contenu inattendu).")
    return header, tables


def read_snapshot(path: Path, name: str) -> tuple[dict[str, Any], Tables]:
    """`decode_snapshot(path.read_bytes(), name)` without holding the whole file.

    The file is read 1 MiB at a time: its CRC-32 is computed as it comes and each
    complete table is parsed at once, so the 45 MB of bytes are never all in memory
    with the documents. Anything unusual (damage, a cut that does not parse, a
    checksum mismatch) falls back to `decode_snapshot` on the whole file, which
    refuses it with the usual French reason.
    """
    try:
        with no_gc():
            result = _stream_snapshot(path)
    except (orjson.JSONDecodeError, DatabaseCorrupt, KeyError, TypeError, ValueError):
        result = None
    if result is None:
        return decode_snapshot(path.read_bytes(), name)
    return result


_STREAM_BLOCK = 1 << 20
_LONGEST_CUT = 96  # a table cut match is shorter than this (see _STREAM_CUT)
_STREAM_CUT = re.compile(rb'\},"[A-Za-z_][A-Za-z0-9_]{0,60}\.[0-9a-f]{2}":\{')


def _stream_snapshot(path: Path) -> tuple[dict[str, Any], Tables] | None:
    with path.open("rb") as handle:
        head = handle.read(_STREAM_BLOCK)
        while _DATA_MARK not in head and len(head) < 1 << 16:
            more = handle.read(_STREAM_BLOCK)
            if not more:
                return None
            head += more
        cut = head.find(_DATA_MARK)
        if not head.startswith(b'{"header":') or cut < 0:
            return None
        header = orjson.loads(head[len(b'{"header":') : cut])
        expected = header["crc32"]
        int(header["gen"])
        if header.get("format") != FORMAT or int(header["schema"]) > SCHEMA_VERSION:
            return None
        pending = head[cut + len(_DATA_MARK) :]
        del head
        if not pending:  # the block ended right after the mark
            pending = handle.read(_STREAM_BLOCK)
        if not pending.startswith(b"{"):
            return None
        cache: dict[str, str] = {}
        tables: Tables = {}
        crc = 0
        start = 1  # in `pending`: the first byte of the next table (after "{" or ",")
        scanned = 0  # `pending` has no cut before this offset
        cuts = 0
        while True:
            block = handle.read(_STREAM_BLOCK)
            if not block:
                break
            crc = zlib.crc32(pending[scanned:], crc)  # everything but the newest block
            for match in _STREAM_CUT.finditer(pending, max(start, scanned - _LONGEST_CUT)):
                end = match.start() + 1
                tables.update(_parse_chunk(b"{" + pending[start:end] + b"}", cache))
                start = end + 1
                cuts += 1
            # keep only what is not parsed yet; what was CRC'd stays accounted for
            pending, scanned = pending[start:] + block, len(pending) - start
            start = 0
        # `pending` ends with the outer "}": the data is everything before it
        if not pending.endswith(b"}}"):
            return None
        crc = zlib.crc32(memoryview(pending)[scanned:-1], crc)
        if f"{crc:08x}" != expected:
            return None
        for match in _STREAM_CUT.finditer(pending, max(start, scanned - _LONGEST_CUT)):
            end = match.start() + 1
            tables.update(_parse_chunk(b"{" + pending[start:end] + b"}", cache))
            start = end + 1
            cuts += 1
        last = pending[start:-2]
        if last:
            tables.update(_parse_chunk(b"{" + last + b"}", cache))
        elif cuts:  # a cut followed by nothing: not what encode_snapshot writes
            return None
    return header, tables


def unserialisable(exc: TypeError) -> str:
    """French refusal of a value JSON cannot hold (never quoting the value itself)."""
    detail = str(exc)
    if "not JSON serializable" in detail:
        kind = detail.rsplit(":", 1)[-1].strip()
        what = f"une valeur de type {kind}"
    elif "64-bit" in detail:
        what = "un nombre entier trop grand"
    else:
        what = "une valeur"
    return f"Enregistrement impossible : {what} ne peut pas être enregistrée. Rien n'a été modifié."


def encode_line(
    seq: int, ops: dict[str, dict[str, Any]], drop: list[str] | None = None, *, fold: bool = False
) -> bytes:
    """One journal line. `drop` lists tables removed before `ops` apply; an empty
    dict of ops for a table creates it empty; `fold` marks a save (an erasure) after
    which the journal must be folded into a fresh snapshot as soon as space allows."""
    entry: dict[str, Any] = {"seq": seq, "ops": ops}
    if drop:
        entry["drop"] = drop
    if fold:
        entry["fold"] = True
    payload = orjson.dumps(entry)
    return f"{zlib.crc32(payload):08x} ".encode() + payload + b"\n"


def _entry(line: bytes, previous: int | None) -> dict[str, Any] | None:
    """The entry of one journal line if its checksum and sequence hold, else None."""
    try:
        crc, payload = line[:8].decode("ascii"), line[9:]
        if line[8:9] != b" " or f"{zlib.crc32(payload):08x}" != crc:
            return None
        entry = orjson.loads(payload)
        expected = 1 if previous is None else previous + 1
        if not isinstance(entry, dict) or entry["seq"] != expected:
            return None
        if not isinstance(entry["ops"], dict) or not isinstance(entry.get("drop", []), list):
            return None
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None
    return entry


def parse_journal(raw: bytes, name: str) -> tuple[list[dict[str, Any]], int, bool]:
    """Lines of a journal: (entries, length of the valid prefix, torn tail?).

    A torn tail is a last line without its newline (or NUL padding after a
    crash): a save that never returned. If its bytes still form a whole,
    checksummed line (only the newline is missing or garbled), it is kept as an
    entry. Any complete line whose checksum fails is damage.
    """
    entries: list[dict[str, Any]] = []
    pos = 0
    size = len(raw)
    while pos < size:
        end = raw.find(b"\n", pos)
        previous = entries[-1]["seq"] if entries else None
        if end < 0 or not raw[pos:end].strip(b"\x00"):
            # last line incomplete, or zeros left by the file system after a crash
            if end >= 0 and raw[end + 1 :].strip(b"\x00\n"):
                raise DatabaseCorrupt(f"Le journal {name} est endommagé (ligne vide au milieu).")
            tail = raw[pos:].rstrip(b"\x00")
            whole = _entry(tail, previous) or _entry(tail[:-1], previous)
            if whole is not None:
                entries.append(whole)
            return entries, pos, True
        entry = _entry(raw[pos:end], previous)
        if entry is None:
            raise DatabaseCorrupt(f"Le journal {name} est endommagé (ligne {len(entries) + 1}).")
        entries.append(entry)
        pos = end + 1
    return entries, pos, False


def apply_entry(tables: Tables, entry: dict[str, Any]) -> None:
    """Replay one journal entry: dropped tables first, then the documents."""
    for name in entry.get("drop", ()):
        tables.pop(name, None)
    apply_ops(tables, entry["ops"])


def apply_ops(tables: Tables, ops: dict[str, dict[str, Any]]) -> None:
    for table, docs in ops.items():
        target = tables.setdefault(table, {})
        for doc_id, doc in docs.items():
            if doc is None:
                target.pop(doc_id, None)
            else:
                target[doc_id] = doc


class JournalStorage(Storage):
    """Snapshot + append-only journal; see the module docstring."""

    def __init__(self, folder: str | os.PathLike[str], *, create: bool = True) -> None:
        self.folder = Path(folder)
        self.snapshot_path = self.folder / SNAPSHOT_NAME
        self._tables: TrackedTables = TrackedTables()
        self._seen: dict[str, dict[str, Any]] = {}  # table name -> dict object last journaled
        self._shadow: dict[str, dict[str, int]] = {}  # table -> doc_id -> hash of its bytes
        self._gen = 0
        self._seq = 0
        self._journal_fd: int | None = None
        self._journal_size = 0
        self._batch_depth = 0
        self._batch_dirty = False
        self._needs_checkpoint = False
        self._fold_requested = False  # the save being committed is an erasure
        self._fold_pending = False  # journal lines hold erased data: fold when space allows
        self._closed = False
        self.recovered_torn_write = False
        self.torn_file: Path | None = None
        self.migrated_from: int | None = None
        self._load(create)

    # --- opening -----------------------------------------------------------------

    def journal_path(self, gen: int | None = None) -> Path:
        return self.folder / f"journal-{self._gen if gen is None else gen}.jsonl"

    def _load(self, create: bool) -> None:
        if not self.snapshot_path.exists():
            self._refuse_missing_snapshot()
            if not create:
                raise StoreError(f"Aucune base CitésLab dans {self.folder}.")
            write_private(self.snapshot_path, encode_snapshot({}, 0))
        try:
            header, tables = read_snapshot(self.snapshot_path, SNAPSHOT_NAME)
            self._gen = int(header["gen"])
            journal = self.journal_path()
            journal_raw = journal.read_bytes() if journal.exists() else b""
        except OSError as exc:
            raise StoreError(describe_os_error(exc, "Lecture de la base impossible")) from None
        entries, _valid, torn = parse_journal(journal_raw, journal.name)
        with no_gc():
            shared: dict[str, str] = {}
            for entry in entries:
                _intern_tables(entry["ops"], shared)  # up to 8 MB of journal
                apply_entry(tables, entry)
        self._seq = entries[-1]["seq"] if entries else 0
        self._fold_pending = any(entry.get("fold") for entry in entries)
        schema = int(header["schema"])
        if schema < SCHEMA_VERSION:
            tables = migrate(tables, schema)
            self.migrated_from = schema
            # keep the pre-migration files as they were before writing the new schema
            try:
                raw = self.snapshot_path.read_bytes()
            except OSError as exc:
                raise StoreError(describe_os_error(exc, "Lecture de la base impossible")) from None
            write_private(self.folder / f"{SNAPSHOT_NAME}.schema-{schema}", raw)
            del raw
        del journal_raw
        self._tables = TrackedTables(tables)
        with no_gc():
            self._rebuild_shadow()
        # Everything loaded is long-lived: keep it out of the cyclic GC's scans
        # (full collections over ~100k dicts would add spikes to later saves).
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

    def _rebuild_shadow(self) -> None:
        self._tables.touched.clear()
        self._seen = dict(self._tables)
        self._shadow = {
            name: {doc_id: hash(orjson.dumps(doc)) for doc_id, doc in table.items()}
            for name, table in self._tables.items()
        }

    def _open_journal(self) -> None:
        path = self.journal_path()
        existed = path.exists()
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags, PRIVATE_FILE)
        try:
            self._journal_size = os.fstat(fd).st_size
            if not existed:
                fsync_dir(self.folder)  # the new file's name must survive a power cut too
        except OSError:
            os.close(fd)
            raise
        self._journal_fd = fd

    # --- TinyDB Storage interface ------------------------------------------------

    def read(self) -> Tables:
        return self._tables

    def write(self, data: Tables) -> None:
        if data is not self._tables:
            data = TrackedTables(data)  # every table counts as touched
            data.touched.update(self._tables)
        self._tables = data
        if self._batch_depth:
            self._batch_dirty = True
            return
        self._commit()

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

    # --- durability ----------------------------------------------------------------

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group the writes inside into one durable journal line (all or nothing)."""
        self._batch_depth += 1
        try:
            yield
        except BaseException:
            self._batch_depth -= 1
            if self._batch_depth == 0 and self._batch_dirty:
                self._batch_dirty = False
                self._rollback()
            raise
        self._batch_depth -= 1
        if self._batch_depth == 0 and self._batch_dirty:
            self._batch_dirty = False
            self._commit()

    def _diff(
        self,
    ) -> tuple[dict[str, dict[str, Any]], list[str], dict[str, dict[str, int]]]:
        """(ops to journal, tables dropped, new shadow of the touched tables).

        The encoded documents are hashed and dropped at once: keeping 65,000 of
        them for a bulk checkpoint fragments the heap (+400 MB peak RSS measured).
        """
        ops: dict[str, dict[str, Any]] = {}
        new_shadow: dict[str, dict[str, int]] = {}
        touched = self._tables.touched
        for name in list(touched):
            table = self._tables.get(name)
            if table is None or self._seen.get(name) is table:
                continue
            old = self._shadow.get(name, {})
            fresh: dict[str, int] = {}
            changes: dict[str, Any] = {}
            for doc_id, doc in table.items():
                digest = hash(orjson.dumps(doc))
                fresh[doc_id] = digest
                if old.get(doc_id) != digest:
                    changes[doc_id] = doc
            for doc_id in old.keys() - fresh.keys():
                changes[doc_id] = None
            new_shadow[name] = fresh
            if changes or name not in self._shadow:  # a new table is journaled even empty
                ops[name] = changes
        dropped = sorted(touched & (self._shadow.keys() - self._tables.keys()))
        for name in dropped:
            new_shadow[name] = {}
        return ops, dropped, new_shadow

    def fold_soon(self) -> None:
        """The save being made erases personal data: once it is durable, fold the journal
        (whose older lines still hold that data) into a fresh snapshot, now if the disk
        has room, else at the next save, close or open that has."""
        self._fold_requested = True

    def _commit(self) -> None:
        fold, self._fold_requested = self._fold_requested, False
        if self._closed:
            self._rollback()
            raise StoreError("La base est fermée : rouvrez l'application pour enregistrer.")
        try:
            ops, dropped, new_shadow = self._diff()
            line = encode_line(self._seq + 1, ops, dropped, fold=fold) if ops or dropped else b""
        except TypeError as exc:  # orjson.JSONEncodeError: a value JSON cannot hold
            self._rollback()
            raise StoreError(unserialisable(exc)) from None
        if line:
            try:
                if (
                    self._needs_checkpoint
                    or self._journal_fd is None
                    or self._journal_size > CHECKPOINT_BYTES
                    or self._is_bulk(ops, new_shadow)
                ):
                    self._checkpoint()
                else:
                    self._append(line)
            except BaseException:
                self._rollback()
                raise
        self._tables.touched.clear()
        for name, fresh in new_shadow.items():
            if name in self._tables:
                self._shadow[name] = fresh
                self._seen[name] = self._tables[name]
            else:
                self._shadow.pop(name, None)
                self._seen.pop(name, None)
        if line and (fold or self._fold_pending) and self._journal_size:
            self._fold_pending = True
            self._try_fold()

    def _try_fold(self) -> None:
        """Best effort: fold the journal now if the disk seems to have room for a snapshot.

        The saves are durable already; a failure only leaves the fold pending."""
        try:
            needed = self.snapshot_path.stat().st_size + self._journal_size
            if shutil.disk_usage(self.folder).free < needed + needed // 10:
                return
            self._checkpoint()
        except (StoreError, OSError):
            return

    def _is_bulk(
        self, ops: dict[str, dict[str, Any]], new_shadow: dict[str, dict[str, int]]
    ) -> bool:
        """A save changing a large part of the database (first full sync, register
        import) writes a fresh snapshot instead of a journal line about as big: one
        encoding instead of two (line now, fold at close) and no huge line to replay."""
        changed = sum(len(docs) for docs in ops.values())
        if changed < BULK_DOCS:
            return False
        total = sum(
            len(new_shadow[name]) if name in new_shadow else len(shadow)
            for name, shadow in self._shadow.items()
        ) + sum(len(fresh) for name, fresh in new_shadow.items() if name not in self._shadow)
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

    def _rollback(self) -> None:
        """Forget unsaved in-memory changes: reload what was acknowledged on disk."""
        header, tables = read_snapshot(self.snapshot_path, SNAPSHOT_NAME)
        journal = self.journal_path()
        if journal.exists():
            # only the acknowledged prefix: a failed save may have left bytes behind
            raw = journal.read_bytes()[: self._journal_size]
            entries, _, _ = parse_journal(raw, journal.name)
            for entry in entries:
                apply_entry(tables, entry)
        if int(header["schema"]) < SCHEMA_VERSION:
            tables = migrate(tables, int(header["schema"]))
        self._tables = TrackedTables(tables)
        self._rebuild_shadow()

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

    @property
    def generation(self) -> int:
        return self._gen

    @property
    def journal_size(self) -> int:
        return self._journal_size


def verify_folder(folder: Path) -> tuple[int, int]:
    """Check a database without opening it for writing: (tables, documents).

    Raises DatabaseCorrupt with a French reason; writes nothing. An interrupted
    last save (torn journal tail) is reported too: opening the app repairs it.
    """
    snapshot = folder / SNAPSHOT_NAME
    if not folder.is_dir():
        raise StoreError(f"Le dossier de données {folder} n'existe pas.")
    if not snapshot.exists():
        if any(folder.glob("journal-*.jsonl")) or (folder / "backups").is_dir():
            raise DatabaseCorrupt(f"Le fichier {SNAPSHOT_NAME} manque.")
        raise StoreError(f"Aucune base CitésLab dans {folder}.")
    try:
        header, tables = decode_snapshot(snapshot.read_bytes(), SNAPSHOT_NAME)
        journal = folder / f"journal-{header['gen']}.jsonl"
        raw = journal.read_bytes() if journal.exists() else b""
    except OSError as exc:
        raise StoreError(describe_os_error(exc, "Lecture de la base impossible")) from None
    entries, _, torn = parse_journal(raw, journal.name)
    if torn:
        raise DatabaseCorrupt(
            f"Le journal {journal.name} se termine par un enregistrement interrompu "
            "(coupure pendant une saisie). Ouvrez l'application : elle met ce morceau "
            "de côté et répare la base sans perdre les saisies confirmées."
        )
    for entry in entries:
        apply_entry(tables, entry)
    for name, table in tables.items():
        if not isinstance(table, dict) or not all(
            isinstance(doc, dict) and (name.startswith("_") or isinstance(doc.get("id"), str))
            for doc in table.values()
        ):
            raise DatabaseCorrupt(f"La table {name} de la base est incohérente.")
    return len(tables), sum(len(t) for n, t in tables.items() if not n.startswith("_"))
