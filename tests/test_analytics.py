"""desktop.analytics: contract, closed-form checks, properties, and a QuantLib oracle sweep.

Tolerances (per 100 face / decimal yield / years): price 1e-6, yield 1e-8, durations 1e-6.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import QuantLib as ql

from desktop.analytics import (
    ANALYTICS_COLUMNS,
    KEY_RATE_COLUMNS,
    accrued,
    bond_analytics,
    cash_flows,
    curve_dirty_price,
    price_from_yield,
    yield_from_price,
)

sys.path.insert(0, str(Path(__file__).parent))
from analytics_oracle import oracle_bond, trading_ex_coupon  # noqa: E402

PRICE_TOL = 1e-6  # per 100 face
YIELD_TOL_PCT = 1e-6  # 1e-8 decimal, in %
DUR_TOL = 1e-6  # years
KRD_SUM_TOL = 1e-10  # years


def frame(*rows: tuple[str, float, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["market", "coupon_pct", "maturity"])


SAMPLE = frame(
    ("US", 4.25, "2035-11-15"),
    ("JP", 1.1, "2034-12-20"),
    ("UK", 4.0, "2030-01-31"),
    ("AU", 3.5, "2029-04-21"),
    ("UK", 0.0, "2026-01-07"),
)
SETTLE = date(2025, 12, 31)
YIELDS = np.array([4.1, 1.6, 4.2, 3.9, 3.0])


def test_bond_analytics_has_contract_columns_on_the_same_index():
    bonds = SAMPLE.set_axis(["a", "b", "c", "d", "e"])
    out = bond_analytics(bonds, SETTLE, yield_pct=YIELDS)
    assert list(out.columns) == list(ANALYTICS_COLUMNS)
    assert list(out.index) == ["a", "b", "c", "d", "e"]
    assert KEY_RATE_COLUMNS == ("krd_2y", "krd_5y", "krd_10y", "krd_30y")
    assert out["ex_dividend"].dtype == bool
    assert out["simple_yield_pct"].notna().tolist() == [False, True, False, False, False]
    assert (out["settle_date"] == pd.Timestamp(SETTLE)).all()


def test_exactly_one_of_yield_or_price():
    with pytest.raises(ValueError, match="exactly one"):
        bond_analytics(SAMPLE, SETTLE)
    with pytest.raises(ValueError, match="exactly one"):
        bond_analytics(SAMPLE, SETTLE, yield_pct=YIELDS, clean_price=YIELDS)


def test_matured_bond_is_rejected_with_its_index():
    with pytest.raises(ValueError, match="mature on or before"):
        bond_analytics(frame(("US", 1.0, "2025-12-31")), SETTLE, yield_pct=[4.0])


def test_par_bond_on_a_coupon_date_prices_at_100():
    bonds = frame(("US", 5.0, "2035-11-15"), ("UK", 4.0, "2031-05-15"), ("AU", 3.0, "2040-05-15"))
    out = price_from_yield(bonds, date(2025, 11, 15), [5.0, 4.0, 3.0])
    np.testing.assert_allclose(out["clean_price"], 100.0, atol=1e-10)
    np.testing.assert_allclose(out["accrued"], 0.0, atol=1e-12)


def test_price_and_yield_round_trip_and_match_quantlib():
    out = bond_analytics(SAMPLE, SETTLE, yield_pct=YIELDS)
    back = yield_from_price(SAMPLE, SETTLE, out["clean_price"])
    np.testing.assert_allclose(back, YIELDS, atol=1e-10)
    for i, row in SAMPLE.iterrows():
        o = oracle_bond(row.market, row.coupon_pct, date.fromisoformat(row.maturity), SETTLE)
        assert out.dirty_price[i] == pytest.approx(o.dirty_price(YIELDS[i]), abs=PRICE_TOL)
        assert out.mod_duration[i] == pytest.approx(o.duration(YIELDS[i]), abs=DUR_TOL)
        assert out.convexity[i] == pytest.approx(o.convexity(YIELDS[i]), abs=DUR_TOL)


def test_jgb_accrued_skips_feb_29_closed_form():
    # 2% JGB paying 20 Mar / 20 Sep; period 20 Sep 2027 → 20 Mar 2028 spans 29 Feb 2028.
    bonds = frame(("JP", 2.0, "2030-03-20"), ("JP", 2.0, "2030-03-20"), ("JP", 2.0, "2030-03-20"))
    settle = pd.to_datetime(["2028-02-28", "2028-03-01", "2027-12-20"])
    out = price_from_yield(bonds, settle, 1.0)
    # 20 Sep → 28 Feb = 161 days; → 1 Mar = 163 actual days, 162 without 29 Feb; → 20 Dec = 91.
    np.testing.assert_allclose(
        out["accrued"], [2.0 * 161 / 365, 2.0 * 162 / 365, 2.0 * 91 / 365], rtol=0, atol=1e-14
    )
    nl = ql.Actual365Fixed(ql.Actual365Fixed.NoLeap)  # QuantLib ≥ 1.28 has it: cross-check
    assert nl.dayCount(ql.Date(20, 9, 2027), ql.Date(1, 3, 2028)) == 162


def test_uk_ex_dividend_makes_accrued_negative_and_drops_the_coupon():
    bonds = frame(("UK", 4.25, "2027-12-07"))
    # Coupon Sun 7 Dec 2025: DMO ex-dividend date Thu 27 Nov 2025 (7 UK business days before; a trade
    # date), so settlement on 27 Nov is still cum and settlement on Fri 28 Nov is the first ex.
    before = bond_analytics(bonds, date(2025, 11, 27), yield_pct=[4.0])
    after = bond_analytics(bonds, date(2025, 11, 28), yield_pct=[4.0])
    assert not before.ex_dividend[0] and after.ex_dividend[0]
    assert before.accrued[0] > 0 > after.accrued[0]
    assert after.accrued[0] == pytest.approx(-2.125 * 9 / 183, abs=1e-12)  # 9 of 183 days left
    flows_after = cash_flows(bonds, date(2025, 11, 28))
    assert flows_after.pay_date.min() == pd.Timestamp("2026-06-07")


def test_coupon_on_settlement_date_is_not_received():
    bonds = frame(("US", 4.0, "2030-05-15"))
    flows = cash_flows(bonds, date(2025, 11, 15))
    assert flows.pay_date.min() == pd.Timestamp("2026-05-15")
    assert len(flows) == 9
    assert flows.amount.sum() == pytest.approx(9 * 2.0 + 100.0)


def test_month_end_maturity_rolls_on_month_ends():
    flows = cash_flows(frame(("UK", 1.0, "2030-02-28"), ("US", 1.0, "2030-08-30")), date(2028, 1, 5))
    uk = flows[flows.bond == 0].pay_date.dt.strftime("%m-%d").tolist()
    us = flows[flows.bond == 1].pay_date.dt.strftime("%m-%d").tolist()
    assert uk == ["02-29", "08-31", "02-28", "08-31", "02-28"]  # 28 Feb 2030 is month-end
    assert us == ["02-29", "08-30", "02-28", "08-30", "02-28", "08-30"]  # day 30 clipped in Feb


def test_key_rate_durations_sum_to_modified_duration():
    out = bond_analytics(SAMPLE, SETTLE, yield_pct=YIELDS)
    np.testing.assert_allclose(
        out[list(KEY_RATE_COLUMNS)].sum(axis=1), out.mod_duration, rtol=0, atol=KRD_SUM_TOL
    )
    np.testing.assert_allclose(out.dv01, out.mod_duration * out.dirty_price * 1e-4, rtol=1e-14)


def test_model_price_off_a_curve_round_trips_through_bond_analytics():
    """What the universe does: curve dirty price → clean (minus accrued) → full figure set."""
    dirty = curve_dirty_price(SAMPLE, SETTLE, lambda t: np.exp(-0.035 * t))
    out = bond_analytics(SAMPLE, SETTLE, clean_price=dirty - accrued(SAMPLE, SETTLE))
    np.testing.assert_allclose(out.dirty_price, dirty, rtol=0, atol=1e-9)
    np.testing.assert_allclose(out.accrued, accrued(SAMPLE, SETTLE), rtol=0, atol=0)


def test_curve_dirty_price_with_flat_curve_equals_sum_of_discounted_flows():
    flows = cash_flows(SAMPLE, SETTLE)
    expected = (flows.amount * np.exp(-0.04 * flows.t_years)).groupby(flows.bond).sum()
    got = curve_dirty_price(SAMPLE, SETTLE, lambda t: np.exp(-0.04 * t))
    np.testing.assert_allclose(got, expected.reindex(SAMPLE.index).to_numpy(), rtol=1e-14)


def test_per_row_settlement_dates():
    settles = pd.Series(
        pd.to_datetime(["2025-12-31", "2026-01-02", "2025-12-31", "2026-01-05", "2025-12-31"])
    )
    out = bond_analytics(SAMPLE, settles, yield_pct=YIELDS)
    assert out.settle_date.tolist() == list(settles)
    single = bond_analytics(SAMPLE.iloc[[1]], date(2026, 1, 2), yield_pct=YIELDS[[1]])
    assert out.dirty_price[1] == pytest.approx(single.dirty_price.iloc[0], abs=1e-12)


# --------------------------------------------------------------------------- QuantLib oracle sweep
# 2,000 seeded random bonds (500 per market). What is compared:
# * all markets: dirty price at the bond's yield, mac/mod duration, convexity, dv01, the coupon dates,
#   the ex-dividend flag, and the yield recovered from a price;
# * US/UK/AU: clean price and accrued too (QuantLib's ActualActual(ISMA, schedule), negative ex-coupon);
# * JP: QuantLib's bond accrues ISMA, not ACT/365 no-leap, so JP is compared through the dirty price:
#   our clean = QuantLib dirty − our JP accrued, our JP accrued is checked against QuantLib's own
#   Actual365Fixed(NoLeap) day count, and our yield from that clean price against QuantLib's yield
#   from the dirty price.

SWEEP_N = 2000
SWEEP_SEED = 20251231


@pytest.fixture(scope="module")
def sweep() -> pd.DataFrame:
    from analytics_oracle import random_sweep

    df = random_sweep(SWEEP_N, SWEEP_SEED)
    ours = bond_analytics(df, df["settle"], yield_pct=df["yield_pct"])
    nl = ql.Actual365Fixed(ql.Actual365Fixed.NoLeap)
    rows = []
    for r in df.itertuples():
        o = oracle_bond(r.market, r.coupon_pct, r.maturity.date(), r.settle.date())
        s = ql.Date(r.settle.day, r.settle.month, r.settle.year)
        ql.Settings.instance().evaluationDate = s
        nxt = next(
            ql.as_coupon(cf) for cf in o.bond.cashflows() if ql.as_coupon(cf) and not cf.hasOccurred(s)
        )
        prev, end = nxt.accrualStartDate(), nxt.accrualEndDate()
        ql_dirty = o.dirty_price(r.yield_pct)
        rows.append(
            {
                "ql_clean": o.clean_price(r.yield_pct),
                "ql_accrued": o.accrued(),
                "ql_dirty": ql_dirty,
                "ql_mod": o.duration(r.yield_pct),
                "ql_mac": o.duration(r.yield_pct, ql.Duration.Macaulay),
                "ql_convexity": o.convexity(r.yield_pct),
                "ql_yield_from_dirty": o.yield_from_dirty(ql_dirty),
                "ql_prev": pd.Timestamp(prev.year(), prev.month(), prev.dayOfMonth()),
                "ql_next": pd.Timestamp(end.year(), end.month(), end.dayOfMonth()),  # unadjusted
                "ql_first_received": o.received_flows()[0][0],
                "ql_ex": _ex(o),
                "ql_nl_days": nl.dayCount(prev, s),
                "explicit_ex": o.explicit_ex_coupon,
            }
        )
    return pd.concat([df, ours.add_prefix("our_"), pd.DataFrame(rows, index=df.index)], axis=1)


def _ex(o) -> bool:
    s = ql.Date(o.settle.day, o.settle.month, o.settle.year)
    return any(trading_ex_coupon(cf, s) and not cf.hasOccurred(s) for cf in o.bond.cashflows())


def _worst(sw: pd.DataFrame, ours: np.ndarray, theirs: np.ndarray) -> str:
    gap = np.abs(np.asarray(ours) - np.asarray(theirs))
    i = int(np.nanargmax(gap))
    return f"worst gap {gap[i]:.3e} at {sw.iloc[i][['market', 'coupon_pct', 'maturity', 'settle', 'mode']].to_dict()}"


def test_sweep_covers_the_awkward_settlement_dates(sweep):
    counts = sweep.groupby(["market", "mode"]).size()
    assert (counts >= 30).all(), counts
    assert sweep.our_ex_dividend.sum() > 50  # UK/AU bonds really settle inside ex-dividend periods
    assert (sweep.our_years_to_maturity < 0.5).sum() > 200  # many bonds in their final period


def test_sweep_schedule_matches_quantlib(sweep):
    assert (sweep.our_prev_coupon == sweep.ql_prev).all()
    assert (sweep.our_ex_dividend == sweep.ql_ex).all()
    assert (sweep.our_next_coupon == sweep.ql_next).all()
    ours = cash_flows(sweep, sweep["settle"]).groupby("bond").pay_date.min()
    assert (ours == pd.to_datetime(sweep.ql_first_received)).all()  # ex-dividend coupon really dropped


def test_sweep_prices_match_quantlib(sweep):
    np.testing.assert_allclose(
        sweep.our_dirty_price,
        sweep.ql_dirty,
        rtol=0,
        atol=PRICE_TOL,
        err_msg=_worst(sweep, sweep.our_dirty_price, sweep.ql_dirty),
    )
    icma = sweep.market != "JP"
    s = sweep[icma]
    np.testing.assert_allclose(
        s.our_clean_price,
        s.ql_clean,
        rtol=0,
        atol=PRICE_TOL,
        err_msg=_worst(s, s.our_clean_price, s.ql_clean),
    )
    np.testing.assert_allclose(s.our_accrued, s.ql_accrued, rtol=0, atol=PRICE_TOL)


def test_sweep_jgb_accrued_is_act365_no_leap_and_clean_is_dirty_minus_it(sweep):
    jp = sweep[sweep.market == "JP"]
    np.testing.assert_allclose(jp.our_accrued, jp.coupon_pct * jp.ql_nl_days / 365, rtol=0, atol=1e-12)
    np.testing.assert_allclose(jp.our_clean_price, jp.ql_dirty - jp.our_accrued, rtol=0, atol=PRICE_TOL)


def test_sweep_yield_from_price_matches_quantlib(sweep):
    icma = (sweep.market != "JP").to_numpy()
    clean = np.where(icma, sweep.ql_clean, sweep.ql_dirty - sweep.our_accrued)
    ours = yield_from_price(sweep, sweep["settle"], clean)
    np.testing.assert_allclose(
        ours,
        sweep.ql_yield_from_dirty,
        rtol=0,
        atol=YIELD_TOL_PCT,
        err_msg=_worst(sweep, ours, sweep.ql_yield_from_dirty),
    )
    np.testing.assert_allclose(ours, sweep.yield_pct, rtol=0, atol=YIELD_TOL_PCT)


def test_sweep_durations_convexity_dv01_match_quantlib(sweep):
    for ours, theirs in [
        ("our_mod_duration", "ql_mod"),
        ("our_mac_duration", "ql_mac"),
        ("our_convexity", "ql_convexity"),
    ]:
        np.testing.assert_allclose(
            sweep[ours],
            sweep[theirs],
            rtol=0,
            atol=DUR_TOL,
            err_msg=f"{ours}: {_worst(sweep, sweep[ours], sweep[theirs])}",
        )
    np.testing.assert_allclose(sweep.our_dv01, sweep.ql_mod * sweep.ql_dirty * 1e-4, rtol=0, atol=1e-10)


def test_sweep_key_rate_durations_sum_to_modified_duration(sweep):
    total = sweep[[f"our_{c}" for c in KEY_RATE_COLUMNS]].sum(axis=1)
    np.testing.assert_allclose(total, sweep.our_mod_duration, rtol=0, atol=KRD_SUM_TOL)


def _tent(t: float, k: int, keys: tuple[float, ...] = (2.0, 5.0, 10.0, 30.0)) -> float:
    """Tent weight of key tenor ``keys[k]`` at time t, written out piece by piece (independent of the code)."""
    key = keys[k]
    if t <= keys[0]:
        return 1.0 if k == 0 else 0.0
    if t >= keys[-1]:
        return 1.0 if k == len(keys) - 1 else 0.0
    left = keys[k - 1] if k > 0 else None
    right = keys[k + 1] if k < len(keys) - 1 else None
    if left is not None and left <= t <= key:
        return (t - left) / (key - left)
    if right is not None and key <= t <= right:
        return (right - t) / (right - key)
    return 0.0


def test_sweep_key_rate_durations_match_finite_difference_bumps(sweep):
    """Each krd against −ΔP/P for a ±1e-6 tent bump of the yield, flow by flow, on QuantLib's flows."""
    sample = sweep.groupby("market").head(60)
    h = 1e-6
    for r in sample.itertuples():
        o = oracle_bond(r.market, r.coupon_pct, r.maturity.date(), r.settle.date())
        flows = [amount for _, amount in o.received_flows()]
        times = o.flow_times()
        y = r.yield_pct / 100

        if o.money_market:  # UK last year: KRDs split mod_duration by t_k (sum checked above)
            continue

        def price(bump: np.ndarray, flows=flows, times=times, y=y) -> float:
            return sum(a * (1 + (y + b) / 2) ** (-2 * t) for a, t, b in zip(flows, times, bump, strict=True))

        p0 = price(np.zeros(len(times)))
        assert p0 == pytest.approx(r.our_dirty_price, abs=PRICE_TOL)
        for k, col in enumerate(KEY_RATE_COLUMNS):
            w = np.array([_tent(t, k) for t in times])
            fd = -(price(h * w) - price(-h * w)) / (2 * h) / p0
            assert getattr(r, f"our_{col}") == pytest.approx(fd, abs=DUR_TOL), (
                col,
                r.market,
                r.maturity,
                r.settle,
            )


