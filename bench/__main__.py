"""Run every ``bench/bench_*.py`` module and print its figures.

Each module exposes ``run() -> list[str]``. Figures are ratios against a reference measured in the
same run (QuantLib, the raw solver, …) because this machine is shared and noisy.
``LADDERDESK_BENCH_QUICK=1`` leaves out the largest universes (optimiser N = 20,000, views N = 10,000);
``python -m bench optim views`` runs only the named benches.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(argv: list[str]) -> int:
    import bench

    wanted = set(argv)
    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    failed = 0
    if os.environ.get("LADDERDESK_BENCH_QUICK") == "1":
        print("LADDERDESK_BENCH_QUICK=1: the largest universes are left out", flush=True)
    start = time.perf_counter()
    for name in names:
        short = name.removeprefix("bench_")
        if wanted and short not in wanted:
            continue
        print(f"== {short}", flush=True)
        t0 = time.perf_counter()
        try:
            module = importlib.import_module(f"bench.{name}")
            for line in module.run():
                print("  " + line, flush=True)
        except Exception as exc:  # a broken bench must not hide the others
            failed += 1
            print(f"  FAILED: {type(exc).__name__}: {exc}", flush=True)
        print(f"  ({time.perf_counter() - t0:.1f} s)", flush=True)
    print(f"== total {time.perf_counter() - start:.0f} s", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
