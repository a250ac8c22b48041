"""The Summary's "Inputs" rows, read off the window as a PM sees them: each market's curve date and
source, each currency's FX and short-rate date and source, and how many held bonds are priced from a
quote vs the curve model — compared with the dates read here straight from ``resources/*.csv``
(pandas), never from the function that fills the rows. Inputs more than 5 business days older than
the valuation date carry a ⚠ and a tooltip saying how old; a price import and a valuation-date move
change the rows the way the files say."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from desktop.markets import busday_calendar
from tests.support.paths import FIXTURES_RAW
from tests.views.conftest import fake_solve

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
BUNDLED_AS_OF = pd.Timestamp("2025-12-31")  # resources/provenance.csv: "valuation / trade date 2025-12-31"
MARKET_OF = {"USD": "US", "JPY": "JP", "AUD": "AU", "GBP": "UK"}
STALE_BD = 5


def _read(name: str, **kw) -> pd.DataFrame:
    return pd.read_csv(RESOURCES / name, keep_default_na=False, na_values=[""], **kw)


def inputs_shown(win) -> dict[str, tuple[str, str, str]]:  # noqa: ANN001
    """The Summary's input rows as shown: label → (date cell, source cell, tooltip)."""
    t = win.summary.inputs
    rows = {}
    for r in range(t.rowCount()):
        rows[t.verticalHeaderItem(r).text()] = (t.item(r, 0).text(), t.item(r, 1).text(), t.item(r, 0).toolTip())
    return rows


def _age(market: str, day: pd.Timestamp, as_of: pd.Timestamp) -> int:
    """Business days from ``day`` to ``as_of`` in the market's settlement calendar."""
    return int(np.busday_count(np.datetime64(day.date(), "D"), np.datetime64(as_of.date(), "D"),
                               busdaycal=busday_calendar(market)))


def _check_date(cell: str, tip: str, market: str, day: pd.Timestamp, as_of: pd.Timestamp) -> bool:
    """The date cell shows ``day`` (with ⚠ when stale) and the tooltip how old it is; returns stale."""
    age = _age(market, day, as_of)
    stale = age > STALE_BD
    assert cell == f"{day:%Y-%m-%d}" + (" ⚠" if stale else ""), (cell, day, age)
    if day == as_of:
        assert "the valuation date" in tip
    else:
        assert f"{age} business day" in tip and f"before the valuation date {as_of:%Y-%m-%d}" in tip, tip
        assert ("⚠ stale" in tip) == stale
    return stale


def _name_of(cell: str) -> str:
    """The source cell without the provenance label after " · " (e.g. "Reuters · intraday")."""
    return cell.split(" · ")[0]


