"""What TinyDB's own test suite checks of a storage, checked on JournalStorage.

Insert, update, remove, upsert, drop tables, truncate (purge), reopen and odd
values, through TinyDB's public API. Every test ends with `same_after_reopen`:
the database is closed *without* folding the journal (as after a crash), opened
again (the journal is replayed over the snapshot), and must hold exactly what
it held in memory; then once more after a normal close (journal folded).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from tinydb import TinyDB, where
from tinydb.operations import add, decrement, delete, increment
from tinydb.operations import set as set_field
from tinydb.table import Document

from citeslab_tui.store.errors import StoreError
from citeslab_tui.store.storage import JournalStorage
from citeslab_tui.store.tables import Database


def open_db(folder: Path, like: TinyDB | str) -> TinyDB:
    """A database on `folder` with TinyDB's stock Table ("stock": whole-data writes, found
    by identity) or the project's JournalTable ("journal": writes passed as changes)."""
    if like == "journal" or isinstance(like, Database):
        return Database(folder)
    return TinyDB(folder, storage=JournalStorage)


def state(db: TinyDB) -> dict[str, dict[Any, dict]]:
    """Every table and its documents by id, as TinyDB shows them."""
    return {name: {d.doc_id: dict(d) for d in db.table(name).all()} for name in db.tables()}


def same_after_reopen(db: TinyDB, folder: Path, *, journaled: bool = True) -> TinyDB:
    """Reopen replaying the journal (no fold), then after a fold; the state must not move."""
    expected = state(db)
    storage = db.storage
    assert isinstance(storage, JournalStorage)
    if journaled:  # the changes under test are in the journal, not only in the snapshot
        assert storage.journal_size > 0
    storage.close(fold=False)
    replayed = open_db(folder, db)
    assert state(replayed) == expected, "journal replay differs from memory"
    replayed.close()  # folds the journal into a fresh snapshot
    folded = open_db(folder, db)
    assert folded.storage.journal_size == 0
    assert state(folded) == expected, "folded snapshot differs from memory"
    return folded


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "db").mkdir()
    return tmp_path / "db"


@pytest.fixture(params=["stock", "journal"])
def db(folder: Path, request):
    """Three documents in the snapshot (as TinyDB's own fixture), later changes journaled."""
    db = open_db(folder, request.param)
    db.insert_multiple({"int": 1, "char": c} for c in "abc")
    db.storage.checkpoint()
    yield db
    db.close()


# --- insert ----------------------------------------------------------------------------


def test_insert_and_ids(db: TinyDB, folder: Path) -> None:
    assert db.insert({"int": 1, "char": "d"}) == 4
    assert db.insert(Document({"int": 2}, 12)) == 12
    assert db.insert({"int": 3}) == 13
    with pytest.raises(ValueError):
        db.insert(Document({"int": 1}, 1))  # duplicate id
    with pytest.raises(ValueError):
        db.insert(object())  # type: ignore[arg-type]
    assert db.count(where("int") == 1) == 4
    db = same_after_reopen(db, folder)
    assert db.insert({"after": "reopen"}) == 14  # ids stay unique after a reopen


def test_insert_multiple_and_mappings(db: TinyDB, folder: Path) -> None:
    class Custom(Mapping):
        def __init__(self, data: dict) -> None:
            self.data = data

        def __getitem__(self, key: str) -> Any:
            return self.data[key]

        def __iter__(self):
            return iter(self.data)

        def __len__(self) -> int:
            return len(self.data)

    assert db.insert_multiple({"n": i} for i in range(5)) == [4, 5, 6, 7, 8]
    assert db.insert_multiple([Document({"n": 10}, 20), Document({"n": 11}, 21)]) == [20, 21]
    with pytest.raises(ValueError):
        db.insert_multiple([Document({"n": 12}, 20)])
    db.insert(Custom({"custom": True}))
    assert db.count(where("custom") == True) == 1  # noqa: E712
    same_after_reopen(db, folder)


# --- update, upsert ----------------------------------------------------------------------


def test_update_by_query_ids_and_all(db: TinyDB, folder: Path) -> None:
    assert db.update({"int": 2}, where("char") == "a") == [1]
    assert db.update({"int": 3}, doc_ids=[2, 99]) == [2]
    db.update({"flag": True})
    assert db.count(where("flag") == True) == 3  # noqa: E712
    assert [d["int"] for d in db.all()] == [2, 3, 1]
    same_after_reopen(db, folder)


def test_update_operations_and_transforms(db: TinyDB, folder: Path) -> None:
    def rename(doc: dict) -> None:
        doc["letter"] = doc.pop("char")

    db.update(increment("int"), where("char") == "a")
    db.update(decrement("int"), where("char") == "b")
    db.update(set_field("list", [1]), where("char") == "c")
    db.update(add("list", [2]), where("char") == "c")
    db.update(delete("int"), where("char") == "c")
    db.update(rename, doc_ids=[1])
    assert db.get(doc_id=1) == {"int": 2, "letter": "a"}
    assert db.get(doc_id=2) == {"int": 0, "char": "b"}
    assert db.get(doc_id=3) == {"char": "c", "list": [1, 2]}
    same_after_reopen(db, folder)


