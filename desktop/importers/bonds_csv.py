"""Generic bonds CSV: ``market,id,name,coupon_pct,maturity[,clean_price|yield_pct][,issue_date][,settle_date]``.

Header (line 1, names case-insensitive, any order): ``market``, ``id``, ``coupon_pct`` and
``maturity`` are required; ``name``, ``clean_price``, ``yield_pct``, ``issue_date`` and ``settle_date``
are optional (``settle_date``: a per-row settlement date for ``ladderdesk analytics``; the result
carries a ``settle_date`` column only when the file has one, and the store does not keep it).
Any other column is an error (nothing is dropped silently). Per row:

* ``market`` one of US, JP, AU, UK (``GB`` is accepted and stored as UK), case-insensitive;
* ``id`` non-empty and unique in the file, and a real identifier: a source's remark standing where
  the identifier is missing ("(ISIN not found)", "n/a", "TBD", "-") is refused
  (:func:`desktop.identifiers.is_placeholder_id`) — give the bond a readable id instead, e.g.
  ``ACGB 4.25 2036-03-21`` (:func:`desktop.identifiers.derived_id`); ``name`` optional text;
* text fields (id, name) must not start with ``= + @`` nor contain control characters — such
  cells are **rejected** (not neutralised) because a spreadsheet would run them as formulas and a
  silently altered id would no longer match anything;
* ``coupon_pct`` a number in [0, 25]; ``maturity`` an ISO date ``YYYY-MM-DD`` in 1990–2100;
  ``issue_date`` optional ISO date in 1950–2100 and before ``maturity`` (the original issue date:
  interest accrues from the dated date the market derives from it, :mod:`desktop.schedule`);
  ``settle_date`` optional ISO date in 1950–2100;
* at most one of ``clean_price`` (finite, 0 < p < 1000) and ``yield_pct`` (finite, -5 < y < 50).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from desktop.errors import DataError
from desktop.identifiers import is_placeholder_id
from desktop.importers import base

SOURCE_NAME = "bonds CSV"
REQUIRED = ("market", "id", "coupon_pct", "maturity")
OPTIONAL = ("name", "clean_price", "yield_pct", "issue_date", "settle_date")
BOND_COLUMNS = ["market", "id", "name", "coupon_pct", "maturity", "issue_date", "clean_price", "yield_pct"]
MARKETS = ("US", "JP", "AU", "UK")
ISO = (("%Y-%m-%d", "YYYY-MM-DD"),)
_FORMULA_START = ("=", "+", "@")


def _check_text(cells: pd.Series, lines: np.ndarray, file: str, field: str) -> None:
    """Reject formula-looking or control-character text (CSV/spreadsheet injection)."""
    starts = cells.str.startswith(_FORMULA_START).to_numpy()
    control = cells.str.contains(r"[\x00-\x1f\x7f]", regex=True).to_numpy()
    base.refuse_first(starts | control, lines, file=file, field=field,
                      reason=lambda i: f"text {cells.iloc[i]!r} looks like a spreadsheet formula or holds control "
                                       "characters",
                      expected="plain text not starting with = + @ and without control characters")


def _check_not_placeholder(ids: pd.Series, lines: np.ndarray, file: str) -> None:
    """Refuse an id that is a remark standing for a missing identifier (it would reach tickets)."""
    base.refuse_first(ids.map(is_placeholder_id).to_numpy(bool), lines, file=file, field="id",
                      reason=lambda i: f"id {ids.iloc[i]!r} is a placeholder, not an identifier",
                      expected="an ISIN, CUSIP, line code or series, or a readable id such as "
                               "'ACGB 4.25 2036-03-21'")


def _required_nonempty(cells: pd.Series, lines: np.ndarray, file: str, field: str) -> None:
    base.refuse_first((cells == "").to_numpy(), lines, file=file, field=field, reason="required field is empty",
                      expected="a value")


def _header(table: base.Table) -> dict[str, int]:
    cols = base.header_index(table, 0)
    file, line = table.file, table.lines[0]
    for name in cols:
        if name not in REQUIRED and name not in OPTIONAL:
            raise DataError(
                "unknown column",
                file=file,
                line=line,
                field=name,
                expected="columns " + ",".join(REQUIRED + OPTIONAL),
            )
    for name in REQUIRED:
        if name not in cols:
            raise DataError(
                "required column missing from the header",
                file=file,
                line=line,
                field=name,
                expected="a header with " + ",".join(REQUIRED),
            )
    return cols


def parse(path: str | os.PathLike[str]) -> base.ImportResult:
    """Parse and validate a bonds CSV; all rows or none."""
    file = str(path)
    table = base.read_table(path)
    cols = _header(table)
    if len(table.rows) < 2:
        raise DataError(
            "no bond rows after the header",
            file=file,
            line=table.lines[0] + 1,
            field="market",
            expected="one row per bond",
        )
    df, lines = base.frame(table, 1, table.rows[0])
    col = {name: df[i].astype(str) for name, i in cols.items()}
    for name in REQUIRED:
        _required_nonempty(col[name], lines, file, name)

    market = col["market"].str.upper().replace({"GB": "UK"})
    base.refuse_first(~market.isin(MARKETS).to_numpy(), lines, file=file, field="market",
                      reason=lambda i: f"unknown market {col['market'].iloc[i]!r}",
                      expected="US, JP, AU or UK (GB accepted)")
    ids = col["id"]
    _check_text(ids, lines, file, "id")
    _check_not_placeholder(ids, lines, file)
    base.refuse_first(ids.duplicated().to_numpy(), lines, file=file, field="id",
                      reason=lambda i: f"duplicate id {ids.iloc[i]!r}", expected="unique ids")
    names = col.get("name", pd.Series([""] * len(df), dtype=object))
    _check_text(names, lines, file, "name")

    coupon = base.parse_numbers(
        col["coupon_pct"],
        lines,
        file=file,
        field="coupon_pct",
        lo=0.0,
        hi=25.0,
        missing=(),
        what="a coupon in percent",
        closed=True,
    )
    maturity = base.parse_dates(
        col["maturity"],
        lines,
        file=file,
        field="maturity",
        formats=ISO,
        lo=pd.Timestamp("1990-01-01"),
        hi=pd.Timestamp("2100-12-31"),
    )
    issue = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    if "issue_date" in col:
        given = (col["issue_date"] != "").to_numpy()
        if given.any():
            issue[given] = base.parse_dates(
                col["issue_date"][given],
                lines[given],
                file=file,
                field="issue_date",
                formats=ISO,
                hi=pd.Timestamp("2100-12-31"),
            )
            base.refuse_first(given & (issue >= maturity).to_numpy(), lines, file=file, field="issue_date",
                              reason="issue_date is not before maturity", expected="issue_date < maturity")
    settle = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    if "settle_date" in col:
        given = (col["settle_date"] != "").to_numpy()
        if given.any():
            settle[given] = base.parse_dates(
                col["settle_date"][given], lines[given], file=file, field="settle_date", formats=ISO,
                hi=pd.Timestamp("2100-12-31"),
            )
    price = _optional_number(col, "clean_price", lines, file, 0.0, 1000.0, "a clean price per 100")
    yld = _optional_number(
        col, "yield_pct", lines, file, base.YIELD_MIN_PCT, base.YIELD_MAX_PCT, "a yield in percent"
    )
    base.refuse_first((price.notna() & yld.notna()).to_numpy(), lines, file=file, field="yield_pct",
                      reason="both clean_price and yield_pct given",
                      expected="at most one of clean_price and yield_pct per row")
    bonds = pd.DataFrame(
        {
            "market": market.to_numpy(dtype=object),
            "id": ids.to_numpy(dtype=object),
            "name": names.to_numpy(dtype=object),
            "coupon_pct": coupon.to_numpy(dtype="float64"),
            "maturity": maturity.to_numpy(),
            "issue_date": issue.to_numpy(),
            "clean_price": price.to_numpy(dtype="float64"),
            "yield_pct": yld.to_numpy(dtype="float64"),
        }
    )[BOND_COLUMNS]
    if "settle_date" in col:
        bonds["settle_date"] = settle.to_numpy()
    return base.ImportResult(
        kind="bonds",
        source_file=file,
        source_name=SOURCE_NAME,
        rows=len(bonds),
        bonds=bonds,
        curves=None,
        series=None,
    )


def _optional_number(
    col: dict[str, pd.Series], name: str, lines: np.ndarray, file: str, lo: float, hi: float, what: str
) -> pd.Series:
    if name not in col:
        return pd.Series(np.nan, index=next(iter(col.values())).index, dtype="float64")
    return base.parse_numbers(col[name], lines, file=file, field=name, lo=lo, hi=hi, missing=("",), what=what)
