"""``ladderdesk scenarios``: run the scenario grid from the command line.

::

    ladderdesk scenarios [--workspace DB] [--portfolio NAME | --alloc ALLOC.csv] [--preset NAME ...]
                         [--scenario-file FILE.json ...] [--base CCY] [--notional AMOUNT] [--out GRID.csv]
    ladderdesk scenarios --list

* Market data: the workspace's snapshot (``--workspace``; a missing file is created from the bundled
  snapshot, as in every command; default: the user's workspace).
* Portfolio: ``--portfolio NAME`` (saved in the workspace), or ``--alloc`` a CSV with ``id`` (+ optional ``market``) and either
  ``face`` (local ccy) or ``weight`` (fraction of market value; scaled to ``--notional`` in base
  ccy). Without either: an equal-weight 1–10 y ladder in every market, ``--notional`` in total.
* Scenarios: ``--preset`` names (presets or scenarios saved in the workspace; unique prefixes
  work); default: every preset. ``--scenario-file`` adds JSON scenarios (``Scenario.to_dict``).
* ``--horizon``: total return to each scenario's horizon (carry, roll-down, price change, hedge
  cost); ``--roll-forward N``: the ladder rolled N years under the first scenario.
* Output: the long grid (scenario, portfolio, group_kind, group, hedged, unhedged, price_full,
  price_dc, hedge_carry, fx — base ccy) to ``--out`` (atomic, formula-safe), else a summary table.
"""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from desktop.cli.argtypes import MAX_AMOUNT, ranged
from desktop.cli.common import add_workspace, check_outputs, open_workspace
from desktop.errors import DataError
from desktop.importers.base import read_bytes
from desktop.scenarios.model import Scenario

HELP = "P&L of a portfolio under stress scenarios (grid, horizon, roll-forward)"
MAX_ROLL_YEARS = 50


