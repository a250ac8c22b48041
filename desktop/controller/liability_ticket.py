"""The ticket of the liability-ladder workflows (:func:`desktop.controller.liabilities.match` and
:func:`desktop.controller.roll.roll_ladder`): the trades moving one book (local face per universe
row) to another at the universe's prices, with each bond's ISIN where the data gives one.

ISINs (:func:`isin_of`): an id that is a valid ISIN (ISO 6166 check digit: letters → 10..35, then
Luhn), or a US CUSIP (modulus-10 check digit) turned into ``US`` + CUSIP + check digit; otherwise ''
— never an invented one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd

from desktop.errors import DataError
from desktop.markets import settlement_date

TICKET_COLUMNS = ["trade_date", "settle_date", "side", "market", "id", "isin", "name", "currency", "face",
                  "clean_price", "accrued", "dirty_price", "cash_local", "cash_base"]
__all__ = ["TICKET_COLUMNS", "ticket", "isin_of", "isins_of"]


def _char_value(ch: str) -> int:
    return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10


def _luhn_isin_digit(body: str) -> int:
    digits = "".join(str(_char_value(c)) for c in body)
    total = 0
    for i, d in enumerate(reversed(digits)):
        v = int(d) * (2 if i % 2 == 0 else 1)
        total += v // 10 + v % 10
    return (10 - total % 10) % 10


def _cusip_ok(cusip: str) -> bool:
    if not re.fullmatch(r"[0-9A-Z]{8}[0-9]", cusip):
        return False
    total = 0
    for i, c in enumerate(cusip[:8]):
        v = _char_value(c) * (2 if i % 2 else 1)
        total += v // 10 + v % 10
    return (10 - total % 10) % 10 == int(cusip[8])


def isin_of(market: str, bond_id: str) -> str:
    """The bond's ISIN where the data gives one: an id that is a valid ISIN, or a US CUSIP turned
    into ``US`` + CUSIP + check digit; otherwise '' (never an invented one)."""
    ident = str(bond_id).strip().upper()
    if re.fullmatch(r"[A-Z]{2}[0-9A-Z]{9}[0-9]", ident) and _luhn_isin_digit(ident[:11]) == int(ident[11]):
        return ident
    if market == "US" and _cusip_ok(ident):
        return f"US{ident}{_luhn_isin_digit('US' + ident)}"
    return ""


def isins_of(universe: pd.DataFrame, rows: pd.DataFrame) -> list[str]:
    """ISIN per row of ``rows`` (market, id): the universe's ``isin`` column where it gives one, else
    :func:`isin_of`."""
    given = None
    if "isin" in universe.columns:
        given = universe.set_index(["market", "id"])["isin"]
    out = []
    for m, i in zip(rows["market"], rows["id"], strict=True):
        value = given.get((m, i), "") if given is not None else ""
        out.append(str(value) if isinstance(value, str) and value else isin_of(m, i))
    return out


def ticket(universe: pd.DataFrame, current_face: np.ndarray, target_face: np.ndarray,
           fx_usd_per_unit: Mapping[str, float], base_ccy: str, trade_date: date,
           prices: pd.DataFrame | None = None) -> pd.DataFrame:
    """Trade ticket (:data:`TICKET_COLUMNS`) moving ``current_face`` to ``target_face`` (local face per
    universe row) at the universe's prices (or ``prices``: clean_price, accrued, dirty_price per row);
    cash_local = face × dirty / 100 to the cent, cash_base at spot; settlement per market for
    ``trade_date``. Curve-implied generic bonds never reach a ticket (DataError naming them)."""
    delta = np.asarray(target_face, float) - np.asarray(current_face, float)
    moved = np.abs(delta) > 1e-9
    sub = universe[moved]
    generic = sub[sub["is_generic"].astype(bool)]
    if len(generic):
        raise DataError("curve-implied generic bonds cannot be traded: " + ", ".join(generic["id"].astype(str)[:5]),
                        field="--allow-generic", expected="real bonds only on a ticket (drop --allow-generic)")
    px = prices[moved] if prices is not None else sub
    face = np.abs(delta[moved])
    dirty = px["dirty_price"].to_numpy(float)
    cash_local = np.round(face * dirty / 100.0, 2)
    spot = sub["currency"].map(lambda c: fx_usd_per_unit[c] / fx_usd_per_unit[base_ccy]).to_numpy(float)
    settle = {c: settlement_date(str(c), trade_date) for c in sub["market"].unique()}
    out = pd.DataFrame({
        "trade_date": trade_date.isoformat(), "settle_date": [settle[c].isoformat() for c in sub["market"]],
        "side": np.where(delta[moved] > 0, "BUY", "SELL"), "market": sub["market"].to_numpy(),
        "id": sub["id"].to_numpy(), "isin": isins_of(universe, sub), "name": sub["name"].to_numpy(),
        "currency": sub["currency"].to_numpy(), "face": face, "clean_price": px["clean_price"].to_numpy(float),
        "accrued": px["accrued"].to_numpy(float), "dirty_price": dirty, "cash_local": cash_local,
        "cash_base": np.round(cash_local * spot, 2),
    }, columns=TICKET_COLUMNS)
    return out.sort_values(["side", "market", "id"], kind="stable").reset_index(drop=True)
