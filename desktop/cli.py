"""``ladderdesk <command>``: the scriptable face of the app, on the same core as the GUI.

Commands:

* ``analytics --bonds IN.csv --settle YYYY-MM-DD [--out OUT.csv]`` — price/yield, accrued,
  durations (years), convexity (years²), dv01 and key-rate dv01s (per 100 face, local ccy) for
  each bond of IN (a bonds CSV with ``clean_price`` or ``yield_pct`` on every row). CSV to
  stdout without ``--out``; ``--out`` is written atomically and formula-injection safe.
* ``import {bonds|us-treasury|mof-jgb|rba-f2|boe|fred} FILE [--workspace DB]`` — parse FILE and
  write it into the workspace in one transaction. Never moves the workspace as-of date.
* ``data [--workspace DB] [--json] [--set-as-of YYYY-MM-DD]`` — as-of, curve dates, counts, sources.
* ``optimize`` / ``scenarios`` — delegated to ``desktop.optim.cli`` / ``desktop.scenarios.cli``
  (``add_parser(subparsers)``, ``run(args) -> int``), imported only when used.

Exit status: 0 ok; 2 bad input or unusable workspace, with one line on stderr and nothing
half-written; 1 unexpected internal error (one line; set ``LADDERDESK_DEBUG=1`` for the traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from desktop.errors import DataError, LadderDeskError

MIN_DATE, MAX_DATE = date(1900, 1, 1), date(2199, 12, 31)  # bond calendars' range (QuantLib: 1901–2199)
IMPORT_KINDS = ("bonds", "us-treasury", "mof-jgb", "rba-f2", "boe", "fred")
DELEGATED = {"optimize": "desktop.optim.cli", "scenarios": "desktop.scenarios.cli"}
ANALYTICS_OUT = [
    "clean_price", "accrued", "dirty_price", "yield_pct", "mod_duration", "mac_duration", "convexity", "dv01",
    "krd_2y", "krd_5y", "krd_10y", "krd_30y",
]


class UsageError(LadderDeskError):
    """Bad command line (reported in one line, exit 2)."""


class _Parser(argparse.ArgumentParser):
    """ArgumentParser that raises instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see --help)")


def _iso_date(text: str) -> date:
    try:
        value = date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {text!r} (expected YYYY-MM-DD)") from None
    if not MIN_DATE <= value <= MAX_DATE:
        raise argparse.ArgumentTypeError(f"date {text!r} is outside {MIN_DATE}..{MAX_DATE}")
    return value


def _add_core(sub: argparse._SubParsersAction) -> None:
    a = sub.add_parser("analytics", help="bond analytics for a bonds CSV")
    a.add_argument("--bonds", required=True, metavar="IN.csv", help="market,id,coupon_pct,maturity + clean_price|yield_pct")
    a.add_argument("--settle", required=True, type=_iso_date, metavar="YYYY-MM-DD", help="settlement date")
    a.add_argument("--out", metavar="OUT.csv", help="write here (atomically) instead of stdout")
    i = sub.add_parser("import", help="import an official data file into the workspace")
    i.add_argument("kind", choices=IMPORT_KINDS)
    i.add_argument("file")
    i.add_argument("--workspace", metavar="DB", help="workspace file (default: the user's workspace)")
    d = sub.add_parser("data", help="what market data the workspace holds")
    d.add_argument("--workspace", metavar="DB", help="workspace file (default: the user's workspace)")
    d.add_argument("--json", action="store_true", help="machine-readable output")
    d.add_argument("--set-as-of", type=_iso_date, metavar="YYYY-MM-DD", help="move the valuation date first")


def _add_delegated(sub: argparse._SubParsersAction, command: str | None) -> None:
    """Hook up optimize/scenarios; import the owner's module only when that command is used."""
    for name, module_name in DELEGATED.items():
        if name == command:
            try:
                module = importlib.import_module(module_name)
            except ImportError as exc:
                raise UsageError(f"`ladderdesk {name}` is not available in this build ({exc})") from None
            module.add_parser(sub)
            sub.choices[name].set_defaults(_run=module.run)
        else:
            sub.add_parser(name, help=f"see `ladderdesk {name} --help`", add_help=False)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The full parser; ``command`` says which delegated sub-command (if any) to load."""
    parser = _Parser(prog="ladderdesk", description="LadderDesk command line")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _add_core(sub)
    _add_delegated(sub, command)
    return parser


# -- analytics ---------------------------------------------------------------------------------
def _read_bonds(path: str) -> tuple[pd.DataFrame, list[str], np.ndarray]:
    """Bonds of IN (validated by the bonds-CSV importer), its column names and each row's line."""
    from desktop.importers import base, parse_file

    result = parse_file("bonds", path)
    table = base.read_table(path)
    header = [c.strip().casefold() for c in table.rows[0]]
    return result.bonds, header, np.asarray(table.lines[1:])