def test_final_coupon_period_us_compounded_uk_simple_to_the_payment_date():
    bonds = frame(("US", 4.0, "2026-03-15"), ("UK", 4.0, "2026-03-15"))
    settle = date(2026, 3, 6)  # UK: DMO ex-dividend date Thu 5 Mar, so only the principal is left
    out = bond_analytics(bonds, settle, yield_pct=[5.0, 5.0])
    w = 9 / 181  # days to 15 Mar 2026 / days in the period from 15 Sep 2025
    assert not out.ex_dividend[0] and out.ex_dividend[1]
    assert out.dirty_price[0] == pytest.approx(102.0 / 1.025**w, abs=1e-12)
    assert out.mac_duration[0] == pytest.approx(w / 2, abs=1e-14)
    # UK (Tradeweb/FTSE convention): simple ACT/365 to the payment date, Sun 15 → Mon 16 Mar: 10 days
    t = 10 / 365
    assert out.dirty_price[1] == pytest.approx(100.0 / (1 + 0.05 * t), abs=1e-12)
    assert out.mac_duration[1] == pytest.approx(t, abs=1e-14)
    assert out.mod_duration[1] == pytest.approx(t / (1 + 0.05 * t), abs=1e-14)
    assert out.convexity[1] == pytest.approx(2 * t**2 / (1 + 0.05 * t) ** 2, abs=1e-14)


