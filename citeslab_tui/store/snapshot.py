"""The snapshot file (`citeslab.json`, and the daily backups): its format, one writer,
one reader.

Schema 2 layout: valid JSON whose raw newlines all sit between structural pieces
(orjson escapes a newline inside a string, so a raw one never occurs in JSON text):

    {"header":{"format":"citeslab-db","schema":2,"gen":7,"crc32":"…","written":"…"},"data":{
    "person":{
    "<id>":{…},"<id>":{…},…,"<id>":{…},
    "<id>":{…},…
    },
    "_local":{
    "1":{…}
    }
    }}

Line 1 is the header and the opening of `data`; then per table an opener
`"<name>":{`, runs of up to RUN_DOCS documents (the inside of a JSON object, with a
comma at the end when another run follows), and a closer `}` (`},` when another
table follows); the last line closes `data` and the file. The header's `crc32` is the
CRC-32 of the exact bytes of `data`, from its `{` to its `}`: a bit flip or a
truncation is detected. A reader parses one run (~1 MB) at a time, so the 45 MB
file never becomes one parse tree, and it can skip tables it does not want.

Schema 1 (one line, `<kind>.<2 hex>` tables with integer document ids) is read whole,
once, and migrated by the store (`storage.MIGRATIONS`).

Memory: repeated string values are shared while reading (device ids, staff, sites,
dates, enum values): ~80 MiB less on a 10,000-person database.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import IO, Any

import orjson

from citeslab_tui.perf import no_gc
from citeslab_tui.store.errors import DatabaseCorrupt, DatabaseTooNew, StoreError

FORMAT = "citeslab-db"
SCHEMA_VERSION = 2
RUN_DOCS = 200  # documents per line: ~140 KB of JSON parsed at a time
HEADER_MAX = 1 << 16

Tables = dict[str, dict[str, Any]]

_HEADER_START = b'{"header":'
_DATA_MARK = b',"data":'


@dataclass(frozen=True)
class Span:
    """Where a table's documents lie in a snapshot file: the bytes [start, end) are its
    run lines (each with its newline), `crc` their CRC-32, `runs` how many lines."""

    start: int
    end: int
    crc: int
    runs: int

    @property
    def docs_at_most(self) -> int:
        return self.runs * RUN_DOCS


@dataclass(frozen=True)
class Raw:
    """A table kept as the exact run lines read from a snapshot (not parsed): a
    checkpoint or a backup copies it as it is."""

    runs: bytes
    count: int  # run lines


def _pieces(tables: Mapping[str, dict[str, Any] | Raw]) -> Iterator[tuple[str, bytes, bool]]:
    """The snapshot's body piece by piece: (the table it belongs to, or "" for the
    outer braces; the bytes; whether they lie in that table's run lines). A `Raw`
    table is copied byte for byte; a parsed one is encoded RUN_DOCS documents a line."""
    yield "", b"{\n", False
    last = len(tables) - 1
    for i, (name, table) in enumerate(tables.items()):
        yield name, orjson.dumps(name) + b":{\n", False
        if isinstance(table, Raw):
            if table.runs:
                yield name, table.runs, True
        else:
            docs = iter(table.items())
            runs = 0
            while run := dict(islice(docs, RUN_DOCS)):
                if runs:
                    yield name, b",\n", True
                yield name, orjson.dumps(run)[1:-1], True
                runs += 1
            if runs:
                yield name, b"\n", True
        yield name, b"},\n" if i < last else b"}\n", False
    yield "", b"}", False


def _runs(table: dict[str, Any] | Raw) -> int:
    return table.count if isinstance(table, Raw) else -(-len(table) // RUN_DOCS)


def stream_snapshot(
    tables: Mapping[str, dict[str, Any] | Raw], gen: int
) -> tuple[Iterator[bytes], dict[str, Span]]:
    """The snapshot as byte strings to write one after the other, produced as they are
    written (memory holds one run line, never the encoded database), and where each
    table's runs will lie in the file.

    The header (first in the file) holds the CRC-32 of the body: a first pass encodes
    the body to compute it and the spans, keeping nothing; the writing pass encodes it
    again and checks its CRC-32 at the end, raising StoreError if the bytes differed
    (the tables must not change meanwhile: the storage holds its lock), so a caller
    writing with `files.atomic_write` never puts such a file in place."""
    crc = 0
    pos = 0
    regions: dict[str, list[int]] = {}  # name -> [start, end, crc] in the body
    for name, piece, inside in _pieces(tables):
        crc = zlib.crc32(piece, crc)
        if inside:
            region = regions[name]
            region[1] = pos + len(piece)
            region[2] = zlib.crc32(piece, region[2])
        pos += len(piece)
        if name and name not in regions:  # just after the table's opening line
            regions[name] = [pos, pos, 0]
    header = {
        "format": FORMAT,
        "schema": SCHEMA_VERSION,
        "gen": gen,
        "crc32": f"{crc:08x}",
        "written": datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    head = _HEADER_START + orjson.dumps(header) + _DATA_MARK
    spans = {
        name: Span(len(head) + start, len(head) + end, region_crc, _runs(tables[name]))
        for name, (start, end, region_crc) in regions.items()
    }

    def parts() -> Iterator[bytes]:
        yield head
        again = 0
        for _name, piece, _inside in _pieces(tables):
            again = zlib.crc32(piece, again)
            yield piece
        if again != crc:
            raise StoreError(
                "Écriture de la base impossible : les données ont changé pendant l'écriture."
            )
        yield b"}"

    return parts(), spans


def encode_snapshot_layout(
    tables: Mapping[str, dict[str, Any] | Raw], gen: int
) -> tuple[list[bytes], dict[str, Span]]:
    """`stream_snapshot`, its byte strings in a list (daily backups, tests)."""
    parts, spans = stream_snapshot(tables, gen)
    return list(parts), spans


def encode_snapshot_parts(tables: Mapping[str, dict[str, Any] | Raw], gen: int) -> list[bytes]:
    return encode_snapshot_layout(tables, gen)[0]


def encode_snapshot(tables: Tables, gen: int) -> bytes:
    return b"".join(encode_snapshot_parts(tables, gen))


def read_snapshot(
    source: Path | bytes, name: str, *, skip: Callable[[str], bool] | None = None
) -> tuple[dict[str, Any], Tables]:
    """Verify and parse a snapshot file (or its bytes): (header, tables).

    DatabaseCorrupt (French, naming `name`) on any damage, DatabaseTooNew for a newer
    schema. Tables for which `skip(name)` is true are checked but not parsed.
    """
    header, tables, _spans = open_snapshot(source, name, lazy=skip)
    return header, tables


def open_snapshot(
    source: Path | bytes,
    name: str,
    *,
    lazy: Callable[[str], bool] | None = None,
    shared: dict[str, str] | None = None,
) -> tuple[dict[str, Any], Tables, dict[str, Span]]:
    """Verify a snapshot file (or its bytes) in one streaming pass: (header, the tables
    parsed, where the others lie). Tables for which `lazy(name)` is true are checked
    (the file's CRC-32 covers them) and located, not parsed: `read_table` parses one
    later. A schema 1 file is parsed whole (no spans). `shared`: the strings shared
    so far (see intern_doc), kept by the caller across later reads."""
    stream: IO[bytes] = io.BytesIO(source) if isinstance(source, bytes) else source.open("rb")
    with stream, no_gc():
        return _read(stream, name, lazy, {} if shared is None else shared)


def read_table(
    path: Path, span: Span, name: str, shared: dict[str, str] | None = None
) -> dict[str, Any]:
    """Parse one table located by `open_snapshot`, one run at a time (DatabaseCorrupt
    if its bytes are no longer those verified at open: the file was changed behind
    the store's back)."""
    table: dict[str, Any] = {}
    setdefault = ({} if shared is None else shared).setdefault
    with no_gc():
        for line in _span_lines(path, span, name):
            try:
                _add_run(table, line, setdefault)
            except (orjson.JSONDecodeError, DatabaseCorrupt, UnicodeDecodeError):
                raise _damaged(name, "contenu illisible") from None
    return table


def find_docs(path: Path, span: Span, name: str, doc_ids: Collection[str]) -> dict[str, Any]:
    """Some documents of a table located by `open_snapshot`, without parsing the
    table: the run lines holding their keys are found in the bytes and parsed alone
    (a key `"<id>":{` cannot occur inside a JSON string, where a quote is escaped).
    {id: document} of those present. The whole span is read once, for its CRC-32."""
    needles = [orjson.dumps(doc_id) + b":{" for doc_id in doc_ids]
    wanted = set(doc_ids)
    found: dict[str, Any] = {}
    for line in _span_lines(path, span, name):
        if any(needle in line for needle in needles):
            run: dict[str, Any] = {}
            try:
                _add_run(run, line, None)
            except (orjson.JSONDecodeError, DatabaseCorrupt, UnicodeDecodeError):
                raise _damaged(name, "contenu illisible") from None
            found.update((k, v) for k, v in run.items() if k in wanted)
    return found


def _span_lines(path: Path, span: Span, name: str) -> Iterator[bytes]:
    """The run lines of a span, without their newline, streamed; the span's CRC-32
    is checked once the last one is read (before the caller's work is kept)."""
    crc = 0
    with path.open("rb") as stream:
        stream.seek(span.start)
        left = span.end - span.start
        while left > 0:
            line = stream.readline(left)
            if not line.endswith(b"\n"):
                raise _damaged(name, "modifié depuis l'ouverture")
            left -= len(line)
            crc = zlib.crc32(line, crc)
            yield line[:-1]
    if crc != span.crc:
        raise _damaged(name, "modifié depuis l'ouverture")


def read_runs(path: Path, span: Span, name: str) -> bytes:
    """The exact run lines of one table, as verified at open."""
    with path.open("rb") as stream:
        stream.seek(span.start)
        raw = stream.read(span.end - span.start)
    if len(raw) != span.end - span.start or zlib.crc32(raw) != span.crc:
        raise _damaged(name, "modifié depuis l'ouverture")
    return raw


def iter_runs(path: Path, span: Span, name: str) -> Iterator[dict[str, Any]]:
    """The documents of one table located by `open_snapshot`, one run (~200 documents)
    at a time, never the whole table in memory (`citeslab check`, the bilan's
    fields). DatabaseCorrupt if the bytes are not those verified, or do not parse."""
    for line in _span_lines(path, span, name):
        run: dict[str, Any] = {}
        try:
            _add_run(run, line, None)
        except (orjson.JSONDecodeError, DatabaseCorrupt, UnicodeDecodeError):
            raise _damaged(name, "contenu illisible") from None
        yield run


def _add_run(table: dict[str, Any], line: bytes, shared: Callable[[str, str], str] | None) -> None:
    """Parse one run line into `table`; `shared`: share strings (documents kept), or
    None (documents read and let go)."""
    run = orjson.loads(b"{" + (line[:-1] if line.endswith(b",") else line) + b"}")
    if not isinstance(run, dict):
        raise DatabaseCorrupt("documents")
    if shared is not None:
        for key, doc in run.items():
            intern_doc(doc, shared)
            if type(doc) is dict and doc.get("id") == key:
                doc["id"] = key  # one string object for the key and the record's id
    table.update(run)


def decode_snapshot(raw: bytes, name: str) -> tuple[dict[str, Any], Tables]:
    return read_snapshot(raw, name)


def _damaged(name: str, reason: str) -> DatabaseCorrupt:
    return DatabaseCorrupt(f"Le fichier {name} est endommagé ({reason}).")


def _read(
    stream: IO[bytes], name: str, lazy: Callable[[str], bool] | None, shared: dict[str, str]
) -> tuple[dict[str, Any], Tables, dict[str, Span]]:
    first = stream.readline(HEADER_MAX)
    cut = first.find(_DATA_MARK)
    if not first.startswith(_HEADER_START) or cut < 0:
        if not first.startswith(_HEADER_START):
            raise _damaged(name, "début ou fin manquant : fichier tronqué ?")
        raise _damaged(name, "en-tête illisible")
    try:
        header = orjson.loads(first[len(_HEADER_START) : cut])
        expected = str(header["crc32"])
        schema = int(header["schema"])
        int(header["gen"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise _damaged(name, "en-tête illisible") from None
    if header.get("format") != FORMAT:
        raise DatabaseCorrupt(f"{name} n'est pas une base CitésLab.")
    head = first[cut + len(_DATA_MARK) :]
    if schema > SCHEMA_VERSION:
        _check_only(head, stream, expected, name)
        raise DatabaseTooNew(
            f"{name} a été écrit par une version plus récente de CitésLab "
            f"(schéma {schema}, cette version lit jusqu'au {SCHEMA_VERSION}). "
            "Mettez l'application à jour."
        )
    if schema < 2:
        return header, _read_whole(head + stream.read(), expected, name), {}
    if head != b"{\n":
        raise _damaged(name, "en-tête illisible")
    lines = _Lines(stream, zlib.crc32(head), len(first))
    try:
        tables, spans = _parse_lines(lines, lazy, shared)
    except (orjson.JSONDecodeError, DatabaseCorrupt, UnicodeDecodeError):
        lines.drain()
        if not lines.ended:
            raise _damaged(name, "début ou fin manquant : fichier tronqué ?") from None
        if lines.crc != expected:
            raise _damaged(name, "somme de contrôle fausse : octets modifiés") from None
        raise _damaged(name, "contenu illisible") from None
    if lines.crc != expected:
        raise _damaged(name, "somme de contrôle fausse : octets modifiés")
    return header, tables, spans


class _Lines:
    """The data's lines after the header, their CRC-32 accumulated as they are read.

    The file's last line is the data's `}` and the file's `}`: only the first is
    data; `ended` says whether the file ended that way."""

    def __init__(self, stream: IO[bytes], crc: int, pos: int) -> None:
        self._stream = stream
        self._crc = crc
        self.ended = False
        self.pos = pos  # offset in the file of the line being read
        self.end = pos  # offset after it

    def __iter__(self) -> Iterator[bytes]:
        for line in self._stream:
            self.pos = self.end
            self.end += len(line)
            if line.endswith(b"\n"):
                self._crc = zlib.crc32(line, self._crc)
                yield line[:-1]
            else:  # the last line
                self.ended = line == b"}}"
                self._crc = zlib.crc32(line[:-1], self._crc)
                yield line
                return

    @property
    def crc(self) -> str:
        return f"{self._crc:08x}"

    def drain(self) -> None:
        for _ in self:
            pass


def _parse_lines(
    lines: _Lines, lazy: Callable[[str], bool] | None, shared_strings: dict[str, str]
) -> tuple[Tables, dict[str, Span]]:
    tables: Tables = {}
    spans: dict[str, Span] = {}
    shared = shared_strings.setdefault
    table: dict[str, Any] | None = None
    table_name = ""
    skipping = False
    start, runs, crc = 0, 0, 0  # of the table being skipped
    more = True  # another table may follow
    for line in lines:
        if table is None and not skipping:
            if line == b"}}":
                break
            if not more or not line.endswith(b":{"):
                raise DatabaseCorrupt("table attendue")
            table_name = orjson.loads(line[:-2])
            if not isinstance(table_name, str) or table_name in tables or table_name in spans:
                raise DatabaseCorrupt("nom de table")
            skipping = lazy is not None and lazy(table_name)
            start, runs, crc = lines.end, 0, 0
            table = None if skipping else tables.setdefault(table_name, {})
        elif line in (b"}", b"},"):
            if skipping:
                spans[table_name] = Span(start, lines.pos, crc, runs)
            table, skipping, more = None, False, line == b"},"
        elif skipping:
            if not line or not line.endswith((b"}", b"},")):
                raise DatabaseCorrupt("documents")
            runs += 1
            crc = zlib.crc32(b"\n", zlib.crc32(line, crc))
        else:
            assert table is not None
            _add_run(table, line, shared)
    if not lines.ended or table is not None or skipping:
        raise DatabaseCorrupt("fin")
    return tables, spans


def _check_only(head: bytes, stream: IO[bytes], expected: str, name: str) -> None:
    """The CRC-32 of a snapshot this version cannot parse (a newer schema)."""
    raw = head + stream.read()
    if not raw.endswith(b"}"):
        raise _damaged(name, "début ou fin manquant : fichier tronqué ?")
    if f"{zlib.crc32(memoryview(raw)[:-1]):08x}" != expected:
        raise _damaged(name, "somme de contrôle fausse : octets modifiés")


def _read_whole(raw: bytes, expected: str, name: str) -> Tables:
    """Schema 1: the data on one line, parsed in one go (once, before its migration)."""
    if not raw.endswith(b"}"):
        raise _damaged(name, "début ou fin manquant : fichier tronqué ?")
    data = memoryview(raw)[:-1]
    if f"{zlib.crc32(data):08x}" != expected:
        raise _damaged(name, "somme de contrôle fausse : octets modifiés")
    try:
        tables = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise _damaged(name, "contenu illisible") from None
    if not isinstance(tables, dict) or not all(isinstance(t, dict) for t in tables.values()):
        raise _damaged(name, "contenu inattendu")
    intern_tables(tables)
    return tables


# --- shared strings -------------------------------------------------------------------

_META_SHARED = ("created_by", "created_device", "updated_by", "device", "created_at", "updated_at")


_EMPTY: dict[str, Any] = {}  # the one empty `dots` / `conflicts` of parsed documents
_ONE_DEVICE: dict[tuple[str, int], dict[str, int]] = {}  # the `vv` of one device, shared


def intern_doc(doc: Any, shared: Callable[[str, str], str]) -> None:
    """Share repeated string values of a document (its fields and its envelope's
    device ids, staff and dates); `shared` is the `setdefault` of a dict of the
    strings seen so far. Measured on the 10,000-person demo: ~80 MiB saved for
    ~0.2 s at open. The envelope's empty `dots` and `conflicts` and a version
    vector of one device are shared objects too (~20 MiB): a stored document is
    never changed in place (a new version is a new document; stamp and merge build
    new envelopes)."""
    if type(doc) is not dict:
        return
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
    for key in ("dots", "conflicts"):
        if meta.get(key) == {}:
            meta[key] = _EMPTY  # ~64 bytes a document each
    vv = meta.get("vv")
    if type(vv) is dict and len(vv) == 1:
        ((device, counter),) = vv.items()
        if device.__class__ is str and counter.__class__ is int:
            meta["vv"] = _ONE_DEVICE.setdefault((device, counter), vv)  # ~180 bytes
    dot0 = meta.get("dot0")
    if type(dot0) is list and dot0 and type(dot0[0]) is str:
        dot0[0] = shared(dot0[0], dot0[0])
    dots = meta.get("dots")
    if type(dots) is dict:
        for dot in dots.values():
            if type(dot) is list and dot and type(dot[0]) is str:
                dot[0] = shared(dot[0], dot[0])


def intern_tables(tables: Tables, cache: dict[str, str] | None = None) -> None:
    shared = ({} if cache is None else cache).setdefault
    for table in tables.values():
        if type(table) is dict:
            for doc in table.values():
                intern_doc(doc, shared)
