"""``python -m helpers.grade``: see :mod:`helpers.grade.cli` (``--help``)."""
import sys

from .cli import main, parser

__all__ = ["main", "parser"]

if __name__ == "__main__":
    sys.exit(main())
