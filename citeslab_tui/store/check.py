"""`citeslab check`: verify a data folder without opening it for writing.

Streaming: the snapshot is verified in one pass (CRC-32), then each table is read one
run (~200 documents) at a time and let go; the journal's changes are kept by id. The
memory used is a run and the journal, never the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from citeslab_tui.store import snapshot
from citeslab_tui.store.errors import DatabaseCorrupt, StoreError
from citeslab_tui.store.files import describe_os_error
from citeslab_tui.store.journal import apply_entry, parse_journal
from citeslab_tui.store.migrations import migrate
from citeslab_tui.store.storage import SNAPSHOT_NAME


def verify_folder(folder: Path) -> tuple[int, int]:
    """Check a database without opening it for writing: (tables, documents).

    Raises DatabaseCorrupt with a French reason; writes nothing. An interrupted
    last save (torn journal tail) is reported too: opening the app repairs it.
    """
    snapshot_path = folder / SNAPSHOT_NAME
    if not folder.is_dir():
        raise StoreError(f"Le dossier de données {folder} n'existe pas.")
    if not snapshot_path.exists():
        if any(folder.glob("journal-*.jsonl")) or (folder / "backups").is_dir():
            raise DatabaseCorrupt(f"Le fichier {SNAPSHOT_NAME} manque.")
        raise StoreError(f"Aucune base CitésLab dans {folder}.")
    try:
        header, tables, spans = snapshot.open_snapshot(
            snapshot_path, SNAPSHOT_NAME, lazy=lambda _name: True
        )
        journal = folder / f"journal-{header['gen']}.jsonl"
        raw = journal.read_bytes() if journal.exists() else b""
    except OSError as exc:
        raise StoreError(describe_os_error(exc, "Lecture de la base impossible")) from None
    entries, _, torn = parse_journal(raw, journal.name)
    del raw
    if torn:
        raise DatabaseCorrupt(
            f"Le journal {journal.name} se termine par un enregistrement interrompu "
            "(coupure pendant une saisie). Ouvrez l'application : elle met ce morceau "
            "de côté et répare la base sans perdre les saisies confirmées."
        )
    if int(header["schema"]) < snapshot.SCHEMA_VERSION:  # a whole file (schema 1)
        for entry in entries:
            apply_entry(tables, entry)
        tables = migrate(tables, int(header["schema"]))  # in memory only
        for name, table in tables.items():
            _check_docs(name, table.items())
        return len(tables), sum(len(t) for n, t in tables.items() if not n.startswith("_"))
    # What the journal leaves of each table: {table: {id: doc or None}}; a dropped
    # table loses its snapshot documents.
    changes: dict[str, dict[str, Any]] = {}
    dropped: set[str] = set()
    alive = dict.fromkeys(spans, True)
    for entry in entries:
        for name in entry.get("drop", ()):
            dropped.add(name)
            changes[name] = {}
            alive[name] = False
        for name, ops in entry["ops"].items():
            changes.setdefault(name, {}).update(ops)
            alive[name] = True
    del entries
    counts: dict[str, int] = {}
    for name, span in spans.items():
        table_changes = changes.get(name, {})
        kept = 0
        for run in snapshot.iter_runs(snapshot_path, span, SNAPSHOT_NAME):  # checked
            if name not in dropped:
                docs = [(k, d) for k, d in run.items() if k not in table_changes]
                _check_docs(name, docs)
                kept += len(docs)
        counts[name] = kept
    for name, table_docs in changes.items():
        present = [(k, d) for k, d in table_docs.items() if d is not None]
        _check_docs(name, present)
        counts[name] = counts.get(name, 0) + len(present)
    names = [name for name, exists in alive.items() if exists]
    return len(names), sum(counts[n] for n in names if not n.startswith("_"))


def _check_docs(name: str, docs: Iterable[tuple[str, Any]]) -> None:
    if name.startswith("_"):
        return
    for doc_id, doc in docs:
        if not isinstance(doc, dict) or doc.get("id") != doc_id:
            raise DatabaseCorrupt(f"La table {name} de la base est incohérente.")
