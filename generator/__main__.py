"""``python -m generator``: the same as the ``glossary`` command."""

import sys

from .cli import main

sys.exit(main())
