"""Reporting a run: the log (text, JSON, progress bar, forwarding), the report file, and secret masking."""
