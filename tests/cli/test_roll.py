"""`ladderdesk roll`: maturities and coupons up to the date reinvested at the far end of the ladder;
the cash is recomputed from QuantLib's cash flows of the holdings, the rung choice from the universe."""

from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest
import QuantLib as ql

from desktop.cli import main

BOOK = [("US", "91282CPB1"), ("US", "91282CPK1"), ("US", "91282CPA3"), ("US", "91282CNF4"), ("US", "91282CNC1"),
        ("UK", "GB00B16NNR78")]
TO = date(2027, 12, 31)


def _cents(face: float, dirty: float) -> float:
    """face × dirty / 100 in exact decimals, half a cent up (the ticket's cash rule)."""
    exact = Decimal(f"{face:.2f}") * Decimal(f"{dirty:.6f}") / 100
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    from desktop.store import Workspace
    from desktop.universe import build_universe

    path = tmp_path_factory.mktemp("ws") / "w.sqlite"
    with Workspace.open(path) as ws:
        universe = build_universe(ws.load_snapshot())
        ws.save_portfolio("Ladder", pd.DataFrame({"market": [m for m, _ in BOOK], "id": [i for _, i in BOOK],
                                                  "face": 1e6}), {"data_as_of": "2025-12-31"})
    return str(path), universe


def _ql_received(row, face: float, settle: date, to: date) -> tuple[float, float]:
    """(principal, coupons) of ``face`` of a US Treasury paid after ``settle`` up to ``to`` (QuantLib)."""
    mat = pd.Timestamp(row["maturity"]).date()
    maturity = ql.Date(mat.day, mat.month, mat.year)
    sched = ql.Schedule(ql.Date(settle.day, settle.month, settle.year) - ql.Period(1, ql.Years), maturity,
                        ql.Period(ql.Semiannual), ql.NullCalendar(), ql.Unadjusted, ql.Unadjusted,
                        ql.DateGeneration.Backward, ql.Date.isEndOfMonth(maturity))
    bond = ql.FixedRateBond(0, face, sched, [row["coupon_pct"] / 100], ql.ActualActual(ql.ActualActual.Bond, sched))
    lo, hi = ql.Date(settle.day, settle.month, settle.year), ql.Date(to.day, to.month, to.year)
    principal = coupons = 0.0
    for cf in bond.cashflows():
        if lo < cf.date() <= hi:
            if ql.as_coupon(cf) is None:
                principal += cf.amount()
            else:
                coupons += cf.amount()
    return principal, coupons


def test_roll_reinvests_maturities_and_coupons_at_the_far_end(setup, tmp_path, capsys):
    workspace, universe = setup
    trades_path = tmp_path / "t.csv"
    code = main(["roll", "--workspace", workspace, "--portfolio", "Ladder", "--to", TO.isoformat(), "--json",
                 "--trades", str(trades_path), "--save", "Ladder rolled"])
    out = capsys.readouterr()
    assert code == 0, out.err
    d = json.loads(out.out)
    cash = {c["market"]: c for c in d["cash"]}
    us = universe[universe["market"] == "US"].set_index("id")
    principal = coupons = 0.0
    for m, i in BOOK:
        if m == "US":
            p, c = _ql_received(us.loc[i], 1e6, pd.Timestamp(us.loc[i, "settle_date"]).date(), TO)
            principal, coupons = principal + p, coupons + c
    assert cash["US"]["redeemed"] == pytest.approx(principal, abs=1e-6) == 1e6  # only the Sep-2027 note matured
    assert cash["US"]["coupons"] == pytest.approx(coupons, abs=1e-6)
    assert cash["UK"]["coupons"] == pytest.approx(4 * 1e6 * 4.25 / 200, abs=1e-6)  # 4¼% 2027: four coupons

    # the ladder spans rungs 2..10 (9 years): the Sep-2027 note reappears 9 years on, as the nearest real bond
    assert d["length_years"] == 9
    (g,) = [g for g in d["rungs"] if g["market"] == "US"]
    target = pd.Timestamp("2036-09-30")
    real = universe[(universe["market"] == "US") & ~universe["is_generic"]]
    nearest = real.iloc[int(np.argmin(np.abs((pd.to_datetime(real["maturity"]) - target).dt.days)))]
    assert g["target"] == "2036-09-30" and g["bought_id"] == nearest["id"]

    t = pd.read_csv(trades_path, dtype={"isin": str})
    assert list(t.columns) == ["trade_date", "settle_date", "side", "market", "id", "isin", "name", "currency",
                               "face", "clean_price", "accrued", "dirty_price", "cash_local", "cash_base"]
    assert (t["side"] == "BUY").all() and (t["trade_date"] == TO.isoformat()).all()
    assert list(t["cash_local"]) == [_cents(f, d) for f, d in zip(t["face"], t["dirty_price"], strict=True)]
    for m, c in cash.items():
        spent = t.loc[t["market"] == m, "face"] * t.loc[t["market"] == m, "dirty_price"] / 100
        available = c["redeemed"] + c["coupons"]
        step = {"US": 100.0, "UK": 0.01}[m] * t.loc[t["market"] == m, "dirty_price"].max() / 100
        assert spent.sum() <= available + 1e-6 and available - spent.sum() < step + 1e-6  # all cash but a face step
    assert t.loc[t["market"] == "US", "settle_date"].item() == "2028-01-03"  # T+1, past New Year's Day

    from desktop.store import Workspace

    with Workspace.open(workspace) as ws:
        rolled = ws.load_portfolio("Ladder rolled").holdings.set_index("id")["face"]
        fx = ws.load_snapshot().fx_usd_per_unit  # USD per unit; base USD
    assert "91282CPB1" not in rolled.index and "GB00B16NNR78" not in rolled.index  # matured
    assert rolled.loc[g["bought_id"]] == pytest.approx(t.loc[t["id"] == g["bought_id"], "face"].item())

    # the rolled book against the allocator's limits (this book is US-heavy): the US share of duration
    # recomputed here from the saved book at the universe's prices
    u = universe.set_index(["market", "id"])
    value = {(m, i): f * u.loc[(m, i), "dirty_price"] / 100 * fx[u.loc[(m, i), "currency"]]
             for (m, i), f in zip(zip(["UK" if i.startswith("GB") else "US" for i in rolled.index], rolled.index,
                                      strict=True), rolled.to_numpy(), strict=True)}
    dur = {k: v * u.loc[k, "mod_duration"] for k, v in value.items()}
    us_share = sum(v for k, v in dur.items() if k[0] == "US") / sum(dur.values())
    assert f"after the roll the US share of duration is {us_share:.1%} (limit 35%)" in d["warnings"]


def test_roll_refuses_a_date_with_nothing_maturing_or_in_the_past(setup, capsys):
    workspace, _ = setup
    assert main(["roll", "--workspace", workspace, "--portfolio", "Ladder", "--to", "2026-06-30"]) == 2
    assert "nothing in the book matures by 2026-06-30" in capsys.readouterr().err
    assert main(["roll", "--workspace", workspace, "--portfolio", "Ladder", "--to", "2025-06-30"]) == 2
    assert "not after the data's date" in capsys.readouterr().err
    assert main(["roll", "--workspace", workspace, "--portfolio", "Nope", "--to", "2028-06-30"]) == 2
