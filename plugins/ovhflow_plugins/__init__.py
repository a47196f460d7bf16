"""ovhflow's first-party plugins: CSV, JSON, tables, notifications and template filters.

Each module is one plugin, registered through the ``ovhflow`` entry-point group exactly like a
third-party plugin would be. What several of them share lives here: writing a file so that a crash
never leaves half of it behind (:func:`atomic_writer`, streaming, unlike :func:`ovhflow.atomic.write_atomic`
which takes the whole content), reading the engine's step records, and yes/no arguments.
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

TEMP_SUFFIX = ".ovhflow-tmp"


def is_mapping_like(value: Any) -> bool:
    """A dict, or a read-only record the engine hands to templates (``steps.x``, a group's result).

    Those records answer ``x["name"]`` and iterate over their names without being dicts; they are
    recognised by that behaviour so plugins need nothing from the engine's internals.
    """
    if isinstance(value, Mapping):
        return True
    if isinstance(value, (str, bytes, list, tuple)):
        return False
    kind = type(value)
    return all(hasattr(kind, name) for name in ("__getitem__", "__iter__", "__contains__", "__len__"))


def as_flag(value: Any, name: str) -> bool:
    """A yes/no argument: a boolean, or the text a template rendered (``true``/``false``), nothing else.

    ``bool("false")`` is True, so text is never passed to ``bool``: a typo is an error, not a yes.
    """
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0", "", "none"):
        return False
    raise ValueError(f"{name} must be true or false, got {value!r}")


def json_default(value: Any) -> Any:
    """``json.dumps(default=...)``: records become objects, anything else (dates...) its text."""
    if is_mapping_like(value):
        return {str(key): value[key] for key in value}
    return str(value)


def _temp_path_for(path: Path) -> Path:
    # Hidden, in the same folder (so os.replace is a rename on one file system), unique per writer.
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}")


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


def _fsync_directory(folder: Path) -> None:
    # Makes the rename itself durable; some platforms cannot open a directory, which is fine to skip.
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


@contextlib.contextmanager
def atomic_writer(
    path: str | os.PathLike[str], *, append: bool = False, newline: str | None = None
) -> Iterator[TextIO]:
    """Open a UTF-8 text stream whose content replaces ``path`` only once the block ends without error.

    The data goes to a hidden temporary file in the same folder, which is flushed, fsynced and renamed
    over ``path``: readers (and a run killed half-way) see the previous file or the complete new one,
    never a partial one. With ``append`` the current content of ``path`` is copied into the temporary
    file first, so appending is atomic too. The new file gets the usual permissions (0666 minus umask),
    or the permissions of the file it replaces. Temporary files left by a killed earlier writer of the
    same ``path`` are removed.
    """
    target = Path(path)
    _remove_stale_temps(target)
    temp = _temp_path_for(target)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with contextlib.suppress(FileNotFoundError):
            os.chmod(temp, os.stat(target).st_mode & 0o7777)
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as stream:
            if append and target.exists():
                with open(target, encoding="utf-8", newline="") as current:
                    shutil.copyfileobj(current, stream)
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_directory(target.parent)
