"""Liability schedules ("needs"): what the PM owes and when, read and checked, and kept with a
portfolio.

Needs (:func:`read_needs`, :func:`parse_needs`): a table ``date,amount`` or ``year,amount`` in the
base currency; a year means its last business day in the base currency's bond-market calendar
(:func:`desktop.markets.busday_calendar`: USD → US, JPY → JP, AUD → AU, GBP → UK). One line per
date; amounts > 0. Bad lines raise :class:`DataError` naming file, line and field.

Liabilities are kept with the portfolio: :func:`liabilities_card` (the needs and the match settings)
is stored under the run card's ``"liabilities"`` key (the existing portfolio JSON, no schema change).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from desktop.errors import DataError
from desktop.markets import CURVE_OF_CURRENCY, busday_calendar
from desktop.optim.match_settings import MatchSettings

MAX_NEED = 1e15  # base ccy: beyond a quadrillion, a typo
NEEDS_CARD_KEY = "liabilities"
__all__ = ["MAX_NEED", "NEEDS_CARD_KEY", "year_end_business_day", "parse_needs", "read_needs", "needs_csv_frame",
           "liabilities_card", "liabilities_of_card", "save_liabilities"]


def year_end_business_day(year: int, base_ccy: str) -> date:
    """Last business day of ``year`` in the bond-market calendar of ``base_ccy``'s market."""
    cal = busday_calendar(CURVE_OF_CURRENCY[base_ccy])
    return np.busday_offset(np.datetime64(f"{year}-12-31"), 0, roll="backward", busdaycal=cal).astype(date)


def _amount(text: str) -> float:
    cleaned = text.strip().replace(",", "").replace("_", "").replace(" ", "")
    return float(cleaned)  # ValueError for junk


def parse_needs(header: Sequence[str], rows: Sequence[Sequence[str]], lines: Sequence[int], source: str,
                base_ccy: str = "USD", as_of: date | None = None) -> pd.DataFrame:
    """DataFrame[date (datetime64), amount (base ccy)] sorted by date, from ``date,amount`` or
    ``year,amount`` rows (module docstring); ``as_of``: needs must fall after it."""
    names = [str(h).strip().lstrip("\ufeff").strip().lower() for h in header]
    when = "date" if "date" in names else "year" if "year" in names else None
    if when is None or "amount" not in names:
        raise DataError("the header must name a date (or year) column and an amount column", file=source, line=1,
                        field=",".join(names) or "header", expected="date,amount or year,amount")
    iw, ia = names.index(when), names.index("amount")
    dates, amounts, seen = [], [], {}
    for row, line in zip(rows, lines, strict=True):
        if len(row) != len(names):
            raise DataError(f"{len(row)} fields where the header has {len(names)}", file=source, line=line,
                            expected=",".join(names))
        cell = str(row[iw]).strip()
        try:
            if when == "year":
                year = int(cell)
                if not 1900 <= year <= 2199:
                    raise ValueError(cell)
                d = year_end_business_day(year, base_ccy)
            else:
                d = date.fromisoformat(cell)
        except ValueError:
            raise DataError(f"{cell!r} is not a {when}", file=source, line=line, field=when,
                            expected="a year such as 2031" if when == "year" else "a date YYYY-MM-DD") from None
        if as_of is not None and d <= as_of:
            raise DataError(f"the need on {d} is not after the valuation date {as_of}", file=source, line=line,
                            field=when, expected=f"a date after {as_of}")
        try:
            a = _amount(str(row[ia]))
        except ValueError:
            a = float("nan")
        if not (np.isfinite(a) and 0 < a <= MAX_NEED):
            raise DataError(f"amount {str(row[ia]).strip()!r} is not a positive number", file=source, line=line,
                            field="amount", expected=f"an amount in {base_ccy} > 0 and ≤ {MAX_NEED:,.0f}")
        if d in seen:
            raise DataError(f"{d} is listed twice (lines {seen[d]}, {line})", file=source, line=line, field=when,
                            expected="one line per date (add the amounts up)")
        seen[d] = line
        dates.append(d)
        amounts.append(a)
    if not dates:
        raise DataError("no needs in the table", file=source, line=2, expected="date,amount lines")
    out = pd.DataFrame({"date": pd.to_datetime(dates), "amount": amounts})
    return out.sort_values("date", kind="stable").reset_index(drop=True)


def read_needs(path: str, base_ccy: str = "USD", as_of: date | None = None) -> pd.DataFrame:
    """NEEDS.csv (``date,amount`` or ``year,amount``) read strictly (capped size, strict CSV)."""
    from desktop.importers.base import read_table

    table = read_table(path)
    if not table.rows:
        raise DataError("the file is empty", file=path, line=1, expected="date,amount or year,amount")
    return parse_needs(table.rows[0], table.rows[1:], table.lines[1:], path, base_ccy, as_of)


def needs_csv_frame(needs: pd.DataFrame) -> pd.DataFrame:
    """Needs as written back to a CSV: date (YYYY-MM-DD), amount."""
    return pd.DataFrame({"date": pd.to_datetime(needs["date"]).dt.strftime("%Y-%m-%d"),
                         "amount": needs["amount"].to_numpy(float)})


def liabilities_card(needs: pd.DataFrame, settings: MatchSettings) -> dict[str, Any]:
    """What is stored with a portfolio (under the run card's ``"liabilities"`` key)."""
    return {"needs": needs_csv_frame(needs).to_dict(orient="records"), "settings": settings.to_dict()}


def liabilities_of_card(card: Mapping[str, Any], source: str = "portfolio") -> tuple[pd.DataFrame, MatchSettings] | None:
    """(needs, settings) kept with a portfolio, or None when it has none."""
    entry = card.get(NEEDS_CARD_KEY) if isinstance(card, Mapping) else None
    if not entry:
        return None
    try:
        rows = [(str(r["date"]), str(r["amount"])) for r in entry["needs"]]
        settings = MatchSettings.from_dict(entry.get("settings", {}))
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"the stored liabilities are damaged ({exc})", file=source, field=NEEDS_CARD_KEY) from None
    needs = parse_needs(["date", "amount"], rows, list(range(2, len(rows) + 2)), source, settings.base_ccy)
    return needs, settings


def save_liabilities(ws: Any, portfolio: str, needs: pd.DataFrame, settings: MatchSettings) -> None:
    """Keep ``needs`` with saved portfolio ``portfolio`` (holdings untouched, one transaction)."""
    p = ws.load_portfolio(portfolio)
    card = dict(p.run_card)
    card[NEEDS_CARD_KEY] = liabilities_card(needs, settings)
    ws.save_portfolio(p.name, p.holdings, card)