def test_australian_ex_interest_is_seven_calendar_days():
    bonds = frame(("AU", 3.0, "2033-04-21"))
    cum = bond_analytics(bonds, date(2026, 4, 13), yield_pct=[4.0])
    ex = bond_analytics(bonds, date(2026, 4, 14), yield_pct=[4.0])
    assert not cum.ex_dividend[0] and ex.ex_dividend[0]
    assert ex.accrued[0] == pytest.approx(-1.5 * 7 / 182, abs=1e-12)
    assert cash_flows(bonds, date(2026, 4, 14)).pay_date.min() == pd.Timestamp("2026-10-21")


def test_jgb_simple_yield_closed_form():
    bonds = frame(("JP", 1.2, "2030-12-20"))
    out = bond_analytics(bonds, date(2025, 12, 22), clean_price=[98.5])
    n = (date(2030, 12, 20) - date(2025, 12, 22)).days / 365
    assert out.simple_yield_pct[0] == pytest.approx((1.2 + (100 - 98.5) / n) / 98.5 * 100, abs=1e-12)
    assert out.clean_price[0] == 98.5
    assert out.dirty_price[0] == pytest.approx(98.5 + 1.2 * 2 / 365, abs=1e-12)


def test_impossible_price_gives_nan_yield_not_an_exception():
    bonds = frame(("US", 4.0, "2030-05-15"), ("US", 4.0, "2030-05-15"), ("US", 4.0, "2030-05-15"))
    # −5 and 1e15 per 100 lie outside the price range of yields −190 % … 2,000 %.
    got = yield_from_price(bonds, SETTLE, [-5.0, 1e15, 99.0])
    assert np.isnan(got[:2]).all() and np.isfinite(got[2])


