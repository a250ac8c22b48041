"""``ladderdesk analytics --bonds IN.csv [--settle YYYY-MM-DD] [--out OUT.csv]``: price/yield, accrued,
durations (years), convexity (years²), dv01 and key-rate durations (per 100 face, local ccy) for
each bond of IN (a bonds CSV with ``clean_price`` or ``yield_pct`` on every row). Optional columns
``issue_date`` (a first coupon period accrues from the bond's dated date: the issue date for gilts
and ACGBs, short or long as the market's rule says; a US Treasury issued up to 31 days after its
cycle date and every JGB are dated on the regular date before issue — docs/conventions.md) and ``settle_date`` (this row's settlement; ``--settle`` for rows without one, and
``--settle`` may be left out when every row has one). CSV to stdout without ``--out``; ``--out`` is
written atomically and formula-injection safe.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd

from desktop.cli.common import check_outputs, iso_date
from desktop.errors import DataError

HELP = "bond analytics (price/yield, accrued, durations, convexity, dv01, KRDs) for a bonds CSV"
ANALYTICS_OUT = [
    "clean_price", "accrued", "dirty_price", "yield_pct", "mod_duration", "mac_duration", "convexity", "dv01",
    "krd_2y", "krd_5y", "krd_10y", "krd_30y",
]


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    a = sub.add_parser("analytics", help=HELP, description=HELP)
    a.add_argument("--bonds", required=True, metavar="IN.csv", help="market,id,coupon_pct,maturity + clean_price|yield_pct")
    a.add_argument("--settle", type=iso_date, metavar="YYYY-MM-DD",
                   help="settlement date (rows with a settle_date column value use their own)")
    a.add_argument("--out", metavar="OUT.csv", help="write here (atomically) instead of stdout")
    return a


def _read_bonds(path: str) -> tuple[pd.DataFrame, list[str], np.ndarray]:
    """Bonds of IN (validated by the bonds-CSV importer), its column names and each row's line."""
    from desktop.importers import base, parse_file

    result = parse_file("bonds", path)
    table = base.read_table(path)
    header = [c.strip().casefold() for c in table.rows[0]]
    return result.bonds, header, np.asarray(table.lines[1:])


def run(args: argparse.Namespace) -> int:
    """``ladderdesk analytics``."""
    from desktop.analytics import bond_analytics
    from desktop.export import neutralise_frame, write_csv

    check_outputs({"--out": args.out}, inputs={"--bonds": args.bonds})
    bonds, header, lines = _read_bonds(args.bonds)
    has_price, has_yield = bonds["clean_price"].notna(), bonds["yield_pct"].notna()
    row_settle = bonds["settle_date"] if "settle_date" in bonds else pd.Series(pd.NaT, index=bonds.index)
    settle = row_settle.fillna(pd.Timestamp(args.settle) if args.settle else pd.NaT)
    for mask, why, field in (
        (settle.isna(), "no settle_date on this row and no --settle given", "settle_date"),
        (~(has_price | has_yield), "neither clean_price nor yield_pct given", "clean_price"),
        (bonds["maturity"] <= settle, "bond matures on or before its settlement date", "maturity"),
    ):
        if mask.any():
            i = int(np.flatnonzero(mask.to_numpy())[0])
            raise DataError(why, file=args.bonds, line=int(lines[i]), field=field,
                            expected="clean_price or yield_pct on every row, a settlement date (--settle or "
                            "settle_date) before maturity")
    parts = []
    if has_price.any():
        b = bonds[has_price]
        parts.append(bond_analytics(b, settle[has_price], clean_price=b["clean_price"].to_numpy()))
    if has_yield.any():
        b = bonds[has_yield & ~has_price]
        parts.append(bond_analytics(b, settle[has_yield & ~has_price], yield_pct=b["yield_pct"].to_numpy()))
    figures = pd.concat(parts).sort_index()
    if "settle_date" in bonds:
        bonds = bonds.assign(settle_date=settle)  # the settlement each row was computed at
    keep = [c for c in header if c in bonds.columns and c not in ANALYTICS_OUT]
    out = pd.concat([bonds[keep], figures[ANALYTICS_OUT]], axis=1)
    for col in ("maturity", "issue_date", "settle_date"):
        if col in out:
            out[col] = out[col].dt.strftime("%Y-%m-%d").where(out[col].notna(), "")
    failed = int(figures["yield_pct"].isna().sum() + figures["clean_price"].isna().sum())
    if args.out:
        write_csv(out, args.out)
        print(f"wrote {len(out)} bonds to {args.out}", file=sys.stderr)
    else:
        neutralise_frame(out).to_csv(sys.stdout, index=False, lineterminator="\n")
    if failed:
        print(f"note: {failed} figures could not be computed (left blank)", file=sys.stderr)
    return 0


