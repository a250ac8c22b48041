"""Importers of the official data formats; ``parse_file(kind, path)`` dispatches by CLI kind name.

Each module exposes ``parse(path) -> ImportResult`` and raises :class:`desktop.errors.DataError`
(file, 1-based physical line — the sheet row for workbooks —, field, expected) for bad input.
Importers never write to the store.

=============  ===================  ==========================================================
kind           module               file
=============  ===================  ==========================================================
bonds          ``bonds_csv``        generic bonds CSV → ``bonds``; an XML file (``.xml`` or ``<`` first)
               ``dmo_d1a``          goes to the DMO D1A "gilts in issue" importer (conventional gilts)
us-treasury    ``us_treasury``      Treasury daily par yield curve CSV (+ pandas/Excel re-saves)
mof-jgb        ``mof_jgb``          MoF ``jgbcm*.csv`` (cp932, era dates) / ``jgbcme*.csv``
rba-f2         ``rba_f2``           RBA ``f2-data.csv`` (AGS 2/3/5/10y)
boe            ``boe``/``boe_iadb`` BoE GLC workbook (spot curve, zero) or IADB CSV download
fred           ``fred``             FRED series CSV → ``series``
ecb-fx         ``ecb_fx``           ECB ``eurofxref-hist.csv`` / ``.zip`` → ``series`` ``ECB_<CCY>`` (per EUR);
                                    the store turns them into month-end FX history
prices         ``prices``           price files → quotes (generic CSV, Tradeweb/FTSE gilt closes,
                                    DMO gilt closing prices; auto-detected): a ``PriceFile``
=============  ===================  ==========================================================

Shared rules: all or nothing (one bad cell rejects the file); blank/missing cells are skipped,
never filled; yields must be finite in (-5, 50) %; observation dates 1950–2099 and each date once;
a UTF-8 BOM and CRLF are accepted; columns are matched by name where the publisher's layout
changes. Text that would run as a spreadsheet formula (``= + @`` first) or holds control
characters is rejected in bond ids/names, not neutralised. ``ImportResult.rows`` counts accepted
bonds, or observation dates with at least one value.

The fuzzing harness (``mutate``, ``campaign``) lives in ``tests/support``, outside the package.
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
    "ecb-fx": "ecb_fx",
    "prices": "prices",
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
    if kind == "bonds" and _looks_like_xml(path):
        module_name = "dmo_d1a"  # ``import bonds FILE.xml``: the DMO gilts-in-issue report
    module = importlib.import_module(f"desktop.importers.{module_name}")
    try:
        return module.parse(path)
    except DataError:
        raise
    except Exception as exc:  # noqa: BLE001 - last line of defence, see docstring
        raise DataError(f"could not be read ({type(exc).__name__}: {exc})", file=str(path)) from exc


def _looks_like_xml(path: str | os.PathLike[str]) -> bool:
    """``.xml`` suffix, or the first non-blank byte is ``<`` (a CSV never starts so)."""
    if str(path).lower().endswith(".xml"):
        return True
    from desktop.importers.base import check_regular

    try:
        check_regular(path)  # never open a FIFO or a device here (it would block)
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except (OSError, DataError):
        return False  # the CSV importer reports the unreadable file
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