def _roll_years(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid years {text!r} (expected a whole number 1–{MAX_ROLL_YEARS})") from None
    if not 1 <= value <= MAX_ROLL_YEARS:
        raise argparse.ArgumentTypeError(f"roll-forward {value} years is outside 1–{MAX_ROLL_YEARS}")
    return value


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser("scenarios", help=HELP, description=__doc__.split("\n\n")[0])
    add_workspace(p)
    src = p.add_mutually_exclusive_group()
    src.add_argument("--portfolio", metavar="NAME", help="a portfolio saved in the workspace")
    src.add_argument("--alloc", metavar="ALLOC.csv", help="CSV: id[,market],face|weight")
    p.add_argument("--preset", action="append", metavar="NAME", help="scenario to run (repeatable)")
    p.add_argument("--scenario-file", action="append", metavar="FILE.json", help="a scenario as JSON")
    p.add_argument("--base", default="USD", choices=["USD", "JPY", "AUD", "GBP"], help="reporting currency")
    p.add_argument("--notional", type=ranged(1.0, MAX_AMOUNT, "base ccy, e.g. 1e8"), default=100_000_000.0, metavar="AMOUNT",
                   help="market value for weights (base ccy, > 0)")
    p.add_argument("--out", metavar="GRID.csv", help="write the long grid here")
    p.add_argument("--horizon", action="store_true",
                   help="also print the total return to each scenario's horizon, split by component")
    p.add_argument("--roll-forward", type=_roll_years, metavar="YEARS",
                   help=f"also roll the ladder forward YEARS years (1–{MAX_ROLL_YEARS}) under the first scenario")
    p.add_argument("--list", action="store_true", help="list the presets (and saved scenarios) and exit")
    p.add_argument("--overwrite", action="store_true", help="--save over saved scenarios of the same names")
    p.add_argument("--save", action="store_true",
                   help="save the --scenario-file scenarios in the workspace (under their names) and exit")
    return p


def _from_payload(payload: Any, file: str | None, field: str | None) -> Scenario:
    """``Scenario.from_dict`` with any complaint (also a wrongly typed value) as a DataError naming
    the file (or the --preset argument) and the field."""
    try:
        return Scenario.from_dict(payload)
    except DataError as exc:
        where = f"{field} → {exc.field}" if field and exc.field else (exc.field or field)
        raise DataError(exc.reason, file=file, field=where, expected=exc.expected) from None
    except (TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise DataError(f"malformed scenario ({type(exc).__name__}: {exc})", file=file, field=field,
                        expected="a scenario object as written by Scenario.to_dict (curves: market → "
                                 "{parallel_bp, slope_bp, curvature_bp, key_bp}, numbers in bp/%)") from None


def _unique(scenarios: list[tuple[Scenario, str]]) -> list[Scenario]:
    """Drop exact repeats (``--preset X --preset X``); two different scenarios sharing a name is an error."""
    out: dict[str, tuple[Scenario, str]] = {}
    for sc, origin in scenarios:
        if sc.name in out:
            if out[sc.name][0] != sc:
                raise DataError(f"two different scenarios are named {sc.name!r} ({out[sc.name][1]} and {origin})",
                                field="--scenario-file", expected="unique scenario names")
            continue
        out[sc.name] = (sc, origin)
    return [sc for sc, _ in out.values()]


def _scenarios(args: argparse.Namespace, ws: Any) -> list[Scenario]:
    from desktop.scenarios.presets import PRESETS, get_preset

    saved = set(ws.list_scenarios()) if ws is not None else set()
    out: list[tuple[Scenario, str]] = []
    for name in args.preset or []:
        if name in saved:
            out.append((_from_payload(ws.load_scenario(name), None, f"--preset {name!r} (saved scenario)"),
                        f"--preset {name!r}"))
            continue
        try:
            out.append((get_preset(name), f"--preset {name!r}"))
        except KeyError as exc:
            raise DataError(str(exc.args[0]) + (f"; saved: {', '.join(sorted(saved))}" if saved else ""),
                            field="--preset") from None
    for path in args.scenario_file or []:
        try:
            payload = json.loads(read_bytes(path, field="--scenario-file", allow_empty=True).decode("utf-8"))
        except OSError as exc:
            raise DataError(f"cannot read scenario: {exc.strerror or exc}", file=path,
                            field="--scenario-file") from None
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError
            raise DataError(f"not a JSON scenario: {exc}", file=path, field="--scenario-file",
                            expected="UTF-8 JSON as written by Scenario.to_dict") from None
        out.append((_from_payload(payload, path, None), f"--scenario-file {path}"))
    return _unique(out) or list(PRESETS)


def _save(args: argparse.Namespace, ws: Any, scenarios: list[Scenario]) -> int:
    """``--save``: store each --scenario-file scenario in the workspace (every file is read and
    validated and every name checked before the first is written; each save is one transaction)."""
    from desktop.controller.workspace import NameTaken, WorkspaceService, check_name

    if not args.scenario_file:
        raise DataError("--save needs at least one --scenario-file", field="--save",
                        expected="--scenario-file FILE.json")
    service = WorkspaceService(ws)
    for sc in scenarios:  # every name checked before the first is written (payloads already validated)
        check_name("scenario", sc.name)
        if not args.overwrite and service.exists("scenario", sc.name):
            raise NameTaken("scenario", sc.name)
    for sc in scenarios:
        service.save_scenario(sc, overwrite=args.overwrite)
        print(f"saved scenario {sc.name!r}")
    return 0


def _face(args: argparse.Namespace, ws: Any, uni: pd.DataFrame, snapshot: Any) -> tuple[str, np.ndarray]:
    from desktop import controller as ctl
    from desktop.controller import scenario_lab as lab

    if args.portfolio:
        holdings = ws.load_portfolio(args.portfolio).holdings
        return args.portfolio, ctl.face_from_holdings(uni, holdings, f"portfolio {args.portfolio}")
    if args.alloc:
        try:
            table = pd.read_csv(io.BytesIO(read_bytes(args.alloc, field="--alloc", allow_empty=True)))
        except OSError as exc:
            raise DataError(f"cannot read allocation: {exc.strerror or exc}", file=args.alloc,
                            field="--alloc") from None
        except ValueError as exc:  # ParserError, EmptyDataError, UnicodeDecodeError
            raise DataError(f"cannot read allocation: {exc}", file=args.alloc, field="--alloc",
                            expected="a UTF-8 CSV with id[,market],face|weight") from None
        table = ctl.book.normalise_columns(table)
        amount = "face" if "face" in table else "weight" if "weight" in table else None
        if "id" not in table or amount is None:
            raise DataError("allocation needs columns id and face or weight", file=args.alloc, line=1,
                            expected="id[,market],face|weight")
        if table.columns.duplicated().any():
            dup = table.columns[table.columns.duplicated()][0]
            raise DataError(f"column {dup!r} appears twice", file=args.alloc, line=1, field=dup,
                            expected="id[,market],face|weight, each once")
        if table.empty:
            raise DataError("allocation has no rows", file=args.alloc, line=2, field="id",
                            expected="one row per holding")
        if amount == "weight":
            values = pd.to_numeric(table["weight"], errors="coerce").to_numpy(float)
            ok = np.isfinite(values) & (values >= 0) & (values <= 1.0)
            if not ok.all():
                bad = int(np.flatnonzero(~ok)[0])
                raise DataError(f"weight {table['weight'].iloc[bad]} is not a fraction 0–1", file=args.alloc,
                                line=bad + 2, field="weight", expected="a fraction of market value, 0–1")
            weights = ctl.face_from_holdings(uni, table.drop(columns="face", errors="ignore")
                                             .rename(columns={"weight": "face"}), args.alloc, lots=False)
            face = lab.weights_to_face(uni, snapshot, args.base, weights, args.notional)
        else:
            face = ctl.face_from_holdings(uni, table, args.alloc)
        return Path(args.alloc).stem, face
    return "equal-weight 1-10y ladder", lab.equal_weight_ladder(uni, snapshot, args.base, args.notional)


def _print_extras(args: argparse.Namespace, report: Any, scenarios: list[Scenario]) -> None:
    if report.horizon is not None:
        for sc in scenarios:
            split = report.horizon.loc[sc.name]
            parts = " ".join(f"{k} {split[k] / 1e3:,.0f}" for k in ("carry", "roll_down", "price_change", "hedge_cost"))
            print(f"horizon {sc.horizon_months}m hedged, thousands of {args.base}: {sc.name}: {parts} "
                  f"= {split['total'] / 1e3:,.0f} ({split['return_pct']:.2f} %)")
    if report.roll is not None:
        print(f"Roll-forward under {scenarios[0].name!r} (base {args.base}, shocked curves and FX held):")
        print(report.roll.round({"income_base": 0, "reinvested_base": 0, "market_value_base": 0, "mod_duration": 2})
              .to_string())


def run(args: argparse.Namespace) -> int:
    from desktop.controller.scenario_lab import scenario_report
    from desktop.universe import build_universe

    check_outputs({"--out": args.out}, workspace=args.workspace,
                  inputs={"--alloc": args.alloc, "--scenario-file": args.scenario_file or []})
    with open_workspace(args.workspace, readonly=not args.save) as ws:
        scenarios = _scenarios(args, ws)
        if args.save:
            return _save(args, ws, scenarios)
        if args.list:
            if not (args.preset or args.scenario_file):  # presets + saved scenarios
                scenarios = scenarios + [_from_payload(ws.load_scenario(n), None, f"saved scenario {n!r}")
                                         for n in ws.list_scenarios()]
            for sc in scenarios:
                print(f"{sc.name}\t{sc.source}")
            return 0
        snapshot = ws.load_snapshot()
        universe = build_universe(snapshot)
        name, face = _face(args, ws, universe, snapshot)
    if not (face > 0).any():
        raise DataError(f"portfolio {name!r} holds nothing (every face or weight is 0)",
                        file=args.alloc, field="--portfolio" if args.portfolio else "face",
                        expected="at least one holding with a positive amount")
    report = scenario_report(universe, snapshot, args.base, name, face, scenarios, horizon=args.horizon,
                             roll_years=args.roll_forward)
    grid = report.grid
    _print_extras(args, report, scenarios)
    long = grid.long.assign(base_ccy=args.base)
    if args.out:
        from desktop.export import write_csv

        write_csv(long, args.out)
        print(f"wrote {len(long)} rows ({len(scenarios)} scenarios × groups) to {args.out}")
        return 0
    summary = pd.DataFrame({
        "hedged": grid.table(name, "hedged", kinds=("total",))["Total"],
        "unhedged": grid.table(name, "unhedged", kinds=("total",))["Total"],
        **{f"{m} hedged": grid.table(name, "hedged", kinds=("market",))[m] for m in report.markets},
    })
    print(f"Portfolio: {name} · P&L in thousands of {args.base} (hedge carry over each scenario's horizon)")
    print((summary / 1e3).round(0).to_string())
    return 0
