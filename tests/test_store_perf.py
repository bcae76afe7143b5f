"""The store's performance paths: the line-based snapshot (one reader, runs of
documents parsed a few at a time, shared strings, skipped tables), bulk saves."""

from __future__ import annotations

import sys
import zlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest

from citeslab_tui.domain.models import Interview, Person
from citeslab_tui.store import migrations, snapshot, storage
from citeslab_tui.store.errors import DatabaseCorrupt
from citeslab_tui.store.repository import Repository
from citeslab_tui.store.snapshot import (
    decode_snapshot,
    encode_snapshot,
    encode_snapshot_parts,
    read_snapshot,
)
from citeslab_tui.store.storage import SNAPSHOT_NAME

DAY = date(2026, 11, 26)


def sample_tables() -> dict:
    meta = {"created_by": "Céline", "device": "portable-1", "dot0": ["portable-1", 1, "h"]}
    a1, a2, b1 = "0a" + "1" * 30, "0a" + "2" * 30, "0b" + "1" * 30
    return {
        "person": {
            a1: {"id": a1, "notes": 'a "quote" },"person":{ inside\nline', "meta": meta},
            a2: {"id": a2, "site": "Caen – Chemin Vert", "meta": dict(meta)},
            b1: {"id": b1, "site": "Caen – Chemin Vert"},
        },
        "interview": {},
        'odd "name":{': {"x": {"y": {"kind.ab": {}}}},
        "_local": {"1": {"lseq": 3, "sync_files": {"abc": {"device": "x"}}}},
    }


def data_of(raw: bytes) -> bytes:
    return raw[raw.index(b',"data":') + len(b',"data":') : -1]


