"""Local settings of a laptop: `settings.json` in the data folder (atomic writes)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pydantic

from citeslab_tui.domain.models import Settings
from citeslab_tui.store.errors import StoreError
from citeslab_tui.store.files import write_private

SETTINGS_NAME = "settings.json"


def load_settings(folder: Path) -> Settings:
    path = folder / SETTINGS_NAME
    if not path.exists():
        return Settings()
    try:
        return Settings.model_validate(orjson.loads(path.read_bytes()))
    except (orjson.JSONDecodeError, pydantic.ValidationError):
        raise StoreError(
            f"Le fichier de réglages {path} est illisible. Corrigez-le ou supprimez-le, "
            "puis relancez « citeslab init »."
        ) from None


def save_settings(folder: Path, settings: Settings) -> None:
    write_private(
        folder / SETTINGS_NAME,
        orjson.dumps(settings.model_dump(mode="json"), option=orjson.OPT_INDENT_2),
    )
