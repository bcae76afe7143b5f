"""An index of documents by the value of one of their fields (the store keeps one by
`person_id`: a person's records without scanning every table)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from typing import Any

Tables = dict[str, dict[str, Any]]


class FieldIndex:
    """`value -> document ids`, per table, for the documents whose `field` is a string.

    Each table's part is built on first use (an open pays nothing for it, nor a
    lookup for the tables it does not ask about) from the live table, then kept in
    step by the storage at every change of a document in memory (a save, a dropped
    table; a reload after a failed save starts it afresh). A value maps to a tuple of
    ids (~1.5 MiB for 65,000 documents), replaced and never changed in place; `find`
    checks each candidate against the tables, so what it returns is always what a
    full scan would.

    Threads: the UI thread saves while a worker may build or read. `change` and the
    builds hold a lock, and `change` is idempotent, so a change made while a build
    copies a table is neither lost nor counted twice.
    """

    def __init__(self, field: str) -> None:
        self.field = field
        self._ids: dict[str, dict[str, tuple[str, ...]]] = {}  # table -> value -> ids
        self._lock = threading.Lock()

    def reset(self) -> None:
        """The tables were replaced wholesale: build again on next use."""
        with self._lock:
            self._ids = {}

    def change(self, table: str, doc_id: str, old: Any, new: Any) -> None:
        """Document `doc_id` of `table` went from `old` to `new` (None: absent)."""
        before = old.get(self.field) if type(old) is dict else None
        after = new.get(self.field) if type(new) is dict else None
        if before == after:
            return
        with self._lock:  # not before: a build in progress may have copied this table
            ids = self._ids.get(table)
            if ids is None:  # not built: the build will read the table as it is
                return
            if before.__class__ is str and doc_id in ids.get(before, ()):
                left = tuple(i for i in ids[before] if i != doc_id)
                if left:
                    ids[before] = left
                else:
                    del ids[before]
            if after.__class__ is str and doc_id not in ids.get(after, ()):
                ids[after] = (*ids.get(after, ()), doc_id)

    def find(self, value: str, tables: Mapping[str, dict[str, Any]]) -> list[tuple[str, str]]:
        """(table, doc id) of the documents of `tables` whose field is `value`, sorted."""
        found = []
        for name, table in tables.items():
            ids = self._ids.get(name)
            if ids is None:
                ids = self._build(name, table)
            for doc_id in ids.get(value, ()):
                doc = table.get(doc_id)
                if type(doc) is dict and doc.get(self.field) == value:
                    found.append((name, doc_id))
        return sorted(found)

    def _build(self, name: str, table: dict[str, Any]) -> dict[str, tuple[str, ...]]:
        field = self.field
        with self._lock:
            built = self._ids.get(name)
            if built is not None:
                return built
            groups: dict[str, list[str]] = {}
            for doc_id, doc in _items(table):
                value = doc.get(field) if type(doc) is dict else None
                if value.__class__ is str:
                    groups.setdefault(value, []).append(doc_id)
            built = {value: tuple(dict.fromkeys(ids)) for value, ids in groups.items()}
            self._ids[name] = built
            return built


def _items(table: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """A copy of the table's items, taken at once (another thread may be saving)."""
    return iter(list(table.items()))
