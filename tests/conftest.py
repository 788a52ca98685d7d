"""Shared test setup: the repository root on sys.path."""

import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

try:  # property tests check values, not speed: a loaded 2-core CI machine must not fail them on time
    from hypothesis import settings

    settings.register_profile("playground", deadline=None)
    settings.load_profile("playground")
except ImportError:  # the browser-only environment
    pass
