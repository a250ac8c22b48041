"""Ladder rule, holdings ↔ face and trades (desktop.controller.ladder)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from desktop import controller as ctl


def test_ladder_rule_real_bonds_only_rung_money_to_the_markets_that_have_one(universe, snap):
    """Real bonds only (no curve-implied generic, no unquoted bond beyond its curve's points): each
    rung gets 1/10 of the notional, split equally across the markets with a real bond there; the pick
    is the bond maturing nearest the rung's end; markets without one are named in the message."""
    fx = ctl.fx_to_base(snap.fx_usd_per_unit, "USD")
    lad = ctl.build_ladder(universe, ["US", "JP", "AU", "UK"], range(1, 11), 100e6, fx)
    ok = ~universe["is_generic"] & (universe["price_source"] != "extrapolated")
    expect_gaps = [f"{c} {r}y" for c in ("US", "JP", "AU", "UK") for r in range(1, 11)
                   if not (ok & (universe["market"] == c) & (universe["rung"] == r)).any()]
    assert lad.gaps == expect_gaps and len(lad.chosen) == 40 - len(expect_gaps)
    assert "JP 1y" in lad.message and "no real bond" in lad.message
    chosen = universe.set_index("id").loc[lad.chosen["id"]]
    assert not chosen["is_generic"].any() and (chosen["price_source"] != "extrapolated").all()
    for row in lad.chosen.itertuples():
        pool = universe[ok & (universe["market"] == row.market) & (universe["rung"] == row.rung)]
        assert row.id == pool.iloc[int(np.argmin(np.abs(pool["years_to_maturity"] - row.rung)))]["id"]
    values = pd.Series(ctl.market_values_base(universe, lad.face, fx))
    assert abs(values.sum() - 100e6) < 1e5
    filled = sorted(set(lad.chosen["rung"]))  # the bundled data: no real bond under 1 y inside a curve
    share = 100e6 / len(filled)
    by_rung = values.groupby(universe["rung"]).sum().reindex(filled)
    np.testing.assert_allclose(by_rung.to_numpy(), share, rtol=2e-3)
    per_rung = lad.chosen.groupby("rung")["market"].count()
    for row in lad.chosen.itertuples():
        assert row.value_base == pytest.approx(share / per_rung[row.rung], rel=1e-12)


def test_ladder_with_generics_allowed_fills_every_rung(universe, snap):
    fx = ctl.fx_to_base(snap.fx_usd_per_unit, "USD")
    lad = ctl.build_ladder(universe, ["US", "JP", "AU", "UK"], range(1, 11), 100e6, fx, allow_generic=True)
    assert len(lad.chosen) == 40 and not lad.gaps


def test_ladder_reports_empty_rungs(universe, snap):
    fx = ctl.fx_to_base(snap.fx_usd_per_unit, "USD")
    lad = ctl.build_ladder(universe, ["JP"], [45, 46], 1e6, fx)
    assert lad.gaps == ["JP 45y", "JP 46y"] and "empty rung" in lad.message
    assert lad.face.sum() == 0


LAG = {"US": 1, "JP": 1, "UK": 1, "AU": 2}  # business days trade → settlement (reference/conventions.csv)


def _ql_calendars():
    """Each market's settlement calendar in QuantLib (the oracle). QuantLib 1.44 predates the NSW
    Public Holidays Amendment (Anzac Day) Order 2026, which made Mon 27 Apr 2026 and Mon 26 Apr 2027
    additional public holidays in NSW (Austraclear/RITS settle on Sydney business days): added here."""
    import QuantLib as ql

    extra = ql.BespokeCalendar("NSW Anzac Day 2026-2027")  # never add to ql.Australia(): that is global state
    extra.addWeekend(ql.Saturday)
    extra.addWeekend(ql.Sunday)
    for d in (ql.Date(27, 4, 2026), ql.Date(26, 4, 2027)):
        extra.addHoliday(d)
    au = ql.JointCalendar(ql.Australia(), extra)
    return {"US": ql.UnitedStates(ql.UnitedStates.GovernmentBond), "JP": ql.Japan(), "UK": ql.UnitedKingdom(),
            "AU": au}


def _sell_one_per_market(universe, snap):
    fx = ctl.fx_to_base(snap.fx_usd_per_unit, "USD")
    face = ctl.build_ladder(universe, ["US", "JP", "AU", "UK"], range(2, 8), 40e6, fx).face
    target = face.copy()
    codes = universe["market"].to_numpy()
    for code in LAG:
        target[np.flatnonzero((face > 0) & (codes == code))[0]] = 0.0
    return fx, face, target


def test_holdings_round_trip_and_trades(universe, snap):
    """Holdings file ↔ face round trip; a trade list settles each market on its own calendar:
    US/UK/JP T+1, AU T+2, around New Year, Christmas, Good Friday/Easter, Thanksgiving and Anzac Day."""
    fx, face, target = _sell_one_per_market(universe, snap)
    back = ctl.face_from_holdings(universe, ctl.holdings_of(universe, face))
    np.testing.assert_array_equal(back, face)
    by_hand = {  # trade date: settlement US, JP, UK, AU (read off the published holiday lists)
        "2025-12-09": ("2025-12-10", "2025-12-10", "2025-12-10", "2025-12-11"),  # an ordinary Tuesday
        "2025-12-24": ("2025-12-26", "2025-12-25", "2025-12-29", "2025-12-30"),  # Christmas, Boxing Day
        "2025-12-31": ("2026-01-02", "2026-01-05", "2026-01-02", "2026-01-05"),  # New Year; JP closed to 3 Jan
        "2025-11-26": ("2025-11-28", "2025-11-27", "2025-11-27", "2025-11-28"),  # US Thanksgiving
        "2025-04-17": ("2025-04-21", "2025-04-18", "2025-04-22", "2025-04-23"),  # Good Friday, Easter Monday
        # Good Friday 2026 is the March payrolls day: SIFMA recommends a noon close, not a full close,
        # so US Treasuries settle on it (QuantLib's GovernmentBond calendar agrees)
        "2026-04-02": ("2026-04-03", "2026-04-03", "2026-04-07", "2026-04-08"),
        "2026-04-24": ("2026-04-27", "2026-04-27", "2026-04-27", "2026-04-29"),  # NSW Anzac Day Monday 2026
        "2026-05-01": ("2026-05-04", "2026-05-07", "2026-05-05", "2026-05-05"),  # Golden Week; UK May Day
    }
    cals = _ql_calendars()
    import QuantLib as ql

    for day, expected in by_hand.items():
        trades = ctl.trade_list(universe, face, target, fx, date.fromisoformat(day))
        assert sorted(trades["market"]) == sorted(LAG) and set(trades["side"]) == {"SELL"}
        assert (trades["trade_date"] == day).all()
        settle = dict(zip(trades["market"], trades["settle_date"], strict=True))
        assert tuple(settle[c] for c in ("US", "JP", "UK", "AU")) == expected, day
        t = ql.Date(day, "%Y-%m-%d")
        for code, when in settle.items():  # exactly LAG[code] settlement-calendar business days later
            assert cals[code].businessDaysBetween(t, ql.Date(when, "%Y-%m-%d"), False, True) == LAG[code], (day, code)


def test_trade_settlement_follows_quantlib_calendars(universe, snap):
    """Every weekday trade date of 2024–2027, every market: the trade list's settlement date is the
    trade date advanced by T+1 (US/UK/JP) or T+2 (AU) business days in QuantLib's calendar."""
    import QuantLib as ql

    fx, face, target = _sell_one_per_market(universe, snap)
    cals = _ql_calendars()
    days = pd.bdate_range("2024-01-01", "2027-12-31")
    wrong = []
    for day in days:
        trades = ctl.trade_list(universe, face, target, fx, day.date())
        t = ql.Date(day.day, day.month, day.year)
        for code, when in zip(trades["market"], trades["settle_date"], strict=True):
            q = cals[code].advance(t, LAG[code], ql.Days)
            if when != f"{q.year():04d}-{q.month():02d}-{q.dayOfMonth():02d}":
                wrong.append((f"{day:%Y-%m-%d}", code, when, q.ISO()))
    assert len(days) == 1045 and not wrong, wrong[:10]
