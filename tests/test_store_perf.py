"""The store's performance paths: chunked snapshot parsing, shared strings, bulk saves."""

from __future__ import annotations

import zlib
from datetime import date
from pathlib import Path

import orjson
import pytest

from citeslab_tui.domain.models import Interview, Person
from citeslab_tui.store import storage
from citeslab_tui.store.errors import DatabaseCorrupt
from citeslab_tui.store.repository import Repository
from citeslab_tui.store.storage import (
    SNAPSHOT_NAME,
    decode_snapshot,
    encode_snapshot,
    encode_snapshot_parts,
)

DAY = date(2026, 11, 26)


def sample_tables() -> dict:
    meta = {"created_by": "Céline", "device": "portable-1", "dot0": ["portable-1", 1, "h"]}
    return {
        "person.0a": {
            "1": {"id": "0a" + "1" * 30, "notes": 'a "quote" },"person.0b":{ inside', "meta": meta},
            "2": {"id": "0a" + "2" * 30, "site": "Caen – Chemin Vert", "meta": dict(meta)},
        },
        "person.0b": {"1": {"id": "0b" + "1" * 30, "site": "Caen – Chemin Vert"}},
        "interview.ff": {},
        "_local": {"1": {"lseq": 3, "sync_files": {"abc": {"device": "x"}}}},
    }


def test_snapshot_parts_are_the_bytes_of_one_whole_encoding() -> None:
    tables = sample_tables()
    parts = encode_snapshot_parts(tables, 4)
    raw = b"".join(parts)
    header, data = raw.split(b',"data":', 1)
    assert data[:-1] == orjson.dumps(tables)  # same on-disk format as before
    assert orjson.loads(header + b"}")["header"]["crc32"] == f"{zlib.crc32(data[:-1]):08x}"
    assert decode_snapshot(raw, SNAPSHOT_NAME)[1] == tables
    assert decode_snapshot(encode_snapshot({}, 0), SNAPSHOT_NAME)[1] == {}


def test_chunked_parse_equals_a_whole_parse_and_shares_strings() -> None:
    tables = sample_tables()
    _, loaded = decode_snapshot(encode_snapshot(tables, 1), SNAPSHOT_NAME)
    assert loaded == tables
    one, two = loaded["person.0a"]["1"], loaded["person.0a"]["2"]
    other = loaded["person.0b"]["1"]
    assert two["site"] is other["site"]  # one string object for a repeated value
    assert one["meta"]["device"] is two["meta"]["dot0"][0]


def test_a_nested_key_looking_like_a_table_falls_back_to_a_whole_parse() -> None:
    tables = {"t": {"1": {"x": {"a": {}, "kind.ab": {"deep": 1}}}}, "kind.cd": {"1": {"y": 2}}}
    _, loaded = decode_snapshot(encode_snapshot(tables, 1), SNAPSHOT_NAME)
    assert loaded == tables


def test_damaged_data_is_still_refused() -> None:
    raw = bytearray(encode_snapshot(sample_tables(), 1))
    cut = raw.index(b"person.0b")
    raw[cut - 3] = ord("]")  # breaks a table boundary: checksum and parse both fail
    with pytest.raises(DatabaseCorrupt):
        decode_snapshot(bytes(raw), SNAPSHOT_NAME)


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
        data = raw[raw.index(b',"data":') + len(b',"data":') : -1]
        assert orjson.loads(data) == dict(repo._storage.read())
        assert decode_snapshot(raw, SNAPSHOT_NAME)[1] == dict(repo._storage.read())
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


@pytest.mark.parametrize("block", [7, 64, 1000, 1 << 20])
def test_streamed_read_equals_a_whole_decode(tmp_path: Path, monkeypatch, block: int) -> None:
    monkeypatch.setattr(storage, "_STREAM_BLOCK", block)
    for tables in (sample_tables(), {}, {"kind.ab": {}}):
        path = tmp_path / SNAPSHOT_NAME
        path.write_bytes(encode_snapshot(tables, 3))
        streamed = storage._stream_snapshot(path)  # None would mean "fell back"
        assert streamed is not None
        assert streamed == decode_snapshot(path.read_bytes(), SNAPSHOT_NAME)
        assert storage.read_snapshot(path, SNAPSHOT_NAME)[1] == tables


def test_streamed_read_of_a_damaged_snapshot_gives_the_usual_refusal(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(storage, "_STREAM_BLOCK", 64)
    path = tmp_path / SNAPSHOT_NAME
    good = encode_snapshot(sample_tables(), 3)
    flipped = bytearray(good)
    flipped[good.index(b"Chemin")] ^= 0x20  # same length, valid JSON, wrong checksum
    for raw, reason in ((bytes(flipped), "somme de contrôle"), (good[: len(good) // 2], "tronqué")):
        path.write_bytes(raw)
        assert storage._stream_snapshot(path) is None
        with pytest.raises(DatabaseCorrupt, match=reason):
            storage.read_snapshot(path, SNAPSHOT_NAME)
