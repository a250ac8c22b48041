"""``ladderdesk <command>``: the scriptable face of the app, on the same controller as the window.

One module per command in this package, each exposing ``HELP`` (one line), ``add_parser(sub)`` and
``run(args) -> int``; :data:`COMMANDS` lists them and only the command being run is imported.
The commands parse arguments and print; every figure comes from :mod:`desktop.controller`.

Exit status: 0 ok; 2 bad input or unusable workspace, with one line on stderr and nothing
half-written; 1 unexpected internal error (one line; set ``LADDERDESK_DEBUG=1`` for the traceback).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from desktop.cli.common import Parser, UsageError
from desktop.errors import LadderDeskError

# command → (module, one-line help). The help is repeated here so `ladderdesk --help` lists every
# command without importing any of them (a test checks each module's HELP equals this line).
COMMANDS: dict[str, tuple[str, str]] = {
    "analytics": ("desktop.cli.analytics",
                  "bond analytics (price/yield, accrued, durations, convexity, dv01, KRDs) for a bonds CSV"),
    "import": ("desktop.cli.imports", "import an official data file (bonds, curves, FRED series) into the workspace"),
    "data": ("desktop.cli.data",
             "what market data the workspace holds (as-of, curves, fit, sources); move the valuation date"),
    "optimize": ("desktop.cli.optimize", "optimise a bond ladder across US/JP/AU/UK; write ALLOC and TRADES"),
    "scenarios": ("desktop.cli.scenarios", "P&L of a portfolio under stress scenarios (grid, horizon, roll-forward)"),
    "match": ("desktop.cli.match",
              "fund dated liabilities with the cheapest hedged four-market ladder; write ALLOC, FLOWS, ticket, hedges"),
    "roll": ("desktop.cli.roll", "roll a saved ladder to a date: reinvest maturities and coupons at the far end; write the ticket"),
    "bonds": ("desktop.cli.bonds",
              "the bond universe as the app sees it: ISIN, price source and date, yield, spread to the curve"),
    "holdings": ("desktop.cli.holdings",
                 "a saved portfolio valued: face, clean/accrued/dirty price, price source and date, market value"),
    "report": ("desktop.cli.report",
               "the committee pack of a saved portfolio as a PDF (run card, summary, charts, scenarios, ticket)"),
    "backtest": ("desktop.cli.backtest",
                 "walk-forward backtest of a preset vs Neutral, a US-only and an equal-weight ladder; write BT.csv"),
}

WINDOW_USAGE = """\
The window:
  ladderdesk [--workspace DB] [--preset NAME]
  ladderdesk --screenshot FILE.png --view VIEW [--size 1600x1000] [--preset NAME]  (render and exit)
"""


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The full parser; only ``command``'s module is imported (the others show their help line)."""
    parser = Parser(prog="ladderdesk", description="LadderDesk: four-market government bond ladders. "
                    "Without a command, ladderdesk opens the window.",
                    epilog=WINDOW_USAGE + "Run `ladderdesk COMMAND --help` for a command's options.",
                    formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser, metavar="COMMAND")
    for name, (module_name, help_line) in COMMANDS.items():
        if name != command:
            sub.add_parser(name, help=help_line, add_help=False)
            continue
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise UsageError(f"`ladderdesk {name}` is not available in this build ({exc})") from None
        module.add_parser(sub)
        sub.choices[name].set_defaults(_run=module.run)
    return parser


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
        command = argv[0] if argv and argv[0] in COMMANDS else None
        parser = build_parser(command)
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help / --version
            return int(exc.code or 0)
        return int(args._run(args))
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
