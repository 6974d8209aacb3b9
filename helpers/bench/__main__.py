"""``python -m helpers.bench``: see :mod:`helpers.bench.report`."""
import sys

from .report import main

sys.exit(main())
