"""desktop.controller.roll.roll_ladder on the bundled data: what matures by the roll date is replaced
by the real bond of its market maturing nearest (its maturity + the ladder's length), on the ladder's
longest rung; coupons go with the redemptions; the cash is conserved to the cent.

Every expected figure is computed here from the universe's columns (rungs, maturities, clean
prices, the generic flag) and QuantLib (the holdings' flows, the accrued at the roll's settlement,
the settlement calendars) — the rule of the module docstring written out, not roll.py's code.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest

from desktop.controller.roll import roll_ladder
from tests.analytics_oracle import oracle_bond
from tests.controller.test_liability_ticket import DENOMINATION, reference_accrued, reference_settlement

# two five-rung ladders (1..5 y on the data's date) and three US notes (rungs 2, 3, 5). Every bond pays
# regular coupons in the roll windows (first coupon periods have their own flow test in
# tests/test_schedule_dated.py)
BOOK = {"UK": ["GB00BYZW3G56", "GB00BDRHNP05", "GB00BMF9LG83", "GB00BLPK7227", "GB00BL68HH02"],
        "AU": ["AU000XCLWAI8", "AU3TB0000135", "AU000XCLWAR9", "AU3TB0000150", "TB155"],
        "US": ["91282CPB1", "91282CPP0", "91282CPA3"]}
FACE = 2_000_000.0


def _book(universe: pd.DataFrame) -> np.ndarray:
    face = np.zeros(len(universe))
    for code, ids in BOOK.items():
        for i in ids:
            (k,) = np.flatnonzero((universe["market"] == code).to_numpy() & (universe["id"] == i).to_numpy())
            face[k] = FACE
    return face


def _cash(face: float, dirty: float) -> float:
    exact = Decimal(f"{face:.2f}") * Decimal(f"{dirty:.6f}") / 100
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _received(row: pd.Series, face: float, to: date) -> tuple[float, float]:
    """(redemption, coupons) that ``face`` of ``row`` pays a holder settled on the universe's settlement
    date, up to ``to`` (QuantLib's flows, ex-coupon dates honoured)."""
    settle = pd.Timestamp(row["settle_date"]).date()
    issue = None if pd.isna(row["issue_date"]) else pd.Timestamp(row["issue_date"]).date()
    maturity = pd.Timestamp(row["maturity"]).date()
    ob = oracle_bond(row["market"], float(row["coupon_pct"]), maturity, settle, issue)
    redemption = coupons = 0.0
    for k, (when, amount) in enumerate(ob.received_flows()):
        if when > to:
            continue
        is_redemption = when == maturity and k == len(ob.received_flows()) - 1
        redemption, coupons = (redemption + amount * face / 100, coupons) if is_redemption else \
            (redemption, coupons + amount * face / 100)
    return redemption, coupons


def expected_roll(universe: pd.DataFrame, face: np.ndarray, to: date) -> dict:
    """The roll rule (roll.py's docstring) computed from the universe and QuantLib."""
    held = universe[face > 0]
    maturity = pd.to_datetime(universe["maturity"])
    length = int(held["rung"].max() - held["rung"].min() + 1)
    out = {"length": length, "markets": {}}
    for code in BOOK:
        mine = held[held["market"] == code]
        flows = [_received(r, FACE, to) for _, r in mine.iterrows()]
        redeemed, coupons = sum(f[0] for f in flows), sum(f[1] for f in flows)
        matured = mine[pd.to_datetime(mine["maturity"]) <= pd.Timestamp(to)]
        if len(matured):
            targets = [(i, pd.Timestamp(m) + pd.DateOffset(years=length)) for i, m in zip(matured["id"],
                                                                                            matured["maturity"],
                                                                                            strict=True)]
        else:
            targets = [("", pd.to_datetime(mine["maturity"]).max() + pd.DateOffset(years=1))]
        settle = reference_settlement(code, to)
        pool = universe[(universe["market"] == code).to_numpy() & ~universe["is_generic"].to_numpy(bool)
                        & (maturity > pd.Timestamp(settle)).to_numpy()]
        buys: dict[str, float] = {}
        lines = []
        for src, target in targets:
            budget = (redeemed + coupons) / len(targets)  # equal faces: pro rata = equal shares
            gap = (pd.to_datetime(pool["maturity"]) - target).abs().dt.days.to_numpy()
            pick = pool.iloc[int(np.argmin(gap))]
            dirty = round(round(float(pick["clean_price"]), 6) + round(reference_accrued(pick, settle), 6), 6)
            den = DENOMINATION[code]
            have = buys.get(pick["id"], 0.0)
            units = math.floor(budget / (dirty / 100) / den + 1e-9)
            while units and _cash(round(have + units * den, 2), dirty) - _cash(have, dirty) > budget:
                units -= 1
            buys[pick["id"]] = round(have + units * den, 2)
            lines.append({"matured_id": src, "target": f"{target:%Y-%m-%d}", "bought_id": pick["id"],
                          "face": round(units * den, 2), "dirty": dirty, "settle": settle})
        spent = sum(_cash(f, next(ln["dirty"] for ln in lines if ln["bought_id"] == i)) for i, f in buys.items())
        out["markets"][code] = {"redeemed": redeemed, "coupons": coupons, "spent": spent, "buys": buys,
                                "lines": lines, "settle": settle}
    return out


def _check(r, universe: pd.DataFrame, face: np.ndarray, to: date, exp: dict) -> None:
    assert r.length_years == exp["length"]
    cash = r.cash.set_index("market")
    t = r.trades
    assert (t["side"] == "BUY").all() and (t["trade_date"] == to.isoformat()).all()
    app_id = universe.set_index("name")["id"]  # the ticket names a bond by its official id; the book by the app's
    for code, e in exp["markets"].items():
        mine = t[t["market"] == code]
        bought = dict(zip(app_id.loc[mine["name"]], mine["face"], strict=True))
        assert bought == pytest.approx(e["buys"], abs=1e-9), code
        assert (mine["settle_date"] == e["settle"].isoformat()).all()
        dirty = dict(zip(app_id.loc[mine["name"]], mine["dirty_price"], strict=True))
        for ln in e["lines"]:
            assert dirty[ln["bought_id"]] == pytest.approx(ln["dirty"], abs=1.01e-6)
        c = cash.loc[code]
        assert c["redeemed"] == pytest.approx(e["redeemed"], abs=1e-6)
        assert c["coupons"] == pytest.approx(e["coupons"], abs=1e-6)
        # the cash spent is the ticket's, to the cent; what is left is less than one more denomination
        assert c["reinvested"] == round(float(mine["cash_local"].sum()), 2) == pytest.approx(e["spent"], abs=0.011)
        received = e["redeemed"] + e["coupons"]
        assert c["reinvested"] + c["left"] == pytest.approx(received, abs=0.005)  # conserved to the cent
        assert -0.005 <= c["left"] < sum(DENOMINATION[code] * ln["dirty"] / 100 for ln in e["lines"]) + 0.01
    # the rolled book: what matured is gone, the rest kept, the purchases added
    kept = np.where(pd.to_datetime(universe["maturity"]).to_numpy() > np.datetime64(to), face, 0.0)
    add = np.zeros(len(universe))
    for code, e in exp["markets"].items():
        for i, f in e["buys"].items():
            add[(universe["id"] == i).to_numpy() & (universe["market"] == code).to_numpy()] += f
    np.testing.assert_allclose(r.face, kept + add, rtol=0, atol=1e-9)


def test_roll_replaces_what_matures_by_a_bond_on_the_longest_rung(snap, universe):
    to = date(2026, 12, 31)  # one UK and one AU bond matured; the US notes only paid coupons
    face = _book(universe)
    r = roll_ladder(snap, face, to, universe=universe, base_ccy="GBP")
    exp = expected_roll(universe, face, to)
    assert exp["length"] == 5
    _check(r, universe, face, to, exp)
    rungs = r.rungs.set_index("market")
    for code in ("UK", "AU"):
        (ln,) = exp["markets"][code]["lines"]
        assert rungs.loc[code, "matured_id"] == ln["matured_id"] and rungs.loc[code, "bought_id"] == ln["bought_id"]
        assert rungs.loc[code, "target"] == ln["target"]
        # seen from the roll's settlement the rolled ladder is again rungs 1..5: the new bond on rung 5
        settle = pd.Timestamp(exp["markets"][code]["settle"])
        held = universe[(r.face > 0) & (universe["market"] == code).to_numpy()]
        rung = np.maximum(np.ceil((pd.to_datetime(held["maturity"]) - settle).dt.days / 365.0), 1).astype(int)
        assert sorted(rung) == [1, 2, 3, 4, 5]
        assert rung[held["id"] == ln["bought_id"]].item() == rung.max() == exp["length"]
    us = exp["markets"]["US"]
    assert us["redeemed"] == 0 and rungs.loc["US", "matured_id"] == ""  # coupons only: a year past the longest
    assert rungs.loc["US", "target"] == "2031-09-30" and rungs.loc["US", "bought_id"] == us["lines"][0]["bought_id"]


def test_roll_later_spreads_the_cash_over_every_maturity(snap, universe):
    to = date(2027, 12, 31)  # two UK, two AU and one US bond matured: each market's cash split pro rata
    face = _book(universe)
    r = roll_ladder(snap, face, to, universe=universe, base_ccy="USD")
    exp = expected_roll(universe, face, to)
    assert [len(exp["markets"][c]["lines"]) for c in ("UK", "AU", "US")] == [2, 2, 1]
    _check(r, universe, face, to, exp)
    got = sorted(zip(r.rungs["matured_id"], r.rungs["target"], r.rungs["bought_id"], strict=True))
    want = sorted((ln["matured_id"], ln["target"], ln["bought_id"]) for e in exp["markets"].values()
                  for ln in e["lines"])
    assert got == want
