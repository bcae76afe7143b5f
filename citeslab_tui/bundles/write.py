"""Writing a bundle: seal the payload (compress, encrypt, sign) and put the file on the
stick or share, read back and compared (FAT32 sticks lie).

Touches no database: safe in a worker thread.
"""

from __future__ import annotations

import contextlib
import gzip
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from citeslab_tui.bundles import codec, keys
from citeslab_tui.bundles.codec import Manifest
from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.perf import no_gc
from citeslab_tui.store.files import atomic_write, describe_os_error

Step = Callable[[float, str], None]


def seal(
    manifest: Manifest,
    raw: bytes,
    recipients: list[str],
    secret: bytes,
    step: Step | None = None,
) -> bytes:
    """The file's bytes: `raw` (JSON array of [kind, document]) compressed, encrypted to
    `recipients` (none: in clear), the manifest completed with the payload's checksum
    and size, and signed with `secret` (Ed25519)."""
    if step is not None:
        step(0.2, "Compression…")
    with no_gc():
        payload = gzip.compress(raw, compresslevel=1, mtime=0)
    if recipients:
        if step is not None:
            step(0.5, "Chiffrement…")
        payload = keys.encrypt(payload, recipients)
    manifest.payload_sha256, manifest.payload_bytes = codec.sha256(payload), len(payload)
    signature = keys.sign(secret, codec.signed_message(manifest.line()))
    return codec.encode_bundle(manifest, payload, signature)


def file_name_now(manifest: Manifest) -> str:
    when = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    device = manifest.device
    if manifest.for_device:  # a return file written for one laptop: both in its name
        device = f"{device}-pour-{manifest.for_device}"
    return codec.file_name(device, when, manifest.seq_from, manifest.seq_to)


def write_verified(folder: Path, name: str, data: bytes, *, private: bool = False) -> Path:
    """Write atomically (`files.atomic_write`: temporary name, fsync, rename, fsync of the
    folder), read back from the medium and compare. `private`: the file is owner-only
    (an unencrypted bundle)."""
    if not folder.is_dir():
        raise CitesLabError(f"Le dossier {folder} n'existe pas (clé USB branchée ?).")
    target = folder / name
    # temporary copies left on the stick by an earlier crash of this device's send
    # (`.<name>.<random>.tmp`; before, `<name>.tmp`)
    prefix = name.rsplit("-", 4)[0]  # citeslab-<device>
    for pattern in (f".{prefix}-*{codec.SUFFIX}.*.tmp", f"{prefix}-*{codec.SUFFIX}.tmp"):
        for stale in folder.glob(pattern):
            with contextlib.suppress(OSError):
                stale.unlink()
    try:
        atomic_write(target, data, private=private)
        with open(target, "rb") as handle:
            if hasattr(os, "posix_fadvise"):  # read the medium, not the page cache
                with contextlib.suppress(OSError):
                    os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
            back = handle.read()
    except OSError as exc:
        raise CitesLabError(describe_os_error(exc, f"Écriture dans {folder} impossible")) from None
    if codec.sha256(back) != codec.sha256(data):
        raise CitesLabError(
            f"La copie relue de {name} ne correspond pas à ce qui a été écrit : "
            "la clé USB est peut-être défectueuse. Réessayez sur un autre support."
        )
    return target
