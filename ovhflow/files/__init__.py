"""Writing files safely: atomic replacement, so a reader never sees half a file."""
