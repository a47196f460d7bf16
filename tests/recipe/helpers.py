"""What recipe tests import: the corpus of recipe files (good and bad) they are checked against."""

from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
