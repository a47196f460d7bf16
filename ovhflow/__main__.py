"""``python -m ovhflow`` is the same as the ``ovhflow`` command."""

from ovhflow.cli import main

if __name__ == "__main__":
    main()
