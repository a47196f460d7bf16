"""Writing files so that a reader never sees half of one, even when the writer is killed midway.

A report read by a monitoring script, a CSV export picked up by an accounting system, or an ``ovh.conf``
holding a consumer key must be either the old file or the new one. The data goes to a hidden temporary
file in the same folder (so the final rename stays on one filesystem), is flushed to disk, then replaces
the target with :func:`os.replace`. Plugins use the same functions.
"""

from __future__ import annotations

import contextlib
import glob
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

TEMP_SUFFIX = ".ovhflow-tmp"


def destination_problem(path: str | os.PathLike[str]) -> str | None:
    """Why :func:`open_atomic` could not write ``path``, in words naming the folder, or None.

    Check mode asks this instead of writing, so that a missing or read-only export folder is found on
    the laptop, not by the night run: the temporary file needs the folder to exist and to be writable.
    """
    target = Path(path)
    folder = target.parent
    if target.is_dir():
        return f"{target} is a folder, not a file"
    if not folder.exists():
        return f"folder {folder} does not exist"
    if not folder.is_dir():
        return f"{folder} is not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"folder {folder} is not writable"
    return None


@contextlib.contextmanager
def open_atomic(
    path: str | os.PathLike[str],
    *,
    mode: int | None = None,
    append: bool = False,
    binary: bool = False,
    newline: str | None = None,
    new_mode: int = 0o666,
) -> Iterator[IO[Any]]:
    """Open a stream whose content replaces ``path`` only once the block ends without error.

    Text streams are UTF-8. ``mode`` sets the file's permission bits exactly (``0o600`` for files
    holding secrets: the temporary file is created with them, so the secret is never readable by
    others, not even for an instant). Without ``mode`` a new file gets ``new_mode`` (``0o666``) minus the
    umask and an existing file keeps its bits. With ``append`` the current content is copied in first (never
    through a symbolic link), so appending is atomic too. Temporary files left by a killed earlier writer
    of the same ``path`` are removed.
    """
    target = Path(path)
    _remove_stale_temps(target)
    if mode is None:
        try:
            create_mode, exact = target.stat().st_mode & 0o7777, True
        except FileNotFoundError:
            create_mode, exact = new_mode, False
    else:
        create_mode, exact = mode, True
    temp = target.with_name(f".{target.name}.{os.getpid()}.{os.urandom(4).hex()}{TEMP_SUFFIX}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, create_mode & 0o600 if exact else create_mode)
    try:
        if exact:
            os.fchmod(fd, create_mode)
        if binary:
            stream: IO[Any] = os.fdopen(fd, "wb")
        else:
            stream = os.fdopen(fd, "w", encoding="utf-8", newline=newline)
        with stream:
            if append and target.exists():
                import shutil  # here: plugin_api imports this module, and `validate` needs none of it

                current_fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW)
                with open(current_fd, "rb" if binary else "r", **({} if binary else _TEXT_READ)) as current:
                    shutil.copyfileobj(current, stream)
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_folder(target.parent)


_TEXT_READ: dict[str, Any] = {"encoding": "utf-8", "newline": ""}


def write_atomic(path: str | Path, content: str | bytes, mode: int | None = None) -> None:
    """Replace ``path`` with ``content`` in one step (see :func:`open_atomic` for ``mode``)."""
    binary = isinstance(content, bytes)
    with open_atomic(path, mode=mode, binary=binary, newline=None if binary else "") as stream:
        stream.write(content)


def _remove_stale_temps(path: Path) -> None:
    """Delete temporary files a killed writer of ``path`` left behind (its process no longer exists)."""
    for temp in path.parent.glob(f".{glob.escape(path.name)}.*{TEMP_SUFFIX}"):
        pid_text = temp.name[len(path.name) + 2 :].split(".", 1)[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid():
            continue
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            with contextlib.suppress(OSError):
                temp.unlink()
        except OSError:
            pass  # alive but not ours (EPERM): leave it


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
