"""Logging: rotating files in `<data folder>/logs`, owner-only, never personal data.

Log records carry counts, ids and exception types and locations only: never
names, phones, e-mails, notes, nor exception messages (which can quote input).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import traceback
from pathlib import Path

LOGGER = logging.getLogger("citeslab")
LOG_DIR = "logs"
LOG_NAME = "citeslab.log"


def setup_logging(data_dir_option: str | None) -> Path | None:
    from citeslab_tui.store.files import PRIVATE_FILE, ensure_private_dir
    from citeslab_tui.store.paths import resolve_data_dir

    if LOGGER.handlers:
        return None
    try:
        folder = ensure_private_dir(resolve_data_dir(data_dir_option) / LOG_DIR)
        path = folder / LOG_NAME
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=512 * 1024, backupCount=3, encoding="utf-8"
        )
        if os.name == "posix":
            path.touch(exist_ok=True)
            os.chmod(path, PRIVATE_FILE)
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.INFO)
    LOGGER.propagate = False
    return path


def log_unexpected(exc: BaseException) -> None:
    """Type and code locations of an unexpected error (no message: it may quote data)."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = " <- ".join(f"{Path(f.filename).name}:{f.lineno}:{f.name}" for f in reversed(frames))
    LOGGER.error("unexpected %s at %s", type(exc).__name__, where or "?")
