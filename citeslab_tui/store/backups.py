"""Daily rotating backups of the database (consolidated snapshots), and the expiry of
the store's set-aside files, which are kept as long as the backups."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from citeslab_tui.store.files import ensure_private_dir, write_private

BACKUP_DIR = "backups"
PREFIX = "citeslab-"


def backup_folder(data_dir: Path) -> Path:
    return data_dir / BACKUP_DIR


def list_backups(data_dir: Path) -> list[Path]:
    """Backups, newest first."""
    folder = backup_folder(data_dir)
    if not folder.exists():
        return []
    return sorted(folder.glob(f"{PREFIX}????-??-??.json"), reverse=True)


def latest_backup_hint(data_dir: Path) -> str:
    backups = list_backups(data_dir)
    if not backups:
        return " Aucune sauvegarde n'existe encore dans ce dossier."
    day = backups[0].stem.removeprefix(PREFIX)
    shown = date.fromisoformat(day).strftime("%d/%m/%Y")
    return (
        f" Sauvegarde la plus récente : {backups[0].name} (du {shown}). "
        f"Pour la restaurer (l'actuelle est mise de côté, jamais effacée) : "
        f"« citeslab restore {day} »."
    )


def rotate(
    data_dir: Path, snapshot_bytes: bytes | Sequence[bytes], keep: int, today: date | None = None
) -> Path | None:
    """Write today's backup if missing, then keep only the `keep` newest."""
    today = today or date.today()
    folder = ensure_private_dir(backup_folder(data_dir))
    target = folder / f"{PREFIX}{today.isoformat()}.json"
    written = None
    if not target.exists():
        write_private(target, snapshot_bytes)
        written = target
    for old in list_backups(data_dir)[keep:]:
        old.unlink(missing_ok=True)
    return written


# Files the store sets aside for recovery, each holding personal data: the snapshot
# before a migration, the journal beside it, a journal with a torn last line.
_SET_ASIDE = re.compile(r"citeslab\.json\.schema-\d+|journal-\d+\.jsonl\.(schema-\d+|torn)-.+")


def expire_set_aside(data_dir: Path, keep_days: int, now: float | None = None) -> list[Path]:
    """Remove set-aside files older than `keep_days` days (as old backups go: an erasure
    reaches them within that time); returns what was removed."""
    limit = (time.time() if now is None else now) - keep_days * 86400
    removed = []
    for path in data_dir.iterdir():
        try:
            if _SET_ASIDE.fullmatch(path.name) and path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                removed.append(path)
        except OSError:
            continue  # tried again at the next open
    return removed
