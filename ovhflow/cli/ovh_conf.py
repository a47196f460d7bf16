"""Writing a consumer key into ``ovh.conf``, and warning when an ``ovh.conf`` is readable by others.

The client reads these files (:mod:`ovhflow.ovh.config`); this module is the command line's side: it
edits the file line by line rather than through ``configparser.write``, which would drop every comment
the user wrote, and it always leaves the file private (0600), as ssh expects of a private key.
"""

from __future__ import annotations

import configparser
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from ovhflow.errors import ConfigError
from ovhflow.files.atomic import write_atomic

PRIVATE_MODE = 0o600
SECRET_OPTIONS = ("application_secret", "consumer_key", "client_secret")
_SECTION = re.compile(r"^\s*\[(?P<name>.+)\]\s*$")
_COMMENT = re.compile(r"^\s*([#;].*)?$")


def _option_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(name)}\s*[=:]", re.IGNORECASE)


def _sections(lines: list[str]) -> dict[str, tuple[int, int]]:
    """Section name -> (header line index, index after its last line); the first one wins on repeats."""
    found: dict[str, tuple[int, int]] = {}
    headers = [(i, m.group("name").strip()) for i, line in enumerate(lines) if (m := _SECTION.match(line))]
    for position, (index, name) in enumerate(headers):
        end = headers[position + 1][0] if position + 1 < len(headers) else len(lines)
        found.setdefault(name, (index, end))
    return found


def _set_option(lines: list[str], section: str, name: str, value: str, replace: bool = True) -> list[str]:
    """Set ``name = value`` in ``section`` (created at the end when absent); other lines stay as they are."""
    sections = _sections(lines)
    if section not in sections:
        if lines and lines[-1].strip():
            lines = [*lines, "\n"]
        return [*lines, f"[{section}]\n", f"{name} = {value}\n"]
    start, end = sections[section]
    pattern = _option_pattern(name)
    for index in range(start + 1, end):
        if pattern.match(lines[index]):
            if not replace:
                return lines
            following = index + 1
            while following < end and lines[following][:1] in (" ", "\t") and lines[following].strip():
                following += 1  # configparser continuation lines belong to the old value
            return [*lines[:index], f"{name} = {value}\n", *lines[following:]]
    insert_at = start + 1
    for index in range(start + 1, end):
        if not _COMMENT.match(lines[index]):
            insert_at = index + 1
    return [*lines[:insert_at], f"{name} = {value}\n", *lines[insert_at:]]


def updated_config_text(text: str, endpoint: str, consumer_key: str) -> str:
    """``text`` with ``consumer_key`` set in the ``[endpoint]`` section and, when it has none, a
    ``[default] endpoint``; comments, other sections and the order of lines are kept."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    if "default" not in _sections(lines):
        lines = ["[default]\n", f"endpoint = {endpoint}\n", *(["\n"] if lines else []), *lines]
    else:
        lines = _set_option(lines, "default", "endpoint", endpoint, replace=False)
    lines = _set_option(lines, endpoint, "consumer_key", consumer_key)
    return "".join(lines)


def check_saveable(path: str | Path) -> None:
    """Fail now, not after the user validated a key that would then be lost: the folder must exist and
    be writable, and an existing file must be valid INI."""
    target = Path(path).expanduser().absolute()
    if target.is_symlink():
        target = target.resolve()
    if target.is_dir():
        raise ConfigError(f"--save {target}: is a folder, not a file")
    if not target.parent.is_dir():
        raise ConfigError(f"--save {target}: folder {target.parent} does not exist")
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise ConfigError(f"--save {target}: folder {target.parent} is not writable")
    if target.exists():
        parser = configparser.RawConfigParser()
        try:
            parser.read_string(target.read_text(encoding="utf-8"), source=str(target))
        except (configparser.Error, OSError, UnicodeDecodeError) as error:
            problem = " ".join(str(error).split())
            raise ConfigError(f"cannot update {target}: it is not a valid INI file ({problem})") from None


def save_consumer_key(path: str | Path, endpoint: str, consumer_key: str) -> Path:
    """Store ``consumer_key`` for ``endpoint`` in the INI file ``path``, created if needed, mode 0600.

    Returns the path written (a symlink's target, so a linked ``~/.ovh.conf`` stays a link). Raises
    :class:`ConfigError` when the existing file is not valid INI, rather than guess how to fix it.
    """
    target = Path(path).expanduser().absolute()
    if target.is_symlink():
        target = target.resolve()
    try:
        text = target.read_text(encoding="utf-8") if target.exists() else ""
    except OSError as error:
        raise ConfigError(f"cannot read {target}: {error.strerror or error}") from error
    new_text = updated_config_text(text, endpoint, consumer_key)
    parser = configparser.RawConfigParser()
    try:
        parser.read_string(new_text, source=str(target))
        saved = parser.get(endpoint, "consumer_key")
    except configparser.Error as error:
        problem = " ".join(str(error).split())
        raise ConfigError(f"cannot update {target}: it is not a valid INI file ({problem})") from None
    if saved != consumer_key:
        raise ConfigError(f"cannot update {target}: section [{endpoint}] could not be edited safely")
    try:
        write_atomic(target, new_text, mode=PRIVATE_MODE)
    except OSError as error:
        raise ConfigError(f"cannot write {target}: {error.strerror or error}") from error
    return target


def _holds_secret(path: Path) -> bool:
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return True  # cannot tell: assume it does, a warning too many is cheaper than a leak
    return any(parser.get(s, o, fallback="") for s in parser.sections() for o in SECRET_OPTIONS)


def warn_if_readable(path: str | Path, say: Callable[[str], None] | None = None) -> bool:
    """Warn (through ``say``, else on stderr) when ``path`` holds credentials and others can read it.

    Returns whether it warned. A missing file, or one holding no secret (an ``/etc/ovh.conf`` that only
    names the endpoint), is fine. ``say`` lets ``ovhflow run`` put the warning in its log's format.
    """
    file = Path(path).expanduser()
    try:
        mode = stat.S_IMODE(file.stat().st_mode)
    except OSError:
        return False
    if not mode & 0o044 or not file.is_file() or not _holds_secret(file):
        return False
    text = f"{file} is readable by other users (mode {mode:04o}) and holds API credentials; "
    text += f"run: chmod 600 {file}"
    (say or _print_warning)(text)
    return True


def _print_warning(text: str) -> None:
    print(f"warning: {text}", file=sys.stderr)


def config_files(config_file: str | Path | None = None) -> list[Path]:
    """The ``ovh.conf`` files the client reads, in its lookup order, ``config_file`` last."""
    # lazy: loaded when this command runs, not at start-up
    from ovhflow.ovh.config import config_paths

    paths = [Path(p) for p in config_paths()]
    if config_file is not None:
        paths.append(Path(config_file).expanduser())
    return paths


def warn_about_readable_configs(
    config_file: str | Path | None = None, say: Callable[[str], None] | None = None
) -> None:
    """Call :func:`warn_if_readable` on each ``ovh.conf`` the client will read (each file once)."""
    seen: set[str] = set()
    for path in _existing(config_files(config_file)):
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            warn_if_readable(path, say)


def _existing(paths: Iterable[Path]) -> Iterable[Path]:
    return (path for path in paths if path.exists())
