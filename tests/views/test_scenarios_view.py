"""ScenariosView with a minimal fake session (no Session, no optimiser)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QObject, Signal

from desktop.curves import build_curve
from desktop.scenarios.model import CurveShock, Scenario
from desktop.scenarios.presets import PRESETS

AS_OF = date(2025, 12, 31)
POINTS = {
    "US": [3.6, 3.5, 3.5, 3.55, 3.7, 3.9, 4.15, 4.7, 4.8],
    "JP": [0.7, 0.9, 1.1, 1.25, 1.45, 1.7, 2.05, 2.9, 3.4],
    "AU": [3.7, 3.8, 3.95, 4.0, 4.2, 4.4, 4.7, 5.1, 5.2],
    "UK": [3.8, 3.7, 3.75, 3.85, 4.0, 4.25, 4.5, 5.1, 5.2],
}
TENORS = [0.25, 1, 2, 3, 5, 7, 10, 20, 30]


@dataclass(frozen=True)
class Snap:
    as_of: date
    curves: dict
    short_rates_pct: dict
    fx_usd_per_unit: dict
    bonds: pd.DataFrame


def _snapshot() -> Snap:
    bonds = pd.DataFrame({"market": ["US"], "id": ["T1"], "name": ["UST 4% 2030"], "coupon_pct": [4.0],
                          "maturity": pd.to_datetime(["2030-06-30"]), "issue_date": pd.to_datetime(["2025-06-30"]),
                          "is_generic": [False]})
    return Snap(AS_OF, {m: build_curve(m, AS_OF, TENORS, y, "par", "test") for m, y in POINTS.items()},
                {"USD": 3.7, "JPY": 0.75, "AUD": 3.6, "GBP": 3.9},
                {"USD": 1.0, "JPY": 1 / 156.8, "GBP": 1.3436, "AUD": 0.6695}, bonds)


class FakeSession(QObject):
    """The ScenarioSource protocol, computing the view's jobs synchronously (no worker)."""

    loaded = Signal()
    analyticsChanged = Signal()
    solutionChanged = Signal(object)
    savedChanged = Signal()
    scenariosReady = Signal(object)
    scenariosFailed = Signal(object)
    saved_scenarios: list = []

    def __init__(self) -> None:
        super().__init__()
        from desktop.universe import build_universe

        self.snapshot = _snapshot()
        self.universe = build_universe(self.snapshot)
        u = self.universe
        self.face = np.where(u["rung"] <= 10, 1e6, 0.0)
        self.face[u["currency"].to_numpy() == "JPY"] *= 150
        self.outcome = SimpleNamespace(face=self.face * np.where(u["market"] == "US", 0.5, 1.2))
        self.whatif = SimpleNamespace(base_ccy="USD")
        self.overlays: list = []

    def set_scenario_overlay(self, overlay) -> None:
        self.overlays.append(overlay)

    def run_scenarios(self, job) -> None:
        from desktop.controller.scenario_lab import run_scenarios

        try:
            result = run_scenarios(job)
        except Exception as exc:  # noqa: BLE001 - what the worker would report
            self.scenariosFailed.emit(exc)
            return
        self.scenariosReady.emit(result)


@pytest.fixture
def view(qtbot):
    from desktop.views.scenarios_view import ScenariosView

    session = FakeSession()
    widget = ScenariosView(session)
    qtbot.addWidget(widget)
    # a fixed minimum keeps offscreen Qt from warning "does not support propagateSizeHints()" on show
    widget.setMinimumSize(1200, 700)
    widget.resize(1200, 700)
    return widget


def test_grid_fills_table_and_heat_map(view, qtmodeltester):
    assert view.grid is not None
    assert view.model.rowCount() == len(PRESETS)
    headers = [view.model.headerData(i, Qt_h()) for i in range(view.model.columnCount())]
    assert headers[:5] == ["AU", "JP", "UK", "US", "Total"] and headers[5] == "1y"
    assert view.image.image.shape == (view.model.columnCount(), len(PRESETS))
    assert view.ms_per_scenario < 50
    qtmodeltester.check(view.model)


def Qt_h():
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal


