"""Importers of the official data formats; ``parse_file(kind, path)`` dispatches by CLI kind name.

Each module exposes ``parse(path) -> ImportResult`` and raises :class:`desktop.errors.DataError`
(file, line, field, expected) for bad input. Importers never write to the store.
"""

from __future__ import annotations

import importlib
import os

from desktop.errors import DataError
from desktop.importers.base import ImportResult

#: CLI kind name → module under ``desktop.importers``.
KINDS: dict[str, str] = {
    "bonds": "bonds_csv",
    "us-treasury": "us_treasury",
    "mof-jgb": "mof_jgb",
    "rba-f2": "rba_f2",
    "boe": "boe",
    "fred": "fred",
}

__all__ = ["KINDS", "ImportResult", "parse_file"]


def parse_file(kind: str, path: str | os.PathLike[str]) -> ImportResult:
    """Parse ``path`` with the importer for ``kind`` (one of :data:`KINDS`).

    Always returns a complete ImportResult or raises DataError. As a last line of defence an
    unexpected exception inside an importer (a bug) is reported as a DataError naming the file,
    so the CLI and the UI never show a traceback; the fuzz tests call the modules directly so such
    bugs still surface there.
    """
    module_name = KINDS.get(kind)
    if module_name is None:
        raise DataError(
            f"unknown import kind {kind!r}", file=str(path), expected="one of " + ", ".join(KINDS)
        )
    module = importlib.import_module(f"desktop.importers.{module_name}")
    try:
        return module.parse(path)
    except DataError:
        raise
    except Exception as exc:  # noqa: BLE001 - last line of defence, see docstring
        raise DataError(f"could not be read ({type(exc).__name__}: {exc})", file=str(path)) from exc