def test_update_multiple_and_upsert(db: TinyDB, folder: Path) -> None:
    db.update_multiple([({"int": 2}, where("char") == "a"), ({"int": 4}, where("char") == "b")])
    db.upsert({"int": 5}, where("char") == "c")
    assert db.upsert({"int": 9, "char": "x"}, where("char") == "x") == [4]
    assert db.upsert(Document({"char": "v"}, doc_id=1)) == [1]
    assert db.upsert(Document({"char": "w"}, doc_id=7)) == [7]
    assert [d["int"] for d in db.all() if "int" in d] == [2, 4, 5, 9]
    assert db.get(doc_id=1) == {"int": 2, "char": "v"}  # upsert merges fields
    same_after_reopen(db, folder)


# --- remove, truncate (purge), drop ---------------------------------------------------


def test_remove(db: TinyDB, folder: Path) -> None:
    assert db.remove(where("char") == "b") == [2]
    assert db.remove(doc_ids=[3, 99]) == [3]
    with pytest.raises(RuntimeError):
        db.remove()
    assert [d.doc_id for d in db.all()] == [1]
    same_after_reopen(db, folder)


def test_remove_every_document_of_the_snapshot(db: TinyDB, folder: Path) -> None:
    db.remove(where("int") == 1)
    assert len(db) == 0 and db.tables() == {"_default"}
    same_after_reopen(db, folder)


def test_truncate_keeps_an_empty_table(db: TinyDB, folder: Path) -> None:
    db.table("other").insert({"x": 1})
    db.truncate()
    assert len(db) == 0
    assert db.insert({"again": 1}) == 1  # truncate resets the ids
    db.table("other").truncate()
    assert state(db) == {"_default": {1: {"again": 1}}, "other": {}}
    same_after_reopen(db, folder)


def test_empty_table_persisted(db: TinyDB, folder: Path) -> None:
    db.table("empty", persist_empty=True)
    assert "empty" in db.tables()
    same_after_reopen(db, folder, journaled=False)


def test_drop_table(db: TinyDB, folder: Path) -> None:
    db.table("kept").insert({"k": 1})
    db.table("gone").insert({"g": 1})
    db.storage.checkpoint()  # both in the snapshot
    db.table("empty", persist_empty=True)
    db.storage.checkpoint()  # an empty table in the snapshot too
    db.drop_table("gone")
    db.drop_table("empty")
    db.drop_table("never-existed")
    assert db.tables() == {"_default", "kept"}
    same_after_reopen(db, folder, journaled=False)


def test_drop_tables(db: TinyDB, folder: Path) -> None:
    db.table("other").insert({"x": 1})
    db.drop_tables()
    assert db.tables() == set()
    assert len(db) == 0
    same_after_reopen(db, folder, journaled=False)


def test_drop_tables_then_write(db: TinyDB, folder: Path) -> None:
    db.drop_tables()
    assert db.insert({"int": 1, "char": "a"}) == 1
    db.table("new").insert({"n": 1})
    assert state(db) == {"_default": {1: {"int": 1, "char": "a"}}, "new": {1: {"n": 1}}}
    same_after_reopen(db, folder)


# --- reads ----------------------------------------------------------------------------


def test_search_get_contains_and_query_cache(db: TinyDB, folder: Path) -> None:
    assert len(db.search(where("int") == 1)) == 3
    assert db.get(where("char") == "b").doc_id == 2
    assert db.get(doc_ids=[1, 3]) == [{"int": 1, "char": "a"}, {"int": 1, "char": "c"}]
    assert db.contains(doc_id=3) and not db.contains(doc_id=88)
    db.insert({"int": 1, "char": "d"})
    assert len(db.search(where("int") == 1)) == 4  # the cache was cleared by the write
    db = same_after_reopen(db, folder)
    assert len(db.search(where("int") == 1)) == 4


# --- odd values -----------------------------------------------------------------------

ODD = {
    "none": [None, None],
    "int": 42,
    "big": 2**63 - 1,
    "negative": -(2**63),
    "float": 3.1415899999999999,
    "tiny": 5e-324,
    "bool": [True, False],
    "empty": ["", [], {}],
    "nested": {"a": {"b": {"c": [1, {"d": "e"}]}}},
    "unicode": "Aïcha Ñúñez 漢字 🙂 \u2028\u2029 \u202e",
    "controls": "line\nbreak\ttab\r\x00\x1b[2J\x7f",
    "quotes": 'he said "} ,\\" {',
    'key "with" quotes': 1,
    "key.with.dots": 2,
    "": "empty key",
    "looks like a table": '},"person.0a":{',
}


def test_odd_values_round_trip(db: TinyDB, folder: Path) -> None:
    doc_id = db.insert(ODD)
    db.table('odd "name" }{ .ab').insert({"x": "y"})
    assert db.get(doc_id=doc_id) == ODD
    same_after_reopen(db, folder)


def test_values_json_cannot_hold_are_refused_in_french_and_forgotten(
    db: TinyDB, folder: Path
) -> None:
    before = state(db)
    for bad in ({"int": db}, {"set": {1, 2}}, {"huge": 2**64}):
        with pytest.raises(StoreError) as refused:
            db.insert(bad)
        assert "ne peut pas être enregistrée" in refused.value.message
        assert state(db) == before  # memory rolled back like a failed write
    with pytest.raises(StoreError):
        db.update({"bad": object()}, doc_ids=[1])
    assert state(db) == before
    new_id = db.insert({"int": 3})  # later saves work
    assert db.get(doc_id=new_id) == {"int": 3} and len(db) == 4
    same_after_reopen(db, folder)
