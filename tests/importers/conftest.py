"""Fixtures for the importer tests: paths of the real-file fixtures and a damaged-copy writer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from desktop.errors import DataError
from tests.support import mutate
from tests.support.paths import FIXTURES_RAW, shared_raw

RAW = FIXTURES_RAW
#: The official downloads, found at ``<repo>/../shared/data/raw`` (CI clones ../shared beside the repo).
SHARED = shared_raw()

needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"shared official files not found at {SHARED} (../shared/data/raw beside the repo)"
)


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, bytes | str], Path]:
    """Write bytes (or UTF-8 text) to ``tmp_path/name`` and return the path."""

    def _write(name: str, data: bytes | str) -> Path:
        path = tmp_path / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    return _write


def raises_at(
    parse: Callable[[str], object], path: Path, *, line: int | None, field: str | None, text: str = ""
) -> DataError:
    """Assert ``parse(path)`` raises a DataError at ``line``/``field`` whose message contains ``text``."""
    with pytest.raises(DataError) as info:
        parse(str(path))
    err = info.value
    mutate.check_error(err, str(path))
    if line is not None:
        assert err.line == line, str(err)
    if field is not None:
        assert err.field == field, str(err)
    assert text in str(err), str(err)
    return err
