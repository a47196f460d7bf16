"""Reading YAML files into dicts and lists that remember where each key and value is.

PyYAML's own constructors forget positions and silently keep the last of duplicate keys, so the node tree
is composed with a SafeLoader-based composer and built here. Limits, all refused with a located message:

- files over :data:`MAX_FILE_SIZE` bytes (checked before reading), empty, binary or non-UTF-8 files;
- nesting deeper than :data:`MAX_DEPTH` (checked while composing, before Python's recursion limit);
- more than :data:`MAX_NODES` values once aliases are expanded: anchors and aliases work, but a "billion
  laughs" document stops after that many values, quickly and in bounded memory.

Mapping keys are always strings: the key's text as written (``on:`` is ``"on"``, ``1:`` is ``"1"``), which
is what JSON bodies and recipe keys need. Timestamps stay strings; ``!!binary``, ``!!set`` and unknown tags
are refused.
"""

from __future__ import annotations

import hashlib
from itertools import islice
from pathlib import Path
from typing import Any, cast

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ovhflow.errors import Location, RecipeError

MAX_FILE_SIZE = 1024 * 1024  # 1 MiB
MAX_DEPTH = 64
MAX_NODES = 100_000

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_NUMBERS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_SCALARS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    _STR,
}


class LocatedDict(dict):
    """A mapping from a YAML file: ``location`` of the mapping, and of each key and each value."""

    location: Location
    key_locations: dict[str, Location]
    value_locations: dict[str, Location]
    number_texts: dict[str, str]  # each number value as written: YAML 1.1 reads 1_0.5 and 0x1F as numbers


class LocatedList(list):
    """A sequence from a YAML file: ``location`` of the sequence and of each item."""

    location: Location
    item_locations: list[Location]


