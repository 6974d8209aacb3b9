"""``python -m helpers.site``: build the course website (see :mod:`helpers.site`)."""
import sys

from . import main

sys.exit(main())
