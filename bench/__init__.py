"""The performance benchmark: ``python bench/run.py`` (see bench/RESULTS.md)."""
