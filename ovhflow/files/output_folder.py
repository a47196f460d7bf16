"""The output folder: the one place every file a recipe writes goes through (``run --output-dir``).

Whoever writes a recipe or a params file is not trusted with the credentials (README: threat model), yet
a recipe names the files its outputs write. Anything the run's user can write would do: a ``*.pth`` in
site-packages runs code at the next Python start, a ``./ovh.conf`` chooses the endpoint the next run
signs its requests for. So an output path is confined to the folder the operator chose:

- it is relative, without a ``..`` segment, and resolves (symbolic links followed) inside the folder;
- even there, it names no file that configures or runs code: hidden files and folders (``.ovh.conf``,
  ``.env``, ``.bashrc``, ``.ssh/``, ``.local/`` with its site-packages), ``ovh.conf``, Python modules
  and start-up files (``*.py``, ``*.pth``, ``sitecustomize``...), nor the run's own files (report, plan,
  lock folder, plugin folder, ``--config``), nor an existing executable file (it would stay executable);
- a new file is created readable by its owner only (0600); an existing file keeps its bits (a
  ``chmod 640`` the operator made stays).

:func:`path_problem` is the check that needs no folder (validation refuses a literal path with it);
:class:`OutputFolder` adds what only the run knows, and opens the file.
"""

from __future__ import annotations

import contextlib
import os
import stat
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from ovhflow.files.atomic import destination_problem, open_atomic

OUTPUT_FILE_MODE = 0o600  # a new output file: exports hold account data
_CODE_SUFFIXES = frozenset({".py", ".pyc", ".pyo", ".pyw", ".pth", ".so", ".pyd", ".egg-link"})
_PACKAGE_SUFFIXES = (".dist-info", ".egg-info")  # entry points in them load plugins (ovhflow's too)
_CODE_STEMS = frozenset({"sitecustomize", "usercustomize", "__pycache__"})
_CONFIG_NAMES = frozenset({"ovh.conf"})
_WHY_CODE = "Python runs such a file (a .pth at every start, a module on the import path when imported)"
_WHY_CONFIG = "the OVH client reads ./ovh.conf: it would choose the endpoint the next run signs requests for"
_WHY_HIDDEN = (
    "hidden files and folders are where programs keep their configuration and start-up code "
    "(.ovh.conf, .env, .bashrc, .ssh, .local/lib/python*/site-packages)"
)


class OutputRefused(ValueError):
    """An output path a recipe may not write; the message says which rule and why."""


def path_problem(path: str) -> str | None:
    """Why a recipe may not write ``path`` in any output folder, or None. Needs no folder: validation
    refuses a literal path with it, the run a rendered one."""
    if not path.strip():
        return "names no file"
    control = next((c for c in path if unicodedata.category(c) == "Cc"), None)
    if control is not None:  # a NUL cannot reach the file system; a newline or an escape mangles listings
        return f"holds a control character ({control!r}): a file name is printable text"
    text = path.replace("\\", "/")
    if text.startswith("/"):
        return "is absolute: an output path is relative to the output folder (run --output-dir DIR)"
    if text.startswith("~"):
        return "starts with '~' (a home folder): an output path is relative to the output folder"
    parts = PurePosixPath(text).parts
    if not parts:
        return "names no file"
    if ".." in parts:
        return "has a '..' segment: an output path stays in the output folder (run --output-dir DIR)"
    for part in parts:
        if part.startswith("."):
            return f"names a hidden file or folder ({part}): {_WHY_HIDDEN}"
        name = part.casefold()
        if name in _CONFIG_NAMES:
            return f"is an ovh.conf: {_WHY_CONFIG}"
        if name.endswith(_PACKAGE_SUFFIXES):
            return f"names an installed package's metadata ({part}): its entry points choose code that loads"
        stem, suffix = os.path.splitext(name)
        if suffix in _CODE_SUFFIXES or stem in _CODE_STEMS or name in _CODE_STEMS:
            return f"names Python code ({part}): {_WHY_CODE}"
    return None


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


@dataclass(frozen=True)
class OutputFolder:
    """Where a run's outputs go: ``root`` (resolved) and the run's own files no output may replace,
    each with the reason shown when a path reaches it."""

    root: Path
    reserved: tuple[tuple[Path, str], ...] = ()

    @classmethod
    def at(
        cls, folder: str | os.PathLike[str], reserved: Iterable[tuple[str | None, str]] = ()
    ) -> OutputFolder:
        """The folder ``folder`` (made absolute, links resolved) and the run's files ``(path, why)``;
        a None path is skipped. Raises OutputRefused when ``folder`` is not an existing folder."""
        root = Path(os.path.realpath(folder))
        if not root.is_dir():
            raise OutputRefused(f"output folder {folder} does not exist or is not a folder")
        kept = tuple((Path(os.path.realpath(path)), why) for path, why in reserved if path)
        return cls(root, kept)

    def target(self, path: str) -> Path:
        """The real file ``path`` names in the folder (links resolved), or OutputRefused saying why."""
        problem = path_problem(path)
        if problem is not None:
            raise OutputRefused(f"{path!r} {problem}")
        resolved = Path(os.path.realpath(self.root / path))
        if not _inside(resolved, self.root) or resolved == self.root:
            raise OutputRefused(
                f"{path!r} leads out of the output folder {self.root} through a symbolic link (to {resolved})"
            )
        inner = resolved.relative_to(self.root).as_posix()
        problem = path_problem(inner)
        if problem is not None:  # a link inside the folder to a file no output may write
            raise OutputRefused(f"{path!r} is a symbolic link to {inner!r}, which {problem}")
        for file, why in self.reserved:
            if _inside(resolved, file):
                raise OutputRefused(f"{path!r} is {why}: an output may not replace it")
        with contextlib.suppress(OSError):
            if stat.S_ISREG(mode := os.stat(resolved).st_mode) and mode & 0o111:
                raise OutputRefused(
                    f"{path!r} is an executable file: an output keeps a file's mode, so its text would be "
                    "code someone runs"
                )
        return resolved

    def problem(self, path: str) -> str | None:
        """Why writing ``path`` would fail (refused, or its folder missing or read-only), or None:
        check mode asks this instead of writing."""
        try:
            return destination_problem(self.target(path))
        except OutputRefused as refused:
            return str(refused)

    @contextlib.contextmanager
    def open(
        self, path: str, *, append: bool = False, binary: bool = False, newline: str | None = None
    ) -> Iterator[IO[Any]]:
        """Write ``path`` atomically inside the folder (see :func:`ovhflow.files.atomic.open_atomic`):
        a new file gets mode 0600, an existing one keeps its bits. Raises OutputRefused first."""
        target = self.target(path)
        with open_atomic(
            target, append=append, binary=binary, newline=newline, new_mode=OUTPUT_FILE_MODE
        ) as stream:
            yield stream
