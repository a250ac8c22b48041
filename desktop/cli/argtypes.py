"""argparse value types shared by the command-line tools (range checks with the range in the message)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

MAX_AMOUNT = 1e15  # a quadrillion of any currency: beyond it, a typo


def ranged(lo: float, hi: float, unit: str, *, lo_open: bool = False) -> Callable[[str], float]:
    """An argparse type: a finite number in [lo, hi] ((lo, hi] with ``lo_open``), the range in the message."""
    def parse(text: str) -> float:
        try:
            v = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid number {text!r} ({unit})") from None
        if not ((lo < v if lo_open else lo <= v) and v <= hi):  # NaN fails too
            raise argparse.ArgumentTypeError(
                f"{text} is outside {'(' if lo_open else '['}{lo:g}, {hi:g}] ({unit})")
        return v
    return parse
