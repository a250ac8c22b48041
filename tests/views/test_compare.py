"""File ▸ Compare saved variants… side by side: risk (was "—"), holdings diff, trades from A to B,
exposure charts and the selected scenario's P&L, each checked against figures worked out here."""

from __future__ import annotations

import numpy as np
import pytest

from desktop import controller as ctl
from tests.views.test_menus import leaf_actions


@pytest.fixture
def compared(window, qtbot, request):
    from dataclasses import replace

    from desktop.views.dialogs.compare import CompareDialog

    s = window.session
    hedged = getattr(request, "param", True)
    if not hedged:  # unhedged books carry the currency block of the risk too
        s.set_whatif(replace(s.whatif, hedged=False))
        qtbot.waitUntil(lambda: s.idle, timeout=10_000)
    face_a = np.array(s.face, float)  # the default four-market 1-10 y ladder
    assert window.files.save_named("A ladder")
    s.build_ladder(["US", "JP"], range(2, 8), 60e6)
    face_b = np.array(s.face, float)
    assert window.files.save_named("B US+JP")
    dict(leaf_actions(window.menuBar()))["File > Compare saved variants…"].trigger()
    dialog = window.findChildren(CompareDialog)[-1]
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    assert (dialog.a.currentText(), dialog.b.currentText()) == ("A ladder", "B US+JP")
    yield dialog, face_a, face_b
    dialog.close()
    qtbot.waitUntil(lambda: s.idle, timeout=10_000)


def _num(text: str) -> float:
    body = text.replace(",", "").replace("%", "").replace("+", "").strip()
    scale = {"m": 1e6, "k": 1e3}.get(body[-1:], 1.0)
    return float(body[:-1] if scale != 1.0 else body) * scale


def independent_risk_pct(session, face: np.ndarray) -> float:  # noqa: ANN001
    """Annualised volatility (% of market value) of a book worked out here: weights from face × dirty
    price × FX to the base, then the dense N × N covariance B·Σ·Bᵀ of the bonds' key-rate exposures
    (−KRD per market and key tenor) plus, unhedged, the currency block — no controller or
    optimiser code, only the estimated factor covariances (desktop.optim.risk's own tests check those)."""
    from desktop.optim.risk import FX_CURRENCIES, RATE_FACTORS, build_risk_model

    u, snap, whatif = session.universe, session.snapshot, session.whatif
    usd = snap.fx_usd_per_unit
    value = face / 100.0 * u["dirty_price"].to_numpy(float) * np.array(
        [usd[c] / usd[whatif.base_ccy] for c in u["currency"]])
    w = value / value.sum()
    model = build_risk_model(snap.history, fx_history=snap.fx_history)  # the workspace's FX history
    B = np.zeros((len(u), len(RATE_FACTORS)))
    for i, code in enumerate(u["market"]):
        for tenor in (2, 5, 10, 30):
            B[i, RATE_FACTORS.index(f"{code}{tenor}y")] = -float(u[f"krd_{tenor}y"].iat[i])
    cov = B @ model.rate_cov @ B.T
    if not whatif.hedged:
        assert model.fx_cov.any(), "the unhedged case must exercise a currency block"
        C = np.array([[1.0 if c == k else 0.0 for k in FX_CURRENCIES] for c in u["currency"]])
        base = np.array([1.0 if k == whatif.base_ccy else 0.0 for k in FX_CURRENCIES])
        D = C - base[None, :]
        cov = cov + D @ model.fx_cov @ D.T
    return 100.0 * float(np.sqrt(w @ cov @ w))


@pytest.mark.parametrize("compared", [True, False], indirect=True, ids=["hedged", "unhedged"])
def test_risk_is_the_optimisers_measure_of_each_book(compared, window):
    dialog, face_a, face_b = compared
    s = window.session
    r = [k for k, _l, _u in ctl.SUMMARY_ROWS].index("risk_pct")
    for col, face in ((0, face_a), (1, face_b)):
        text = dialog.table.item(r, col).text()
        assert text != "—"
        assert _num(text) == pytest.approx(independent_risk_pct(s, face), abs=0.006)


def test_holdings_diff_and_trades_from_a_to_b(compared, window):
    dialog, face_a, face_b = compared
    u = window.session.universe
    held = (face_a > 0) | (face_b > 0)
    assert dialog.holdings.rowCount() == int(held.sum())
    by_id = {dialog.holdings.item(r, 1).text(): r for r in range(dialog.holdings.rowCount())}
    for i in np.flatnonzero(held):
        r = by_id[u["id"].iat[i]]
        assert _num(dialog.holdings.item(r, 3).text() or "0") == pytest.approx(face_a[i], abs=0.006)  # to the penny
        assert _num(dialog.holdings.item(r, 4).text() or "0") == pytest.approx(face_b[i], abs=0.006)
        assert _num(dialog.holdings.item(r, 5).text()) == pytest.approx(face_b[i] - face_a[i], abs=0.006)
    # every real bond whose face differs is one trade line, BUY where B holds more
    real = ~u["is_generic"].to_numpy(bool)
    moved = held & real & (np.abs(face_b - face_a) > 0)
    assert dialog.trades.rowCount() == int(moved.sum())
    shown = sorted((dialog.trades.item(r, 0).text(), dialog.trades.item(r, 1).text(),
                    round(_num(dialog.trades.item(r, 3).text()), 2)) for r in range(dialog.trades.rowCount()))
    want = sorted(("BUY" if face_b[i] > face_a[i] else "SELL", u["market"].iat[i], round(abs(face_b[i] - face_a[i]), 2))
                  for i in np.flatnonzero(moved))
    assert [s[:2] for s in shown] == [w[:2] for w in want]
    np.testing.assert_allclose([s[2] for s in shown], [w[2] for w in want], atol=0.011)


def test_exposure_charts_and_scenario_pnl(compared, window):
    dialog, face_a, face_b = compared
    u = window.session.universe
    heights = sum(float(b.opts["height"].sum()) for b in dialog.bars_b.items.values())
    values = ctl.market_values_base(u, face_b, window.session.fx)
    w = values / values.sum()
    assert heights == pytest.approx(float(w @ u["mod_duration"].to_numpy(float)), rel=1e-9)  # Σ w·D of B
    dialog.scenario.setCurrentText("US parallel +100 bp")
    labels = [dialog.pnl.verticalHeaderItem(r).text() for r in range(dialog.pnl.rowCount())]
    us = labels.index("US")
    # duration + convexity estimate of a +100 bp continuous zero move on each US bond (semi-annual yields)
    for col, face in ((0, face_a), (1, face_b)):
        m = (u["market"].to_numpy() == "US") & (face > 0)
        y = u["yield_pct"].to_numpy(float)[m] / 100.0
        dy = (2.0 + y) * (np.exp(0.005) - 1.0)
        d, c = u["mod_duration"].to_numpy(float)[m], u["convexity"].to_numpy(float)[m]
        value = ctl.market_values_base(u, face, window.session.fx)[m]
        want = float((value * (-d * dy + 0.5 * c * dy * dy)).sum())
        assert _num(dialog.pnl.item(us, col).text()) == pytest.approx(want, rel=0.01)
    assert "US parallel +100 bp" in dialog.pnl_note.text()
