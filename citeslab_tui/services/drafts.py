"""Forms in progress kept on disk so that a crash loses nothing (`<data folder>/drafts`).

A draft is a small JSON object (the form's raw typed values). It holds personal
data, so it lives in the owner-only data folder and is written atomically
(`store.files.write_private`); it is deleted as soon as the form is saved or
discarded.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import orjson

from citeslab_tui.store.errors import StoreError
from citeslab_tui.store.files import ensure_private_dir, write_private

DRAFT_DIR = "drafts"
INTAKE = "intake"


def draft_path(data_dir: Path, name: str = INTAKE) -> Path:
    return Path(data_dir) / DRAFT_DIR / f"{name}.json"


def save_draft(data_dir: Path, data: dict[str, Any], name: str = INTAKE) -> None:
    """Atomically replace the draft (raises StoreError with a French message)."""
    path = draft_path(data_dir, name)
    try:
        ensure_private_dir(path.parent)
    except OSError:
        raise StoreError("Impossible de créer le dossier des brouillons.") from None
    write_private(path, orjson.dumps(data))


def load_draft(data_dir: Path, name: str = INTAKE) -> dict[str, Any] | None:
    """The saved draft, or None (missing, unreadable or not an object)."""
    try:
        data = orjson.loads(draft_path(data_dir, name).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def delete_draft(data_dir: Path, name: str = INTAKE) -> None:
    with contextlib.suppress(OSError):
        draft_path(data_dir, name).unlink(missing_ok=True)
