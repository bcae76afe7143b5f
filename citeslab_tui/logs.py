"""Logging: rotating files in `<data folder>/logs`, owner-only, never personal data.

Log records carry counts, ids and exception types and locations only: never
names, phones, e-mails, notes, nor exception messages (which can quote input).
Three guards, so that a careless call cannot leak:

- `log_event(action, **fields)` accepts only numbers, booleans and short
  identifier-like strings (anything else is written as "?");
- a filter on the handler blanks e-mail addresses and phone-like digit runs in
  every formatted message, and cuts messages at 500 characters;
- files (the current one and every rotated one) are created owner-only (0600)
  in an owner-only folder (0700) on POSIX; 4 files of 512 KiB at most.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import traceback
from io import TextIOWrapper
from pathlib import Path

LOGGER = logging.getLogger("citeslab")
LOG_DIR = "logs"
LOG_NAME = "citeslab.log"
MAX_BYTES = 512 * 1024
BACKUP_COUNT = 3
MAX_MESSAGE = 500

_EMAIL = re.compile(r"[^\s@]+@[^\s@]+")
# 9+ digits, possibly separated by spaces, dots, dashes or slashes, optional "+".
_PHONE = re.compile(r"\+?\d(?:[\s./-]?\d){8,}")
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9_.:-]{0,64}$")


class PersonalDataFilter(logging.Filter):
    """Blank e-mails and phone-like numbers; freeze the message (no late formatting)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep the template only
            message = str(record.msg)
        message = _EMAIL.sub("<e-mail>", message)
        message = _PHONE.sub("<numéro>", message)
        record.msg = message[:MAX_MESSAGE]
        record.args = None
        record.exc_info = None  # tracebacks carry messages: use log_unexpected
        record.exc_text = None
        record.stack_info = None
        return True


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating file handler whose files are all owner-only on POSIX."""

    def _open(self) -> TextIOWrapper:
        from citeslab_tui.store.files import open_private

        fd = open_private(Path(self.baseFilename))
        stream = open(fd, self.mode, encoding=self.encoding, errors=self.errors)  # noqa: SIM115
        assert isinstance(stream, TextIOWrapper)  # a text mode: logging writes str
        return stream


def _current_handler() -> PrivateRotatingFileHandler | None:
    for handler in LOGGER.handlers:
        if isinstance(handler, PrivateRotatingFileHandler):
            return handler
    return None


def setup_logging(data_dir_option: str | None) -> Path | None:
    """Log to `<data folder>/logs/citeslab.log`; a later call with another folder moves there.

    Returns the log file path, or None when logging is not possible (read-only
    disk): the app works without its log.
    """
    from citeslab_tui.store.files import ensure_private_dir
    from citeslab_tui.store.paths import resolve_data_dir

    try:
        folder = resolve_data_dir(data_dir_option) / LOG_DIR
        path = folder / LOG_NAME
        current = _current_handler()
        if current is not None:
            if Path(current.baseFilename) == path.resolve() and folder.is_dir():
                return path
            LOGGER.removeHandler(current)
            current.close()
        ensure_private_dir(folder)
        handler = PrivateRotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
        )
        if os.name == "posix":
            for old in folder.glob(f"{LOG_NAME}*"):
                os.chmod(old, 0o600)
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(PersonalDataFilter())
    LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.INFO)
    LOGGER.propagate = False
    return path


def _safe(value: object) -> str:
    if isinstance(value, bool | int | float):
        return str(value)
    if isinstance(value, str) and _SAFE_VALUE.match(value):
        return value
    return "?"


def log_event(action: str, **fields: object) -> None:
    """One line `action key=value ...`: numbers, booleans and identifier-like codes only."""
    parts = [_safe(action)] + [f"{_safe(k)}={_safe(v)}" for k, v in sorted(fields.items())]
    LOGGER.info("%s", " ".join(parts))


def log_unexpected(exc: BaseException) -> None:
    """Type and code locations of an unexpected error (no message: it may quote data)."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = " <- ".join(f"{Path(f.filename).name}:{f.lineno}:{f.name}" for f in reversed(frames))
    LOGGER.error("unexpected %s at %s", type(exc).__name__, where or "?")
