"""The bundled snapshot: contents, units, provenance and the as-of rule."""

from __future__ import annotations

from datetime import date

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
