"""One formatter per unit, so every panel writes a number the same way.

- :func:`pct` — per cent, ``4.22 %`` (``+0.26 %`` for a change); weights to :data:`WEIGHT_DECIMALS`.
- :func:`bp` — basis points, ``+12 bp``.
- :func:`years` — ``5.84 y``.
- :func:`money` — an amount with its currency, compact: ``100.26m USD``, ``58.6k USD``, ``935 USD``
  (thousands are always ``k``, millions ``m``, billions ``bn``: never ``+11.0k`` beside ``+9,335``).
- :func:`face` — a face amount in whole units with thousands separators (``781,550,000``), the
  way it is traded in its denominations.
- :func:`words` — a field name in words (``roll_down`` → ``Roll-down``).

A value that rounds to zero is written without a sign ("0.00 %", never "−0.00 %"); minus is the
ASCII hyphen-minus, so a copied cell pastes into a spreadsheet as a number.
"""

from __future__ import annotations

import math

DASH = "—"
WEIGHT_DECIMALS = 2  # weights are shown to 0.01 %: the optimiser's limits bind to well inside that
WORDS = {
    "roll_down": "Roll-down",
    "rolldown": "Roll-down",
    "price_change": "Price change",
    "carry": "Carry",
    "fx": "FX",
    "fx_carry": "FX carry",
    "hedge_carry": "Hedge carry",
    "curve_view": "Curve view",
    "convexity": "Convexity",
    "total": "Total",
    "pnl": "P&L",
    "dv01": "DV01",
    "krd": "KRD",
}


def _ok(value: float | None) -> bool:
    return value is not None and isinstance(value, (int, float)) and math.isfinite(value)


def number(value: float | None, decimals: int = 2, sign: bool = False, thousands: bool = True) -> str:
    """``value`` to ``decimals`` places; ``sign`` puts ``+`` on a positive change; no "-0.00"."""
    if not _ok(value):
        return DASH
    text = f"{value:,.{decimals}f}" if thousands else f"{value:.{decimals}f}"
    if text.startswith("-") and not any(ch in "123456789" for ch in text):
        text = text[1:]  # rounds to zero: no sign
    if sign and not text.startswith("-") and any(ch in "123456789" for ch in text):
        text = "+" + text
    return text


def pct(value: float | None, decimals: int = 2, sign: bool = False) -> str:
    """Per cent (``value`` already in %)."""
    return DASH if not _ok(value) else f"{number(value, decimals, sign)} %"


def weight(value_pct: float | None, sign: bool = False) -> str:
    """A portfolio weight in % to :data:`WEIGHT_DECIMALS`."""
    return pct(value_pct, WEIGHT_DECIMALS, sign)


def bp(value: float | None, decimals: int = 0, sign: bool = True) -> str:
    return DASH if not _ok(value) else f"{number(value, decimals, sign)} bp"


def years(value: float | None, decimals: int = 2, sign: bool = False) -> str:
    return DASH if not _ok(value) else f"{number(value, decimals, sign)} y"


def compact(value: float | None, sign: bool = False) -> str:
    """An amount with k (one decimal) / m / bn (two decimals); below 1,000 whole units."""
    if not _ok(value):
        return DASH
    size = abs(value)
    for div, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if size >= div * 0.9995:
            decimals = 1 if suffix == "k" else 2  # 58.6k, 100.26m, 2.50bn
            return number(value / div, decimals, sign) + suffix
    return number(value, 0, sign)


def money(value: float | None, ccy: str = "", sign: bool = False) -> str:
    """``100.26m USD``; ``ccy`` left out when the row or column already names it."""
    text = compact(value, sign)
    return text if not ccy or text == DASH else f"{text} {ccy}"


def face(value: float | None) -> str:
    """A face amount: thousands separators, never compact (it is what gets traded); whole units, or
    pennies where the denomination has them (gilts trade to 0.01)."""
    if not _ok(value):
        return ""
    return number(value, 0 if abs(value - round(value)) < 5e-7 else 2)


def words(name: str) -> str:
    """A field name as a PM reads it: ``roll_down`` → ``Roll-down``, ``us_cap`` → ``US cap``."""
    key = str(name).strip()
    if key.lower() in WORDS:
        return WORDS[key.lower()]
    parts = key.replace("-", "_").split("_")
    out = []
    for i, part in enumerate(parts):
        if part.upper() in {"US", "JP", "AU", "UK", "FX", "DV01", "KRD", "PNL", "CCY", "USD", "JPY", "AUD", "GBP"}:
            out.append("P&L" if part.upper() == "PNL" else part.upper())
        else:
            out.append(part.capitalize() if i == 0 else part.lower())
    return " ".join(out)


def summary_cell(value: float | None, unit: str, base: str = "", change: bool = False) -> str:
    """A Summary / Compare cell: ``unit`` is "%", "y", "base" (money in the base currency, the row
    names it) or "bp"."""
    if unit == "%":
        return pct(value, 2, change)
    if unit == "y":
        return years(value, 2, change)
    if unit == "bp":
        return bp(value, 1, change)
    return money(value, "", change)
