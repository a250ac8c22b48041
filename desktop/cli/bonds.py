"""``ladderdesk bonds [--workspace DB] [--out U.csv]``: the universe as the app sees it, one line per
bond (:data:`desktop.controller.book.BOND_LIST_COLUMNS`): static data, the ISIN where the data gives
one, the price with its source (quote / model / extrapolated) and date, yields, the spread to the
market's curve (bp) and the modified duration. CSV to ``--out`` or standard output.
"""

from __future__ import annotations

import argparse
import sys

from desktop.cli.common import add_workspace, check_outputs, open_workspace, write_all

HELP = "the bond universe as the app sees it: ISIN, price source and date, yield, spread to the curve"


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    b = sub.add_parser("bonds", help=HELP, description=HELP)
    add_workspace(b)
    b.add_argument("--out", metavar="U.csv", help="write the list here (default: standard output)")
    b.add_argument("--real", action="store_true", help="real bonds only (no curve-implied generics)")
    return b


def run(args: argparse.Namespace) -> int:
    from desktop.controller.book import bond_list
    from desktop.universe import build_universe

    check_outputs({"--out": args.out}, workspace=args.workspace)
    with open_workspace(args.workspace, readonly=True) as ws:
        snapshot = ws.load_snapshot()
    universe = build_universe(snapshot)
    table = bond_list(universe)
    if args.real:
        table = table[~table["is_generic"].astype(bool)].reset_index(drop=True)
    if args.out:
        write_all([(table, args.out)])
        quoted = int((table["price_source"] == "quote").sum())
        print(f"wrote {len(table)} bonds ({quoted} quoted) as of {snapshot.as_of} to {args.out}", file=sys.stderr)
    else:
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
    if universe.attrs.get("future_quotes"):
        print(f"ladderdesk: note: {universe.attrs['future_quotes']} quote(s) dated after the valuation date "
              f"{snapshot.as_of} not used", file=sys.stderr)
    return 0