def test_one_week_bill_far_from_par_still_solves():
    bonds = frame(("US", 4.0, "2026-01-07"), ("JP", 0.1, "2026-03-20"))
    y = yield_from_price(bonds, SETTLE, [95.0, 100.2])
    back = price_from_yield(bonds, SETTLE, y)["clean_price"]
    np.testing.assert_allclose(back, [95.0, 100.2], rtol=0, atol=1e-9)
    assert y[0] > 500 and y[1] < 0  # 565 % and a negative JGB yield


def test_empty_universe_gives_empty_results():
    empty = frame().astype({"coupon_pct": float})
    assert list(bond_analytics(empty, SETTLE, yield_pct=[]).columns) == list(ANALYTICS_COLUMNS)
    assert cash_flows(empty, SETTLE).empty
    assert curve_dirty_price(empty, SETTLE, np.exp).shape == (0,)


def test_gb_is_accepted_for_uk_and_unknown_markets_are_rejected():
    uk = price_from_yield(frame(("UK", 4.0, "2030-01-31")), SETTLE, [4.0])
    gb = price_from_yield(frame(("GB", 4.0, "2030-01-31")), SETTLE, [4.0])
    pd.testing.assert_frame_equal(uk, gb)
    with pytest.raises(KeyError, match="unknown market"):
        price_from_yield(frame(("DE", 2.0, "2030-02-15")), SETTLE, [2.0])


