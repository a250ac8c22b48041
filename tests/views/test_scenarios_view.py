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
        assert [t[1] for t in ticks] == ["Carry", "Roll-down", "Price change", "FX", "Hedge cost", "Total"]
        assert heights[-1] == pytest.approx(sum(heights[:-1]))
    else:
        assert [t[1] for t in ticks][:2] == ["Y1", "Y2"] and len(ticks) == 10
        assert (np.asarray(heights) > 0).all()
    assert len(view.bars["optimised"].opts["height"]) == len(heights)


def _pixel(image, widget, plot, x: float, y: float):
    """The colour ``image`` (a grab of ``widget``) shows at data point (x, y) of ``plot``."""
    from PySide6.QtCore import QPointF

    pt = plot.mapTo(widget, plot.mapFromScene(plot.getPlotItem().vb.mapViewToScene(QPointF(x, y))))
    return image.pixelColor(pt.x(), pt.y())


def test_render_png(view, tmp_path):
    """The saved picture shows the figures: every heat-map cell red for a loss and blue for a gain in
    proportion to the table's P&L, every bar of the selected scenario in its portfolio's colour up to
    its height; and the table's US cell for 'US parallel +100 bp' (full revaluation) matches the
    duration + convexity estimate written out from the universe columns."""
    from PySide6.QtGui import QColor, QImage

    from desktop.views.scenarios_view import SORT_ROLE

    view.show()
    names = [p.name for p in PRESETS]
    row = names.index("US parallel +100 bp")
    view.select_scenario(row)
    path = tmp_path / "scenarios.png"
    assert view.grab().save(str(path))
    image = QImage(str(path))
    assert image.width() >= 1200 and image.height() >= 700
    model = view.model
    values = np.array([[model.index(i, j).data(SORT_ROLE) for j in range(model.columnCount())]
                       for i in range(model.rowCount())], float)
    big = np.nanmax(np.abs(values))
    assert big > 0
    seen = {"loss": 0, "gain": 0, "flat": 0}
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            c = _pixel(image, view, view.heat, j + 0.5, i + 0.5)
            v = values[i, j] / big  # the diverging map runs white (0) → red (full loss) / blue (full gain):
            if v <= -0.2:  # red − blue grows ≈ 135·|v|, green falls ≈ 223·|v| toward the full loss
                assert c.red() - c.blue() > 110 * -v and c.green() < 247 - 180 * -v, (names[i], j, v, c.getRgb()[:3])
                seen["loss"] += 1
            elif v >= 0.2:  # blue − red grows ≈ 139·v, green falls ≈ 145·v
                assert c.blue() - c.red() > 110 * v and c.green() < 247 - 110 * v, (names[i], j, v, c.getRgb()[:3])
                seen["gain"] += 1
            elif abs(v) < 0.01:
                assert min(c.red(), c.green(), c.blue()) > 225, (names[i], j, c.getRgb()[:3])
                seen["flat"] += 1
    assert min(seen.values()) >= 5, seen
    # the bars of the selected scenario (P&L by rung), in the portfolio colours, up to their heights
    drawn = 0
    for name, color in (("current", QColor("#0072B2")), ("optimised", QColor("#E69F00"))):
        bars = view.bars[name].opts
        x, h = np.asarray(bars["x"], float), np.asarray(bars["height"], float)
        assert len(x) >= 5 and (h < 0).sum() >= 5  # a US sell-off: losses on the US rungs
        for xi, hi in zip(x, h, strict=True):
            if abs(hi) < 0.05 * np.abs(h).max():
                continue
            # five points from 30 % to 70 % of the bar (a grid line may cross one or two of them)
            shades = [_pixel(image, view, view.bars_plot, xi, f * hi).getRgb()[:3] for f in np.linspace(0.3, 0.7, 5)]
            near = [max(abs(a - b) for a, b in zip(sh, color.getRgb()[:3], strict=True)) <= 10 for sh in shades]
            assert sum(near) >= 3, (name, xi, hi, shades)
            drawn += 1
    assert drawn >= 10
    # …and they are the table's figures: each portfolio's rung bars add up to its Total for the
    # scenario, in the unit the axis names
    label = view.bars_plot.getPlotItem().getAxis("left").labelText
    unit = 1e6 if "millions" in label else 1e3 if "thousands" in label else float("nan")
    headers = [model.headerData(k, Qt_h()) for k in range(model.columnCount())]
    for name in ("current", "optimised"):
        view.portfolio.setCurrentText(name)
        total = float(model.index(row, headers.index("Total")).data(SORT_ROLE))
        heights = np.asarray(view.bars[name].opts["height"], float)
        assert heights.sum() * unit == pytest.approx(total, rel=1e-9), (name, label)
    view.portfolio.setCurrentText("current")
    # the US cell of 'US parallel +100 bp' against ΔP ≈ (−D·Δy + ½·C·Δy²)·dirty value, Δy the
    # semi-annual yield move of a +100 bp continuously compounded zero-rate move: (2 + y)(e^0.005 − 1)
    u, face = view.session.universe, view.session.face
    us = (u["market"].to_numpy() == "US") & (face > 0)
    value = face[us] / 100.0 * u["dirty_price"].to_numpy(float)[us]
    d, conv = u["mod_duration"].to_numpy(float)[us], u["convexity"].to_numpy(float)[us]
    dy = (2.0 + u["yield_pct"].to_numpy(float)[us] / 100.0) * np.expm1(0.005)
    estimate = float((value * (-d * dy + 0.5 * conv * dy**2)).sum())
    view.measure.setCurrentText("Full revaluation (price only)")
    col = headers.index("US")
    full = float(model.index(row, col).data(SORT_ROLE))
    assert full < 0 and full == pytest.approx(estimate, rel=0.002), (full, estimate)  # measured 0.035 %
    assert model.index(row, col).data() == f"{full / 1e3:,.0f}"
