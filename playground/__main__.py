"""Entry point for `python -m playground`."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
