"""``ladderdesk holdings --portfolio NAME [--base CCY] [--out F] [--workspace DB]``: a saved book
valued at the workspace's prices (:data:`desktop.controller.book.HOLDINGS_COLUMNS`): face, clean /
accrued / dirty price per 100 with the price's source and date, market value in local and base
currency. CSV to ``--out`` or standard output; the total on standard error.
"""

from __future__ import annotations

import argparse
import sys

from desktop.cli.common import add_workspace, check_outputs, open_workspace, write_all
from desktop.errors import DataError
from desktop.markets import CURRENCIES

HELP = "a saved portfolio valued: face, clean/accrued/dirty price, price source and date, market value"


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    h = sub.add_parser("holdings", help=HELP, description=HELP)
    add_workspace(h)
    h.add_argument("--portfolio", required=True, metavar="NAME", help="a portfolio saved in the workspace")
    h.add_argument("--base", choices=CURRENCIES, type=str.upper, default="USD", help="base currency (default USD)")
    h.add_argument("--out", metavar="F.csv", help="write the valued book here (default: standard output)")
    return h


def run(args: argparse.Namespace) -> int:
    from desktop.controller.book import valued_holdings
    from desktop.controller.workspace import WorkspaceService
    from desktop.finance import fx_to_base
    from desktop.universe import build_universe

    check_outputs({"--out": args.out}, workspace=args.workspace)
    with open_workspace(args.workspace, readonly=True) as ws:
        if args.portfolio not in set(ws.list_portfolios()["name"]):
            raise DataError(f"no portfolio named {args.portfolio!r} in the workspace", field="--portfolio",
                            expected="a saved portfolio (ladderdesk import holdings FILE --portfolio NAME)")
        snapshot = ws.load_snapshot()
        universe = build_universe(snapshot)
        opened = WorkspaceService(ws).open_portfolio(args.portfolio, universe)
    table = valued_holdings(universe, opened.face, fx_to_base(snapshot.fx_usd_per_unit, args.base))
    if args.out:
        write_all([(table, args.out)])
    else:
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
    print(f"{args.portfolio}: {len(table)} holdings, market value {table['market_value_base'].sum():,.2f} {args.base} "
          f"as of {snapshot.as_of}", file=sys.stderr)
    for line in opened.left_out:
        print(f"ladderdesk: warning: {line} is not in the universe (matured or removed); left out", file=sys.stderr)
    return 0
