"""Writing files so that a reader never sees half of one, even when the writer is killed midway.

A report read by a monitoring script, or an ``ovh.conf`` holding a consumer key, must be either the old
file or the new one. The text goes to a temporary file in the same folder (so the final rename stays on
one filesystem), is flushed to disk, then replaces the target with :func:`os.replace`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def write_atomic(path: str | Path, content: str | bytes, mode: int | None = None) -> None:
    """Replace ``path`` with ``content`` in one step.

    ``mode`` sets the file's permission bits exactly (``0o600`` for files holding secrets: the temporary
    file is created with them, so the secret is never readable by others, not even for an instant).
    Without ``mode`` a new file gets the usual ``0o666`` minus the umask, and an existing file keeps
    its permission bits.
    """
    target = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    if mode is None:
        try:
            create_mode = target.stat().st_mode & 0o7777
            exact = True
        except FileNotFoundError:
            create_mode, exact = 0o666, False
    else:
        create_mode, exact = mode, True
    temp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, create_mode & 0o600 if exact else create_mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            if exact:
                os.fchmod(handle.fileno(), create_mode)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    _fsync_folder(target.parent)


def _fsync_folder(folder: Path) -> None:
    # Makes the rename itself durable; skipped where a folder cannot be opened.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
