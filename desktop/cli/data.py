"""``ladderdesk data [--workspace DB] [--json] [--set-as-of YYYY-MM-DD]``: the valuation date,
curve dates, counts, sources and each curve's fit; ``--set-as-of`` moves the valuation date first.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from desktop.cli.common import add_workspace, iso_date, open_workspace

HELP = "what market data the workspace holds (as-of, curves, fit, sources); move the valuation date"


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    d = sub.add_parser("data", help=HELP, description=HELP)
    add_workspace(d)
    d.add_argument("--json", action="store_true", help="machine-readable output")
    d.add_argument("--set-as-of", type=iso_date, metavar="YYYY-MM-DD", help="move the valuation date first")
    return d


def _format_summary(s: dict[str, Any]) -> str:
    lines = [f"workspace   {s['workspace']} (schema {s['schema_version']})", f"as-of       {s['as_of']}", "curves"]
    for m, c in s["curves"].items():
        stale = "" if c["date_used"] == s["as_of"] else "  (latest on or before as-of)"
        lines.append(f"  {m}  {c['date_used']}  {c['curve_type'] or 'none':<4}  {c['tenors']:>2} tenors  "
                     f"latest {c['latest_date']}{stale}  — {c['source']}")
    if s.get("curve_fit_max_error_bp"):
        lines.append("curve fit   max |model − quoted| " + ", ".join(
            f"{m} {e:.1e} bp" for m, e in s["curve_fit_max_error_bp"].items())
            + " (par curves: bootstrap reprices its par yields; BoE: zero rates used as published)")
    lines.append("bonds       " + ", ".join(f"{m} {n}" for m, n in s["bonds"].items()))
    lines.append("short rates")
    lines += [f"  {k}  {v['rate_pct']:.3f}%  {v['source']}" for k, v in s["short_rates_pct"].items()]
    lines.append("fx (USD per unit)  " + ", ".join(f"{k} {v:.6g}" for k, v in s["fx_usd_per_unit"].items()))
    lines.append(f"history     {s['history_rows']} month-end points")
    if s["series"]:
        lines.append("series      " + ", ".join(f"{k} {v['first']}..{v['last']}" for k, v in s["series"].items()))
    lines.append(f"saved       {s['portfolios']} portfolios, {s['scenarios']} scenarios, {s['presets']} presets")
    for imp in s["recent_imports"]:
        lines.append(f"import      {imp['at']}  {imp['kind']}  {imp['rows']} rows  {imp['source_file']}")
    return "\n".join(lines)


def _curve_fit(ws: Any) -> dict[str, float]:
    """Largest |model − quoted| (bp) over each curve's inputs: how exactly the zero curve reprices them."""
    from desktop.curves import fit_report

    curves = ws.load_snapshot().curves
    return {m: float(fit_report(c)["error_bp"].abs().max()) for m, c in sorted(curves.items())}


def run(args: argparse.Namespace) -> int:
    """``ladderdesk data``."""
    with open_workspace(args.workspace, readonly=not args.set_as_of) as ws:
        if args.set_as_of:
            ws.set_as_of(args.set_as_of)
        summary = ws.summary()
        summary["curve_fit_max_error_bp"] = _curve_fit(ws)
    print(json.dumps(summary, indent=2) if args.json else _format_summary(summary))
    return 0


