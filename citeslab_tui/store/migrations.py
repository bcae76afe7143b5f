"""Schema migrations: a database written by an older version is brought up to date at
open (the old files are kept beside it: see storage.py).

`register_migration(n, f)`: `f` turns the tables of a schema-n database into schema
n+1. The journal of the old snapshot is replayed before, in the old layout.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from citeslab_tui.store import snapshot
from citeslab_tui.store.errors import DatabaseCorrupt, StoreError
from citeslab_tui.store.snapshot import Tables

Migration = Callable[[Tables], Tables]
MIGRATIONS: dict[int, Migration] = {}


def register_migration(from_version: int, migration: Migration) -> None:
    """Register the function turning a schema-`from_version` database into the next."""
    MIGRATIONS[from_version] = migration


def migrate(tables: Tables, schema: int, target: int | None = None) -> Tables:
    """Run the registered migrations from `schema` up to `target` (default: current)."""
    target = snapshot.SCHEMA_VERSION if target is None else target
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


_SHARD = re.compile(r"([a-z][a-z0-9_]*)\.[0-9a-f]{2}")


def one_table_per_kind(tables: Tables) -> Tables:
    """Schema 1 -> 2: `<kind>.<2 hex>` shards with integer ids become one table per
    kind keyed by the record's id; other tables (`_local`) are kept as they are."""
    out: Tables = {}
    for name, table in tables.items():
        shard = _SHARD.fullmatch(name)
        if shard is None:
            out.setdefault(name, {}).update(table)
            continue
        target = out.setdefault(shard.group(1), {})
        for doc in table.values():
            record_id = doc.get("id") if isinstance(doc, dict) else None
            if not isinstance(record_id, str) or not record_id:
                raise DatabaseCorrupt(f"La table {name} de la base est incohérente.")
            target[record_id] = doc
    return out


register_migration(1, one_table_per_kind)