# --------------------------------------------------------------------------- properties (hypothesis)
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

bond_case = st.tuples(
    st.sampled_from(["US", "JP", "UK", "AU"]),
    st.floats(0.0, 8.0),
    st.dates(date(2020, 1, 1), date(2035, 12, 31)),  # settlement
    st.integers(7, 40 * 366),  # days to maturity
    st.floats(-1.0, 15.0),  # yield %
)


def _one(case) -> tuple[pd.DataFrame, date, float]:
    code, cpn, settle, days, y = case
    mat = pd.Timestamp(settle) + pd.Timedelta(days=days)
    return frame((code, cpn, mat.date().isoformat())), settle, y


@settings(max_examples=150, deadline=None)
@given(bond_case)
def test_price_yield_round_trip(case):
    bonds, settle, y = _one(case)
    clean = price_from_yield(bonds, settle, [y])["clean_price"]
    assert yield_from_price(bonds, settle, clean)[0] == pytest.approx(y, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(bond_case, st.floats(0.01, 3.0))
def test_price_falls_as_yield_rises_and_krds_add_up(case, dy):
    bonds, settle, y = _one(case)
    lo = bond_analytics(bonds, settle, yield_pct=[y])
    hi = bond_analytics(bonds, settle, yield_pct=[y + dy])
    assert hi.clean_price[0] < lo.clean_price[0]
    assert lo.mod_duration[0] > 0 and lo.convexity[0] > 0
    assert lo[list(KEY_RATE_COLUMNS)].sum(axis=1)[0] == pytest.approx(lo.mod_duration[0], abs=KRD_SUM_TOL)


@settings(max_examples=60, deadline=None)
@given(st.lists(bond_case, min_size=2, max_size=6))
def test_a_bond_prices_the_same_alone_or_in_a_universe(cases):
    """Padding the ragged schedules must not leak between bonds (and per-row settlements work)."""
    singles = [bond_analytics(*_one(c)[:2], yield_pct=[c[4]]) for c in cases]
    bonds = pd.concat([_one(c)[0] for c in cases], ignore_index=True)
    together = bond_analytics(bonds, [c[2] for c in cases], yield_pct=[c[4] for c in cases])
    for i, single in enumerate(singles):
        np.testing.assert_allclose(
            together.drop(columns=["settle_date", "prev_coupon", "next_coupon"]).iloc[i].astype(float),
            single.drop(columns=["settle_date", "prev_coupon", "next_coupon"]).iloc[0].astype(float),
            rtol=1e-13,
            atol=1e-12,
            equal_nan=True,
        )


# --------------------------------------------------------------------------- first coupon periods vs QuantLib
# 800 seeded bonds (200 per market) settling in their first coupon period, issued on a random day.
# QuantLib twin: a schedule whose first date is the *dated* date (a short first stub when that is off
# the cycle), with ``firstDate`` for a long first coupon. Dated date, by the markets' conventions
# (written out here from the official facts, not read from desktop.schedule):
# US — a Treasury issued at most 31 days after a regular date of its backward schedule is dated on
# that date (notes settle 0-3 business days after a 15th / month-end dated date; 20-year bonds are
# dated the 15th and issued at month-end, e.g. 912810SR0: dated 15 May 2020, issued 1 Jun 2020);
# JP — every coupon JGB is dated on the regular date on or before its issue date (BoJ/MoF: the buyer
# at issue pays the 経過利子 of the 未発行期間 from six months before the first coupon date);
# UK/AU — the issue date. Which first coupon: UK — long when the first regular date is under 90 days
# after issue (DMO practice, see desktop.markets); US/JP/AU — short, unless the bond carries an
# explicit ``first_coupon`` (a third of them here, set to the second regular date: long), which
# declares an odd first period from the issue date itself (no dating back).
US_DATED_WITHIN_DAYS = 31


def _ql_day(d: date) -> ql.Date:
    return ql.Date(d.day, d.month, d.year)


def _backward(start: date, mat: date, eom: bool) -> list[date]:
    sched = ql.Schedule(_ql_day(start), _ql_day(mat), ql.Period(ql.Semiannual), ql.NullCalendar(), ql.Unadjusted,
                        ql.Unadjusted, ql.DateGeneration.Backward, eom)
    return [date(d.year(), d.month(), d.dayOfMonth()) for d in sched.dates()]


def _first_period_cases(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows: list[dict] = []
    while len(rows) < n:
        code = ("US", "JP", "UK", "AU")[len(rows) % 4]
        issue = date(2020, 1, 1) + pd.Timedelta(days=int(rng.integers(0, 365 * 8))).to_pytimedelta()
        mat = issue + pd.Timedelta(days=int(rng.integers(200, 365 * 30))).to_pytimedelta()
        if rng.random() < 0.2:  # month-end maturities
            mat = (pd.Timestamp(mat) + pd.offsets.MonthEnd(0)).date()
        eom = mat == (pd.Timestamp(mat) + pd.offsets.MonthEnd(0)).date()
        # the regular date on or before the issue date: the last date <= issue of a backward schedule
        # started a year earlier (its own first date is an off-cycle stub start, < every regular date used)
        regular_before = max(d for d in _backward(issue - pd.Timedelta(days=366).to_pytimedelta(), mat, eom)[1:]
                             if d <= issue)
        explicit = None
        if code != "UK" and rng.random() < 1 / 3:
            dates = _backward(issue, mat, eom)
            if len(dates) > 2:
                explicit = dates[2]  # an explicit long first coupon: dated on the issue date itself
        lag = (issue - regular_before).days
        back = explicit is None and ((code == "US" and lag <= US_DATED_WITHIN_DAYS) or code == "JP")
        dated = regular_before if back else issue
        dates = _backward(dated, mat, eom)
        f0 = dates[1]
        first = explicit if explicit is not None else f0
        if code == "UK" and (f0 - dated).days < 90 and len(dates) > 2:
            first = dates[2]
        if (first - dated).days < 14 or (first != f0 and (eom or f0.day != mat.day or first.day != mat.day)):
            # a first coupon a few days after issue would fall in its own ex-dividend period (no issuer
            # does that: it is made long); QuantLib's ISMA finds a long first period's earlier quasi-
            # coupon date by plain month arithmetic (31 Aug → 29 Feb → 29 Aug; 30 Aug → 28 Feb → 28 Aug), not on the bond's
            # end-of-month schedule (31 Aug): such bonds are checked in closed form instead (DMO 2034).
            continue
        settle = issue + pd.Timedelta(days=int(rng.integers(0, (first - issue).days))).to_pytimedelta()
        rows.append({"market": code, "coupon_pct": round(float(rng.uniform(0.1, 8.0)), 3), "maturity": mat,
                     "issue_date": issue, "first_coupon": explicit, "dated": dated, "dated_back": back,
                     "expected_first": first, "long": first != f0, "settle": settle,
                     "yield_pct": round(float(rng.uniform(-0.5, 9.0)), 4), "mode": "first-period"})
    out = pd.DataFrame(rows)
    for col in ("maturity", "issue_date", "first_coupon", "dated", "expected_first", "settle"):
        out[col] = pd.to_datetime(out[col])
    return out


@pytest.fixture(scope="module")
def first_periods() -> pd.DataFrame:
    df = _first_period_cases(800, 20240111)
    ours = bond_analytics(df, df["settle"], yield_pct=df["yield_pct"])
    rows = []
    for r in df.itertuples():
        o = oracle_bond(r.market, r.coupon_pct, r.maturity.date(), r.settle.date(), r.dated.date(),
                        r.expected_first.date() if r.long else None)
        dirty = o.dirty_price(r.yield_pct)
        rows.append({"ql_dirty": dirty, "ql_accrued": o.accrued(), "ql_mod": o.duration(r.yield_pct),
                     "ql_yield": o.yield_from_dirty(dirty),
                     "ql_first": pd.Timestamp(o.received_flows()[0][0]) if o.received_flows() else pd.NaT,
                     "ql_flows": o.received_flows()})
    return pd.concat([df, ours.add_prefix("our_"), pd.DataFrame(rows, index=df.index)], axis=1)


def test_first_period_cases_cover_short_long_dated_back_and_ex_dividend(first_periods):
    fp = first_periods
    assert fp.groupby("market")["long"].sum().min() >= 15  # long first coupons in every market
    odd_short = ~fp["long"] & ~fp["dated_back"]
    assert odd_short[fp.market != "JP"].groupby(fp["market"]).sum().min() >= 60  # short odd first coupons
    assert fp.loc[fp.market == "US", "dated_back"].sum() >= 20  # US issued just after a regular date
    jp = fp[fp.market == "JP"]
    assert (jp["dated_back"] | jp["first_coupon"].notna()).all() and jp["dated_back"].sum() >= 100
    assert not fp.loc[fp.market.isin(["UK", "AU"]), "dated_back"].any()
    assert fp["our_ex_dividend"].sum() >= 3  # UK/AU settling ex-dividend the first coupon


def test_first_period_schedule_and_accrued_match_quantlib(first_periods):
    fp = first_periods
    assert (fp.our_prev_coupon == fp.dated).all()
    assert (fp.our_next_coupon == fp.expected_first).all()
    icma = fp[fp.market != "JP"]
    np.testing.assert_allclose(icma.our_accrued, icma.ql_accrued, rtol=0, atol=1e-12,
                               err_msg=_worst(icma, icma.our_accrued, icma.ql_accrued))
    jp = fp[fp.market == "JP"]
    nl_days = [ql.Actual365Fixed(ql.Actual365Fixed.NoLeap).dayCount(_ql_day(a.date()), _ql_day(b.date()))
               for a, b in zip(jp.dated, jp.settle, strict=True)]
    np.testing.assert_allclose(jp.our_accrued, jp.coupon_pct * np.array(nl_days) / 365, rtol=0, atol=1e-12)
    flows = cash_flows(fp, fp["settle"])
    assert (flows.groupby("bond").pay_date.min() == fp["ql_first"]).all()  # a long first coupon's skipped date pays nothing
    # every flow, date and amount, as QuantLib's bond.cashflows() (0 % coupons aside: cash_flows drops them)
    ours = flows.groupby(["bond", "pay_date"]).amount.sum()
    keyed = [(i, pd.Timestamp(d), a) for i, fl in fp.ql_flows.items() for d, a in fl]  # coupon, redemption apart
    theirs = pd.DataFrame(keyed, columns=["bond", "pay_date", "amount"]).groupby(["bond", "pay_date"]).amount.sum()
    assert list(ours.index) == list(theirs.index)  # the same pay dates, bond by bond
    np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(), rtol=0, atol=1e-12)


def test_first_period_prices_durations_and_yields_match_quantlib(first_periods):
    fp = first_periods
    np.testing.assert_allclose(fp.our_dirty_price, fp.ql_dirty, rtol=0, atol=1e-10,
                               err_msg=_worst(fp, fp.our_dirty_price, fp.ql_dirty))
    np.testing.assert_allclose(fp.our_mod_duration, fp.ql_mod, rtol=0, atol=1e-10,
                               err_msg=_worst(fp, fp.our_mod_duration, fp.ql_mod))
    clean = fp.ql_dirty - fp.our_accrued
    back = yield_from_price(fp, fp["settle"], clean)
    np.testing.assert_allclose(back, fp.ql_yield, rtol=0, atol=YIELD_TOL_PCT, err_msg=_worst(fp, back, fp.ql_yield))


def test_first_coupon_must_be_a_regular_date_after_issue():
    bonds = pd.DataFrame({"market": ["US"], "coupon_pct": [4.0], "maturity": ["2030-05-15"],
                          "issue_date": ["2025-06-02"], "first_coupon": ["2025-12-01"]})
    with pytest.raises(ValueError, match="first_coupon is not a regular coupon date"):
        bond_analytics(bonds, date(2025, 6, 3), yield_pct=[4.0])


def test_dmo_long_first_dividend_of_4_quarter_2034_gilt():
    """DMO figures (auction announcement of 4¼% Treasury Gilt 2034, 11 Dec 2024, settling 12 Dec; first
    issued 12 Jun 2024): long first coupon £2.697115 per £100 on 31 Jan 2025 and accrued interest
    payable with the bid £2.119669732441 per £100. The first regular date (31 Jul 2024) was 49 days
    after issue, so the first coupon is long: 2.125 × (49/182 + 1)."""
    bonds = pd.DataFrame({"market": ["UK"], "coupon_pct": [4.25], "maturity": ["2034-07-31"],
                          "issue_date": ["2024-06-12"]})
    flows = cash_flows(bonds, date(2024, 6, 13))
    assert flows.pay_date.iloc[0] == pd.Timestamp("2025-01-31")
    assert flows.coupon.iloc[0] == pytest.approx(2.697115, abs=5e-7)
    assert accrued(bonds, date(2024, 12, 12))[0] == pytest.approx(2.119669732441, abs=1e-12)


# --------------------------------------------------------------------------- fast paths (issue 15)
# The yield search prices compounded bonds in closed form (a geometric sum through expm1, exact at
# y = 0, a Taylor slope near it) and the risk pass splits key rates by segment sums; these cases sit
# where such shortcuts break: zero and tiny yields, flows exactly on a key tenor, ex-dividend and
# long first coupons, and a universe mixing every kind in one call.

NEAR_ZERO = frame(
    ("US", 2.0, "2055-11-15"),
    ("JP", 0.1, "2035-12-20"),
    ("JP", 0.0, "2030-09-20"),
    ("UK", 0.25, "2031-07-31"),
    ("AU", 1.0, "2041-05-21"),
)


@pytest.mark.parametrize("yield_pct", [0.0, 1e-9, -1e-9, 1e-4, 3e-3, -0.25, 0.02])
def test_zero_and_near_zero_yields_match_quantlib(yield_pct):
    out = bond_analytics(NEAR_ZERO, SETTLE, yield_pct=np.full(len(NEAR_ZERO), yield_pct))
    back = yield_from_price(NEAR_ZERO, SETTLE, out["clean_price"])
    np.testing.assert_allclose(back, yield_pct, rtol=0, atol=1e-10)
    from_price = bond_analytics(NEAR_ZERO, SETTLE, clean_price=out["clean_price"])
    for i, row in NEAR_ZERO.iterrows():
        o = oracle_bond(row.market, row.coupon_pct, date.fromisoformat(row.maturity), SETTLE)
        for res in (out, from_price):
            assert res.dirty_price[i] == pytest.approx(o.dirty_price(yield_pct), abs=1e-10)
            assert res.mod_duration[i] == pytest.approx(o.duration(yield_pct), abs=1e-10)
            assert res.mac_duration[i] == pytest.approx(o.duration(yield_pct, ql.Duration.Macaulay), abs=1e-10)
            assert res.convexity[i] == pytest.approx(o.convexity(yield_pct), abs=1e-9)


def test_zero_yield_dirty_price_is_the_sum_of_the_remaining_flows():
    """At 0 % the dirty price is plain arithmetic: 100 + the coupons still to be received."""
    bonds = frame(("US", 4.0, "2030-11-15"), ("UK", 3.0, "2029-01-22"))
    settle = date(2025, 1, 15)  # UK 22 Jan 2025 coupon already ex-dividend: lost to the buyer
    dirty = price_from_yield(bonds, settle, [0.0, 0.0])["dirty_price"].to_numpy()
    # US: 15 May 2025 ... 15 Nov 2030 = 12 coupons of 2; UK: 22 Jul 2025 ... 22 Jan 2029 = 8 of 1.5
    np.testing.assert_allclose(dirty, [100 + 12 * 2.0, 100 + 8 * 1.5], rtol=0, atol=1e-12)


@pytest.mark.parametrize("settle", [date(2025, 11, 14), date(2025, 11, 15), date(2025, 11, 17)])
def test_key_rate_durations_with_flows_on_the_key_tenors_match_quantlib_flows(settle):
    """Settling on a coupon date puts flows exactly at 2, 5, 10 and 30 years: every key's share,
    summed flow by flow over QuantLib's flows and times with the tent weights written out above."""
    bonds = frame(("US", 4.5, "2055-11-15"), ("US", 1.25, "2035-11-15"), ("AU", 3.0, "2031-11-21"))
    y = np.array([4.7, 3.9, 4.1])
    out = bond_analytics(bonds, settle, yield_pct=y)
    for i, row in bonds.iterrows():
        o = oracle_bond(row.market, row.coupon_pct, date.fromisoformat(row.maturity), settle)
        flows = [amount for _, amount in o.received_flows()]
        times = o.flow_times()
        g = 1 + y[i] / 200
        pv_t = [a * g ** (-2 * t) * t for a, t in zip(flows, times, strict=True)]
        dirty = o.dirty_price(y[i])
        for k, col in enumerate(KEY_RATE_COLUMNS):
            want = sum(p * _tent(t, k) for p, t in zip(pv_t, times, strict=True)) / (dirty * g)
            assert out[col][i] == pytest.approx(want, abs=1e-12), (row.maturity, settle, col)


def test_ex_dividend_dates_on_whole_arrays_equal_the_registry_rule():
    """The schedule's vectorised ex-dividend dates = desktop.markets.ex_dividend_date, every day of 2024-2031."""
    from desktop.markets import ex_dividend_date
    from desktop.schedule import _ex_dividend_dates

    days = np.arange("2024-01-01", "2032-01-01", dtype="datetime64[D]")
    for code in ("UK", "AU"):
        got = _ex_dividend_dates(np.full(days.size, code, dtype=object), days)
        want = np.array([ex_dividend_date(code, d) for d in days.astype(date)], dtype="datetime64[D]")
        np.testing.assert_array_equal(got, want, err_msg=code)
    assert np.isnat(_ex_dividend_dates(np.full(3, "US", dtype=object), days[:3])).all()


def test_mixed_universe_matches_each_bond_alone_and_quantlib(first_periods):
    """First periods (short, long, ex-dividend), money-market gilts and regular bonds in one call of
    several blocks give, row by row, the figures of QuantLib and of the bond priced alone."""
    from analytics_oracle import random_sweep

    import desktop.analytics as analytics

    sweep_rows = random_sweep(120, 7)
    cols = ["market", "coupon_pct", "maturity", "settle", "yield_pct"]
    sweep_ref = []
    for r in sweep_rows.itertuples():
        o = oracle_bond(r.market, r.coupon_pct, r.maturity.date(), r.settle.date())
        sweep_ref.append((o.dirty_price(r.yield_pct), o.duration(r.yield_pct)))
    fp = first_periods.iloc[::4]
    mixed = pd.concat([sweep_rows[cols], fp[[*cols, "issue_date", "first_coupon"]]], ignore_index=True)
    ref = np.vstack([np.array(sweep_ref), fp[["ql_dirty", "ql_mod"]].to_numpy()])
    assert mixed["issue_date"].notna().sum() == len(fp) and (mixed["maturity"] - mixed["settle"]).dt.days.min() < 365
    old = analytics.BLOCK_ROWS
    analytics.BLOCK_ROWS = 16  # many blocks of unequal width
    try:
        together = bond_analytics(mixed, mixed["settle"], yield_pct=mixed["yield_pct"])
        back = bond_analytics(mixed, mixed["settle"], clean_price=together["clean_price"])
    finally:
        analytics.BLOCK_ROWS = old
    np.testing.assert_allclose(together["dirty_price"], ref[:, 0], rtol=0, atol=1e-10)
    np.testing.assert_allclose(together["mod_duration"], ref[:, 1], rtol=0, atol=1e-10)
    np.testing.assert_allclose(back["yield_pct"], mixed["yield_pct"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(back["mod_duration"], ref[:, 1], rtol=0, atol=1e-10)
    for i in range(0, len(mixed), 5):
        alone = bond_analytics(mixed.iloc[[i]], mixed["settle"].iloc[[i]], yield_pct=mixed["yield_pct"].iloc[[i]])
        for col in ("dirty_price", "mod_duration", "convexity", *KEY_RATE_COLUMNS):
            assert together[col].iloc[i] == pytest.approx(alone[col].iloc[0], abs=1e-12), col
