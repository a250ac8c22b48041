"""A small stand-in market snapshot for view tests (shape of desktop.snapshot.MarketSnapshot)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from desktop.curves import build_curve

AS_OF = date(2025, 12, 31)
TENORS = [0.25, 1, 2, 3, 5, 7, 10, 20, 30]
CURVES = {
    "US": [3.6, 3.5, 3.5, 3.55, 3.7, 3.9, 4.15, 4.7, 4.8],
    "JP": [0.7, 0.9, 1.1, 1.25, 1.45, 1.7, 2.05, 2.9, 3.4],
    "AU": [3.7, 3.8, 3.95, 4.0, 4.2, 4.4, 4.7, 5.1, 5.2],
    "UK": [3.8, 3.7, 3.75, 3.85, 4.0, 4.25, 4.5, 5.1, 5.2],
}


@dataclass(frozen=True)
class FakeSnapshot:
    as_of: date = AS_OF
    curves: dict = field(default_factory=dict)
    short_rates_pct: dict = field(default_factory=lambda: {"USD": 3.7, "JPY": 0.75, "AUD": 3.6, "GBP": 3.9})
    fx_usd_per_unit: dict = field(default_factory=lambda: {"USD": 1.0, "JPY": 1 / 156.8, "GBP": 1.3436, "AUD": 0.6695})
    bonds: pd.DataFrame = field(default_factory=pd.DataFrame)
    history: pd.DataFrame = field(default_factory=pd.DataFrame)

    def fx_rate(self, from_ccy: str, to_ccy: str) -> float:
        return self.fx_usd_per_unit[from_ccy] / self.fx_usd_per_unit[to_ccy]


def fake_snapshot() -> FakeSnapshot:
    curves = {m: build_curve(m, AS_OF, TENORS, y, "par", "test") for m, y in CURVES.items()}
    rows = []
    for m in CURVES:
        for i, yrs in enumerate([1.3, 2.4, 3.1, 4.6, 6.2, 8.9, 12.5, 19.7, 28.4]):
            mat = pd.Timestamp(AS_OF) + pd.DateOffset(days=int(yrs * 365.25))
            rows.append({"market": m, "id": f"{m}{i:02d}", "name": f"{m} bond {i}", "coupon_pct": 2.0 + i * 0.25,
                         "maturity": mat.normalize(), "issue_date": pd.Timestamp("2020-01-15"), "is_generic": False,
                         "source": "test", "note": ""})
    return FakeSnapshot(curves=curves, bonds=pd.DataFrame(rows))
