"""Rolling a ladder forward (``ladderdesk roll``, the window's Portfolio ▸ Roll ladder…): what the book
receives up to a date is reinvested at the far end of its ladder with real bonds, at minimum
turnover (nothing is sold), and the rolled book is checked against the portfolio's limits.

Amounts: face and cash in each bond's local currency; the ticket's ``cash_base`` in the base
currency at spot; limits as fractions 0–1 (:class:`desktop.optim.match_settings.MatchSettings`).
The rule: :func:`roll_ladder`. The ticket is the allocator's (:func:`desktop.controller.book.trade_list`),
and each purchase is sized at that ticket's price (:func:`desktop.controller.book.ticket_prices`:
accrued at the roll's settlement), so the cash spent is the ticket's to the cent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from desktop.controller.book import ticket_cash, ticket_prices, trade_list
from desktop.controller.needs import NEEDS_CARD_KEY, liabilities_of_card
from desktop.errors import DataError
from desktop.finance import fx_to_base, market_values_base
from desktop.markets import MARKETS, settlement_date
from desktop.optim.match_settings import MatchSettings

__all__ = ["RollResult", "roll_ladder", "roll_limits", "limit_warnings", "cash_flows_of"]


@dataclass(frozen=True, eq=False)
class RollResult:
    """A ladder rolled to ``to_date``. ``trades``: the ticket (BUYs only,
    :data:`~desktop.controller.book.TRADE_COLUMNS`); ``face``: the book after the roll (local face
    per universe row); ``cash``: per market — currency, redeemed, coupons, reinvested (the ticket's
    ``cash_local`` of that market), left = redeemed + coupons − reinvested ≥ 0 (local ccy);
    ``rungs``: matured bond → bond bought (market, matured_id, matured, target, bought_id,
    bought_maturity, face); ``length_years`` the ladder's length."""

    trades: pd.DataFrame
    face: np.ndarray
    cash: pd.DataFrame
    rungs: pd.DataFrame
    length_years: int
    warnings: tuple[str, ...]


