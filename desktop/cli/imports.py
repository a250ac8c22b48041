"""``ladderdesk import KIND FILE [--workspace DB]``: parse FILE and write it into the workspace in
one transaction (all or nothing). Never moves the workspace's valuation date.

``import prices FILE``: quotes (a generic ``market,id,clean_price|yield_pct[,date]`` CSV, a
Tradeweb/FTSE gilt close CSV or the DMO gilt closing prices; :mod:`desktop.importers.prices`).
``import holdings FILE --portfolio NAME [--overwrite]``: a custodian / broker holdings file
(:func:`desktop.controller.book.read_holdings_file`) saved as a portfolio. Neither changes a
saved holding or a bond's static data.
``import ecb-fx FILE``: the ECB's euro reference-rate history (``eurofxref-hist.csv`` or ``.zip``);
its month-end fixings become the FX history the app uses (USD/JPY/GBP/AUD crossed through EUR),
replacing the bundled months they cover (a month whose rate differs needs ``--replace``).
"""

from __future__ import annotations

import argparse

from desktop.cli.common import add_workspace, open_workspace

HELP = "import an official data file (bonds, curves, FRED series) into the workspace"
IMPORT_KINDS = ("bonds", "us-treasury", "mof-jgb", "rba-f2", "boe", "fred", "ecb-fx", "prices", "holdings")


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    i = sub.add_parser("import", help=HELP, description=HELP)
    i.add_argument("kind", nargs="?", choices=IMPORT_KINDS)
    i.add_argument("file", nargs="?")
    i.add_argument("--replace", action="store_true",
                   help="replace stored curves of the same market and date that differ (refused otherwise); "
                        "ecb-fx: FX month-ends that differ from the workspace's")
    i.add_argument("--force", action="store_true",
                   help="accept FX observations beyond the band around the known rate (a real 50%% move)")
    i.add_argument("--undo", action="store_true",
                   help="undo the latest import: the data it replaced comes back exactly (no KIND/FILE)")
    i.add_argument("--portfolio", metavar="NAME", help="holdings: the portfolio to save the book as")
    i.add_argument("--overwrite", action="store_true", help="holdings: replace a saved portfolio of that name")
    add_workspace(i)
    return i


def run(args: argparse.Namespace) -> int:
    """``ladderdesk import``."""
    from desktop.importers import parse_file

    if args.undo:
        return _undo(args)
    if not (args.kind and args.file):
        from desktop.cli.common import UsageError

        raise UsageError("ladderdesk import: KIND and FILE are required, or --undo (see --help)")
    if args.kind == "holdings":
        return _holdings(args)
    if args.portfolio is not None or args.overwrite:
        from desktop.cli.common import UsageError

        raise UsageError("--portfolio / --overwrite go with `import holdings` only")
    result = parse_file(args.kind, args.file)
    if args.kind == "prices":
        return _prices(args, result)
    with open_workspace(args.workspace) as ws:
        detail = ws.apply_import(result, force=args.force, replace=args.replace)
        where = ws.path
    what = {"curves": "curve points", "bonds": "bonds", "series": "observations"}[result.kind]
    if "fx_history" in detail:
        what = f"observations ({result.rows} daily fixings)"
    print(f"imported {detail.get('rows', 0)} {what} from {args.file} ({result.source_name}) into {where}")
    for market, (lo, hi) in detail.get("curve_dates", {}).items():
        print(f"  {market} curves {lo}" + (f" .. {hi}" if hi != lo else ""))
    for sid, (lo, hi) in detail.get("series", {}).items():
        print(f"  {sid} {lo} .. {hi}")
    for feed in detail.get("feeds", []):
        print(f"  {feed}")
    fxh = detail.get("fx_history")
    if fxh:
        print(f"  FX history {'/'.join(fxh['currencies'])} month-ends {fxh['first']} .. {fxh['last']}: {fxh['months']} "
              f"months ({fxh['new']} new, {fxh['same']} the same, {fxh['replaced']} replaced"
              + ("; undo: ladderdesk import --undo)" if fxh["replaced"] else ")"))
        if fxh["last"] > detail.get("as_of", fxh["last"]):
            print(f"  as-of stays {detail['as_of']}; FX dated after it is used once the valuation date moves: "
                  "ladderdesk data --set-as-of YYYY-MM-DD")
    for market, n in detail.get("markets", {}).items():
        print(f"  {market}: {n} bonds")
    for line in detail.get("held_changed", []):
        print(f"  static data of a held bond changed: {line}")
    left_out = detail.get("curves_left_out", [])
    if left_out:
        print(f"  left out {len(left_out)} dates whose curve has under 4 points or does not span 2-10 y "
              f"(e.g. {', '.join(left_out[:3])})")
    for label in detail.get("replaced", []):
        print(f"  replaced the stored {label} curve (undo: ladderdesk import --undo)")
    if detail.get("newer_than_as_of"):
        print(f"  as-of stays {detail['as_of']}; to use the newer curves: "
              "ladderdesk data --set-as-of YYYY-MM-DD")
    return 0