def run_analytics(args: argparse.Namespace) -> int:
    """``ladderdesk analytics``."""
    from desktop.analytics import bond_analytics
    from desktop.export import neutralise_frame, write_csv

    bonds, header, lines = _read_bonds(args.bonds)
    has_price, has_yield = bonds["clean_price"].notna(), bonds["yield_pct"].notna()
    for mask, why, field in (
        (~(has_price | has_yield), "neither clean_price nor yield_pct given", "clean_price"),
        (bonds["maturity"] <= pd.Timestamp(args.settle), f"bond matures on or before settlement {args.settle}", "maturity"),
    ):
        if mask.any():
            i = int(np.flatnonzero(mask.to_numpy())[0])
            raise DataError(why, file=args.bonds, line=int(lines[i]), field=field,
                            expected="clean_price or yield_pct on every row, maturity after --settle")
    parts = []
    if has_price.any():
        b = bonds[has_price]
        parts.append(bond_analytics(b, args.settle, clean_price=b["clean_price"].to_numpy()))
    if has_yield.any():
        b = bonds[has_yield & ~has_price]
        parts.append(bond_analytics(b, args.settle, yield_pct=b["yield_pct"].to_numpy()))
    figures = pd.concat(parts).sort_index()
    keep = [c for c in header if c in bonds.columns and c not in ANALYTICS_OUT]
    out = pd.concat([bonds[keep], figures[ANALYTICS_OUT]], axis=1)
    for col in ("maturity", "issue_date"):
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


# -- import / data ------------------------------------------------------------------------------
@contextlib.contextmanager
def _workspace(path: str | None) -> Iterator[Any]:
    """``Workspace.open(path)``; if the command fails on a workspace this call had to create, the
    new file is removed again (a failed command leaves no workspace behind that was not there)."""
    from desktop.store import Workspace
    from desktop.store.workspace import default_workspace_path

    target = Path(path) if path else default_workspace_path()
    existed = os.path.lexists(target)
    new_dirs = []  # folders Workspace.open will create for the new file, deepest first
    parent = target.absolute().parent
    while not os.path.lexists(parent) and parent != parent.parent:
        new_dirs.append(parent)
        parent = parent.parent
    try:
        with Workspace.open(path) as ws:
            yield ws
    except BaseException:
        if not existed:
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(OSError):
                    os.unlink(f"{target}{suffix}")
            for folder in new_dirs:
                with contextlib.suppress(OSError):
                    os.rmdir(folder)  # only if still empty
        raise


def run_import(args: argparse.Namespace) -> int:
    """``ladderdesk import``."""
    from desktop.importers import parse_file

    result = parse_file(args.kind, args.file)
    with _workspace(args.workspace) as ws:
        detail = ws.apply_import(result)
        where = ws.path
    what = {"curves": "curve points", "bonds": "bonds", "series": "observations"}[result.kind]
    print(f"imported {detail.get('rows', 0)} {what} from {args.file} ({result.source_name}) into {where}")
    for market, (lo, hi) in detail.get("curve_dates", {}).items():
        print(f"  {market} curves {lo}" + (f" .. {hi}" if hi != lo else ""))
    for sid, (lo, hi) in detail.get("series", {}).items():
        print(f"  {sid} {lo} .. {hi}")
    for feed in detail.get("feeds", []):
        print(f"  {feed}")
    for market, n in detail.get("markets", {}).items():
        print(f"  {market}: {n} bonds")
    if detail.get("newer_than_as_of"):
        print(f"  as-of stays {detail['as_of']}; to use the newer curves: "
              "ladderdesk data --set-as-of YYYY-MM-DD")
    return 0


def _format_summary(s: dict[str, Any]) -> str:
    lines = [f"workspace   {s['workspace']} (schema {s['schema_version']})", f"as-of       {s['as_of']}", "curves"]
    for m, c in s["curves"].items():
        stale = "" if c["date_used"] == s["as_of"] else "  (latest on or before as-of)"
        lines.append(f"  {m}  {c['date_used']}  {c['curve_type']:<4}  {c['tenors']:>2} tenors  "
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


def run_data(args: argparse.Namespace) -> int:
    """``ladderdesk data``."""
    with _workspace(args.workspace) as ws:
        if args.set_as_of:
            ws.set_as_of(args.set_as_of)
        summary = ws.summary()
        summary["curve_fit_max_error_bp"] = _curve_fit(ws)
    print(json.dumps(summary, indent=2) if args.json else _format_summary(summary))
    return 0


RUNNERS = {"analytics": run_analytics, "import": run_import, "data": run_data}


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the process exit status (see the module docstring)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        for token in argv:  # argparse (3.11) turns `--flag=--` into [] without checking it
            flag, eq, value = token.partition("=")
            if flag.startswith("-") and eq and value == "--":
                raise UsageError(f"argument {flag}: expected a value, got '--'")
            if token == "--":
                break
        command = argv[0] if argv and argv[0] in DELEGATED else None
        parser = build_parser(command)
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help / --version
            return int(exc.code or 0)
        run = getattr(args, "_run", None) or RUNNERS[args.command]
        return int(run(args))
    except LadderDeskError as exc:
        print(f"ladderdesk: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `ladderdesk data --json | head`: the reader left, not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("ladderdesk: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - one line instead of a traceback; see docstring
        if os.environ.get("LADDERDESK_DEBUG"):
            raise
        print(f"ladderdesk: internal error: {type(exc).__name__}: {exc} (set LADDERDESK_DEBUG=1 for details)",
              file=sys.stderr)
        return 1
