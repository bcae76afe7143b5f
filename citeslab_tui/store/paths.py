"""Where the data lives: platformdirs user data folder, or an override."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "CITESLAB_DATA_DIR"


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("citeslab", appauthor=False))


def resolve_data_dir(option: str | os.PathLike[str] | None = None) -> Path:
    """`--data-dir` first, then $CITESLAB_DATA_DIR, then the per-user data folder."""
    if option:
        return Path(option).expanduser().resolve()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser().resolve()
    return default_data_dir()