@pytest.mark.parametrize("run", [1, 2, 1000])
def test_snapshot_is_json_with_one_piece_a_line(monkeypatch, run: int) -> None:
    monkeypatch.setattr(snapshot, "RUN_DOCS", run)
    tables = sample_tables()
    raw = b"".join(encode_snapshot_parts(tables, 4))
    whole = orjson.loads(raw)  # valid JSON
    assert whole["data"] == tables
    assert whole["header"]["crc32"] == f"{zlib.crc32(data_of(raw)):08x}"
    lines = raw.split(b"\n")
    assert lines[0].endswith(b',"data":{') and lines[-1] == b"}}"
    runs = [line for line in lines if line.startswith(b'"0')]
    assert len(runs) == -(-3 // run)  # the person table in runs of `run` documents
    assert read_snapshot(raw, SNAPSHOT_NAME)[1] == tables
    assert decode_snapshot(encode_snapshot({}, 0), SNAPSHOT_NAME)[1] == {}


def test_reader_shares_repeated_strings() -> None:
    _, loaded = read_snapshot(encode_snapshot(sample_tables(), 1), SNAPSHOT_NAME)
    people = list(loaded["person"].values())
    assert people[1]["site"] is people[2]["site"]  # one string object for a repeated value
    assert people[0]["meta"]["device"] is people[1]["meta"]["dot0"][0]


def test_a_file_is_read_a_line_at_a_time_and_tables_can_be_skipped(tmp_path: Path) -> None:
    path = tmp_path / SNAPSHOT_NAME
    tables = sample_tables()
    path.write_bytes(encode_snapshot(tables, 3))
    assert read_snapshot(path, SNAPSHOT_NAME)[1] == tables
    _, partial = read_snapshot(path, SNAPSHOT_NAME, skip=lambda name: name == "person")
    assert partial == {k: v for k, v in tables.items() if k != "person"}
    flipped = bytearray(path.read_bytes())
    flipped[flipped.index(b"Chemin")] ^= 0x20  # inside a skipped table: still detected
    path.write_bytes(bytes(flipped))
    with pytest.raises(DatabaseCorrupt, match="somme de contrôle"):
        read_snapshot(path, SNAPSHOT_NAME, skip=lambda name: name == "person")


def test_damage_is_refused_with_its_reason(tmp_path: Path) -> None:
    good = encode_snapshot(sample_tables(), 3)
    flipped = bytearray(good)
    flipped[good.index(b"Chemin")] ^= 0x20  # same length, valid JSON, wrong checksum
    broken = bytearray(good)
    broken[good.index(b'"interview"') - 2] = ord("]")  # a table closer: unparsable
    cases = [
        (bytes(flipped), "somme de contrôle"),
        (good[: len(good) // 2], "tronqué"),
        (good[:-1], "tronqué"),
        (bytes(broken), "somme de contrôle"),
        (b"", "tronqué"),
        (b'{"header":{"format":"x"', "en-tête"),
    ]
    for raw, reason in cases:
        with pytest.raises(DatabaseCorrupt, match=reason):
            read_snapshot(raw, SNAPSHOT_NAME)
        path = tmp_path / SNAPSHOT_NAME
        path.write_bytes(raw)
        with pytest.raises(DatabaseCorrupt, match=reason):
            read_snapshot(path, SNAPSHOT_NAME)


def test_a_structure_error_under_a_matching_checksum_is_unreadable() -> None:
    good = encode_snapshot({"t": {"1": {"a": 1}}}, 1)
    data = data_of(good).replace(b'"t":{\n', b'"t":[\n')  # not what the writer makes
    header = orjson.loads(good[len(b'{"header":') : good.index(b',"data":')])
    header["crc32"] = f"{zlib.crc32(data):08x}"
    raw = b'{"header":' + orjson.dumps(header) + b',"data":' + data + b"}"
    with pytest.raises(DatabaseCorrupt, match="contenu illisible"):
        read_snapshot(raw, SNAPSHOT_NAME)


def test_schema_1_layout_is_read_whole() -> None:
    tables = {"person.0a": {"1": {"id": "0a1", "site": "Caen"}}, "_local": {"1": {"lseq": 1}}}
    data = orjson.dumps(tables)
    header = {"format": "citeslab-db", "schema": 1, "gen": 2, "crc32": f"{zlib.crc32(data):08x}"}
    raw = b'{"header":' + orjson.dumps(header) + b',"data":' + data + b"}"
    assert read_snapshot(raw, SNAPSHOT_NAME) == (header, tables)
    with pytest.raises(DatabaseCorrupt, match="somme de contrôle"):
        read_snapshot(raw.replace(b"Caen", b"Cean"), SNAPSHOT_NAME)
    assert migrations.one_table_per_kind(tables) == {
        "person": {"0a1": {"id": "0a1", "site": "Caen"}},
        "_local": {"1": {"lseq": 1}},
    }


def test_bulk_save_writes_a_snapshot_instead_of_a_huge_journal_line(
    data_dir: Path, monkeypatch
) -> None:
    monkeypatch.setattr(storage, "BULK_DOCS", 20)
    with Repository.open(data_dir) as repo:
        first = repo.save(Person(family_name="Diallo", first_name="Awa"))[0]
        gen = repo._storage.generation
        size = repo._storage.journal_size
        assert size > 0  # a small save is a journal line
        people = [Person(family_name=f"Nom{i}", first_name="Léa") for i in range(30)]
        assert repo.save(*people, returning=False) == []
        assert repo._storage.generation == gen + 1  # checkpointed
        assert repo._storage.journal_size == 0
        raw = (data_dir / SNAPSHOT_NAME).read_bytes()
        assert orjson.loads(raw)["data"] == repo._storage.read()
        repo.save(Interview(person_id=first.id, on=DAY, notes="suite"))
        assert 0 < repo._storage.journal_size < size * 3  # back to small journal lines
        repo._storage.close(fold=False)  # as after a crash: the journal is replayed
        repo._lock.release()
    with Repository.open(data_dir, create=False) as repo:
        assert repo.count("person") == 31
        assert repo.count("interview") == 1
        assert repo.kind_of(first.id) == "person"
        assert repo.kind_of("f" * 32) is None


def test_a_save_of_a_small_part_of_the_database_stays_a_journal_line(
    data_dir: Path, monkeypatch
) -> None:
    monkeypatch.setattr(storage, "BULK_DOCS", 5)
    with Repository.open(data_dir) as repo:
        repo.save(*[Person(family_name=f"Nom{i}") for i in range(40)])
        gen = repo._storage.generation
        repo.save(*[Person(family_name=f"Autre{i}") for i in range(6)])  # 6 of 46: < 1/3
        assert repo._storage.generation == gen
        assert repo._storage.journal_size > 0


def test_encoded_documents_cost_their_own_size() -> None:
    """The encoded documents wait in memory until the batch is written (a first full
    sync: every record at once). orjson 3.13 returns each result in a 4 KiB buffer:
    kept as is, 70,000 documents of ~600 bytes held 477 MiB instead of ~45."""
    import tracemalloc

    docs = [{"id": f"{i:032x}", "notes": "x" * 300} for i in range(1000)]
    tracemalloc.start()
    try:
        encoded = [storage.encode_doc(doc) for doc in docs]
        held, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = sum(len(b) for b in encoded)
    assert held < size + 1000 * 200  # was ~4,100 bytes a document
    assert [orjson.loads(b) for b in encoded] == docs


def test_a_checkpoint_writes_the_snapshot_as_it_encodes_it(tmp_path: Path) -> None:
    """A bulk save (a first full sync) writes a snapshot: its bytes are produced as
    they are written, never the whole encoded database in memory at once (before:
    every run line was held until the write, ~10% of the office's peak)."""
    import tracemalloc

    store = storage.JournalStorage(tmp_path)
    docs = {f"{i:032x}": {"id": f"{i:032x}", "notes": f"note {i} " * 40} for i in range(5000)}
    with store.batch():
        store.apply("person", docs)
    size = (tmp_path / SNAPSHOT_NAME).stat().st_size
    assert size > 1_500_000
    tracemalloc.start()
    try:
        store.checkpoint()
        _held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < size // 4
    store.close()
    reopened = storage.JournalStorage(tmp_path)
    assert reopened.read()["person"] == docs
    reopened.close()


def test_a_snapshot_whose_tables_change_while_written_is_never_put_in_place(
    tmp_path: Path,
) -> None:
    """The header's CRC-32 is computed by a first pass: a table that changed before
    the writing pass makes the write fail, the previous file left as it was."""
    from citeslab_tui.store.errors import StoreError
    from citeslab_tui.store.files import write_private

    path = tmp_path / SNAPSHOT_NAME
    write_private(path, encode_snapshot({}, 0))
    before = path.read_bytes()
    tables = sample_tables()
    parts, _spans = snapshot.stream_snapshot(tables, 1)
    tables["person"]["new"] = {"id": "new"}
    with pytest.raises(StoreError):
        write_private(path, parts)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [SNAPSHOT_NAME]


def test_documents_handed_over_are_not_held_encoded_as_well(tmp_path: Path) -> None:
    """The sync import hands its documents over (`owned`): each stored itself, and its
    bytes are not kept until the save is written (a bulk save writes a snapshot from
    the tables; a journal line encodes them again). Before: every document was also
    held encoded until the end of the save (the first full sync's whole database)."""
    import tracemalloc

    store = storage.JournalStorage(tmp_path)
    docs = {f"{i:032x}": {"id": f"{i:032x}", "notes": f"note {i} " * 40} for i in range(3000)}
    size = sum(len(orjson.dumps(doc)) for doc in docs.values())
    small = {"0" * 32: {"id": "0" * 32, "notes": "à"}}
    with store.batch():
        tracemalloc.start()
        try:
            store.apply("person", docs, owned=True)
            held, _peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert held < size // 3
    assert all(store.read()["person"][k] is doc for k, doc in docs.items())
    store.apply("note", small, owned=True)  # a journal line, not a snapshot
    assert store.journal_size > 0
    store.close(fold=False)
    reopened = storage.JournalStorage(tmp_path)
    assert reopened.read()["person"] == docs
    assert reopened.read()["note"] == small
    reopened.close()


def test_documents_handed_over_are_freed_one_by_one_as_they_are_stamped(
    tmp_path: Path,
) -> None:
    """`put_docs` takes the import's documents one at a time: each given document is
    dropped as its stamped copy is made (before: the whole list was kept until every
    copy was made, both whole in memory at the first full sync's peak)."""
    import tracemalloc

    fields = {f"field_{n}": f"valeur {n}" for n in range(40)}
    shells = 3000 * 2 * sys.getsizeof(dict(fields))

    def handover() -> Iterator[tuple[str, dict[str, Any]]]:
        for i in range(3000):  # made here: traced, as the import's documents are
            yield "person", {"id": f"{i:032x}", **fields, "meta": {"hlc": "h", **fields}}

    with Repository.open(tmp_path) as repo:
        tracemalloc.start()
        try:
            repo.put_docs(handover(), owned=True)
            held, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert repo.count("person") == 3000
    assert peak - held < shells // 2
