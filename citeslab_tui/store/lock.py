"""One writer per data folder.

A separate lock file (never the data file, which `os.replace` swaps) is held
with `filelock` (flock / LockFileEx): the OS releases it when the process dies,
so a crash never leaves a lock that blocks forever. Beside it, an info file
says who holds it, for the French refusal message.
"""

from __future__ import annotations

import contextlib
import os
import socket
from datetime import datetime
from pathlib import Path

import orjson
from filelock import FileLock, Timeout

from citeslab_tui.store.errors import DatabaseLocked, StoreError
from citeslab_tui.store.files import PRIVATE_FILE, describe_os_error, open_private

LOCK_NAME = "citeslab.lock"
INFO_NAME = "citeslab.lock.json"


class DataDirLock:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        # thread_local=False: the app opens the workspace in a worker thread and closes
        # it from the UI thread; a thread-local lock would never be released there.
        self._lock = FileLock(
            str(folder / LOCK_NAME), timeout=0, mode=PRIVATE_FILE, thread_local=False
        )
        self._info = folder / INFO_NAME

    def acquire(self) -> None:
        """Take the folder or raise DatabaseLocked / StoreError (French)."""
        try:
            self._lock.acquire()
        except Timeout:
            raise DatabaseLocked(self._refusal()) from None
        except OSError as exc:
            raise StoreError(
                describe_os_error(exc, f"Impossible d'utiliser le dossier de données {self.folder}")
            ) from None
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now().astimezone().isoformat(timespec="seconds"),
        }
        # Advisory (for another instance's refusal message): no fsync, and a failure
        # (full disk) must not stop a command that only reads.
        try:
            fd = open_private(self._info, append=False)
            try:
                os.write(fd, orjson.dumps(info))
            finally:
                os.close(fd)
        except OSError:
            with contextlib.suppress(OSError):
                self._info.unlink(missing_ok=True)  # no half-written info

    def release(self) -> None:
        if self._lock.is_locked:
            try:
                self._info.unlink(missing_ok=True)
            except OSError:
                pass  # a stale info file is rewritten by the next holder
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
