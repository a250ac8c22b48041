"""``ladderdesk backtest`` end to end: run main([...]) as a user would, read BT.csv back."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from desktop.cli import main


def test_backtest_writes_bt_csv_and_stats(tmp_path, capsys):
    out = tmp_path / "BT.csv"
    ws = tmp_path / "ws.sqlite"
    rc = main(["backtest", "--workspace", str(ws), "--preset", "Shift from US rates", "--from", "2025-03",
               "--to", "2025-06", "--cost-bp", "2", "--out", str(out), "--json"])
    assert rc == 0
    report = json.loads(capsys.readouterr().out)
    bt = pd.read_csv(out)
    assert list(bt.columns[:9]) == ["date", "strategy", "return_pct", "turnover", "cost_bp",
                                    "US_pct", "JP_pct", "AU_pct", "UK_pct"]
    assert sorted(bt["date"].unique()) == ["2025-03", "2025-04", "2025-05", "2025-06"]
    assert list(dict.fromkeys(bt["strategy"])) == ["Shift from US rates", "Neutral", "US-only ladder",
                                                   "Equal-weight 4-market ladder"]
    np.testing.assert_allclose(bt["cost_bp"], bt["turnover"] * 2.0, atol=1e-6)
    np.testing.assert_allclose(bt[["US_pct", "JP_pct", "AU_pct", "UK_pct"]].sum(axis=1) - bt["cost_bp"] / 100,
                               bt["return_pct"], atol=1e-9)
    stats = {s["strategy"]: s for s in report["stats"]}
    us = bt[bt["strategy"] == "US-only ladder"].set_index("date")["return_pct"]
    assert stats["US-only ladder"]["2025-04_pct"] == pytest.approx(us["2025-04"], abs=1e-8)
    assert stats["US-only ladder"]["worst_month_pct"] == pytest.approx(us.min(), abs=1e-8)
    assert "views off" in report["notes"][0] and "hedged" in report["notes"][0]
    # the Shift preset holds less US than Neutral every month
    w = bt.pivot(index="date", columns="strategy", values="US_weight")
    assert (w["Shift from US rates"] < w["Neutral"]).all()


def test_backtest_unhedged_differs_and_bad_input_exits_2(tmp_path, capsys):
    ws = tmp_path / "ws.sqlite"
    a, b = tmp_path / "h.csv", tmp_path / "u.csv"
    assert main(["backtest", "--workspace", str(ws), "--preset", "Neutral", "--from", "2025-04", "--to", "2025-04",
                 "--out", str(a)]) == 0
    assert main(["backtest", "--workspace", str(ws), "--preset", "Neutral", "--from", "2025-04", "--to", "2025-04",
                 "--unhedged", "--out", str(b)]) == 0
    h, u = pd.read_csv(a).set_index("strategy"), pd.read_csv(b).set_index("strategy")
    assert h.loc["US-only ladder", "return_pct"] == u.loc["US-only ladder", "return_pct"]  # USD base: no FX
    assert h.loc["Equal-weight 4-market ladder", "return_pct"] != u.loc["Equal-weight 4-market ladder", "return_pct"]
    capsys.readouterr()
    for bad in (["--from", "2025-13"], ["--preset", "Nope"], ["--cost-bp", "-1"], ["--from", "2025-05", "--to", "2025-01"],
                ["--from", "1990-01", "--to", "1990-12"]):
        rc = main(["backtest", "--workspace", str(ws), *bad, "--out", str(tmp_path / "x.csv")])
        err = capsys.readouterr().err
        assert rc == 2, (bad, err)
        assert err.strip() and "Traceback" not in err
    assert not (tmp_path / "x.csv").exists()


def test_backtest_of_a_saved_preset(tmp_path, capsys):
    """A preset saved with `optimize --save-preset` can be backtested by name; unknown names exit 2."""
    from desktop.optim.presets import preset_payload
    from desktop.optim.settings import OptimSettings
    from desktop.store import Workspace

    ws = tmp_path / "ws.sqlite"
    with Workspace.open(ws) as w:
        w.save_preset("Mine", preset_payload(OptimSettings(us_cap=0.2, market_max={"US": 0.5})))
    out = tmp_path / "BT.csv"
    assert main(["backtest", "--workspace", str(ws), "--preset", "Mine", "--from", "2025-01", "--to", "2025-02",
                 "--out", str(out)]) == 0
    bt = pd.read_csv(out)
    assert list(dict.fromkeys(bt["strategy"]))[:2] == ["Mine", "Shift from US rates"]
    assert (bt.loc[bt["strategy"] == "Mine", "US_weight"] <= 0.5 + 1e-6).all()
    capsys.readouterr()
    assert main(["backtest", "--workspace", str(ws), "--preset", "Nope", "--out", str(out)]) == 2
    assert "Mine" in capsys.readouterr().err
