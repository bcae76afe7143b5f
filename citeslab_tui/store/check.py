"""`citeslab check`: verify a data folder without opening it for writing."""

from __future__ import annotations

from pathlib import Path

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
        header, tables = snapshot.read_snapshot(snapshot_path, SNAPSHOT_NAME)
        journal = folder / f"journal-{header['gen']}.jsonl"
        raw = journal.read_bytes() if journal.exists() else b""
    except OSError as exc:
        raise StoreError(describe_os_error(exc, "Lecture de la base impossible")) from None
    entries, _, torn = parse_journal(raw, journal.name)
    if torn:
        raise DatabaseCorrupt(
            f"Le journal {journal.name} se termine par un enregistrement interrompu "
            "(coupure pendant une saisie). Ouvrez l'application : elle met ce morceau "
            "de côté et répare la base sans perdre les saisies confirmées."
        )
    for entry in entries:
        apply_entry(tables, entry)
    tables = migrate(tables, int(header["schema"]))  # in memory only
    for name, table in tables.items():
        if not name.startswith("_") and not all(
            isinstance(doc, dict) and doc.get("id") == doc_id for doc_id, doc in table.items()
        ):
            raise DatabaseCorrupt(f"La table {name} de la base est incohérente.")
    return len(tables), sum(len(t) for n, t in tables.items() if not n.startswith("_"))
