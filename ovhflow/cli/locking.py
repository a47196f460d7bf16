"""One run at a time per recipe, so a night job that runs late never overlaps with the next one.

The lock is an ``fcntl.flock`` on a file in a private runtime folder, named by a hash of the recipe's
resolved path: the kernel releases it when the holder exits, even on ``kill -9``, so a crashed run never
leaves a stale lock behind. The holder writes its pid and start time into the lock file itself (never
truncating it before it holds the lock), so a second run can say who holds it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import stat
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

from ovhflow.errors import ConfigError, LockHeld

LOCK_DIR_ENV = "OVHFLOW_LOCK_DIR"
_POLL_SECONDS = 0.1


def lock_dir() -> Path:
    """The folder holding lock files: ``$OVHFLOW_LOCK_DIR``, else ``~/.local/state/ovhflow/locks``.

    Not ``$XDG_RUNTIME_DIR`` nor ``$XDG_STATE_HOME``: a login shell sets them, cron does not, and a run
    by hand must see the lock of the cron run. Not ``/tmp`` first either: a systemd unit with
    ``PrivateTmp=`` has its own. ``/tmp/ovhflow-locks-<uid>`` is only the fallback for a home that cannot
    be written. The folder is created private (0700) and refused when it is not ours, because another
    user able to write there could hold our locks or swap the files.
    """
    explicit = os.environ.get(LOCK_DIR_ENV)
    candidates = (
        [Path(explicit)]
        if explicit
        else [
            Path(os.path.expanduser("~")) / ".local" / "state" / "ovhflow" / "locks",
            Path("/tmp") / f"ovhflow-locks-{os.getuid()}",
        ]
    )
    problem: OSError | None = None
    for folder in candidates:
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            info = folder.lstat()
        except OSError as error:
            problem = error
            continue
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
            raise ConfigError(
                f"lock folder {folder} is not a folder owned by this user; remove it or set {LOCK_DIR_ENV}"
            )
        return folder
    reason = problem.strerror if problem is not None else "unknown error"
    raise ConfigError(f"cannot create a lock folder ({', '.join(map(str, candidates))}): {reason}")


def lock_path(recipe_path: str | Path) -> Path:
    """The lock file of a recipe: the same recipe reached by any path maps to the same file."""
    resolved = str(Path(recipe_path).resolve())
    digest = hashlib.sha256(resolved.encode("utf-8")).hexdigest()[:20]
    return lock_dir() / f"{Path(resolved).stem[:40]}-{digest}.lock"


def _read_holder(fd: int) -> dict[str, object]:
    """The holder's note; a few tries because the holder may be writing it at this very moment."""
    for _ in range(5):
        raw = os.pread(fd, 4096, 0)
        try:
            note = json.loads(raw.decode("utf-8"))
            if isinstance(note, dict):
                return note
        except (UnicodeDecodeError, json.JSONDecodeError):
            pass
        time.sleep(0.02)
    return {}


def _describe(note: dict[str, object]) -> str:
    pid = note.get("pid", "unknown")
    started = note.get("started", "unknown time")
    return f"pid {pid}, started {started}"


def _open_lock_file(path: Path) -> int:
    """Open (or create) the lock file without following a link, and make sure it is a file of ours.

    The holder writes its note into the file and empties it when done: had someone planted a symbolic
    link (or a hard link) to another file there, that file would be overwritten. Such a lock path, or
    a folder there, is a configuration problem (exit 3) for a person to look at.
    """
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as error:
        if error.errno == errno.ELOOP:
            problem = "is a symbolic link (refusing to follow it)"
        elif error.errno == errno.EISDIR:
            problem = "is a folder"
        else:
            problem = f"cannot be opened: {error.strerror}"
        raise ConfigError(f"lock file {path} {problem}; remove it or set {LOCK_DIR_ENV}") from None
    info = os.fstat(fd)
    problem = ""
    if not stat.S_ISREG(info.st_mode):
        problem = "is not a regular file"
    elif info.st_uid != os.getuid():
        problem = "belongs to another user"
    elif info.st_nlink != 1:
        problem = "has other hard links (it could be another file)"
    if problem:
        os.close(fd)
        raise ConfigError(f"lock file {path} {problem}; remove it or set {LOCK_DIR_ENV}")
    return fd


@contextlib.contextmanager
def recipe_lock(
    recipe_path: str | Path,
    wait_seconds: float | None = None,
    while_waiting: Callable[[], None] | None = None,
) -> Iterator[Path]:
    """Hold the recipe's lock for the duration of the ``with`` block; yields the lock file's path.

    Raises :class:`LockHeld` (exit 4) naming the holder's pid and start time when another process holds
    it: at once, or after waiting up to ``wait_seconds``. ``while_waiting`` is called at each poll while
    waiting; what it raises (the run interrupted meanwhile) ends the wait.
    """
    recipe = Path(recipe_path)
    path = lock_path(recipe)
    fd = _open_lock_file(path)
    try:
        deadline = None if wait_seconds is None else time.monotonic() + max(wait_seconds, 0.0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline is None or time.monotonic() >= deadline:
                    holder = _describe(_read_holder(fd))
                    waited = "" if deadline is None else f" after waiting {wait_seconds:g}s"
                    raise LockHeld(
                        f"recipe {recipe} is already running{waited} ({holder}): --wait-lock SECONDS "
                        "waits for it to end; --no-lock runs anyway, if overlapping runs are safe"
                    ) from None
                if while_waiting is not None:
                    while_waiting()
                time.sleep(min(_POLL_SECONDS, max(deadline - time.monotonic(), 0.0)))
        started = datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")
        note = json.dumps({"pid": os.getpid(), "started": started, "recipe": str(recipe.resolve())})
        data = note.encode("utf-8")
        os.pwrite(fd, data, 0)
        os.ftruncate(fd, len(data))
        try:
            yield path
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