def test_summary_shows_the_date_and_source_of_every_input_of_the_bundled_data(make_window):
    win = make_window(fake_solve)
    s = win.session
    rows = inputs_shown(win)
    as_of = BUNDLED_AS_OF
    assert rows["Valued"][0] == "2025-12-31"
    assert win.files.valuation.label.text().startswith("Valued 2025-12-31")  # the status bar agrees
    stale = set()
    # curves: per market the latest curve dated on or before the valuation date (resources/curves.csv)
    curves = _read("curves.csv", parse_dates=["date"])
    used = curves[curves["date"] <= as_of]
    assert set(used["market"]) == {"US", "JP", "AU", "UK"}
    for market, g in used.groupby("market"):
        day = g["date"].max()
        latest = g[g["date"] == day]
        kind, source = latest["curve_type"].unique().item(), latest["source"].unique().item()
        cell, src, tip = rows[f"{market} {kind} curve"]
        if _check_date(cell, tip, market, day, as_of):
            stale.add(f"{market} curve")
        assert source in tip  # the full source
        assert len(src) >= 6 and source.startswith(src), (src, source)  # its name, up to the date
    assert rows["JP par curve"][0] == "2025-12-30"  # the last JGB business day (31 Dec: bank holiday)
    assert rows["UK zero curve"][0] == "2025-12-31"
    # FX and short rates: the curated end-2025 rows (a curated row beats a month-end history row of
    # the same month: every curated row here is from the valuation date's month)
    fx = _read("fx.csv", parse_dates=["as_of"])
    prov = _read("provenance.csv").set_index("item")
    assert (fx["as_of"].dt.to_period("M") == as_of.to_period("M")).all()
    for _, row in fx[fx["currency"] != "USD"].iterrows():
        ccy = row["currency"]
        cell, src, tip = rows[f"FX {ccy}"]
        if _check_date(cell, tip, MARKET_OF[ccy], row["as_of"], as_of):
            stale.add(f"FX {ccy}")
        assert row["source"] in tip and row["source"].startswith(_name_of(src)), (src, row["source"])
        if prov.loc[f"fx:{ccy}", "label"] == "INTRADAY":  # GBP and AUD: news figures, not a close
            assert src.endswith(" · intraday") and "[INTRADAY]" in tip
    assert "USD" not in {k.removeprefix("FX ") for k in rows if k.startswith("FX ")}  # USD per USD: no input
    short = _read("short_rates.csv", parse_dates=["as_of"])
    assert (short["as_of"].dt.to_period("M") == as_of.to_period("M")).all()
    for _, row in short.iterrows():
        ccy = row["currency"]
        cell, src, tip = rows[f"{ccy} short rate"]
        if _check_date(cell, tip, MARKET_OF[ccy], row["as_of"], as_of):
            stale.add(f"{ccy} short rate")
        assert row["source"] in tip and f"{row['rate_pct']:.3f} %" in tip
        assert row["rate_name"].startswith(_name_of(src)), (src, row["rate_name"])
    # the bundled policy-rate fallbacks are dated on their decision days (19, 9 and 18 December)
    assert stale == {"JPY short rate", "AUD short rate", "GBP short rate"}
    assert rows["JPY short rate"][1].endswith(" · fallback")
    # quotes: the bundled data has none, so every held bond is on the curve model
    held = int((np.asarray(s.face) > 0).sum())
    assert held > 10
    assert rows["Quotes (held)"][:2] == ("—", f"0 quoted · {held} curve model")
    assert len(rows) == 1 + 4 + 3 + 4 + 1


def test_a_quote_file_for_one_held_bond_changes_the_quoted_and_model_counts(make_window, tmp_path, qtbot):
    win = make_window(fake_solve)
    s = win.session
    u, face = s.universe, np.asarray(s.face)
    held = int((face > 0).sum())
    assert inputs_shown(win)["Quotes (held)"][1] == f"0 quoted · {held} curve model"
    pick = u[(face > 0) & (u["market"] == "US") & (u["price_source"] == "model") & ~u["is_generic"]].iloc[0]
    quote_day = pd.Timestamp("2025-12-15")  # 11 US business days before the valuation date: stale
    prices = tmp_path / "prices.csv"
    pd.DataFrame({"market": ["US"], "id": [pick["id"]], "clean_price": [round(pick["clean_price"] + 0.5, 4)],
                  "date": [f"{quote_day:%Y-%m-%d}"]}).to_csv(prices, index=False)
    assert win.files.import_prices(str(prices))  # File ▸ Import prices…
    qtbot.waitUntil(lambda: s.idle and (s.universe["price_source"] == "quote").sum() == 1, timeout=60_000)
    s.flush()
    assert int((np.asarray(s.face) > 0).sum()) == held  # the reload kept the book
    cell, src, tip = inputs_shown(win)["Quotes (held)"]
    assert src == f"1 quoted · {held - 1} curve model"
    assert cell == "2025-12-15 ⚠" and _age("US", quote_day, BUNDLED_AS_OF) > STALE_BD
    assert pick["id"] in tip and "1 of the 1 quotes are more than 5 business days old" in tip


