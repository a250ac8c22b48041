"""``ladderdesk backtest``: walk-forward backtest of a preset against Neutral, a US-only ladder and an
equal-weight four-market ladder (method: :mod:`desktop.backtest.engine`).

    ladderdesk backtest --preset NAME [--from YYYY-MM] [--to YYYY-MM] [--hedged|--unhedged]
                        [--cost-bp X] [--views off|on] --out BT.csv [--json] [--workspace DB]

BT.csv: one row per month and strategy — ``date`` (YYYY-MM, the month the return is earned),
``strategy``, ``return_pct`` (net of cost, base ccy), ``turnover``, ``cost_bp``, per-market
contributions ``US_pct … UK_pct`` (weight × base-ccy return), then ``gross_pct``, market weights and
the optimiser ``status``. Prints the statistics (``--json``: as JSON). The presets' curve views are
12-month forecasts and are **off** unless ``--views on``. ``--preset`` may also name a preset
saved in the workspace (``optimize --save-preset``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys

from desktop.cli.argtypes import ranged
from desktop.cli.common import add_workspace, check_outputs, open_workspace
from desktop.errors import DataError

HELP = "walk-forward backtest of a preset vs Neutral, a US-only and an equal-weight ladder; write BT.csv"
COLUMNS = ["date", "strategy", "return_pct", "turnover", "cost_bp", "US_pct", "JP_pct", "AU_pct", "UK_pct",
           "gross_pct", "US_weight", "JP_weight", "AU_weight", "UK_weight", "status"]
STAT_COLUMNS = ["strategy", "months", "first", "last", "ann_return_pct", "ann_vol_pct", "return_per_risk",
                "worst_month_pct", "worst_month", "max_drawdown_pct", "2025-04_pct", "2025-05_pct", "2025_pct",
                "since_2025-12-31_pct", "since_2025-12-31_months"]


def year_month(text: str) -> str:
    """argparse type: YYYY-MM."""
    t = text.strip()
    if not re.fullmatch(r"(19|20)\d\d-(0[1-9]|1[0-2])", t):
        raise argparse.ArgumentTypeError(f"invalid month {text!r} (expected YYYY-MM)")
    return t


cost_bp = ranged(0.0, 500.0, "bp per unit of turnover, e.g. 2.5")


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("backtest", help=HELP, description=HELP)
    add_workspace(p)
    p.add_argument("--preset", metavar="NAME", default="Shift from US rates",
                   help="preset to test: 'Shift from US rates' (default), 'Neutral' or one saved in the "
                   "workspace; the run always compares it with Shift from US rates, Neutral, a US-only "
                   "ladder and an equal-weight ladder")
    p.add_argument("--from", dest="start", type=year_month, metavar="YYYY-MM",
                   help="first month whose return is reported (default: the month after the first with all four "
                   "markets' curves, 2013-10 with the bundled data)")
    p.add_argument("--to", dest="end", type=year_month, metavar="YYYY-MM",
                   help="last month (default: the latest month all four markets publish)")
    h = p.add_mutually_exclusive_group()
    h.add_argument("--hedged", dest="hedged", action="store_true", default=True,
                   help="FX-hedged into USD with one-month forwards (default)")
    h.add_argument("--unhedged", dest="hedged", action="store_false", help="unhedged: spot FX moves (ECB)")
    p.add_argument("--cost-bp", type=cost_bp, default=0.0, metavar="X",
                   help="cost in bp of value per unit of one-way turnover (default 0)")
    p.add_argument("--views", choices=("off", "on"), default="off",
                   help="the presets' 12-month curve views (forecasts): off (default) or on")
    p.add_argument("--out", required=True, metavar="BT.csv", help="monthly returns CSV (written atomically)")
    p.add_argument("--json", action="store_true", help="print the statistics as JSON")
    return p


def run(args: argparse.Namespace) -> int:
    """``ladderdesk backtest``."""
    from desktop.controller.backtest import (
        BacktestSettings,
        MarketData,
        Strategy,
        default_strategies,
        per_year,
        run_backtest,
        stats_table,
    )
    from desktop.export import write_csv
    from desktop.optim.presets import BUILT_IN

    check_outputs({"--out": args.out}, workspace=args.workspace)
    if args.start and args.end and args.start > args.end:
        raise DataError(f"--from {args.start} is after --to {args.end}", field="--from")
    names = {k.casefold(): k for k in BUILT_IN}
    with open_workspace(args.workspace) as ws:
        key = args.preset.strip()
        if key.casefold() in names:
            first = Strategy(names[key.casefold()], preset=names[key.casefold()])
        elif key in ws.list_presets():
            from desktop.optim.settings import OptimSettings

            first = Strategy(key, settings=OptimSettings.from_dict(ws.load_preset(key)).validate())
        else:
            known = ", ".join([*BUILT_IN, *ws.list_presets()])
            raise DataError(f"unknown preset {args.preset!r} (known: {known})", field="--preset")
        data = MarketData.from_tables(ws.tables())
    strategies = [first] + [s for s in default_strategies() if s.name != first.name]
    settings = BacktestSettings(start=args.start, end=args.end, hedged=args.hedged, cost_bp=args.cost_bp,
                                views=args.views == "on")

    def progress(done: int, total: int, label: str) -> None:
        if sys.stderr.isatty() and done % 24 == 0:
            print(f"\r{done}/{total} {label}", end="", file=sys.stderr)

    result = run_backtest(data, strategies, settings, progress)
    write_csv(result.monthly[COLUMNS], args.out)
    stats = stats_table(result.monthly)[STAT_COLUMNS]
    years = per_year(result.monthly)
    if args.json:
        print(json.dumps({"notes": result.notes, "out": args.out,
                          "stats": json.loads(stats.to_json(orient="records")),
                          "per_year": json.loads(years.to_json(orient="index"))}, indent=2))
    else:
        print(result.notes[0] + " — past results, not advice")
        print(stats.round(3).to_string(index=False))
        print(years.round(2).to_string())
        print(f"wrote {args.out} ({len(result.monthly)} rows)")
    return 0
