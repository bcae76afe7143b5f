"""One writer per data folder.

A separate lock file (never the data file, which `os.replace` swaps) is held
with `filelock` (flock / LockFileEx): the OS releases it when the process dies,
so a crash never leaves a lock that blocks forever. Beside it, an info file
says who holds it, for the French refusal message.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime
from pathlib import Path

import orjson
from filelock import FileLock, Timeout

from citeslab_tui.store.errors import DatabaseLocked
from citeslab_tui.store.files import PRIVATE_FILE

LOCK_NAME = "citeslab.lock"
INFO_NAME = "citeslab.lock.json"


class DataDirLock:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = FileLock(str(folder / LOCK_NAME), timeout=0, mode=PRIVATE_FILE)
        self._info = folder / INFO_NAME

    def acquire(self) -> None:
        try:
            self._lock.acquire()
        except Timeout:
            raise DatabaseLocked(self._refusal()) from None
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now().astimezone().isoformat(timespec="seconds"),
        }
        self._info.write_bytes(orjson.dumps(info))
        if os.name == "posix":
            os.chmod(self._info, PRIVATE_FILE)

    def release(self) -> None:
        if self._lock.is_locked:
            self._info.unlink(missing_ok=True)
            self._lock.release()

    @property
    def held(self) -> bool:
        return self._lock.is_locked

    def _refusal(self) -> str:
        started = ""
        try:
            info = orjson.loads(self._info.read_bytes())
            when = datetime.fromisoformat(info["started"])
            started = (
                f" (démarrée le {when:%d/%m/%Y} à {when:%H:%M}, processus {info['pid']}"
                f" sur {info['host']})"
            )
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return (
            f"Ces données sont déjà ouvertes par une autre fenêtre de CitésLab{started}. "
            "Fermez-la (Ctrl+Q) puis relancez ; une seule fenêtre à la fois peut écrire."
        )