def test_selecting_a_scenario_emits_overlay(view, qtbot):
    row = [p.name for p in PRESETS].index("JGB bear steepener (May 2025 super-long sell-off)")
    with qtbot.waitSignal(view.scenarioSelected) as blocker:
        view.select_scenario(row)
    overlay = blocker.args[0]
    assert set(overlay.curves) == {"JP"}
    base, shocked = view.session.snapshot.curves["JP"], overlay.curves["JP"]
    assert shocked.zero_rate(30.0) - base.zero_rate(30.0) == pytest.approx(35e-4, abs=1e-6)
    assert view.session.overlays[-1] is overlay
    assert view.bars["optimised"].opts["height"] is not None


def test_measure_and_portfolio_switch(view):
    view.measure.setCurrentText("Unhedged P&L")
    unhedged = view.model._frame.copy()
    view.measure.setCurrentText("Hedged P&L")
    view.portfolio.setCurrentText("optimised")
    opt = view.model._frame
    assert not np.allclose(unhedged.to_numpy(), opt.to_numpy())
    us_up = "US parallel +100 bp"
    assert opt.loc[us_up, "US"] == pytest.approx(0.5 * view.grid.table("current").loc[us_up, "US"], rel=1e-9)
    view.portfolio.setCurrentText("optimised − current")
    diff = view.model._frame
    assert diff.loc[us_up, "US"] == pytest.approx(-0.5 * view.grid.table("current").loc[us_up, "US"], rel=1e-9)


def test_refresh_on_session_signal(view, qtbot):
    view.show()
    view.session.face = view.session.face * 2
    before = view.grid.table("current").loc["UK parallel +100 bp", "Total"]
    view.session.analyticsChanged.emit()
    qtbot.waitUntil(lambda: view.grid.table("current").loc["UK parallel +100 bp", "Total"] == pytest.approx(2 * before))


def test_hidden_view_defers_work_until_shown(view, qtbot):
    view.hide()
    before = view.grid
    view.session.face = view.session.face * 3
    view.session.analyticsChanged.emit()
    qtbot.wait(120)
    assert view.grid is before  # nothing computed while hidden
    view.show()
    assert view.grid is not before
    uk = "UK parallel +100 bp"
    assert view.grid.table("current").loc[uk, "Total"] == pytest.approx(3 * before.table("current").loc[uk, "Total"])


def test_new_universe_rebuilds_engine_and_bad_state_is_reported(view):
    from desktop.controller import scenario_lab
    from desktop.universe import build_universe

    view.session.universe = build_universe(view.session.snapshot)
    view.refresh()
    assert scenario_lab._ENGINES[0][0] is view.session.universe  # engine built for the new universe object
    view.session.face = view.session.face[:-1]  # out of step with the universe: reported, no exception
    view.refresh()
    assert "Scenarios unavailable" in view.status.text() and "holdings for" in view.status.text()
    view.session.face = np.append(view.session.face, 0.0)
    view.status.setText("")
    view.session.snapshot = type(view.session.snapshot)(AS_OF, {"US": view.session.snapshot.curves["US"]},
                                                         {"USD": 3.7}, {"USD": 1.0}, view.session.snapshot.bonds)
    view.refresh()
    assert "Scenarios unavailable" in view.status.text()


def test_user_scenarios(view):
    mine = Scenario("My twist", curves={"AU": CurveShock(slope_bp=50)}, fx_pct={"AUD": -5})
    view.set_scenarios([*PRESETS[:2], mine])
    assert view.model.rowCount() == 3
    assert view.model._frame.index[-1] == "My twist"


@pytest.mark.parametrize("mode", ["Return to horizon", "Roll-forward income"])
def test_chart_modes(view, mode):
    view.select_scenario(2)
    view.chart.setCurrentText(mode)
    ticks = view.bars_plot.getPlotItem().getAxis("bottom")._tickLevels[0]
    heights = view.bars["current"].opts["height"]
    if mode == "Return to horizon":
        assert [t[1] for t in ticks] == ["carry", "roll_down", "price_change", "fx", "hedge_cost", "total"]
        assert heights[-1] == pytest.approx(sum(heights[:-1]))
    else:
        assert [t[1] for t in ticks][:2] == ["Y1", "Y2"] and len(ticks) == 10
        assert (np.asarray(heights) > 0).all()
    assert len(view.bars["optimised"].opts["height"]) == len(heights)


def test_render_png(view, tmp_path):
    view.select_scenario(0)
    path = tmp_path / "scenarios.png"
    assert view.grab().save(str(path))
    assert path.stat().st_size > 10_000
