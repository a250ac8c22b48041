"""``ladderdesk roll``: roll a saved ladder to a date — what matures (and the coupons received) by
then is reinvested at the far end of the ladder, so it keeps its length and rung shape.

Nothing is sold (minimum turnover); real bonds only; the BUY ticket (``--trades``) has the TRADES
columns. Priced at the workspace's prices. ``--save NAME`` keeps the rolled book as a portfolio.
Exit 0 ok; 2 bad input (nothing written).
"""

from __future__ import annotations

import argparse
import json
import sys

from desktop.cli.common import add_workspace, iso_date, open_workspace, write_all
from desktop.markets import CURRENCIES

HELP = "roll a saved ladder to a date: reinvest maturities and coupons at the far end; write the ticket"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser("roll", help=HELP, description=__doc__.split("\n\n")[0])
    add_workspace(p)
    p.add_argument("--portfolio", required=True, metavar="NAME", help="the saved portfolio to roll")
    p.add_argument("--to", required=True, type=iso_date, metavar="DATE", help="roll date (YYYY-MM-DD)")
    p.add_argument("--base", choices=CURRENCIES, type=str.upper, default="USD", help="base currency of cash_base")
    p.add_argument("--trades", metavar="T.csv", help="write the ticket here")
    p.add_argument("--save", metavar="NAME", help="save the rolled book as portfolio NAME")
    p.add_argument("--overwrite", action="store_true", help="--save over an existing portfolio of that name")
    p.add_argument("--json", action="store_true", help="summary as JSON")
    return p


def run(args: argparse.Namespace) -> int:
    from desktop.controller.book import holdings_of, match_holdings
    from desktop.controller.liabilities import check_save_name
    from desktop.controller.needs import NEEDS_CARD_KEY
    from desktop.controller.roll import roll_ladder, roll_limits
    from desktop.universe import build_universe

    with open_workspace(args.workspace) as ws:
        if args.save:
            check_save_name(ws, args.save, args.overwrite)
        snapshot = ws.load_snapshot()
        universe = build_universe(snapshot)
        p = ws.load_portfolio(args.portfolio)
        face = match_holdings(universe, p.holdings, f"portfolio {args.portfolio}").face
        r = roll_ladder(snapshot, face, args.to, universe=universe, base_ccy=args.base,
                        limits=roll_limits(p.run_card, args.base))
        warnings = list(r.warnings)
        if p.run_card.get(NEEDS_CARD_KEY):
            warnings.append(f"{args.portfolio!r} funds liabilities: to keep them funded, rebalance with "
                            f"`ladderdesk match --portfolio {args.portfolio}` instead")
        if args.trades:
            write_all([(r.trades, args.trades)])
        if args.save:
            card = {**p.run_card, "rolled": {"from": args.portfolio, "to": args.to.isoformat(),
                                             "length_years": r.length_years}}
            ws.save_portfolio(args.save, holdings_of(universe, r.face), card)
    d = {"portfolio": args.portfolio, "to": args.to.isoformat(), "data_as_of": str(snapshot.as_of),
         "length_years": r.length_years, "trades": int(len(r.trades)),
         "cash": r.cash.to_dict(orient="records"), "rungs": r.rungs.to_dict(orient="records"),
         "bought_base": float(r.trades["cash_base"].sum()) if len(r.trades) else 0.0, "warnings": warnings}
    if args.json:
        print(json.dumps(d, indent=2, default=str))
    else:
        lines = [f"LadderDesk roll — {args.portfolio} to {d['to']} · ladder length {r.length_years} y · "
                 f"prices as of {d['data_as_of']}"]
        for c in d["cash"]:
            lines.append(f"{c['market']:<3} redeemed {c['redeemed']:,.2f} + coupons {c['coupons']:,.2f} {c['currency']}"
                         f" → reinvested {c['reinvested']:,.2f}, left {c['left']:,.2f}")
        for g in d["rungs"]:
            lines.append(f"  {g['market']} {g['matured_id'] or '(coupons)'} {g['matured']} → {g['bought_id']} "
                         f"{g['bought_maturity']} (target {g['target']}), face {g['face']:,.2f}")
        lines += [f"warning     {w}" for w in warnings]
        print("\n".join(lines))
    if args.trades:
        print(f"wrote {len(r.trades)} trades to {args.trades}", file=sys.stderr)
    if args.save:
        print(f"saved portfolio {args.save!r}", file=sys.stderr)
    return 0
