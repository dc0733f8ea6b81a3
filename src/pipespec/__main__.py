"""Entry point for ``python -m pipespec``."""

import sys

from .cli import main

sys.exit(main())
