"""The executable ticket beyond the bond lines: FX hedge legs, price-age warnings and the XLSX file.

HEDGES (hedged books, :func:`hedge_table`), one line per non-base currency whose exposure the
trades change:

* ``amount_local`` = the change in that currency's market value (Σ signed trade face × dirty / 100,
  local currency), to the cent — the foreign currency **sold forward** (positive = sell; buying JGBs
  adds JPY exposure, which is sold forward);
* ``spot`` = units of base per unit (the workspace FX); ``forward_rate`` = 3-month forward at covered
  interest parity from the workspace short rates: F = S × (1 + r_base·τ_base) / (1 + r_local·τ_local),
  τ = days / basis (ACT/360 for USD and JPY, ACT/365 for GBP and AUD), rates in % a year;
* ``value_date`` = the trade date + 3 months, rolled forward to a business day of both currencies'
  bond-market calendars; ``amount_base`` = amount_local × forward_rate (base received), to the cent.

Warnings (:func:`price_age_warnings`): a line priced more than :data:`MAX_PRICE_AGE_BD` business days
(the market's calendar) before the trade date.

XLSX (:func:`write_ticket_xlsx`): sheets TRADES, HEDGES and "Run card"; dates as dates, faces and cash
with thousands separators and 2 decimals, prices to 6 decimals, frozen header row, column widths set.
Written atomically through :func:`desktop.export.atomic_target` (never half a file).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from desktop.markets import MARKETS, busday_calendar

HEDGE_COLUMNS = ["currency", "amount_local", "spot", "forward_rate", "value_date", "amount_base"]
MAX_PRICE_AGE_BD = 5
DAY_BASIS = {"USD": 360.0, "JPY": 360.0, "EUR": 360.0, "GBP": 365.0, "AUD": 365.0}
HEDGE_MONTHS = 3
_MARKET_OF = {m.currency: code for code, m in MARKETS.items()}


def add_months(d: date, months: int) -> date:
    """``d`` plus ``months`` calendar months (day clipped to the month's end)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def forward_value_date(trade_date: date, currencies: Sequence[str]) -> date:
    """``trade_date`` + :data:`HEDGE_MONTHS` months, rolled forward to a day open in every currency's
    bond-market calendar."""
    day = np.datetime64(add_months(trade_date, HEDGE_MONTHS), "D")
    for _ in range(10):
        moved = day
        for ccy in currencies:
            code = _MARKET_OF.get(ccy)
            if code is not None:
                moved = np.busday_offset(moved, 0, roll="forward", busdaycal=busday_calendar(code))
        if moved == day:
            break
        day = moved
    return day.astype(date)


def cip_forward(spot: float, base_rate_pct: float, local_rate_pct: float, base_ccy: str, local_ccy: str,
                days: int) -> float:
    """Covered-interest-parity forward (base per unit of local) ``days`` ahead (module docstring)."""
    grow_base = 1.0 + base_rate_pct / 100.0 * days / DAY_BASIS.get(base_ccy, 365.0)
    grow_local = 1.0 + local_rate_pct / 100.0 * days / DAY_BASIS.get(local_ccy, 365.0)
    return spot * grow_base / grow_local


def hedge_table(trades: pd.DataFrame, fx: Mapping[str, float], short_rates_pct: Mapping[str, float], base_ccy: str,
                trade_date: date) -> pd.DataFrame:
    """HEDGES rows (:data:`HEDGE_COLUMNS`) offsetting the ticket's change in each foreign currency's
    market value (module docstring). ``fx``: units of base per unit; ``trades``: TRADE_COLUMNS."""
    if trades.empty:
        return pd.DataFrame(columns=HEDGE_COLUMNS)
    sign = np.where(trades["side"].to_numpy() == "BUY", 1.0, -1.0)
    change = pd.Series(sign * trades["cash_local"].to_numpy(float)).groupby(trades["currency"].to_numpy()).sum()
    change = change[(change.index != base_ccy) & (change.round(2) != 0)]
    if change.empty:
        return pd.DataFrame(columns=HEDGE_COLUMNS)
    value = forward_value_date(trade_date, [base_ccy, *change.index])
    days = (value - trade_date).days
    rows = []
    for ccy, amount in change.sort_index().items():
        spot = float(fx[ccy])
        fwd = cip_forward(spot, float(short_rates_pct[base_ccy]), float(short_rates_pct[ccy]), base_ccy, str(ccy), days)
        local = round(float(amount), 2)
        rows.append({"currency": ccy, "amount_local": local, "spot": spot, "forward_rate": fwd,
                     "value_date": value.isoformat(), "amount_base": round(local * fwd, 2)})
    return pd.DataFrame(rows, columns=HEDGE_COLUMNS)


def price_age_warnings(universe: pd.DataFrame, traded: np.ndarray, trade_date: date) -> tuple[str, ...]:
    """One warning per market whose traded lines are priced more than :data:`MAX_PRICE_AGE_BD`
    business days before ``trade_date`` (its calendar)."""
    out = []
    rows = universe[np.asarray(traded, bool)]
    if rows.empty or "price_date" not in rows:
        return ()
    for code, g in rows.groupby("market", sort=True):
        when = pd.to_datetime(g["price_date"]).min()
        if pd.isna(when):
            continue
        age = int(np.busday_count(np.datetime64(when.date(), "D"), np.datetime64(trade_date, "D"),
                                  busdaycal=busday_calendar(str(code))))
        if age > MAX_PRICE_AGE_BD:
            out.append(f"{code}: the trade date {trade_date} is {age} business days after the price date "
                       f"{when:%Y-%m-%d}; re-price the ticket before sending it")
    return tuple(out)


# -- XLSX --------------------------------------------------------------------------------------
_DATE_COLS = {"trade_date", "settle_date", "value_date", "maturity", "price_date"}
_MONEY_COLS = {"face", "cash_local", "cash_base", "amount_local", "amount_base"}
_PRICE_COLS = {"clean_price", "accrued", "dirty_price"}
_RATE_COLS = {"spot", "forward_rate"}


def _sheet(ws: Any, frame: pd.DataFrame) -> None:
    from openpyxl.styles import Font

    from desktop.export import neutralise_text

    ws.append(list(frame.columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for rec in frame.itertuples(index=False, name=None):
        row = []
        for col, v in zip(frame.columns, rec, strict=True):
            if col in _DATE_COLS and isinstance(v, str) and v:
                row.append(date.fromisoformat(v[:10]))
            elif isinstance(v, np.generic):
                row.append(v.item())
            elif isinstance(v, float) and not np.isfinite(v):
                row.append(None)
            elif isinstance(v, str):
                row.append(neutralise_text(v))
            else:
                row.append(v)
        ws.append(row)
    for j, col in enumerate(frame.columns, start=1):
        fmt = ("yyyy-mm-dd" if col in _DATE_COLS else "#,##0.00" if col in _MONEY_COLS else
               "0.000000" if col in _PRICE_COLS else "0.000000" if col in _RATE_COLS else None)
        letter = ws.cell(row=1, column=j).column_letter
        if fmt:
            for r in range(2, len(frame) + 2):
                ws.cell(row=r, column=j).number_format = fmt
        width = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200)]) + 2
        ws.column_dimensions[letter].width = min(max(width, 10), 60)
    ws.freeze_panes = "A2"


def write_ticket_xlsx(path: Any, trades: pd.DataFrame, hedges: pd.DataFrame | None,
                      run_card: Mapping[str, Any]) -> None:
    """The ticket workbook (module docstring); ``run_card`` becomes a two-column sheet (key, value)."""
    import json

    from openpyxl import Workbook

    from desktop.export import atomic_target

    wb = Workbook()
    ws = wb.active
    ws.title = "TRADES"
    _sheet(ws, trades)
    if hedges is not None:
        _sheet(wb.create_sheet("HEDGES"), hedges)
    card = wb.create_sheet("Run card")
    items = pd.DataFrame([(k, v if isinstance(v, str | int | float) else json.dumps(v, default=str))
                          for k, v in run_card.items()], columns=["key", "value"])
    _sheet(card, items)
    with atomic_target(path, "wb") as fh:
        wb.save(fh)
