"""``ladderdesk report``: the committee pack of a saved portfolio as a PDF — run card (valuation
date, data sources and ages, settings, solver status), summary current vs optimised, the ladder,
exposure and trade-off charts, the scenario table, binding constraints and the ticket.

The portfolio is opened with the settings saved with it and optimised by the real optimiser, as
the window does; the pages are drawn by the window's own charts on an offscreen Qt platform (the
Qt part is :mod:`desktop.views.report`, imported only when this command runs).
Exit 0 ok; 2 bad input (unknown portfolio, unusable workspace; nothing written).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from desktop.cli.common import add_workspace

HELP = "the committee pack of a saved portfolio as a PDF (run card, summary, charts, scenarios, ticket)"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = subparsers.add_parser("report", help=HELP, description=__doc__.split("\n\n")[0])
    add_workspace(p)
    p.add_argument("--portfolio", required=True, metavar="NAME", help="the saved portfolio to report on")
    p.add_argument("--out", required=True, metavar="F.pdf", help="write the PDF here")
    p.add_argument("--json", action="store_true", help="print pages and sections as JSON")
    return p


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # a report never needs a display
    # the one CLI module that reaches the views (an ignore_imports entry in the import-linter contracts)
    from desktop.views.report import report_from_workspace

    report = report_from_workspace(args.workspace, args.portfolio, args.out)
    if args.json:
        print(json.dumps({"out": str(report.path), "pages": report.pages, "sections": list(report.sections),
                          "trades": report.trades}, indent=2))
    else:
        print(f"wrote {report.path}: {report.pages} pages ({', '.join(report.sections)}); {report.trades} trades",
              file=sys.stdout)
    return 0
