"""`ladderdesk match` end to end: NEEDS.csv in, ALLOC/FLOWS/ticket/HEDGES out, read back and checked
against each other and against figures recomputed here (face × dirty, spot FX, CIP forwards)."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest

from desktop.cli import main
from desktop.markets import MARKETS


def _cents(face: float, dirty: float) -> float:
    """face × dirty / 100 in exact decimals, half a cent up (the ticket's cash rule)."""
    exact = Decimal(f"{face:.2f}") * Decimal(f"{dirty:.6f}") / 100
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    from desktop.store import Workspace

    path = tmp_path_factory.mktemp("ws") / "w.sqlite"
    Workspace.open(path).close()
    return str(path)


@pytest.fixture()
def needs(tmp_path):
    path = tmp_path / "needs.csv"
    rows = "".join(f"{y},10000000\n" for y in range(2028, 2036)).replace("2033,10000000", '2033,"25,000,000"')
    path.write_text("year,amount\n" + rows)
    return path


def _run(args, capsys):
    code = main(args)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_match_writes_alloc_flows_ticket_hedges_that_tie_out(workspace, needs, tmp_path, capsys):
    from desktop.store import Workspace

    out = {k: tmp_path / f"{k}.csv" for k in ("alloc", "flows", "trades", "hedges")}
    code, text, err = _run(["match", "--workspace", workspace, "--needs", str(needs), "--out", str(out["alloc"]),
                            "--flows", str(out["flows"]), "--trades", str(out["trades"]),
                            "--hedges", str(out["hedges"])], capsys)
    assert code == 0, err
    assert "cheaper than US Treasuries only" in text and "status      optimal" in text
    alloc = pd.read_csv(out["alloc"], dtype={"isin": str})
    assert list(alloc.columns[:7]) == ["market", "id", "isin", "name", "face", "dirty_price", "cost_base"]
    np.testing.assert_allclose(alloc["cost_base"], alloc["face"] * alloc["dirty_price"] / 100 * alloc["spot_fx"],
                               rtol=1e-12)
    with Workspace.open(workspace) as ws:
        fx = ws.load_snapshot().fx_usd_per_unit
    np.testing.assert_allclose(alloc["spot_fx"], alloc["currency"].map(fx), rtol=1e-12)
    den = alloc["market"].map(lambda m: MARKETS[m].min_denomination)
    np.testing.assert_allclose(alloc["face"] / den, np.round(alloc["face"] / den), atol=1e-6)
    us = alloc[alloc["market"] == "US"]
    assert us["isin"].str.fullmatch(r"US[0-9A-Z]{9}[0-9]").all() and (us["isin"].str[2:11] == us["id"]).all()

    flows = pd.read_csv(out["flows"])
    assert list(flows.columns[:8]) == ["date", "need", "funded", "surplus", "US", "JP", "AU", "UK"]
    assert len(flows) == 8 and flows.loc[flows["date"] == "2033-12-30", "need"].item() == 25e6  # last US bday
    assert (flows["funded"] >= flows["need"] - 1e-6).all()
    np.testing.assert_allclose(flows["surplus"], flows["funded"] - flows["need"], atol=1e-6)
    np.testing.assert_allclose(flows[["US", "JP", "AU", "UK", "carried_in"]].sum(axis=1), flows["funded"], rtol=1e-12)
    np.testing.assert_allclose(flows["carried_in"].iloc[1:].to_numpy(), flows["surplus"].iloc[:-1].to_numpy(),
                               atol=1e-6)  # 0 % reinvestment: the surplus is carried as is

    trades = pd.read_csv(out["trades"], dtype={"isin": str})
    assert list(trades.columns) == ["trade_date", "settle_date", "side", "market", "id", "isin", "name", "currency",
                                    "face", "clean_price", "accrued", "dirty_price", "cash_local", "cash_base"]
    assert (trades["side"] == "BUY").all() and len(trades) == len(alloc)
    assert list(trades["cash_local"]) == [_cents(f, d) for f, d in zip(trades["face"], trades["dirty_price"], strict=True)]
    slack = float((trades["face"] * 1e-6 / 100 * trades["currency"].map(fx)).sum()) + 0.01 * len(trades)
    assert trades["cash_base"].sum() == pytest.approx(alloc["cost_base"].sum(), abs=slack)  # prices to 6 dp, cents
    np.testing.assert_allclose(trades["dirty_price"], trades["clean_price"] + trades["accrued"], rtol=1e-12)

    hedges = pd.read_csv(out["hedges"])
    assert set(hedges["currency"]) <= {"JPY", "AUD", "GBP"} and (hedges["amount_local"] > 0).all()
    np.testing.assert_allclose(hedges["amount_base"], hedges["amount_local"] * hedges["forward_rate"], rtol=1e-12)
    foreign_received = flows[["JP", "AU", "UK"]].to_numpy().sum()
    assert hedges["amount_base"].sum() >= foreign_received - 1e-3  # every foreign flow that funds a need is hedged


def test_json_summary_flags_and_single_market_costs(workspace, needs, tmp_path, capsys):
    code, text, err = _run(["match", "--workspace", workspace, "--needs", str(needs), "--json", "--markets", "US,UK",
                            "--us-cap", "0.5", "--max-weight", "0.2", "--market-min", "UK=0.3",
                            "--reinvest-rate", "2"], capsys)
    assert code == 0, err
    d = json.loads(text)
    assert d["markets"] == ["US", "UK"] and d["settings"]["us_cap"] == 0.5
    assert d["settings"]["market_min"] == {"UK": 0.3} and d["settings"]["reinvest_rate_pct"] == 2.0
    funding = {c["funding"]: c for c in d["comparison"]}
    assert set(funding) == {"match", "US only", "JP only", "AU only", "UK only"}
    assert d["saving_vs_us_base"] == pytest.approx(funding["US only"]["cost_base"] - d["cost_base"])
    assert all(c["cost_base"] is None or c["cost_base"] >= d["cost_base"] * 0.98 for c in d["comparison"])


def test_bad_needs_file_names_file_line_and_field(workspace, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("date,amount\n2028-12-29,1000000\n2029-13-01,5\n")
    code, _, err = _run(["match", "--workspace", workspace, "--needs", str(bad)], capsys)
    assert code == 2 and f"{bad}, line 3, field 'date'" in err
    bad.write_text("year,amount\n2028,1e6\n2029,-5\n")
    code, _, err = _run(["match", "--workspace", workspace, "--needs", str(bad)], capsys)
    assert code == 2 and "line 3, field 'amount'" in err
    bad.write_text("year,amount\n2028,1e6\n2028,5\n")
    code, _, err = _run(["match", "--workspace", workspace, "--needs", str(bad)], capsys)
    assert code == 2 and "listed twice (lines 2, 3)" in err
    bad.write_text("when,amount\n2028,1\n")
    code, _, err = _run(["match", "--workspace", workspace, "--needs", str(bad)], capsys)
    assert code == 2 and "line 1" in err and "date,amount or year,amount" in err


def test_infeasible_request_exits_2_with_the_relaxation_and_writes_nothing(workspace, needs, tmp_path, capsys):
    alloc = tmp_path / "a.csv"
    code, _, err = _run(["match", "--workspace", workspace, "--needs", str(needs), "--markets", "US",
                         "--out", str(alloc)], capsys)
    assert code == 2 and "raise the US share of duration cap from 35.0% to 100.0%" in err
    assert not alloc.exists()


def test_liabilities_are_kept_with_the_portfolio_and_rebalanced_at_zero_turnover(workspace, needs, tmp_path, capsys):
    code, _, err = _run(["match", "--workspace", workspace, "--needs", str(needs), "--save", "Pension"], capsys)
    assert code == 0 and "saved portfolio 'Pension'" in err
    flows = tmp_path / "f.csv"
    code, _, err = _run(["match", "--workspace", workspace, "--needs", str(needs), "--save", "Pension",
                         "--flows", str(flows)], capsys)
    assert code == 2 and "already exists" in err and not flows.exists()
    trades = tmp_path / "t.csv"
    code, text, err = _run(["match", "--workspace", workspace, "--portfolio", "Pension", "--json",
                            "--trades", str(trades)], capsys)  # no --needs: the kept ones
    assert code == 0, err
    d = json.loads(text)
    assert d["needs"] == 8 and d["needs_total_base"] == 95e6
    assert len(pd.read_csv(trades)) == 0 and d["turnover_base"] == pytest.approx(0.0, abs=1e-6)
    # a bigger need: the book is topped up, nothing sold
    more = tmp_path / "more.csv"
    more.write_text(needs.read_text().replace("2030,10000000", "2030,15000000"))
    code, text, err = _run(["match", "--workspace", workspace, "--portfolio", "Pension", "--needs", str(more),
                            "--trades", str(trades), "--json", "--save", "Pension", "--overwrite"], capsys)
    assert code == 0, err
    t = pd.read_csv(trades)
    assert len(t) and (t["side"] == "BUY").all()
    assert json.loads(text)["turnover_base"] < 6e6
    code, text, err = _run(["match", "--workspace", workspace, "--portfolio", "Pension", "--json"], capsys)
    assert code == 0 and json.loads(text)["turnover_base"] == pytest.approx(0.0, abs=1e-6)  # the new book, kept
    assert json.loads(text)["needs_total_base"] == 100e6

def test_generic_bonds_never_reach_a_ticket(workspace, needs, tmp_path, capsys):
    code, _, err = _run(["match", "--workspace", workspace, "--needs", str(needs), "--allow-generic", "--markets",
                         "US", "--us-cap", "1", "--trades", str(tmp_path / "t.csv")], capsys)
    assert code == 2 and "generic" in err


def test_alloc_fed_back_as_current_gives_no_trades(workspace, needs, tmp_path, capsys):
    alloc, trades = tmp_path / "a.csv", tmp_path / "t.csv"
    assert _run(["match", "--workspace", workspace, "--needs", str(needs), "--out", str(alloc)], capsys)[0] == 0
    code, text, err = _run(["match", "--workspace", workspace, "--needs", str(needs), "--current", str(alloc),
                            "--trades", str(trades), "--json"], capsys)
    assert code == 0, err
    assert len(pd.read_csv(trades)) == 0 and json.loads(text)["turnover_base"] == pytest.approx(0.0, abs=1e-6)