def _prices(args: argparse.Namespace, parsed: object) -> int:
    from desktop.store.prices import import_prices

    with open_workspace(args.workspace) as ws:
        detail = import_prices(ws, parsed)
        where = ws.path
    dates = detail.get("price_dates") or ["?", "?"]
    span = dates[0] + (f" .. {dates[1]}" if dates[1] != dates[0] else "")
    print(f"imported {detail['rows']} quotes ({span}) from {args.file} ({detail['source_name']}) into {where}")
    for market, n in detail.get("markets", {}).items():
        print(f"  {market}: {n} quotes")
    if detail.get("bonds_added"):
        print(f"  {len(detail['bonds_added'])} bonds added with their static data: "
              + ", ".join(detail["bonds_added"][:8]) + (" …" if len(detail["bonds_added"]) > 8 else ""))
    for what, n in detail.get("skipped", {}).items():
        print(f"  skipped {n} {what}")
    if detail.get("after_as_of"):
        print(f"  {detail['after_as_of']} quotes are dated after the valuation date {detail['as_of']} and are not "
              "used; to use them: ladderdesk data --set-as-of YYYY-MM-DD")
    return 0


def _holdings(args: argparse.Namespace) -> int:
    from desktop.cli.common import UsageError
    from desktop.controller.book import read_holdings_file
    from desktop.controller.workspace import WorkspaceService
    from desktop.universe import build_universe

    if not args.portfolio:
        raise UsageError("import holdings needs --portfolio NAME (the saved portfolio to create)")
    with open_workspace(args.workspace) as ws:
        service = WorkspaceService(ws)
        snapshot = ws.load_snapshot()
        universe = build_universe(snapshot)
        book = read_holdings_file(universe, args.file)
        card = {"data_as_of": snapshot.as_of.isoformat(), "source": f"imported from {args.file}"}
        if book.accounts is not None and len(book.accounts):
            card["accounts"] = book.accounts.to_dict(orient="records")
        n = service.save_portfolio(args.portfolio, universe, book.face, card, overwrite=args.overwrite)
        where = ws.path
    accounts = "" if book.accounts is None else f" in {book.accounts['account'].nunique()} account(s)"
    print(f"imported {n} holdings{accounts} from {args.file} as portfolio {args.portfolio!r} into {where}")
    return 0


def _undo(args: argparse.Namespace) -> int:
    """``ladderdesk import --undo``: restore what the latest import replaced."""
    from desktop.cli.common import UsageError

    if args.kind or args.file or args.replace or args.force:
        raise UsageError("ladderdesk import --undo takes no KIND, FILE, --replace or --force")
    with open_workspace(args.workspace) as ws:
        info = ws.undo_import()
        where = ws.path
    print(f"undid the {info['kind']} import of {info['source_file']} (made {info['imported_at']}) in {where}")
    return 0
