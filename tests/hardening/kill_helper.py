"""Child process for the SIGKILL test: loops writing portfolios and curve imports into a workspace.

Usage: ``python kill_helper.py WORKSPACE BASE_VERSION`` (workspace must exist). Prints
``ready`` once open, then ``try <what> <v>`` before and ``done <what> <v>`` after each committed
write, flushing each line, until it is killed. Every write encodes its version ``v`` so the parent
can tell an old version, a new version and a mix apart:

* portfolio ``p{v % 4}``: ``holdings_count(v)`` lines, every ``face == v``, run card ``{"version": v}``;
* curve import (every 3rd v): US curve dated ``2026-01-0{1 + v % 3}`` with ``curve_tenors(v)``
  tenors, all with ``source == f"v{v}"``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import pandas as pd


def holdings_count(v: int) -> int:
    """Number of holdings lines written for version ``v``."""
    return 1 + (v * 37) % 150


def curve_tenors(v: int) -> int:
    """Number of curve tenors written for version ``v``."""
    return 4 + v % 5  # the store's curve bounds: at least 4 points, one at <= 2 y and one at >= 10 y


def curve_date(v: int) -> str:
    """Curve date written for version ``v``."""
    return f"2026-01-0{1 + v % 3}"


@dataclass(frozen=True)
class CurveImport:
    """Duck-typed ImportResult of kind "curves"."""

    curves: pd.DataFrame
    kind: str = "curves"
    source_file: str = "kill.csv"
    source_name: str = "kill test"
    rows: int = 1
    bonds: None = None
    series: None = None


def main(path: str, base: int) -> None:
    from desktop.store import Workspace

    ws = Workspace.open(path, create=False)
    print("ready", flush=True)
    v = base
    while True:
        v += 1
        name = f"p{v % 4}"
        n = holdings_count(v)
        holdings = pd.DataFrame({"id": [f"B{i:03d}" for i in range(n)], "market": "US", "face": float(v)})
        print(f"try {name} {v}", flush=True)
        ws.save_portfolio(name, holdings, {"version": v, "n": n})
        print(f"done {name} {v}", flush=True)
        if v % 3 == 0:
            k = curve_tenors(v)
            curves = pd.DataFrame(
                {
                    "market": "US",
                    "date": curve_date(v),
                    "tenor_years": [float(t + 1) for t in range(k - 1)] + [30.0],
                    "yield_pct": 4.0,
                    "curve_type": "par",
                    "source": f"v{v}",
                }
            )
            print(f"try curve {v}", flush=True)
            ws.apply_import(CurveImport(curves), replace=True)
            print(f"done curve {v}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
