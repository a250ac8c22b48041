"""Where the test data lives, relative to the repository root (never an absolute path).

The shared reference data (raw official downloads, reference tables) sits beside the repository:
``<repo>/../shared/data``. CI clones the repository with ``../shared`` next to it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

#: The repository root (the directory holding ``pyproject.toml``).
REPO = Path(__file__).resolve().parents[2]
#: Real-file fixtures cut from the official downloads, committed with the tests.
FIXTURES_RAW = REPO / "tests" / "fixtures" / "raw"


def shared_dir() -> Path:
    """``<repo>/../shared/data`` (resolved); it may not exist — see :func:`require_shared`."""
    return (REPO / ".." / "shared" / "data").resolve()


def shared_raw() -> Path:
    """The raw official files: ``<repo>/../shared/data/raw``."""
    return shared_dir() / "raw"


def require_shared(rel: str = "") -> Path:
    """``shared_raw() / rel``, or skip the calling test with the path that was looked for."""
    path = shared_raw() / rel
    if not path.exists():
        pytest.skip(f"shared official files not found at {path} (expected ../shared/data/raw beside the repo)")
    return path
