"""Daily rotating backups of the database (consolidated snapshots)."""

from __future__ import annotations

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
