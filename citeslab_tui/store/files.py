"""Durable file primitives: private folders, atomic replace, fsync.

Every file the app writes goes through here: `write_private` (the one writer of a
whole file holding personal data: owner-only, atomic, durable, a French error;
`write_private_via` the same for a library that writes a file by its name),
`write_public` (the same for a file meant to be carried: public keys, identities),
`open_private` (a file written in pieces: the journal, the log, the lock's note).
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import sys
import time
from collections.abc import Callable, Iterable
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


def open_private(path: Path, *, append: bool = True) -> int:
    """A file descriptor of an owner-only file (created if missing, whatever the
    umask), for writing in pieces: appended to, or truncated first."""
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0)
    flags |= os.O_APPEND if append else os.O_TRUNC
    fd = os.open(path, flags, PRIVATE_FILE)
    if os.name == "posix":
        try:
            os.fchmod(fd, PRIVATE_FILE)
        except OSError:
            os.close(fd)
            raise
    return fd


def _temp_file(path: Path, private: bool) -> tuple[int, Path]:
    """A new temporary file beside `path`: `.<name>.<8 random>.tmp` (see temp_files)."""
    while True:
        tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(tmp, flags, PRIVATE_FILE if private else 0o666)
        except FileExistsError:
            continue
        return fd, tmp


def _replace(tmp: Path, path: Path, retries: int = 8) -> None:
    """os.replace, retried with backoff on Windows while an antivirus holds the file."""
    delay = 0.05
    for attempt in range(retries):
        try:
            os.replace(tmp, path)
            return
        except PermissionError:
            if not RETRY_REPLACE or attempt == retries - 1:
                raise
            time.sleep(delay)
            delay *= 2


def atomic_write(
    path: Path, data: bytes | Iterable[bytes], *, private: bool = True, retries: int = 8
) -> None:
    """Write `data` (bytes, or byte strings written one after the other as an iterable
    gives them: an exception it raises leaves `path` as it was) to
    `path` atomically and durably; owner-only unless `private` is False (then as the
    umask says).

    Temporary file in the same folder, fsync, `os.replace`, fsync of the folder.
    On Windows a replace can fail while an antivirus holds the file: retry with
    backoff, never fall back to a non-atomic copy.
    """
    folder = path.parent
    fd, tmp = _temp_file(path, private)
    try:
        try:
            if private and os.name == "posix":
                os.fchmod(fd, PRIVATE_FILE)
            for part in (data,) if isinstance(data, bytes | bytearray | memoryview) else data:
                view = memoryview(part)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
            full_fsync(fd)
        finally:
            os.close(fd)
        _replace(tmp, path, retries)
        fsync_dir(folder)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# atomic_write's temporary name: `.<target name>.<8 random chars>.tmp`
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


def _make_folder(folder: Path) -> None:
    """Create a missing folder owner-only (an existing one is left as it is)."""
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
        if os.name == "posix":
            os.chmod(folder, PRIVATE_DIR)


def write_private(path: Path, data: bytes | Iterable[bytes], *, make_folder: bool = False) -> Path:
    """THE way to write a file holding personal data: owner-only (0600 on POSIX),
    atomic and durable (`atomic_write`); OS errors become a French StoreError.
    `make_folder`: a missing folder is created, owner-only."""
    try:
        if make_folder:
            _make_folder(path.parent)
        atomic_write(path, data)
    except OSError as exc:
        raise StoreError(describe_os_error(exc, f"Impossible d'écrire {path}")) from None
    return path


def write_private_via(
    path: Path, write: Callable[[Path], None], *, make_folder: bool = False
) -> Path:
    """`write_private` for a library that writes a file by its name (XlsxWriter, fpdf2):
    `write(tmp)` fills an owner-only temporary file beside `path`, which is then made
    durable and put in place atomically; on any failure (a French `ValidationError` of
    the writer, a full disk) the temporary file is removed and `path` left as it was."""
    try:
        if make_folder:
            _make_folder(path.parent)
        fd, tmp = _temp_file(path, True)
        try:
            try:
                if os.name == "posix":
                    os.fchmod(fd, PRIVATE_FILE)
            finally:
                os.close(fd)
            write(tmp)  # truncates and fills the file: its owner-only mode stays
            fd = os.open(tmp, os.O_RDWR | getattr(os, "O_BINARY", 0))
            try:
                full_fsync(fd)
            finally:
                os.close(fd)
            _replace(tmp, path)
            fsync_dir(path.parent)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise StoreError(describe_os_error(exc, f"Impossible d'écrire {path}")) from None
    return path


def write_public(path: Path, data: bytes) -> Path:
    """A file meant to be carried (public keys, an identity): atomic and durable,
    readable as the umask says; OS errors become a French StoreError."""
    try:
        atomic_write(path, data, private=False)
    except OSError as exc:
        raise StoreError(describe_os_error(exc, f"Impossible d'écrire {path}")) from None
    return path
