"""Fixtures for the importer tests: paths of the real-file fixtures and a damaged-copy writer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from desktop.errors import DataError
from desktop.importers import mutate

RAW = Path(__file__).resolve().parents[1] / "fixtures" / "raw"
SHARED = Path("/work/shared/data/raw")

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="shared official files not available (CI)")


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
