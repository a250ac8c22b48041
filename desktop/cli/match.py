"""``ladderdesk match``: the cheapest hedged ladder of real bonds that funds dated needs.

Reads NEEDS.csv (``date,amount`` or ``year,amount`` in the base currency; a year = its last business
day), or the liabilities kept with ``--portfolio NAME``; matches them (desktop.controller.liabilities)
and prints the cost beside US Treasuries only and each single market. Writes ALLOC.csv (``--out``),
FLOWS.csv (``--flows``: date, need, funded, surplus, one column per market), the ticket (``--trades``)
and the FX forwards (``--hedges``) all or nothing. Exit 0 ok; 2 bad input or an infeasible request
(the smallest relaxation on stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

import numpy as np

from desktop.cli.argtypes import ranged
from desktop.cli.common import add_workspace, iso_date, open_workspace, write_all
from desktop.errors import DataError
from desktop.markets import CURRENCIES, MARKET_CODES

HELP = "fund dated liabilities with the cheapest hedged four-market ladder; write ALLOC, FLOWS, ticket, hedges"


def _market_frac(text: str) -> tuple[str, float]:
    code, sep, val = text.partition("=")
    code = code.strip().upper().replace("GB", "UK")
    try:
        v = float(val)
    except ValueError:
        v = float("nan")
    if not sep or code not in MARKET_CODES or not 0.0 <= v <= 1.0:
        raise argparse.ArgumentTypeError(f"invalid {text!r} (expected M=FRAC, M in {', '.join(MARKET_CODES)}, "
                                         "FRAC 0–1)")
    return code, v


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser("match", help=HELP, description=__doc__.split("\n\n")[0])
    add_workspace(p)
    p.add_argument("--needs", metavar="NEEDS.csv", help="date,amount or year,amount in the base currency "
                   "(default: the liabilities kept with --portfolio)")
    p.add_argument("--base", choices=CURRENCIES, type=str.upper, default="USD", help="base currency (default USD)")
    p.add_argument("--markets", default=",".join(MARKET_CODES), metavar="US,JP,AU,UK", help="markets allowed")
    frac = ranged(0.0, 1.0, "fraction 0–1")
    p.add_argument("--us-cap", type=frac, metavar="F", help="max US share of duration (default 0.35)")
    p.add_argument("--market-min", type=_market_frac, action="append", metavar="M=F", help="min weight of a market")
    p.add_argument("--market-max", type=_market_frac, action="append", metavar="M=F", help="max weight of a market")
    p.add_argument("--max-weight", type=frac, metavar="F", help="max weight per bond (default 0.10)")
    p.add_argument("--reinvest-rate", type=ranged(-10.0, 50.0, "% a year"), default=0.0, metavar="PCT",
                   help="rate earned on cash carried to a later need, %% a year (default 0)")
    p.add_argument("--allow-generic", action="store_true", help="allow curve-implied generic bonds (no ticket)")
    book = p.add_mutually_exclusive_group()
    book.add_argument("--current", metavar="FILE", help="current holdings market,id,face: rebalance at minimum turnover")
    book.add_argument("--portfolio", metavar="NAME", help="a saved portfolio: its book is rebalanced, its needs used")
    p.add_argument("--trade-date", type=iso_date, metavar="DATE", help="ticket trade date (default: the data's date)")
    p.add_argument("--out", metavar="ALLOC.csv", help="write the allocation here")
    p.add_argument("--flows", metavar="FLOWS.csv", help="write needs vs funded cash here")
    p.add_argument("--trades", metavar="T.csv", help="write the trade ticket here")
    p.add_argument("--hedges", metavar="H.csv", help="write the FX forwards here")
    p.add_argument("--save", metavar="NAME", help="save the matched book and its liabilities as portfolio NAME")
    p.add_argument("--overwrite", action="store_true", help="--save over an existing portfolio of that name")
    p.add_argument("--json", action="store_true", help="summary as JSON")
    return p


def _settings(args: argparse.Namespace, stored: Any) -> Any:
    from desktop.controller.liabilities import market_codes
    from desktop.optim.match_settings import MatchSettings

    s = stored if stored is not None else MatchSettings()
    kw: dict[str, Any] = {"base_ccy": args.base, "markets": market_codes(args.markets),
                          "reinvest_rate_pct": args.reinvest_rate, "allow_generic": args.allow_generic}
    if args.us_cap is not None:
        kw["us_cap"] = args.us_cap
    if args.max_weight is not None:
        kw["max_weight"] = args.max_weight
    if args.market_min:
        kw["market_min"] = {**s.market_min, **dict(args.market_min)}
    if args.market_max:
        kw["market_max"] = {**s.market_max, **dict(args.market_max)}
    return MatchSettings(**{**s.to_dict(), **kw}).validate()


def format_summary(d: dict) -> str:
    ccy = d["base_ccy"]
    lines = [f"LadderDesk match — as of {d['as_of']} · base {ccy} · markets {'+'.join(d['markets'])} "
             f"(foreign flows hedged at CIP forwards)",
             f"status      {d['status']} ({d['solver']}, {d['solve_time_ms']:.0f} ms)",
             f"needs       {d['needs']} dates, {d['needs_total_base']:,.0f} {ccy} in all",
             f"cost today  {d['cost_base']:,.2f} {ccy} ({d['bonds']} bonds; rounding to denominations "
             f"{d['rounding_cost_base']:+,.2f})",
             f"surplus     {d['surplus_last_base']:,.2f} {ccy} after the last need; "
             f"{d['after_last_need_base']:,.2f} paid after it"]
    lines.append("compared    " + " · ".join(
        f"{c['funding']} " + (f"{c['cost_base']:,.0f} ({c['extra_vs_match_bp']:+,.0f} bp)"
                              if c["cost_base"] is not None else "infeasible")
        for c in d["comparison"][1:]))
    if d["us_only_cost_base"] is not None:
        lines.append(f"value       {d['saving_vs_us_base']:,.0f} {ccy} cheaper than US Treasuries only "
                     f"({d['saving_vs_us_bp']:,.0f} bp of the cost)")
    lines.append("binding     " + ("none" if not d["binding"] else ""))
    lines += [f"  {b['text']}" for b in d["binding"]]
    lines += [f"warning     {w}" for w in d["warnings"]]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from desktop.controller.book import match_holdings, read_holdings_file
    from desktop.controller.liabilities import check_save_name, match, save_match
    from desktop.controller.needs import liabilities_of_card, read_needs
    from desktop.universe import build_universe

    paths = [p for p in (args.out, args.flows, args.trades, args.hedges) if p]
    if len({os.path.abspath(p) for p in paths}) < len(paths):
        raise DataError("two outputs name the same file", field="--out/--flows/--trades/--hedges",
                        expected="a different file for each output")
    with open_workspace(args.workspace) as ws:
        if args.save:
            check_save_name(ws, args.save, args.overwrite)  # before anything is written
        snapshot = ws.load_snapshot()
        universe = build_universe(snapshot)
        current, stored = None, None
        if args.portfolio:
            p = ws.load_portfolio(args.portfolio)
            current = match_holdings(universe, p.holdings, f"portfolio {args.portfolio}").face
            stored = liabilities_of_card(p.run_card, f"portfolio {args.portfolio}")
        elif args.current:
            current = read_holdings_file(universe, args.current).face
        if args.needs:
            needs = read_needs(args.needs, args.base, snapshot.as_of)
            settings = _settings(args, None)
        elif stored is not None:
            needs, kept = stored
            settings = _settings(args, kept)
        else:
            raise DataError("no needs given", field="--needs",
                            expected="--needs NEEDS.csv, or --portfolio NAME with liabilities kept")
        lm = match(snapshot, needs, settings, universe=universe, current_face=current, trade_date=args.trade_date)
        trades = lm.trades() if args.trades else None
        write_all([(df, path) for df, path in ((lm.alloc, args.out), (_flows_csv(lm), args.flows),
                                               (trades, args.trades), (lm.hedges, args.hedges)) if path])
        if args.save:
            save_match(ws, args.save, lm, universe, overwrite=args.overwrite)
    d = lm.summary()
    if args.json:
        print(json.dumps(d, indent=2, default=_plain))
    else:
        print(format_summary(d))
    for path, what in ((args.out, f"{len(lm.alloc)} bonds"), (args.flows, f"{len(lm.flows)} needs"),
                       (args.trades, f"{0 if trades is None else len(trades)} trades"),
                       (args.hedges, f"{len(lm.hedges)} forwards")):
        if path:
            print(f"wrote {what} to {path}", file=sys.stderr)
    if args.save:
        print(f"saved portfolio {args.save!r} with its liabilities", file=sys.stderr)
    return 0


def _flows_csv(lm: Any) -> Any:
    f = lm.flows
    markets = list(lm.result.settings.markets)
    return f[["date", "need", "funded", "surplus", *markets, "carried_in", "marginal_cost"]]


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return str(value)