def roll_ladder(snapshot: Any, face: np.ndarray, to_date: date, *, universe: pd.DataFrame | None = None,
                base_ccy: str = "USD", limits: MatchSettings | None = None) -> RollResult:
    """Reinvest what the book ``face`` receives up to ``to_date`` at the far end of its ladder.

    Rule: the ladder's length ``L`` = last rung − first rung + 1 whole years (universe rungs). Each
    bond maturing on or before ``to_date`` is replaced, in its own market, by the real bond maturing
    nearest ``its maturity + L`` years, so the rung reappears at the far end and the ladder keeps its
    length and shape; a market's coupons received up to ``to_date`` go with its redemptions (pro rata),
    or, where nothing of that market matures, into the bond nearest one year beyond its longest
    holding. Only real bonds maturing after the trade settles are bought. Minimum turnover: nothing is
    sold; only cash received is spent, face rounded down to the denomination so that the ticket's cash
    (face × dirty / 100 to the cent) never exceeds it (what is left stays as cash). Priced at the
    workspace's clean prices (the data's date) with the accrued at the roll's settlement; the
    ticket's trade date is ``to_date``. The rolled book is checked against ``limits`` (default: the
    allocator's defaults) and each breach is a warning (:func:`limit_warnings`).
    """
    if universe is None:
        from desktop.universe import build_universe

        universe = build_universe(snapshot)
    face = np.asarray(face, float)
    held = np.flatnonzero(face > 0)
    if held.size == 0:
        raise DataError("the portfolio holds nothing to roll", field="--portfolio", expected="a book with holdings")
    when = pd.Timestamp(to_date)
    maturity = pd.to_datetime(universe["maturity"])
    if when <= pd.Timestamp(snapshot.as_of):
        raise DataError(f"the roll date {to_date} is not after the data's date {snapshot.as_of}", field="--to",
                        expected=f"a date after {snapshot.as_of}")
    sub = universe.iloc[held]
    fl = cash_flows_of(sub)
    got = fl["pay_date"] <= when
    local = fl["amount"].to_numpy(float) / 100.0 * face[held][fl["bond_pos"].to_numpy()]
    rung = universe["rung"].to_numpy(int)[held]
    length = int(rung.max() - rung.min() + 1)
    matured = held[(maturity.iloc[held] <= when).to_numpy()]
    if matured.size == 0:
        raise DataError(f"nothing in the book matures by {to_date} (first maturity "
                        f"{maturity.iloc[held].min():%Y-%m-%d})", field="--to", expected="a later roll date")
    markets = universe["market"].to_numpy()
    settles = {c: pd.Timestamp(settlement_date(str(c), to_date)) for c in pd.unique(markets[held])}
    real = ~universe["is_generic"].to_numpy(bool)
    after = face.copy()
    after[matured] = 0.0
    buy = np.zeros(len(universe))
    cash_rows, rung_rows, warnings = [], [], []
    for code in pd.unique(markets[held]):
        mine = held[markets[held] == code]
        principal_mask = got.to_numpy() & (fl["principal"].to_numpy() > 0) & (markets[held][fl["bond_pos"]] == code)
        coupon_mask = got.to_numpy() & (markets[held][fl["bond_pos"]] == code)
        redeemed = float((fl["principal"].to_numpy() / 100.0 * face[held][fl["bond_pos"].to_numpy()])[principal_mask]
                         .sum())
        coupons = float(local[coupon_mask].sum()) - redeemed
        done = [i for i in matured if markets[i] == code]
        targets = [(i, maturity.iat[i] + pd.DateOffset(years=length)) for i in done]
        weights = np.array([face[i] for i in done], float)
        if not targets:  # coupons only: one year beyond the market's longest holding
            targets = [(None, maturity.iloc[mine].max() + pd.DateOffset(years=1))]
            weights = np.array([1.0])
        spend = (redeemed + coupons) * weights / weights.sum()
        den = MARKETS[code].min_denomination
        candidates = np.flatnonzero(real & (markets == code) & (maturity > settles[code]).to_numpy())
        for (src, target), amount in zip(targets, spend, strict=True):
            if candidates.size == 0:
                warnings.append(f"no real {code} bond to reinvest in: {amount:,.2f} kept as cash")
                continue
            gap = np.abs((maturity.iloc[candidates] - target).dt.days.to_numpy())
            pick = int(candidates[np.argmin(gap)])
            if maturity.iat[pick] <= maturity.iloc[mine].max():
                warnings.append(f"no {code} bond matures near {target:%Y-%m-%d}: reinvested in {universe['id'].iat[pick]} "
                                f"({maturity.iat[pick]:%Y-%m-%d}), inside the ladder")
            units = _units_within(amount, buy[pick], den, _ticket_dirty(universe, pick, to_date))
            buy[pick] = np.round(buy[pick] + units * den, 2)
            rung_rows.append({"market": code, "matured_id": universe["id"].iat[src] if src is not None else "",
                              "matured": f"{maturity.iat[src]:%Y-%m-%d}" if src is not None else "",
                              "target": f"{target:%Y-%m-%d}", "bought_id": universe["id"].iat[pick],
                              "bought_maturity": f"{maturity.iat[pick]:%Y-%m-%d}",
                              "face": float(np.round(units * den, 2))})
        cash_rows.append({"market": code, "currency": MARKETS[code].currency, "redeemed": redeemed,
                          "coupons": coupons})
    trades = trade_list(universe, np.zeros(len(universe)), buy, fx_to_base(snapshot.fx_usd_per_unit, base_ccy),
                        to_date, refuse_matured=True)
    spent = trades.groupby("market")["cash_local"].sum()
    for row in cash_rows:
        row["reinvested"] = round(float(spent.get(row["market"], 0.0)), 2)
        row["left"] = row["redeemed"] + row["coupons"] - row["reinvested"]
    warnings += limit_warnings(universe, after + buy, snapshot.fx_usd_per_unit, limits or MatchSettings(base_ccy=base_ccy))
    if np.busday_count(snapshot.as_of, to_date) > 5:
        warnings.append(f"clean prices of the data's date {snapshot.as_of} (accrued to the roll's settlement): "
                        f"re-price the ticket on {to_date}")
    return RollResult(trades=trades, face=after + buy, cash=pd.DataFrame(cash_rows), rungs=pd.DataFrame(rung_rows),
                      length_years=length, warnings=tuple(warnings))