def test_moving_the_valuation_date_dates_every_input_from_the_files_and_flags_the_old_ones(make_window, qtbot):
    """After the real MoF JGB file (curves to 2026-06-30) and the message bar's "Move to …": the JP
    curve is the new one, the other curves stay end-2025 (⚠, months old), FX comes from the ECB
    month-end history and the short rates from their month-end history (resources/*.csv)."""
    win = make_window(fake_solve)
    s = win.session
    win.files.start_import(str(FIXTURES_RAW / "jp" / "jgbcm_all.csv"))
    qtbot.waitUntil(lambda: win.message_bar.action.isVisible(), timeout=60_000)
    offered = win.message_bar.action.text()
    assert offered == "Move to 2026-06-30"
    as_of = pd.Timestamp(offered.removeprefix("Move to "))
    qtbot.waitUntil(lambda: s.idle, timeout=60_000)
    win.message_bar.action.click()
    qtbot.waitUntil(lambda: s.idle and s.snapshot is not None and s.snapshot.as_of == as_of.date(), timeout=60_000)
    s.flush()
    rows = inputs_shown(win)
    assert rows["Valued"][0] == "2026-06-30"
    assert rows["JP par curve"][0] == "2026-06-30" and "MoF" in rows["JP par curve"][1]
    curves = _read("curves.csv", parse_dates=["date"])
    for market in ("US", "AU", "UK"):
        g = curves[(curves["market"] == market) & (curves["date"] <= as_of)]
        day = g["date"].max()
        cell, _src, tip = rows[f"{market} {g['curve_type'].iloc[0]} curve"]
        assert _check_date(cell, tip, market, day, as_of)  # six months old: flagged
    fxh = _read("fx_history.csv", parse_dates=["date"])
    ecb = _read("provenance.csv").set_index("item").loc["fx_history", "source"]
    assert ecb.startswith("ECB")
    for ccy in ("JPY", "AUD", "GBP"):
        day = fxh[(fxh["currency"] == ccy) & (fxh["date"] <= as_of)]["date"].max()
        cell, src, tip = rows[f"FX {ccy}"]
        _check_date(cell, tip, MARKET_OF[ccy], day, as_of)
        assert ecb.startswith(_name_of(src)) and ecb in tip
    srh = _read("short_rate_history.csv", parse_dates=["date"])
    flagged = set()
    for ccy in ("USD", "JPY", "AUD", "GBP"):
        g = srh[(srh["currency"] == ccy) & (srh["date"] <= as_of)]
        last = g[g["date"] == g["date"].max()].iloc[0]
        cell, src, tip = rows[f"{ccy} short rate"]
        if _check_date(cell, tip, MARKET_OF[ccy], last["date"], as_of):
            flagged.add(ccy)
        assert last["rate_name"].startswith(_name_of(src)) and last["source"] in tip
    assert flagged == {"AUD", "GBP"}  # their histories end in April 2026 (provenance: short_rate_history)


def test_the_summary_scrolls_rather_than_squeezing_its_tables_at_1280x720(make_window, qapp):
    from desktop.views.layout import default_layout, docks

    win = make_window(fake_solve)
    win.resize(1280, 720)
    default_layout(win)
    docks(win)["Summary"].raise_()
    for _ in range(5):
        qapp.processEvents()
    panel = win.summary
    boxes = [panel.table, panel.inputs, panel.objective]
    for table in boxes:  # every row of every table shown at its full height, one below the other
        rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
        assert table.height() >= rows + table.horizontalHeader().height(), table.objectName()
        assert table.horizontalScrollBar().maximum() == 0
    for upper, lower in zip(boxes, boxes[1:], strict=False):
        assert upper.geometry().bottom() < lower.geometry().top()
    assert panel.scroll.verticalScrollBar().maximum() > 0  # taller than the dock: it scrolls
    assert panel.scroll.viewport().width() >= panel.table.minimumWidth()


def test_every_input_row_has_a_tooltip_on_its_label_and_cells(make_window):
    win = make_window(fake_solve)
    t = win.summary.inputs
    for r in range(t.rowCount()):
        tip = t.verticalHeaderItem(r).toolTip()
        assert tip and t.item(r, 0).toolTip() == tip == t.item(r, 1).toolTip()
    labels = [t.verticalHeaderItem(r).text() for r in range(t.rowCount())]
    assert labels[0] == "Valued" and labels[-1] == "Quotes (held)"
    assert date.fromisoformat(t.item(0, 0).text()) == win.session.snapshot.as_of
