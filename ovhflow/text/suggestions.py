"""Did-you-mean: the name a person most likely meant, for recipe keys, actions, filters, API paths
and commands alike. A neutral home, so that the recipe language, templates, the API check and the
command line share one notion of "close" without importing each other."""

from __future__ import annotations

from collections.abc import Iterable


def edit_distance(first: str, second: str) -> int:
    """Insertions, deletions, substitutions and swaps of two neighbours turning one word into the other.

    Swapped letters (``gte``, ``cvs``) are the commonest slip in short words, and ``difflib``'s ratio
    scores them too low to suggest anything, or prefers a longer word (``ste`` -> ``steps``, not ``set``).
    """
    previous2: list[int] = []
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, 1):
        current = [i]
        for j, b in enumerate(second, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b))
            if i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.7) -> str | None:
    """The candidate a person most likely meant by ``word``, or None when none is close enough.

    The same word in another case wins (``GET`` -> ``get``); then the fewest edits, counting a swap of
    two letters as one (at most one edit for words up to 4 letters, and not a replaced letter there; two
    up to 8; three beyond), ties broken by similarity; then difflib's similarity above ``cutoff``.
    """
    names = sorted(set(candidates) - {word})
    if not names or not word:
        return None
    same_case = [name for name in names if name.lower() == word.lower()]
    if same_case:
        return same_case[0]
    allowed = 1 if len(word) <= 4 else 2 if len(word) <= 8 else 3
    scored = [(edit_distance(word.lower(), name.lower()), name) for name in names]
    near = [
        (distance, name)
        for distance, name in scored
        if distance <= min(allowed, len(name) - 1) and not _short_substitution(word, name)
    ]
    # lazy: suggestions are for mistakes; validating a correct recipe never needs difflib (start-up)
    import difflib

    if near:
        ratio = difflib.SequenceMatcher(a=word)

        def similarity(name: str) -> float:
            ratio.set_seq2(name)
            return ratio.ratio()

        return min(near, key=lambda pair: (pair[0], -similarity(pair[1]), pair[1]))[1]
    close = difflib.get_close_matches(word, names, n=1, cutoff=cutoff)
    return close[0] if close else None


def _short_substitution(word: str, name: str) -> bool:
    """One letter replaced in a word of four letters or fewer (``row`` and ``now``): too weak a match."""
    return len(word) <= 4 and len(word) == len(name) and sorted(word.lower()) != sorted(name.lower())


def did_you_mean(word: str, candidates: Iterable[str], cutoff: float = 0.7) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or nothing when none is close enough."""
    match = closest(word, candidates, cutoff)
    return f" (did you mean {match!r}?)" if match is not None else ""
