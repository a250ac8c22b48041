"""Bad or degenerate optimiser inputs give a message naming the bond and field, never a solver crash."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from desktop.optim.errors import BadInputs, Infeasible
from desktop.optim.inputs import OptimInputs
from desktop.optim.settings import OptimSettings
from desktop.optim.solve import Optimiser
from tests.optim.conftest import small_universe


def _inputs(snapshot, universe, **over) -> OptimInputs:
    fields = dict(universe=universe.reset_index(drop=True), curves=snapshot.curves,
                  short_rates_pct=snapshot.short_rates_pct, fx_usd_per_unit=snapshot.fx_usd_per_unit,
                  history=snapshot.history, as_of=date(2025, 12, 31))
    fields.update(over)
    return OptimInputs(**fields)


@pytest.mark.parametrize(("column", "value", "said"), [
    ("dirty_price", np.nan, "dirty_price = nan"),
    ("dirty_price", -3.0, "dirty_price = -3.0"),
    ("yield_pct", np.inf, "yield_pct = inf"),
    ("mod_duration", -1.0, "mod_duration = -1.0"),
    ("convexity", np.nan, "convexity = nan"),
    ("krd_10y", -np.inf, "krd_10y = -inf"),
])
def test_bad_bond_figure_is_rejected_naming_bond_and_field(snapshot, column, value, said):
    u = small_universe()
    u.loc[4, column] = value
    with pytest.raises(BadInputs) as err:
        _inputs(snapshot, u)
    assert f"bond {u.loc[4, 'id']} ({u.loc[4, 'market']})" in str(err.value)
    assert said in str(err.value)


def test_bad_fx_and_short_rate_are_rejected(snapshot):
    u = small_universe()
    with pytest.raises(BadInputs, match="FX JPY = 0.0"):
        _inputs(snapshot, u, fx_usd_per_unit={**snapshot.fx_usd_per_unit, "JPY": 0.0})
    with pytest.raises(BadInputs, match="short rate AUD = nan"):
        _inputs(snapshot, u, short_rates_pct={**snapshot.short_rates_pct, "AUD": float("nan")})


def test_many_bad_bonds_are_summarised(snapshot):
    u = small_universe()
    u["yield_pct"] = np.nan
    with pytest.raises(BadInputs, match=r"and 7 more"):
        _inputs(snapshot, u)


def test_empty_universe_says_no_eligible_bond(snapshot):
    opt = Optimiser(_inputs(snapshot, small_universe().iloc[:0]))
    with pytest.raises(Infeasible, match="no eligible bond"):
        opt.solve(OptimSettings(rung_tolerance=None))


def test_single_bond_names_the_duration_it_can_reach(snapshot):
    u = small_universe().iloc[[4]]  # JP 5y, duration 4.5
    opt = Optimiser(_inputs(snapshot, u))
    with pytest.raises(Infeasible) as err:
        opt.solve(OptimSettings(rung_tolerance=None, max_weight=1.0, us_cap=1.0))
    assert "lower the duration target to" in str(err.value)
    fine = opt.solve(OptimSettings(rung_tolerance=None, max_weight=1.0, target_duration=4.5, us_cap=1.0))
    assert fine.weights.sum() == pytest.approx(1.0, abs=1e-6)


def test_market_without_bonds_is_left_out_or_named(snapshot):
    u = small_universe()
    opt = Optimiser(_inputs(snapshot, u[u["market"] != "AU"]))
    sol = opt.solve(OptimSettings(rung_tolerance=None, max_weight=0.5, target_duration=5.0))
    assert sol.weights.sum() == pytest.approx(1.0, abs=1e-6)
    with pytest.raises(Infeasible) as err:
        opt.solve(replace(OptimSettings(rung_tolerance=None, max_weight=0.5, target_duration=5.0),
                          market_min={"AU": 0.1}))
    assert "AU" in str(err.value)


def test_a_million_bonds_is_refused_before_anything_is_built(snapshot):
    """Issue 10 item 7: a universe the machine cannot solve is refused with the bound, not a huge array."""
    import pandas as pd

    from desktop.optim.inputs import UniverseTooLarge, max_bonds

    huge = pd.DataFrame(index=pd.RangeIndex(1_000_000))  # cheap: the size check comes first
    with pytest.raises(UniverseTooLarge) as exc:
        _inputs(snapshot, huge)
    text = str(exc.value)
    assert "1,000,000 bonds" in text and f"at most {max_bonds():,}" in text and "Import fewer bonds" in text
    assert isinstance(exc.value, BadInputs)  # the CLI's exit 2 with the message


def test_bound_is_what_the_bench_measured_solvable(monkeypatch):
    from desktop.optim.inputs import MAX_SOLVABLE_BONDS, max_bonds

    monkeypatch.delenv("LADDERDESK_MAX_BONDS", raising=False)
    assert 20_000 <= max_bonds() <= MAX_SOLVABLE_BONDS  # 20,000 is benched here (bench/bench_optim.py)
    monkeypatch.setenv("LADDERDESK_MAX_BONDS", "250000")
    assert max_bonds() == 250_000
    monkeypatch.setenv("LADDERDESK_MAX_BONDS", "lots")
    with pytest.raises(BadInputs, match="LADDERDESK_MAX_BONDS"):
        max_bonds()


def test_optimize_refuses_a_universe_above_the_bound_with_exit_2(tmp_path, monkeypatch, capsys):
    from desktop.cli import main
    from desktop.store import Workspace

    path = tmp_path / "w.sqlite"
    Workspace.open(path).close()
    monkeypatch.setenv("LADDERDESK_MAX_BONDS", "50")  # the bundled universe has more
    assert main(["optimize", "--workspace", str(path)]) == 2
    err = capsys.readouterr().err
    assert "bonds; the optimiser on this machine solves at most 50" in err
    assert "Traceback" not in err


def test_the_risk_models_fx_block_comes_from_the_snapshots_fx_history(snapshot):
    """An imported ECB history (the workspace's fx_history) reaches the optimiser's currency block:
    here the GBP month-ends swing ±3 % more each month than the bundled ones."""
    from dataclasses import replace as dc_replace

    from desktop.optim.risk import FX_CURRENCIES, build_risk_model

    fxh = snapshot.fx_history.copy()
    gbp = (fxh["currency"] == "GBP").to_numpy()
    swing = np.where(np.arange(gbp.sum()) % 2 == 0, 1.03, 1 / 1.03)
    fxh.loc[gbp, "usd_per_unit"] = fxh.loc[gbp, "usd_per_unit"].to_numpy(float) * swing
    bundled = Optimiser(OptimInputs.from_snapshot(snapshot)).risk
    opt = Optimiser(OptimInputs.from_snapshot(dc_replace(snapshot, fx_history=fxh)))
    g = FX_CURRENCIES.index("GBP")
    assert opt.risk.fx_cov[g, g] > 1.5 * bundled.fx_cov[g, g]
    np.testing.assert_allclose(opt.risk.fx_cov, build_risk_model(snapshot.history, fx_history=fxh).fx_cov, rtol=1e-12)
