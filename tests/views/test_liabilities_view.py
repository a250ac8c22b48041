"""The Liabilities panel: needs typed or imported, the match computed on a worker, the chart's bars and
lines equal the flows table's by-year sums, the costs table equals the controller's comparison."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import numpy as np
import pytest

from desktop.views import liabilities_view as lv


@pytest.fixture
def view(qtbot, loaded_data, monkeypatch):
    threads: list[str] = []
    real = lv.run_match_job

    def recording(job):
        threads.append(threading.current_thread().name)
        return real(job)

    monkeypatch.setattr(lv, "run_match_job", recording)
    source = SimpleNamespace(snapshot=loaded_data.snapshot, universe=loaded_data.universe)
    w = lv.LiabilitiesView(source)
    qtbot.addWidget(w)
    w.setMinimumSize(1300, 800)  # offscreen Qt warns "does not support propagateSizeHints()" otherwise
    w.resize(1300, 800)
    yield w, threads
    w.shutdown()


def _bars(view, name):
    opts = view.bars.items[name].opts
    return np.asarray(opts.get("x", [])), np.asarray(opts.get("height", []))


def test_match_on_the_worker_and_the_chart_shows_the_flows(view, qtbot):
    w, threads = view
    w.set_needs_rows([("2028", "10,000,000"), ("2029", "10,000,000"), ("2030-06-30", "5e6"), ("2030", "10000000")])
    with qtbot.waitSignal(w.matched, timeout=20_000) as sig:
        assert w.request()
    lm = sig.args[0]
    assert threads and threads[0] != threading.main_thread().name
    assert len(lm.needs) == 4 and str(lm.needs["date"].iloc[-1].date()) == "2030-12-31"
    f = lm.flows.assign(year=lambda d: d["date"].str[:4].astype(int))
    for code in ("US", "UK", "AU", "JP"):
        x, h = _bars(w, code)
        expected = f.groupby("year")[code].sum() * 1e-6
        np.testing.assert_allclose(x, expected.index.to_numpy(float))
        np.testing.assert_allclose(h, expected.to_numpy(), rtol=1e-12)
    nx, ny = w.need_line.getData()
    np.testing.assert_allclose(ny, f.groupby("year")["need"].sum().to_numpy() * 1e-6)
    assert w.costs.rowCount() == len(lm.comparison) == 5
    assert w.costs.item(1, 0).text() == "US only"
    assert w.costs.item(1, 1).text() == f"{lm.comparison['cost_base'].iat[1]:,.0f}"
    assert "cheaper than US Treasuries only" in w.headline.text()
    assert lm.result.binding and all(b.text in w.limits.text() for b in lm.result.binding)


def test_bad_rows_and_infeasible_requests_show_a_message(view, qtbot, tmp_path):
    w, _ = view
    real = w.source
    w.source = SimpleNamespace(snapshot=None, universe=None)
    assert not w.request() and "No market data" in w.headline.text()
    w.source = real
    w.set_needs_rows([("2028", "10,000,000"), ("2029", "lots")])
    assert not w.request()
    assert "row 2" in w.headline.text() and "amount" in w.headline.text()
    for code, box in w.market_boxes.items():
        box.setChecked(code == "US")
    w.set_needs_rows([("2028", "1000000")])
    assert w.request()
    qtbot.waitUntil(lambda: "Cannot fund" in w.headline.text(), timeout=20_000)
    assert "raise the US share of duration cap" in w.headline.text() and w.result is None
    p = tmp_path / "needs.csv"
    p.write_text("year,amount\n2031,2500000\n2033,7500000\n")
    assert w.import_csv(str(p))
    assert w.needs_rows() == [("2031-12-31", "2,500,000.00"), ("2033-12-30", "7,500,000.00")]
    p.write_text("year,amount\n2031,-1\n")
    assert not w.import_csv(str(p)) and "line 2" in w.headline.text()