def _tag_name(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


class _DepthLimitedLoader(yaml.SafeLoader):
    """SafeLoader whose composer refuses deep nesting before it can exhaust the Python stack."""

    def __init__(self, stream: str, filename: str) -> None:
        super().__init__(stream)
        self.name = filename
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise RecipeError(
                    f"YAML is nested more than {MAX_DEPTH} levels deep", Location(self.name, mark.line + 1, 1)
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class TextBlockLocation(Location):
    """Where the text of a ``|`` block scalar starts: its lines are the file's lines from here, so a
    template error on line N of the text is N - 1 lines further down."""

    lines_follow_text = True


class _Builder:
    """Turns composed nodes into LocatedDict / LocatedList / scalars, counting expanded values."""

    def __init__(self, filename: str, loader: yaml.SafeLoader, text: str) -> None:
        self.filename = filename
        self.loader = loader
        self.text = text
        self.lines: list[str] | None = None
        self.count = 0

    def where(self, node: Node) -> Location:
        if isinstance(node, ScalarNode) and node.style == "|":
            if self.lines is None:
                self.lines = self.text.splitlines()
            index = node.start_mark.line + 1
            content = next((line for line in islice(self.lines, index, None) if line.strip()), None)
            if content is not None:
                indent = len(content) - len(content.lstrip(" "))
                return TextBlockLocation(self.filename, index + 1, indent + 1)
        return Location(self.filename, node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: Node, depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise RecipeError(
                f"YAML expands to more than {MAX_NODES:,} values (aliases repeated too often?)",
                self.where(node),
            )
        if depth > MAX_DEPTH:
            raise RecipeError(
                f"YAML is nested more than {MAX_DEPTH} levels deep (through aliases)", self.where(node)
            )
        if isinstance(node, MappingNode):
            if node.tag != _MAP:
                raise RecipeError(f"unsupported YAML tag {_tag_name(node.tag)}", self.where(node))
            return self.mapping(node, depth)
        if isinstance(node, SequenceNode):
            if node.tag != _SEQ:
                raise RecipeError(f"unsupported YAML tag {_tag_name(node.tag)}", self.where(node))
            result = LocatedList(self.build(item, depth + 1) for item in node.value)
            result.location = self.where(node)
            result.item_locations = [self.where(item) for item in node.value]
            return result
        return self.scalar(cast(ScalarNode, node))  # neither a mapping nor a sequence

    def scalar(self, node: ScalarNode) -> Any:
        if node.tag == _TIMESTAMP:
            return node.value
        if node.tag not in _SCALARS:
            raise RecipeError(f"unsupported YAML tag {_tag_name(node.tag)}", self.where(node))
        try:
            return self.loader.construct_object(node, deep=True)
        except (ConstructorError, ValueError) as exc:
            raise RecipeError(f"invalid YAML value {node.value!r}: {exc}", self.where(node)) from None

    def mapping(self, node: MappingNode, depth: int) -> LocatedDict:
        result = LocatedDict()
        result.location = self.where(node)
        result.key_locations, result.value_locations, result.number_texts = {}, {}, {}
        merged: list[tuple[str, Any, Location, Location]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged.extend(self.merge_items(value_node, depth))
                continue
            if not isinstance(key_node, ScalarNode):
                if self.text.startswith("{{", node.start_mark.index):
                    # lazy: as parse_yaml's, for a file with a problem only
                    from ovhflow.recipe.yaml_problems import unquoted_template

                    raise RecipeError(unquoted_template(self.text, node.start_mark.index), self.where(node))
                raise RecipeError(
                    "mapping keys must be plain text, not lists or mappings", self.where(key_node)
                )
            key = key_node.value
            if key in result:
                first = result.key_locations[key]
                raise RecipeError(
                    f"duplicate key {key!r} (first at line {first.line}): a mapping holds each key once",
                    self.where(key_node),
                )
            result[key] = self.build(value_node, depth + 1)
            result.key_locations[key] = self.where(key_node)
            result.value_locations[key] = self.where(value_node)
            if value_node.tag in _NUMBERS and isinstance(value_node, ScalarNode):
                result.number_texts[key] = value_node.value
        for key, value, key_location, value_location in merged:
            if key not in result:  # keys written in the mapping win over merged ones
                result[key] = value
                result.key_locations[key] = key_location
                result.value_locations[key] = value_location
        return result

    def merge_items(self, node: Node, depth: int) -> list[tuple[str, Any, Location, Location]]:
        sources = node.value if isinstance(node, SequenceNode) else [node]
        items = []
        for source in sources:
            built = self.build(source, depth + 1)
            if not isinstance(built, LocatedDict):
                raise RecipeError("'<<' merges a mapping or a list of mappings", self.where(source))
            for key, value in built.items():
                items.append((key, value, built.key_locations[key], built.value_locations[key]))
        return items


def _check_depth(text: str, filename: str) -> None:
    """Refuse deep nesting from the parser's events (flat, in C) before anything recursive runs."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    raise RecipeError(
                        f"YAML is nested more than {MAX_DEPTH} levels deep",
                        Location(filename, mark.line + 1 if mark else 1, 1),
                    )
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        # Newer libyaml builds scan flow collections ahead and stop at their own depth limit first.
        if "nesting depth" not in str(exc.problem) or exc.problem_mark is None:
            raise
        line = exc.problem_mark.line + 1
        raise RecipeError(
            f"YAML is nested more than {MAX_DEPTH} levels deep", Location(filename, line, 1)
        ) from None


def _compose(text: str, filename: str) -> tuple[Node | None, Any]:
    """The node tree and a loader whose constructor builds scalars; libyaml when available (fast)."""
    if yaml.__with_libyaml__:
        _check_depth(text, filename)
        loader: Any = yaml.CSafeLoader(text)
    else:
        loader = _DepthLimitedLoader(text, filename)
    try:
        return loader.get_single_node(), loader
    except BaseException:
        loader.dispose()
        raise


def parse_yaml(text: str, filename: str) -> Any:
    """Parse one YAML document with locations; ``None`` for a document with no content."""
    loader = None
    try:
        node, loader = _compose(text, filename)
        return None if node is None else _Builder(filename, loader, text).build(node)
    except yaml.YAMLError as exc:
        # lazy: only a file with a YAML problem needs the words for it
        from ovhflow.recipe.yaml_problems import yaml_problem

        raise yaml_problem(exc, text, filename) from None
    finally:
        if loader is not None:
            loader.dispose()


def read_text(path: str | Path, what: str = "recipe") -> str:
    """Read a YAML file as text with the size, type and encoding checks every input file gets."""
    return _read(path, what)[0]


def _read(path: str | Path, what: str) -> tuple[str, bytes]:
    """The file's text, and its bytes as read."""
    name = str(path)
    file = Path(path)
    try:
        if file.is_dir():
            raise RecipeError(f"{name}: is a directory, not a {what} file")
        size = file.stat().st_size
        if size > MAX_FILE_SIZE:
            raise RecipeError(f"{name}: file is {size:,} bytes, over the limit of {MAX_FILE_SIZE:,} bytes")
        with file.open("rb") as handle:
            data = handle.read(MAX_FILE_SIZE + 1)
    except FileNotFoundError:
        raise RecipeError(f"{name}: no such file") from None
    except PermissionError:
        raise RecipeError(f"{name}: permission denied") from None
    except OSError as exc:
        raise RecipeError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_SIZE:
        raise RecipeError(f"{name}: file is over the limit of {MAX_FILE_SIZE:,} bytes")
    if b"\x00" in data:
        raise RecipeError(f"{name}: binary file, not a YAML {what}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise RecipeError(f"{what} file is not UTF-8 text", Location(name, line, column)) from None
    return text, data


def load_yaml_file(path: str | Path, what: str = "recipe") -> Any:
    """Read and parse a YAML file; an empty document is an error naming what was expected."""
    return load_yaml_source(path, what)[0]


def load_yaml_source(path: str | Path, what: str = "recipe") -> tuple[Any, str]:
    """:func:`load_yaml_file`, and the SHA-256 of the bytes parsed (a saved plan binds the recipe by
    it: the content that was read, not the file read again later)."""
    name = str(path)
    text, data = _read(path, what)
    value = parse_yaml(text, name)
    if value is None:
        raise RecipeError(f"{name}: empty file, expected a YAML {what} mapping")
    return value, hashlib.sha256(data).hexdigest()
