"""DMO D1A "gilts in issue" XML (``https://www.dmo.gov.uk/data/XmlDataReport?reportCode=D1A``).

Layout (as published): a ``<Data>`` root holding one ``<View_GILTS_IN_ISSUE .../>`` element per gilt,
everything in attributes: ``INSTRUMENT_TYPE`` (``Conventional``, ``Index-linked 3 months`` / ``8
months``; trailing spaces happen), ``INSTRUMENT_NAME`` (``4 1/8% Treasury Gilt 2027``, ``4¼% ...``,
``1¼ % ...``: the coupon is only in the name), ``ISIN_CODE``, ``REDEMPTION_DATE`` and
``FIRST_ISSUE_DATE`` (``YYYY-MM-DDT00:00:00``), ``DIVIDEND_DATES``, ``CURRENT_EX_DIV_DATE``,
``CLOSE_OF_BUSINESS_DATE``. Blank lines may precede the root.

Result (kind ``bonds``): conventional gilts only, ``market`` UK, ``id`` the ISIN, ``name`` the DMO name,
``coupon_pct`` from the name, ``maturity`` = redemption date, ``issue_date`` = first issue date, no
price. Index-linked gilts are skipped and counted in ``source_name`` ("DMO D1A gilts in issue
2023-12-01 (33 index-linked skipped)"). All or nothing: a malformed file or element is a DataError
naming the file, the element (its 1-based position and ISIN) as ``line``/``field`` and what was expected.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from fractions import Fraction

import numpy as np
import pandas as pd

from desktop.errors import DataError
from desktop.importers import base
from desktop.importers.bonds_csv import BOND_COLUMNS

SOURCE_NAME = "DMO D1A gilts in issue"
ELEMENT = "View_GILTS_IN_ISSUE"
REQUIRED = ("INSTRUMENT_TYPE", "INSTRUMENT_NAME", "ISIN_CODE", "REDEMPTION_DATE", "FIRST_ISSUE_DATE")
_VULGAR = {"¼": Fraction(1, 4), "½": Fraction(1, 2), "¾": Fraction(3, 4), "⅛": Fraction(1, 8),
           "⅜": Fraction(3, 8), "⅝": Fraction(5, 8), "⅞": Fraction(7, 8)}
# "4", "0 1/8", "4¼", "1¼ ", "4.125" before the "%" (spaces anywhere around the parts)
_COUPON = re.compile(r"^\s*(?P<whole>\d+(?:\.\d+)?)?\s*(?P<vulgar>[¼½¾⅛⅜⅝⅞])?\s*"
                     r"(?:(?P<num>\d+)\s*/\s*(?P<den>\d+))?\s*%")
_ISIN = re.compile(r"^GB[0-9A-Z]{9}[0-9]$")


def coupon_from_name(name: str) -> float | None:
    """Coupon in % from a DMO instrument name (``4 1/8% Treasury Gilt 2027`` → 4.125); None if none."""
    m = _COUPON.match(name)
    if not m or not (m["whole"] or m["vulgar"] or m["num"]):
        return None
    value = Fraction(m["whole"] or "0")
    if m["vulgar"]:
        value += _VULGAR[m["vulgar"]]
    if m["num"]:
        if int(m["den"]) == 0:
            return None
        value += Fraction(int(m["num"]), int(m["den"]))
    return float(value)


def _date(text: str | None, file: str, pos: int, field: str) -> pd.Timestamp:
    stamp = pd.to_datetime((text or "").strip()[:10], format="%Y-%m-%d", errors="coerce")
    if pd.isna(stamp) or not (base.DATE_MIN <= stamp <= base.DATE_MAX):
        raise DataError(f"{ELEMENT} #{pos}: {field} {text!r} is not a date", file=file, line=pos,
                        field=field, expected="YYYY-MM-DDT00:00:00 in 1950–2099")
    return stamp


def parse(path: str | os.PathLike[str]) -> base.ImportResult:
    """Conventional gilts of a D1A XML file (see the module docstring)."""
    file = str(path)
    data = base.read_bytes(path)
    try:
        root = ET.fromstring(data.lstrip())
    except ET.ParseError as exc:
        line, col = exc.position
        # the file's own line: the blank lines stripped before the root are counted back in
        skipped = data[: len(data) - len(data.lstrip())].count(b"\n")
        raise DataError(f"not well-formed XML ({exc.msg if hasattr(exc, 'msg') else exc})", file=file,
                        line=line + skipped, field=f"column {col + 1}",
                        expected=f"<Data> holding <{ELEMENT} .../> elements") from None
    if root.tag != "Data":
        raise DataError(f"root element is <{root.tag}>", file=file, field=root.tag,
                        expected=f"<Data> holding <{ELEMENT} .../> elements (DMO report D1A)")
    rows, index_linked, dates = [], 0, set()
    for pos, el in enumerate(root, start=1):
        if el.tag != ELEMENT:
            raise DataError(f"element #{pos} is <{el.tag}>", file=file, line=pos, field=el.tag,
                            expected=f"<{ELEMENT} .../>")
        for attr in REQUIRED:
            if not (el.get(attr) or "").strip():
                raise DataError(f"{ELEMENT} #{pos} has no {attr}", file=file, line=pos, field=attr,
                                expected=f"attributes {', '.join(REQUIRED)}")
        kind = el.get("INSTRUMENT_TYPE", "").strip()
        isin = el.get("ISIN_CODE", "").strip()
        if not _ISIN.match(isin):
            raise DataError(f"{ELEMENT} #{pos}: ISIN_CODE {isin!r} is not a UK ISIN", file=file, line=pos,
                            field="ISIN_CODE", expected="GB + 9 alphanumerics + a check digit")
        if kind.lower().startswith("index-linked"):
            index_linked += 1
            continue
        if kind.lower() != "conventional":
            raise DataError(f"{ELEMENT} #{pos} ({isin}): unknown INSTRUMENT_TYPE {kind!r}", file=file,
                            line=pos, field="INSTRUMENT_TYPE", expected="Conventional or Index-linked …")
        name = " ".join(el.get("INSTRUMENT_NAME", "").split())
        if re.search(r"[\x00-\x1f\x7f]", name) or name.startswith(("=", "+", "@")):
            raise DataError(f"{ELEMENT} #{pos} ({isin}): INSTRUMENT_NAME holds control or formula characters",
                            file=file, line=pos, field="INSTRUMENT_NAME", expected="plain text")
        coupon = coupon_from_name(name)
        if coupon is None or not 0.0 <= coupon <= 25.0:
            raise DataError(f"{ELEMENT} #{pos} ({isin}): no coupon in INSTRUMENT_NAME {name!r}", file=file,
                            line=pos, field="INSTRUMENT_NAME", expected="a name starting with the coupon, e.g. '4 1/8%'")
        maturity = _date(el.get("REDEMPTION_DATE"), file, pos, "REDEMPTION_DATE")
        issue = _date(el.get("FIRST_ISSUE_DATE"), file, pos, "FIRST_ISSUE_DATE")
        if issue >= maturity:
            raise DataError(f"{ELEMENT} #{pos} ({isin}): FIRST_ISSUE_DATE is not before REDEMPTION_DATE",
                            file=file, line=pos, field="FIRST_ISSUE_DATE", expected="issue < redemption")
        if el.get("CLOSE_OF_BUSINESS_DATE"):
            dates.add(_date(el.get("CLOSE_OF_BUSINESS_DATE"), file, pos, "CLOSE_OF_BUSINESS_DATE"))
        rows.append((pos, isin, name, coupon, maturity, issue))
    if not rows:
        raise DataError("no conventional gilt in the file", file=file, field=ELEMENT,
                        expected=f"<{ELEMENT} INSTRUMENT_TYPE=\"Conventional\" .../> elements")
    ids = [r[1] for r in rows]
    dup = pd.Series(ids).duplicated().to_numpy()
    if dup.any():
        r = rows[int(np.flatnonzero(dup)[0])]
        raise DataError(f"{ELEMENT} #{r[0]}: ISIN {r[1]} listed twice", file=file, line=r[0], field="ISIN_CODE",
                        expected="each gilt once")
    bonds = pd.DataFrame({
        "market": "UK",
        "id": ids,
        "name": [r[2] for r in rows],
        "coupon_pct": np.array([r[3] for r in rows], dtype="float64"),
        "maturity": pd.to_datetime([r[4] for r in rows]),
        "issue_date": pd.to_datetime([r[5] for r in rows]),
        "clean_price": np.nan,
        "yield_pct": np.nan,
    })[BOND_COLUMNS]
    as_of = f" {max(dates):%Y-%m-%d}" if dates else ""
    return base.ImportResult(
        kind="bonds",
        source_file=file,
        source_name=f"{SOURCE_NAME}{as_of} ({index_linked} index-linked skipped)",
        rows=len(bonds),
        bonds=bonds,
        curves=None,
        series=None,
    )
