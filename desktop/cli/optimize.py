"""``ladderdesk optimize``: the optimiser from the command line (same core as the GUI).

Reads the workspace (``--workspace DB``; default: the user's workspace, created from the bundled
snapshot on first use), starts from a preset (``--preset``; built-in or saved in the workspace)
or the defaults, applies the flags, solves, and prints a summary (``--json`` for JSON). Writes
ALLOC.csv (``--out``), the ticket from the current book (``--current FILE`` or ``--portfolio NAME``;
``--trades T.csv`` or ``T.xlsx``) and, for a hedged book, its FX hedges (``--hedges H.csv``), all or
nothing. Real bonds only unless ``--allow-generic``; a ticket refuses curve-implied bonds. Exit 0 ok;
2 bad arguments or an infeasible request (the smallest relaxation on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from typing import Any

import numpy as np

from desktop.cli.argtypes import MAX_AMOUNT, ranged
from desktop.cli.common import add_workspace, check_outputs, open_workspace, write_all
from desktop.errors import DataError
from desktop.markets import CURRENCIES, MARKET_CODES
from desktop.optim.settings import KEY_TENORS, OptimSettings

HELP = "optimise a bond ladder across US/JP/AU/UK; write ALLOC and TRADES"


def _frac(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid fraction {text!r} (expected a number 0–1, e.g. 0.35)") from None
    if not 0.0 <= v <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is outside 0–1 (fractions: 0.35 = 35%)")
    return v


def _nonneg(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number {text!r}") from None
    if not (v >= 0 and np.isfinite(v)):
        raise argparse.ArgumentTypeError(f"{text} must be a number ≥ 0")
    return v


_turnover = ranged(0.0, 2.0, "turnover Σ|w − w_current|, 0.2 = 20 %")


def _market_frac(text: str) -> tuple[str, float]:
    code, sep, val = text.partition("=")
    code = code.strip().upper().replace("GB", "UK")
    if not sep or code not in MARKET_CODES:
        raise argparse.ArgumentTypeError(f"invalid {text!r} (expected M=FRAC with M in {', '.join(MARKET_CODES)})")
    return code, _frac(val)


def _view(text: str) -> tuple[str, str, float]:
    left, sep, bp = text.partition("=")
    code, colon, tenor = left.partition(":")
    code = code.strip().upper().replace("GB", "UK")
    tenor = tenor.strip().lower().rstrip("y")
    allowed = [str(int(k)) for k in KEY_TENORS] + ["parallel", "slope"]
    if not (sep and colon) or code not in MARKET_CODES or tenor not in allowed:
        raise argparse.ArgumentTypeError(
            f"invalid view {text!r} (expected M:TENOR=BP, M in {', '.join(MARKET_CODES)}, "
            f"TENOR in {', '.join(allowed)}; e.g. US:30=25)")
    try:
        value = float(bp)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid bp {bp!r} in view {text!r}") from None
    if not -1000 <= value <= 1000:
        raise argparse.ArgumentTypeError(f"view {text!r}: bp must be within ±1000")
    return code, tenor, value


def _date(text: str) -> Any:
    from datetime import date

    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {text!r} (expected YYYY-MM-DD)") from None


def _months(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid months {text!r} (expected a whole number 1–120)") from None
    if not 1 <= v <= 120:
        raise argparse.ArgumentTypeError(f"horizon {v} months is outside 1–120")
    return v


def _fx_view(text: str) -> tuple[str, float]:
    ccy, sep, pct = text.partition("=")
    ccy = ccy.strip().upper()
    try:
        value = float(pct)
    except ValueError:
        value = float("nan")
    if not sep or ccy not in CURRENCIES or not -50 <= value <= 50:
        raise argparse.ArgumentTypeError(f"invalid FX view {text!r} (expected CCY=PCT, CCY in "
                                         f"{', '.join(CURRENCIES)}, PCT within ±50)")
    return ccy, value


def _rungs(text: str) -> tuple[int, int]:
    a, sep, b = text.partition("-")
    try:
        lo, hi = int(a), int(b)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid rungs {text!r} (expected A-B in years, e.g. 1-10)") from None
    if not (sep and 1 <= lo <= hi <= 50):
        raise argparse.ArgumentTypeError(f"invalid rungs {text!r} (need 1 ≤ A ≤ B ≤ 50)")
    return lo, hi


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser("optimize", help=HELP, description=__doc__.split("\n\n")[0])
    add_workspace(p)
    p.add_argument("--preset", metavar="NAME", help="'Neutral', 'Shift from US rates' or a saved preset")
    p.add_argument("--notional", type=ranged(1.0, MAX_AMOUNT, "base ccy"), metavar="AMOUNT",
                   help="portfolio market value in base ccy (default: current holdings' value, else 100,000,000)")
    p.add_argument("--base", choices=CURRENCIES, type=str.upper, help="base currency (default USD)")
    h = p.add_mutually_exclusive_group()
    h.add_argument("--hedged", dest="hedged", action="store_true", default=None, help="FX-hedged (default)")
    h.add_argument("--unhedged", dest="hedged", action="store_false", help="FX-unhedged")
    p.add_argument("--target-duration", type=ranged(0.0, 40.0, "years", lo_open=True), metavar="Y", help="portfolio modified duration target (years)")
    p.add_argument("--duration-band", type=ranged(0.0, 40.0, "years"), metavar="Y", help="± band around the target (years)")
    p.add_argument("--us-cap", type=_frac, metavar="FRAC", help="max US share of portfolio duration (0–1)")
    p.add_argument("--market-min", type=_market_frac, action="append", metavar="M=FRAC", help="min weight of a market")
    p.add_argument("--market-max", type=_market_frac, action="append", metavar="M=FRAC", help="max weight of a market")
    p.add_argument("--max-weight", type=_frac, metavar="FRAC", help="max weight per bond")
    p.add_argument("--rungs", type=_rungs, metavar="A-B", help="ladder rungs in years, e.g. 1-10")
    lad = p.add_mutually_exclusive_group()
    lad.add_argument("--rung-tolerance", type=_frac, metavar="FRAC", help="each rung's weight within 1/n ± FRAC")
    lad.add_argument("--no-ladder", action="store_true", help="no ladder shape constraint")
    p.add_argument("--view", type=_view, action="append", metavar="M:TENOR=BP",
                   help="curve view in bp over the horizon; TENOR 2/5/10/30, parallel or slope (2s10s)")
    p.add_argument("--risk-aversion", type=ranged(0.0, 1e4, "λ"), metavar="L", help="λ in return − λ·variance")
    p.add_argument("--horizon-months", type=_months, metavar="N", help="return horizon in months (default 12)")
    p.add_argument("--fx-view", type=_fx_view, action="append", metavar="CCY=PCT",
                   help="unhedged only: %% move of CCY against the base over the horizon (e.g. JPY=3)")
    p.add_argument("--te-max", type=ranged(0.0, 100.0, "% a year"), metavar="PCT", help="max tracking error vs the benchmark, %% a year")
    cur = p.add_mutually_exclusive_group()
    cur.add_argument("--current", metavar="HOLDINGS.csv",
                     help="current holdings: market,id,face or a custodian layout (ISIN/CUSIP, nominal, account)")
    cur.add_argument("--portfolio", metavar="NAME", help="current holdings: a portfolio saved in the workspace")
    p.add_argument("--allow-generic", action="store_true",
                   help="include curve-implied bonds (and unquoted bonds beyond their curve); never on a ticket")
    p.add_argument("--trade-date", type=_date, metavar="YYYY-MM-DD", help="ticket trade date (default today)")
    p.add_argument("--hedges", metavar="HEDGES.csv", help="hedged books: write the 3-month FX forwards here")
    p.add_argument("--turnover-max", type=_turnover, metavar="FRAC",
                   help="max Σ|w − w_current| (0–2)")
    p.add_argument("--turnover-cost", type=ranged(0.0, 1000.0, "bp"), metavar="BP",
                   help="cost per unit of turnover in bp (default 1 with --current, so ties do not churn)")
    p.add_argument("--min-trade", type=_nonneg, metavar="AMOUNT",
                   help="drop trades worth less than this (base ccy; default 0.01%% of the notional)")
    p.add_argument("--out", metavar="ALLOC.csv", help="write the allocation here")
    p.add_argument("--trades", metavar="TRADES.csv", help="write the ticket here (.xlsx: a workbook with the "
                   "hedges and a run card)")
    p.add_argument("--include-zero", action="store_true", help="ALLOC.csv lists every bond of the universe")
    p.add_argument("--json", action="store_true", help="summary as JSON")
    p.add_argument("--overwrite", action="store_true", help="--save-preset over an existing preset of that name")
    p.add_argument("--save-preset", metavar="NAME",
                   help="after a successful solve, save these settings in the workspace as preset NAME")
    return p


def build_settings(args: argparse.Namespace, saved: dict[str, Any]) -> OptimSettings:
    """Preset (or defaults) with the command-line overrides applied, validated."""
    from desktop.optim.presets import get_preset

    s = get_preset(args.preset, saved) if args.preset else OptimSettings()
    if args.horizon_months is not None:  # the preset's views are per its horizon: scaled to the new one
        s = s.at_horizon(args.horizon_months)
    kw: dict[str, Any] = {}
    for flag, name in (("base", "base_ccy"), ("hedged", "hedged"), ("target_duration", "target_duration"),
                       ("duration_band", "duration_band"), ("us_cap", "us_cap"), ("max_weight", "max_weight"),
                       ("rungs", "rungs"), ("risk_aversion", "risk_aversion"), ("turnover_max", "turnover_max"),
                       ("turnover_cost", "turnover_cost_bp"), ("te_max", "te_max_pct")):
        if getattr(args, flag, None) is not None:
            kw[name] = getattr(args, flag)
    if args.market_min:
        kw["market_min"] = {**s.market_min, **dict(args.market_min)}
    if args.market_max:
        kw["market_max"] = {**s.market_max, **dict(args.market_max)}
    if args.fx_view:
        kw["fx_view_pct"] = {**s.fx_view_pct, **dict(args.fx_view)}
    if args.no_ladder:
        kw["rung_tolerance"] = None
    elif args.rung_tolerance is not None:
        kw["rung_tolerance"] = args.rung_tolerance
    s = replace(s, **kw)
    for code, tenor, bp in args.view or []:  # --view is bp by the horizon given
        v = s.view(code)
        if tenor == "parallel":
            v = replace(v, parallel_bp=bp)
        elif tenor == "slope":
            v = replace(v, slope_bp=bp)
        else:
            v = replace(v, key_bp={**v.key_bp, float(tenor): bp})
        s = s.with_view(code, v)
    return s.validate()


def _load(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    with open_workspace(args.workspace, readonly=True) as ws:
        snapshot = ws.load_snapshot()
        saved = {name: ws.load_preset(name) for name in ws.list_presets()}
    return snapshot, saved


def summary_dict(sol: Any, args: argparse.Namespace, notional: float, n_trades: int | None, as_of: Any) -> dict:
    s = sol.settings
    w = sol.weights
    return {
        "status": sol.status, "solver": sol.solver, "solve_time_ms": round(sol.solve_time_s * 1e3, 2),
        "as_of": str(as_of), "preset": args.preset, "base_ccy": s.base_ccy, "hedged": s.hedged,
        "notional_base": notional, "horizon_months": s.horizon_months,
        "duration": sol.duration, "target_duration": s.target_duration, "duration_band": s.duration_band,
        "us_share": sol.us_share, "us_cap": s.us_cap, "yield_pct": sol.yield_pct,
        "hedged_yield_pct": sol.hedged_yield_pct, "expected_return_pct": sol.expected_return_pct,
        "risk_pct": sol.risk_pct, "tracking_error_pct": sol.tracking_error_pct, "objective_pct": sol.objective_pct,
        "turnover": sol.turnover, "bonds_held": int((w > 1e-6).sum()),
        "weight_by_market": {k: float(v) for k, v in sol.market_weights.items()},
        "binding": [{"constraint": b.constraint, "shadow_bp": b.shadow_bp, "step": b.step, "text": b.text}
                    for b in sol.binding],
        "warnings": list(sol.warnings), "trades": n_trades, "settings": s.to_dict(),
    }


def format_summary(d: dict) -> str:
    mk = " · ".join(f"{k} {v:.1%}" for k, v in d["weight_by_market"].items())
    lines = [
        f"LadderDesk optimize — as of {d['as_of']} · base {d['base_ccy']} "
        f"{'hedged' if d['hedged'] else 'unhedged'} · notional {d['notional_base']:,.0f} {d['base_ccy']}"
        + (f" · preset {d['preset']}" if d["preset"] else ""),
        f"status      {d['status']} ({d['solver']}, {d['solve_time_ms']:.0f} ms)",
        f"duration    {d['duration']:.2f} y (target {d['target_duration']:.2f} ± {d['duration_band']:.2f})",
        f"US share    {d['us_share']:.1%} of duration (cap {d['us_cap']:.0%})",
        f"yield       {d['yield_pct']:.2f}% · hedged {d['hedged_yield_pct']:.2f}%",
        f"expected    {d['expected_return_pct']:.2f}% over {d['horizon_months']} months",
        f"risk        {d['risk_pct']:.2f}% a year · tracking error {d['tracking_error_pct']:.2f}% vs benchmark",
        f"holdings    {d['bonds_held']} bonds: {mk}",
    ]
    if d["trades"] is not None:
        lines.append(f"trades      {d['trades']} (turnover {d['turnover']:.1%})")
    lines.append("binding     " + ("none" if not d["binding"] else ""))
    lines += [f"  {b['text']}" for b in d["binding"]]
    lines += [f"warning     {w}" for w in d["warnings"]]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from desktop import controller as ctl
    from desktop.universe import build_universe

    check_outputs({"--out": args.out, "--trades": args.trades, "--hedges": args.hedges}, workspace=args.workspace,
                  inputs={"--current": args.current})
    if args.save_preset is not None:  # the name is checked before anything is computed or written
        from desktop.controller.workspace import NameTaken, check_name

        try:
            check_name("preset", args.save_preset)
        except DataError as exc:
            raise DataError(exc.reason, field="--save-preset", expected=exc.expected) from None
    snapshot, saved = _load(args)
    if args.save_preset is not None and args.save_preset in saved and not args.overwrite:
        raise NameTaken("preset", args.save_preset)
    settings = build_settings(args, saved)
    universe = build_universe(snapshot).reset_index(drop=True)
    current = np.zeros(len(universe))
    if args.current:
        current = ctl.read_holdings_file(universe, args.current).face
    elif args.portfolio:
        from desktop.controller.workspace import WorkspaceService

        with open_workspace(args.workspace, readonly=True) as ws:
            if args.portfolio not in set(ws.list_portfolios()["name"]):
                raise DataError(f"no portfolio named {args.portfolio!r} in the workspace", field="--portfolio",
                                expected="a saved portfolio (ladderdesk import holdings FILE --portfolio NAME)")
            opened = WorkspaceService(ws).open_portfolio(args.portfolio, universe)
        if opened.left_out:
            raise DataError(f"portfolio {args.portfolio!r}: {len(opened.left_out)} holding(s) not in the universe: "
                            + ", ".join(opened.left_out[:5]), field="--portfolio", expected="a book of live bonds")
        current = opened.face
    if args.turnover_cost is None:
        settings = ctl.book_settings(settings, current)
    job = ctl.solve_job(snapshot, universe, current, settings=settings, notional_base=args.notional,
                        allow_generic=args.allow_generic)
    outcome = ctl.solve(job)
    if outcome.error is not None:
        raise outcome.error
    tables = ctl.book_tables(job, outcome, trade_date=args.trade_date, min_trade_base=args.min_trade,
                             include_zero=args.include_zero)
    alloc, trades = tables.alloc, tables.trades
    if args.trades or args.hedges:
        tables.check_ticket()
    if args.hedges and tables.hedges is None:
        raise DataError("--hedges goes with a hedged book", field="--hedges", expected="--hedged (the default)")
    sol, notional = outcome.solution, job.market_value_base
    xlsx = args.trades if args.trades and args.trades.lower().endswith(".xlsx") else None

    def publish_extras() -> None:  # after the CSVs are staged, before they are moved into place
        if xlsx:
            from desktop.ticket import write_ticket_xlsx

            card = {"data_as_of": f"{snapshot.as_of:%Y-%m-%d}", "trade_date": f"{tables.trade_date:%Y-%m-%d}",
                    "workspace": str(args.workspace or "default"), "preset": args.preset or "defaults",
                    "base_ccy": settings.base_ccy, "hedged": settings.hedged, "notional_base": notional,
                    "portfolio": args.portfolio or args.current or "cash", "solver_status": sol.status,
                    "warnings": "; ".join(tables.warnings) or "none", "settings": settings.to_dict()}
            write_ticket_xlsx(xlsx, trades, tables.hedges, card)
        if args.save_preset is not None:
            from desktop.optim.presets import preset_payload

            with open_workspace(args.workspace) as ws:
                ctl.WorkspaceService(ws).save_preset(args.save_preset, preset_payload(settings),
                                                     overwrite=args.overwrite)

    files = [(alloc, args.out), (None if xlsx else trades, args.trades), (tables.hedges, args.hedges)]
    write_all([(df, path) for df, path in files if path and df is not None], before_publish=publish_extras)
    held = args.current or args.portfolio or args.trades
    d = summary_dict(sol, args, notional, len(trades) if held else None, snapshot.as_of)
    d["ticket_warnings"] = list(tables.warnings)
    if args.json:
        print(json.dumps(d, indent=2, default=str))
    else:
        print(format_summary(d))
    for warning in tables.warnings if (args.trades or args.hedges) else ():
        print(f"ladderdesk: warning: {warning}", file=sys.stderr)
    for path, what in ((args.out, f"{len(alloc)} bonds"), (args.trades, f"{len(trades)} trades"),
                       (args.hedges, f"{0 if tables.hedges is None else len(tables.hedges)} hedges")):
        if path:
            print(f"wrote {what} to {path}", file=sys.stderr)
    if args.save_preset is not None:
        print(f"saved preset {args.save_preset!r}", file=sys.stderr)
    return 0