def _ticket_dirty(universe: pd.DataFrame, pos: int, trade_date: date) -> float:
    """The dirty price per 100 face the ticket pays for universe row ``pos`` traded on ``trade_date``."""
    return float(ticket_prices(universe.iloc[[pos]], trade_date)["dirty_price"].iat[0])


def _units_within(amount: float, held: float, den: float, dirty: float) -> int:
    """Most whole denominations ``den`` of a bond at ``dirty`` (per 100) that ``amount`` pays for on
    top of ``held`` face already bought: the ticket's cash for the bond
    (:func:`~desktop.controller.book.ticket_cash`) grows by at most ``amount``."""
    units = int(np.floor(amount / (dirty / 100.0) / den + 1e-9))

    def cash(face: float) -> float:
        return float(ticket_cash(np.array([face]), np.array([dirty]))[0])

    while units > 0 and cash(np.round(held + units * den, 2)) - cash(held) > amount + 1e-9:
        units -= 1
    return max(units, 0)


def roll_limits(card: Mapping[str, Any], base_ccy: str) -> MatchSettings:
    """The limits a saved portfolio was built under: its liabilities' match settings, else the
    optimiser run card's US cap, else the allocator's defaults."""
    kept = liabilities_of_card(card) if card.get(NEEDS_CARD_KEY) else None
    if kept is not None:
        return replace(kept[1], base_ccy=base_ccy)
    settings = card.get("settings") if isinstance(card.get("settings"), Mapping) else {}
    cap = settings.get("us_cap")
    ok = isinstance(cap, int | float) and not isinstance(cap, bool) and 0 <= cap <= 1
    return MatchSettings(base_ccy=base_ccy, us_cap=float(cap) if ok else MatchSettings().us_cap)


def limit_warnings(universe: pd.DataFrame, face: np.ndarray, fx_usd_per_unit: Mapping[str, float],
                   limits: MatchSettings) -> list[str]:
    """The book's breaches of the limits (US share of duration, market weights, per-bond maximum),
    at today's prices, in the PM's words (empty when within)."""
    value = market_values_base(universe, face, fx_to_base(fx_usd_per_unit, limits.base_ccy))
    total = value.sum()
    if total <= 0:
        return []
    out = []
    dur = value * universe["mod_duration"].to_numpy(float)
    us = float(dur[(universe["market"] == "US").to_numpy()].sum() / dur.sum()) if dur.sum() > 0 else 0.0
    if us > limits.us_cap + 1e-4:
        out.append(f"after the roll the US share of duration is {us:.1%} (limit {limits.us_cap:.0%})")
    by_market = pd.Series(value, index=universe["market"].to_numpy()).groupby(level=0).sum() / total
    for code, lo in limits.market_min.items():
        if by_market.get(code, 0.0) < lo - 1e-4:
            out.append(f"after the roll {code} is {by_market.get(code, 0.0):.1%} of the book (minimum {lo:.0%})")
    for code, hi in limits.market_max.items():
        if by_market.get(code, 0.0) > hi + 1e-4:
            out.append(f"after the roll {code} is {by_market.get(code, 0.0):.1%} of the book (maximum {hi:.0%})")
    w = value / total
    if w.max() > limits.max_weight + 1e-4:
        k = int(np.argmax(w))
        out.append(f"after the roll {universe['market'].iat[k]} {universe['id'].iat[k]} is {w[k]:.1%} of the book "
                   f"(limit {limits.max_weight:.0%} per bond)")
    return out


def cash_flows_of(rows: pd.DataFrame) -> pd.DataFrame:
    """:func:`desktop.analytics.cash_flows` of universe ``rows`` with ``bond_pos`` = position in ``rows``,
    on the pricing's schedule (issue dates give first coupon periods: :func:`desktop.schedule.schedule_inputs`)."""
    from desktop.analytics import cash_flows
    from desktop.schedule import schedule_inputs

    fl = cash_flows(schedule_inputs(rows), rows["settle_date"].reset_index(drop=True))
    fl["bond_pos"] = fl["bond"].to_numpy(int)
    return fl
