"""Durable file primitives: private folders, atomic replace, fsync."""

from __future__ import annotations

import errno
import os
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from citeslab_tui.store.errors import StoreError

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
# Windows: an antivirus or indexer briefly holding the target makes os.replace fail
# with PermissionError; retried with backoff (never replaced by a non-atomic copy).
RETRY_REPLACE = os.name == "nt"


def ensure_private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        os.chmod(path, PRIVATE_DIR)
    return path


def fsync_dir(path: Path) -> None:
    """Make a rename durable (POSIX only; Windows has no folder fsync)."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def full_fsync(fd: int) -> None:
    """fsync, with F_FULLFSYNC on macOS where plain fsync does not flush the drive."""
    if sys.platform == "darwin":
        import fcntl

        try:
            fcntl.fcntl(fd, fcntl.F_FULLFSYNC)
            return
        except OSError:
            pass
    os.fsync(fd)


def describe_os_error(exc: OSError, what: str) -> str:
    """One French sentence for a failed write: what happened and what to do."""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return f"{what} : le disque est plein. Libérez de la place puis réessayez."
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (
            f"{what} : écriture refusée (droits ou disque en lecture seule). "
            "Choisissez un dossier où vous pouvez écrire (--data-dir)."
        )
    if exc.errno in (errno.ENOTDIR, errno.EEXIST, errno.EISDIR):
        return (
            f"{what} : un fichier porte le nom attendu pour un dossier (ou l'inverse). "
            "Choisissez un autre dossier de données (--data-dir)."
        )
    if exc.errno == errno.ENOENT:
        return f"{what} : dossier ou fichier introuvable (support retiré ?)."
    if exc.errno == errno.EIO:
        return (
            f"{what} : erreur de lecture ou d'écriture du disque (support endommagé ou retiré ?)."
        )
    code = errno.errorcode.get(exc.errno or 0, exc.__class__.__name__)
    return f"{what} : erreur du système ({code})."


def atomic_write(path: Path, data: bytes | Sequence[bytes], *, retries: int = 8) -> None:
    """Write `data` (bytes, or a sequence of bytes written one after the other) to
    `path` atomically and durably.

    Temporary file in the same folder, fsync, `os.replace`, fsync of the folder.
    On Windows a replace can fail while an antivirus holds the file: retry with
    backoff, never fall back to a non-atomic copy.
    """
    folder = path.parent
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        try:
            if os.name == "posix":
                os.fchmod(fd, PRIVATE_FILE)
            for part in (data,) if isinstance(data, bytes | bytearray | memoryview) else data:
                view = memoryview(part)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
            full_fsync(fd)
        finally:
            os.close(fd)
        delay = 0.05
        for attempt in range(retries):
            try:
                os.replace(tmp, path)
                break
            except PermissionError:
                if not RETRY_REPLACE or attempt == retries - 1:
                    raise
                time.sleep(delay)
                delay *= 2
        fsync_dir(folder)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# atomic_write's temporary name (tempfile.mkstemp): `.<target name>.<8 random chars>.tmp`
_TEMP_NAME = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")


def temp_files(folder: Path) -> list[Path]:
    """Temporary files of atomic_write left by a crash between write and rename, in the
    data folder and its direct subfolders (backups, drafts, keys, exports).

    Each can be a whole copy of the database (with data erased since): the store
    removes them when it opens the folder for writing, `citeslab check` lists them.
    """
    found: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return found
    for entry in entries:
        try:
            if entry.is_dir() and not entry.is_symlink():
                found += [p for p in entry.iterdir() if _TEMP_NAME.fullmatch(p.name)]
            elif _TEMP_NAME.fullmatch(entry.name):
                found.append(entry)
        except OSError:
            continue
    return sorted(found)


def remove_temp_files(folder: Path) -> int:
    """Remove what `temp_files` finds (call with the folder's lock held); how many went."""
    removed = 0
    for path in temp_files(folder):
        try:
            path.unlink()
            removed += 1
        except OSError:
            pass  # listed again by `check`, tried again at the next open
    return removed


def write_private(path: Path, data: bytes | Sequence[bytes]) -> None:
    """atomic_write turning OS errors into a French StoreError."""
    try:
        atomic_write(path, data)
    except OSError as exc:
        raise StoreError(describe_os_error(exc, f"Impossible d'écrire {path.name}")) from None
