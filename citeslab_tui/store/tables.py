"""TinyDB, extended through its own hooks (`table_class`, a Table subclass,
`document_id_class`) so that a write reaches JournalStorage as the changes it makes.

Stock TinyDB rebuilds the whole table dict on every write and hands the whole
database to `Storage.write`, which then has to find what changed. Here
`JournalTable._update_table` (TinyDB's one write path: insert, update, upsert,
remove, truncate) lets TinyDB's updater work on a draft and passes only the
documents it changed to `JournalStorage.apply`; `RecordTable.put` skips even the
draft. Reads iterate a copy of the table, so a reader in another thread never
meets "dictionary changed size during iteration".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.queries import QueryLike
from tinydb.storages import Storage
from tinydb.table import Document, Table

from citeslab_tui.store.storage import JournalStorage


class _Draft(dict[Any, Any]):
    """A table as TinyDB's updaters see it: ids in TinyDB's id class, and a stored
    document read from it is a private copy (TinyDB's update changes documents in
    place; a stored document is never changed in place)."""

    def __init__(self, live: Mapping[str, Any], id_class: Callable[[str], Any]) -> None:
        super().__init__((id_class(k), v) for k, v in live.items())
        self._copied: set[Any] = set()

    def __getitem__(self, key: Any) -> Any:
        doc = dict.__getitem__(self, key)
        if key not in self._copied:
            self._copied.add(key)
            doc = orjson.loads(orjson.dumps(doc))  # a stored document always encodes
            dict.__setitem__(self, key, doc)
        return doc

    def __setitem__(self, key: Any, value: Any) -> None:
        self._copied.add(key)
        dict.__setitem__(self, key, value)

    def changes(self, live: Mapping[str, Any]) -> dict[str, Any]:
        """{doc id: new document, or None if removed}: what the updater changed."""
        out: dict[str, Any] = {}
        kept = set()
        for key, doc in self.items():
            doc_id = str(key)
            kept.add(doc_id)
            if key in self._copied and doc != live.get(doc_id):
                out[doc_id] = doc
        out.update(dict.fromkeys(live.keys() - kept))
        return out


class JournalTable(Table):
    """A TinyDB table whose writes reach the journal as changes (no diff of the table)."""

    def __init__(
        self,
        storage: Storage,
        name: str,
        cache_size: int = Table.default_query_cache_capacity,
        persist_empty: bool = False,
    ) -> None:
        if not isinstance(storage, JournalStorage):  # TinyDB's table_class hook passes a Storage
            raise TypeError(f"{type(self).__name__} needs a JournalStorage, not {storage!r}")
        self._journal = storage
        self._seen_version = -1
        super().__init__(storage, name, cache_size, persist_empty)

    def _read_table(self) -> dict[str, Any]:
        live = self._journal.table(self.name)
        return live.copy() if live else {}

    def _update_table(self, updater: Callable[[dict[Any, Any]], None]) -> None:
        live = self._journal.table(self.name)
        draft = _Draft(live or {}, self.document_id_class)
        try:
            updater(draft)
            self._journal.apply(self.name, draft.changes(live or {}), create=live is None)
        except BaseException:
            self._next_id = None  # an id taken by a refused insert is free again
            raise
        finally:
            self.clear_cache()

    def search(self, cond: QueryLike) -> list[Document]:
        # a write through another Table object (or a reload after a failed save)
        # makes this table's cached query results stale
        if self._seen_version != self._journal.version:
            self.clear_cache()
            self._seen_version = self._journal.version
        return super().search(cond)

    def put(self, docs: Mapping[str, Any], *, owned: bool = False) -> None:
        """Set documents by id (a document replaces the stored one whole; None removes);
        `owned`: handed over, see JournalStorage.apply."""
        try:
            self._journal.apply(self.name, docs, owned=owned)
        finally:
            self.clear_cache()


class RecordTable(JournalTable):
    """One kind of record: the document id is the record's own id (uuid hex), so the
    table is the index by id."""

    # TinyDB's documented hook for non-integer ids; its class attribute is inferred as
    # type[int], hence the ignore.
    document_id_class = str  # type: ignore[assignment]

    def insert(self, document: Mapping[str, Any]) -> int:
        return super().insert(self.document_class(document, document["id"]))

    def insert_multiple(self, documents: Iterable[Mapping[str, Any]]) -> list[int]:
        return super().insert_multiple(self.document_class(d, d["id"]) for d in documents)

    def record(self, record_id: str) -> dict[str, Any] | None:
        """The stored document (read-only: a new version goes through `put_records`);
        a kind not parsed yet stays so (JournalStorage.get)."""
        doc = self._journal.get(self.name, record_id)
        return doc if type(doc) is dict else None

    def records_by_id(self, record_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """{id: stored document} of those found (read-only), in one pass if the kind
        is not parsed yet (JournalStorage.get_many)."""
        found = self._journal.get_many(self.name, list(dict.fromkeys(record_ids)))
        return {k: v for k, v in found.items() if type(v) is dict}

    def records(self) -> list[dict[str, Any]]:
        """The stored documents now (a list: later saves do not change it)."""
        live = self._journal.table(self.name)
        return [] if live is None else list(live.values())

    def put_records(self, docs: Iterable[dict[str, Any]], *, owned: bool = False) -> None:
        self.put({doc["id"]: doc for doc in docs}, owned=owned)


class Database(TinyDB):
    """TinyDB over JournalStorage: `record_kinds` tables are RecordTables, any other
    table a JournalTable (e.g. `_local`, or TinyDB's `_default`)."""

    table_class = JournalTable

    def __init__(self, *args: Any, record_kinds: Iterable[str] = (), **kwargs: Any) -> None:
        self.record_kinds = frozenset(record_kinds)
        kwargs.setdefault("storage", JournalStorage)
        super().__init__(*args, **kwargs)

    def table(self, name: str, **kwargs: Any) -> Table:
        if name in self.record_kinds and name not in self._tables:
            self._tables[name] = RecordTable(self.storage, name, **kwargs)
        return super().table(name, **kwargs)

    def records(self, kind: str) -> RecordTable:
        if kind not in self.record_kinds:
            raise KeyError(kind)
        table = self.table(kind)
        assert isinstance(table, RecordTable)
        return table

    @property
    def journal(self) -> JournalStorage:
        storage = self.storage
        assert isinstance(storage, JournalStorage)
        return storage
