"""API paths as segments: how a recipe or request path lines up with a schema path, and how close it is.

A recipe path keeps each ``{{ template }}`` whole as one segment. Such a segment stands for a ``{param}``
segment of the schema path, never for a literal word: ``/domain/zone/{{ z }}/records`` is a typo, not a
path whose ``records`` might be anything. A literal segment of a recipe or request path equals the
schema's literal, or fills a ``{param}``.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Sequence

from ovhflow.apischema.document import is_param

SPLICE = re.compile(r"\|\s*segments\b")
NEAR_MISS = 0.6  # how alike two literal segments must be (difflib ratio) to suggest one for the other
GAP = 0.5  # a segment missing or one too many
FILLS_PARAM = 0.2  # a literal filling a {param} fits, but a schema literal close to it fits better


def split_path(path: str) -> list[str]:
    """Segments of a path, splitting on ``/`` outside ``{{ }}`` so a template stays one segment."""
    segments: list[str] = []
    current: list[str] = []
    depth = 0
    i = 0
    while i < len(path):
        pair = path[i : i + 2]
        if pair in ("{{", "{%"):
            depth += 1
            current.append(pair)
            i += 2
            continue
        if pair in ("}}", "%}") and depth:
            depth -= 1
            current.append(pair)
            i += 2
            continue
        char = path[i]
        if char == "/" and not depth:
            segments.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    segments.append("".join(current))
    return [s for s in segments if s != ""]


def is_template(segment: str) -> bool:
    return "{{" in segment or "{%" in segment


def splices(segment: str) -> bool:
    """A segment with ``{{ value | segments }}``: it stands for as many segments as the value has."""
    return is_template(segment) and SPLICE.search(segment) is not None


def api_head(segments: Sequence[str]) -> list[str]:
    """The segments that name the API family: ``["dedicated"]``, or ``["v2", "iam"]`` for v2."""
    return list(segments[:2] if segments[:1] == ["v2"] else segments[:1])


def literal_hits(schema: Sequence[str], wanted: Sequence[str], loose: bool = False) -> int | None:
    """How many literal segments ``wanted`` shares with a schema path it fits, or None when it does not.

    Paths of the same length only; a templated segment fits a ``{param}`` only, unless ``loose`` (to
    explain a miss: the template was meant for a fixed word).
    """
    hits = 0
    for have, want in zip(schema, wanted, strict=True):
        if is_template(want):
            if not (is_param(have) or loose):
                return None
        elif have == want:
            hits += 1
        elif not is_param(have):
            return None
    return hits


def path_values(schema: Sequence[str], wanted: Sequence[str]) -> dict[str, str]:
    """The literal each ``{param}`` of a schema path gets from a path that fits it (templates left out)."""
    return {
        have[1:-1]: want
        for have, want in zip(schema, wanted, strict=True)
        if is_param(have) and not is_template(want)
    }


@functools.lru_cache(maxsize=65536)  # the same few segments meet thousands of schema paths
def segment_distance(have: str, want: str) -> float | None:
    """How far a wanted segment is from a schema segment: 0 when it fits, None when too far to suggest."""
    if is_template(want):
        return 0.0 if is_param(have) else None
    if have == want:
        return 0.0
    if is_param(have):
        return FILLS_PARAM
    if have.lower() == want.lower():
        return 0.05
    if 2 * min(len(have), len(want)) < NEAR_MISS * (len(have) + len(want)):
        return None  # lengths alone rule out a ratio that high
    ratio = difflib.SequenceMatcher(None, have.lower(), want.lower()).ratio()
    return 1.0 - ratio if ratio >= NEAR_MISS else None


def path_distance(schema: Sequence[str], wanted: Sequence[str], max_misses: int = 2) -> float | None:
    """Sum of the segment distances of two paths of one length; None when a segment, or too many, differ."""
    total, misses = 0.0, 0
    for have, want in zip(schema, wanted, strict=True):
        distance = segment_distance(have, want)
        if distance is None:
            return None
        if distance and not is_param(have):
            misses += 1
            if misses > max_misses:
                return None
        total += distance
    return total


def gapped_distance(schema: Sequence[str], wanted: Sequence[str]) -> float | None:
    """:func:`path_distance` of paths one segment apart in length, that segment left out where best."""
    schema_longer = len(schema) > len(wanted)
    size = min(len(schema), len(wanted))

    def fit(index: int, shift: int) -> tuple[float, int] | None:
        """Distance and near-miss count of the shorter path's segment ``index`` against the longer's."""
        have, want = (
            (schema[index + shift], wanted[index])
            if schema_longer
            else (schema[index], wanted[index + shift])
        )
        distance = segment_distance(have, want)
        if distance is None:
            return None
        return distance, int(bool(distance) and not is_param(have))

    before: list[tuple[float, int]] = [(0.0, 0)]  # fits of the first i segments, no gap among them
    for index in range(size):
        step = fit(index, 0)
        if step is None:
            break
        before.append((before[-1][0] + step[0], before[-1][1] + step[1]))
    after: dict[int, tuple[float, int]] = {size: (0.0, 0)}  # fits from segment i on, past the gap
    for index in range(size - 1, -1, -1):
        step = fit(index, 1)
        if step is None:
            break
        after[index] = (after[index + 1][0] + step[0], after[index + 1][1] + step[1])
    totals = [
        before[gap][0] + after[gap][0]
        for gap in range(min(len(before), size + 1))
        if gap in after and before[gap][1] + after[gap][1] <= 1
    ]
    return min(totals) + GAP if totals else None
