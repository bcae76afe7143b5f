"""The journal (`journal-<gen>.jsonl`): the saves made since snapshot `<gen>`.

One line per durable save: `<crc32 8 hex> <json>\\n`, json =
`{"seq": n, "ops": {table: {doc_id: doc | null}}, "drop": [table, ...], "fold": true}`
(`drop` and `fold` only when used). Replay drops the `drop` tables, then sets or
removes the documents of `ops`; `{table: {}}` creates an empty table. `fold` marks
a save that erased personal data: the journal is to be folded into a fresh
snapshot as soon as space allows (its older lines still hold that data).

The documents arrive already encoded (`bytes`): each is encoded once, when the save
reaches the storage, and the line is assembled from those bytes. A document handed
over to the storage (the sync import: `JournalStorage.apply(owned=True)`), stored
itself because it equals its JSON round trip, waits as that document and is encoded
again here: a bulk save, written as a snapshot, never holds its documents twice.
"""

from __future__ import annotations

import zlib
from typing import Any, NotRequired, TypedDict, TypeGuard

import orjson

from citeslab_tui.store.errors import DatabaseCorrupt

Tables = dict[str, dict[str, Any]]
# {table: {doc id: its encoded bytes, the stored document itself (see above), or None}}
EncodedDocs = dict[str, bytes | dict[str, Any] | None]
EncodedOps = dict[str, EncodedDocs]


class JournalEntry(TypedDict):
    """One decoded journal line (see the module's docstring)."""

    seq: int
    ops: Tables  # {table: {doc id: document, or None when removed}}
    drop: NotRequired[list[str]]
    fold: NotRequired[bool]


def encode_line(seq: int, ops: EncodedOps, drop: list[str], *, fold: bool = False) -> bytes:
    parts = [b'{"seq":', str(seq).encode(), b',"ops":{']
    for i, (table, docs) in enumerate(ops.items()):
        parts += [b"," if i else b"", orjson.dumps(table), b":{"]
        for j, (doc_id, doc) in enumerate(docs.items()):
            parts += [
                b"," if j else b"",
                bytes(memoryview(orjson.dumps(doc_id))),  # its own size (encode_doc)
                b":",
                b"null" if doc is None else doc if type(doc) is bytes else _encode(doc),
            ]
        parts.append(b"}")
    parts.append(b"}")
    if drop:
        parts += [b',"drop":', orjson.dumps(drop)]
    if fold:
        parts.append(b',"fold":true')
    parts.append(b"}")
    payload = b"".join(parts)
    return f"{zlib.crc32(payload):08x} ".encode() + payload + b"\n"


def _encode(doc: Any) -> bytes:
    return bytes(memoryview(orjson.dumps(doc)))  # its own size (storage.encode_doc)


def _entry(line: bytes, previous: int | None) -> JournalEntry | None:
    """The entry of one journal line if its checksum and sequence hold, else None."""
    try:
        crc, payload = line[:8].decode("ascii"), line[9:]
        if line[8:9] != b" " or f"{zlib.crc32(payload):08x}" != crc:
            return None
        entry = orjson.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return None
    expected = 1 if previous is None else previous + 1
    if not _is_entry(entry) or entry["seq"] != expected:
        return None
    return entry


def _is_entry(value: object) -> TypeGuard[JournalEntry]:
    """Whether a decoded line has the shape of a journal entry."""
    if not isinstance(value, dict) or not isinstance(value.get("seq"), int):
        return False
    ops = value.get("ops")
    if not isinstance(ops, dict) or not isinstance(value.get("drop", []), list):
        return False
    return all(isinstance(docs, dict) for docs in ops.values())


def parse_journal(raw: bytes, name: str) -> tuple[list[JournalEntry], int, bool]:
    """Lines of a journal: (entries, length of the valid prefix, torn tail?).

    A torn tail is a last line without its newline (or NUL padding after a
    crash): a save that never returned. If its bytes still form a whole,
    checksummed line (only the newline is missing or garbled), it is kept as an
    entry. Any complete line whose checksum fails is damage.
    """
    entries: list[JournalEntry] = []
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


def apply_entry(tables: Tables, entry: JournalEntry) -> None:
    """Replay one journal entry over `tables` (dropped tables first, then documents)."""
    for name in entry.get("drop", ()):
        tables.pop(name, None)
    for name, docs in entry["ops"].items():
        target = tables.setdefault(name, {})
        for doc_id, doc in docs.items():
            if doc is None:
                target.pop(doc_id, None)
            else:
                target[doc_id] = doc
