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
refused and no file is touched.

`batch()` groups several TinyDB writes into one journal line (one durable save
for a person, their interview and their queue entry).
"""

from __future__ import annotations

import contextlib
import os
import zlib
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

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

Tables = dict[str, dict[str, Any]]
Migration = Callable[[Tables], Tables]
# schema version N -> function turning a version-N database into version N+1
MIGRATIONS: dict[int, Migration] = {}

_DATA_MARK = b',"data":'


def encode_snapshot(tables: Tables, gen: int) -> bytes:
    data = orjson.dumps(tables)
    header = {
        "format": FORMAT,
        "schema": SCHEMA_VERSION,
        "gen": gen,
        "crc32": f"{zlib.crc32(data):08x}",
        "written": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    return b'{"header":' + orjson.dumps(header) + _DATA_MARK + data + b"}"


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
    data = raw[cut + len(_DATA_MARK) : -1]
    if f"{zlib.crc32(data):08x}" != expected:
        raise DatabaseCorrupt(f"{damaged} (somme de contrôle fausse : octets modifiés).")
    if schema > SCHEMA_VERSION:
        raise DatabaseTooNew(
            f"{name} a été écrit par une version plus récente de CitésLab "
            f"(schéma {schema}, cette version lit jusqu'au {SCHEMA_VERSION}). "
            "Mettez l'application à jour."
        )
    try:
        tables = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise DatabaseCorrupt(f"{damaged} (contenu illisible).") from None
    if not isinstance(tables, dict):
        raise DatabaseCorrupt(f"{damaged} (contenu inattendu).")
    return header, tables


def encode_line(seq: int, ops: dict[str, dict[str, Any]]) -> bytes:
    payload = orjson.dumps({"seq": seq, "ops": ops})
    return f"{zlib.crc32(payload):08x} ".encode() + payload + b"\n"


def parse_journal(raw: bytes, name: str) -> tuple[list[dict[str, Any]], int, bool]:
    """Lines of a journal: (entries, length of the valid prefix, torn tail?).

    A torn tail is a last line without its newline (or NUL padding after a
    crash): a save that never returned. Any complete line whose checksum fails
    is damage.
    """
    entries: list[dict[str, Any]] = []
    pos = 0
    size = len(raw)
    while pos < size:
        end = raw.find(b"\n", pos)
        if end < 0 or not raw[pos:end].strip(b"\x00"):
            # last line incomplete, or zeros left by the file system after a crash
            if end >= 0 and raw[end + 1 :].strip(b"\x00\n"):
                raise DatabaseCorrupt(f"Le journal {name} est endommagé (ligne vide au milieu).")
            return entries, pos, True
        line = raw[pos:end]
        try:
            crc, payload = line[:8].decode("ascii"), line[9:]
            if line[8:9] != b" " or f"{zlib.crc32(payload):08x}" != crc:
                raise ValueError
            entry = orjson.loads(payload)
            if entry["seq"] != (entries[-1]["seq"] + 1 if entries else entry["seq"]):
                raise ValueError
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise DatabaseCorrupt(
                f"Le journal {name} est endommagé (ligne {len(entries) + 1})."
            ) from None
        entries.append(entry)
        pos = end + 1
    return entries, pos, False


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
        self._tables: Tables = {}
        self._seen: dict[str, dict[str, Any]] = {}  # table name -> dict object last journaled
        self._shadow: dict[str, dict[str, int]] = {}  # table -> doc_id -> hash of its bytes
        self._gen = 0
        self._seq = 0
        self._journal_fd: int | None = None
        self._journal_size = 0
        self._batch_depth = 0
        self._batch_dirty = False
        self._needs_checkpoint = False
        self.recovered_torn_write = False
        self.migrated_from: int | None = None
        self._load(create)

    # --- opening -----------------------------------------------------------------

    def journal_path(self, gen: int | None = None) -> Path:
        return self.folder / f"journal-{self._gen if gen is None else gen}.jsonl"

    def _load(self, create: bool) -> None:
        if not self.snapshot_path.exists():
            if any(self.folder.glob("journal-*.jsonl")):
                raise DatabaseCorrupt(
                    f"Le fichier {SNAPSHOT_NAME} manque alors que le journal existe."
                )
            if not create:
                raise StoreError(f"Aucune base CitésLab dans {self.folder}.")
            write_private(self.snapshot_path, encode_snapshot({}, 0))
        header, tables = decode_snapshot(self.snapshot_path.read_bytes(), SNAPSHOT_NAME)
        self._gen = int(header["gen"])
        journal = self.journal_path()
        torn = False
        if journal.exists():
            entries, _valid, torn = parse_journal(journal.read_bytes(), journal.name)
            for entry in entries:
                apply_ops(tables, entry["ops"])
            self._seq = entries[-1]["seq"] if entries else 0
        schema = int(header["schema"])
        if schema < SCHEMA_VERSION:
            for version in range(schema, SCHEMA_VERSION):
                tables = MIGRATIONS[version](tables)
            self.migrated_from = schema
        self._tables = tables
        self._rebuild_shadow()
        if torn:
            self.recovered_torn_write = True
            self._checkpoint(set_aside=".torn")
        elif self.migrated_from is not None:
            self._checkpoint()
        self._open_journal()

    def _rebuild_shadow(self) -> None:
        self._seen = dict(self._tables)
        self._shadow = {
            name: {doc_id: hash(orjson.dumps(doc)) for doc_id, doc in table.items()}
            for name, table in self._tables.items()
        }

    def _open_journal(self) -> None:
        path = self.journal_path()
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)
        self._journal_fd = os.open(path, flags, PRIVATE_FILE)
        self._journal_size = os.fstat(self._journal_fd).st_size

    # --- TinyDB Storage interface ------------------------------------------------

    def read(self) -> Tables:
        return self._tables

    def write(self, data: Tables) -> None:
        self._tables = data
        if self._batch_depth:
            self._batch_dirty = True
            return
        self._commit()

    def close(self) -> None:
        if self._journal_fd is not None:
            if self._journal_size > 0 and not self._needs_checkpoint:
                with contextlib.suppress(StoreError):
                    self._checkpoint()
            if self._journal_fd is not None:
                os.close(self._journal_fd)
                self._journal_fd = None

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

    def _diff(self) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, int]]]:
        ops: dict[str, dict[str, Any]] = {}
        new_shadow: dict[str, dict[str, int]] = {}
        for name, table in self._tables.items():
            if self._seen.get(name) is table:
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
            if changes:
                ops[name] = changes
        return ops, new_shadow

    def _commit(self) -> None:
        ops, new_shadow = self._diff()
        if ops:
            try:
                if self._needs_checkpoint or self._journal_size > CHECKPOINT_BYTES:
                    self._checkpoint()
                else:
                    self._append(ops)
            except BaseException:
                self._rollback()
                raise
        self._shadow.update(new_shadow)
        for name in new_shadow:
            self._seen[name] = self._tables[name]

    def _append(self, ops: dict[str, dict[str, Any]]) -> None:
        assert self._journal_fd is not None, "storage closed"
        line = encode_line(self._seq + 1, ops)
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(self._journal_fd, view) :]
            full_fsync(self._journal_fd)
        except OSError as exc:
            # A partial line may be on disk: never append after it; the next save
            # writes a fresh snapshot and journal instead.
            self._needs_checkpoint = True
            raise StoreError(describe_os_error(exc, "Enregistrement impossible")) from None
        self._seq += 1
        self._journal_size += len(line)

    def _rollback(self) -> None:
        """Forget unsaved in-memory changes: reload what is on disk."""
        header, tables = decode_snapshot(self.snapshot_path.read_bytes(), SNAPSHOT_NAME)
        journal = self.journal_path()
        if journal.exists():
            entries, _, _ = parse_journal(journal.read_bytes(), journal.name)
            for entry in entries:
                apply_ops(tables, entry["ops"])
        self._tables = tables
        self._rebuild_shadow()

    def checkpoint(self) -> None:
        """Write a fresh snapshot and start an empty journal (public for tests/tools)."""
        self._checkpoint()

    def _checkpoint(self, set_aside: str | None = None) -> None:
        old_journal = self.journal_path()
        new_gen = self._gen + 1
        write_private(self.snapshot_path, encode_snapshot(self._tables, new_gen))
        # From here the new snapshot is authoritative; the old journal is stale.
        if self._journal_fd is not None:
            os.close(self._journal_fd)
            self._journal_fd = None
        if old_journal.exists():
            if set_aside:
                stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
                os.replace(
                    old_journal, old_journal.with_name(f"{old_journal.name}{set_aside}-{stamp}")
                )
            else:
                old_journal.unlink()
        fsync_dir(self.folder)
        self._gen = new_gen
        self._seq = 0
        self._needs_checkpoint = False
        self._open_journal()

    @property
    def generation(self) -> int:
        return self._gen


def verify_folder(folder: Path) -> tuple[int, int]:
    """Check a database without opening it for writing: (tables, documents).

    Raises DatabaseCorrupt with a French reason; writes nothing.
    """
    snapshot = folder / SNAPSHOT_NAME
    if not snapshot.exists():
        raise StoreError(f"Aucune base CitésLab dans {folder}.")
    header, tables = decode_snapshot(snapshot.read_bytes(), SNAPSHOT_NAME)
    journal = folder / f"journal-{header['gen']}.jsonl"
    if journal.exists():
        entries, _, _torn = parse_journal(journal.read_bytes(), journal.name)
        for entry in entries:
            apply_ops(tables, entry["ops"])
    return len(tables), sum(len(t) for t in tables.values())
