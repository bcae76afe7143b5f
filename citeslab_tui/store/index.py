"""An index of documents by the value of one of their fields (the store keeps one by
`person_id`: a person's records without scanning every table)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

Tables = dict[str, dict[str, Any]]


class FieldIndex:
    """`value -> document ids` for the documents whose `field` is a string, in every
    table except those whose name starts with "_" (local state).

    Built on first use (an open pays nothing for it) from the live tables, then kept
    in step by the storage at every change of a document in memory (a save, a
    dropped table; a reload after a failed save starts it afresh). A value maps to a
    tuple of ids (~1.5 MiB for 65,000 documents), replaced and never changed in place;
    `find` checks each candidate against the tables, so what it returns is always
    what a full scan would.

    Threads: the UI thread saves while a worker may build or read. `change` and the
    build hold a lock, and `change` is idempotent, so a change made while the build
    copies the tables is neither lost nor counted twice.
    """

    def __init__(self, field: str, tables: Callable[[], Tables]) -> None:
        self.field = field
        self._tables = tables
        self._ids: dict[str, tuple[str, ...]] | None = None  # None: not built yet
        self._lock = threading.Lock()

    def reset(self) -> None:
        """The tables were replaced wholesale: build again on next use."""
        with self._lock:
            self._ids = None

    def change(self, table: str, doc_id: str, old: Any, new: Any) -> None:
        """Document `doc_id` of `table` went from `old` to `new` (None: absent)."""
        if table.startswith("_"):
            return
        before = old.get(self.field) if type(old) is dict else None
        after = new.get(self.field) if type(new) is dict else None
        if before == after:
            return
        with self._lock:  # not before: a build in progress may have copied this table
            ids = self._ids
            if ids is None:  # not built: the build will read the tables as they are
                return
            if before.__class__ is str and doc_id in ids.get(before, ()):
                left = tuple(i for i in ids[before] if i != doc_id)
                if left:
                    ids[before] = left
                else:
                    del ids[before]
            if after.__class__ is str and doc_id not in ids.get(after, ()):
                ids[after] = (*ids.get(after, ()), doc_id)

    def find(self, value: str) -> list[tuple[str, str]]:
        """(table, doc id) of the documents whose field is `value`, sorted."""
        ids = self._ids if self._ids is not None else self._build()
        candidates = ids.get(value, ())
        tables = self._tables()
        return sorted(
            (name, doc_id)
            for doc_id in candidates
            for name, table in tables.items()
            if not name.startswith("_")
            and type(doc := table.get(doc_id)) is dict
            and doc.get(self.field) == value
        )

    def _build(self) -> dict[str, tuple[str, ...]]:
        field = self.field
        with self._lock:
            if self._ids is not None:
                return self._ids
            groups: dict[str, list[str]] = {}
            for name, table in list(self._tables().items()):
                if name.startswith("_"):
                    continue
                for doc_id, doc in _items(table):
                    value = doc.get(field) if type(doc) is dict else None
                    if value.__class__ is str:
                        groups.setdefault(value, []).append(doc_id)
            self._ids = {value: tuple(dict.fromkeys(ids)) for value, ids in groups.items()}
            return self._ids


def _items(table: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """A copy of the table's items, taken at once (another thread may be saving)."""
    return iter(list(table.items()))
