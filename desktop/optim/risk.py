"""Factor risk model: key-rate yield changes per market (+ FX when unhedged), never N × N.

Factors: 4 markets × key tenors 2/5/10/30 y (16 rate factors, decimal yield changes) and 4
currencies against USD (FX factors; USD's is identically 0).

**Rate covariance** from the month-end history (``snapshot.history``):

* Tenor mapping: a key tenor the history quotes is used directly (US 2/5/10/30, JP 2/5/10/30, UK
  2/5/10/30, AU 2/5/10). Where a key tenor is missing on a date the nearest quoted tenor on that
  date stands in: AU 30 y ← AU 10 y (the RBA F2 table stops at 10 y), UK 30 y ← UK 10 y before
  2016 (the bundled UK 30 y starts in 2016). JP 20 y and AU 3 y are not used.
* Window: the last :data:`WINDOW_MONTHS` = 120 month-end changes (10 years) that all 16 factors
  have; monthly changes, zero mean (yield changes have no reliable drift).
* EWMA weights with a half-life of :data:`HALF_LIFE_MONTHS` = 36 months (recent regimes count more).
* Shrinkage toward the diagonal (Ledoit–Wolf style) with a fixed intensity :data:`SHRINKAGE` = 0.10:
  ``Σ = (1 − δ)·S + δ·diag(S)`` — tames 16 × 16 correlations estimated from ~120 points.
* Annualised × 12. Units: decimal² per year.
* A market with no history at all (a partial user workspace) gets, per key tenor, the median
  variance of the other markets at that tenor and no correlation (stated, not estimated).

**FX covariance** (unhedged only) from the ECB euro reference rates (``resources/fx_history.csv``,
month-end, USD per unit crossed through EUR; or the ``fx_history`` a caller passes): monthly
simple returns of each currency's USD value (JPY, AUD, GBP; USD's is 0), the same window
(:data:`WINDOW_MONTHS` = 120 months), EWMA half-life (36 months), shrinkage toward the diagonal
(0.10) and ×12 annualisation as the rates block, zero mean. The FX window ends at the last month of
the rate history it is estimated with, so no FX figure after the rates' last month is used. No
correlation between FX and rates (stated). Only where no FX history at all is available do the
old fixed assumptions stand in (:data:`FX_VOL_PCT`, :data:`FX_CORR`; ``RiskModel.fx_source`` says
which). The base currency's own leg is handled in the problem (exposure to each currency minus 1
on the base currency).

A bond's exposure to rate factor (m, k) is ``−krd_k`` for bonds of market m (return ≈ −krd·Δy).
Portfolio variance = ``‖Lᵀ Bᵀ w‖²`` with ``L Lᵀ = Σ`` (a PSD square root).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from desktop.analytics import KEY_RATE_COLUMNS
from desktop.markets import MARKET_CODES
from desktop.optim.errors import OptimError
from desktop.optim.settings import KEY_TENORS

WINDOW_MONTHS = 120
HALF_LIFE_MONTHS = 36.0
SHRINKAGE = 0.10
FX_CURRENCIES: tuple[str, ...] = ("USD", "JPY", "AUD", "GBP")
FX_VOL_PCT: dict[str, float] = {"USD": 0.0, "JPY": 10.0, "AUD": 11.0, "GBP": 8.0}
FX_CORR = 0.3
RATE_FACTORS: tuple[str, ...] = tuple(f"{m}{int(k)}y" for m in MARKET_CODES for k in KEY_TENORS)


@dataclass(frozen=True, eq=False)
class RiskModel:
    """Annualised covariances (decimal²) and their square roots (``L Lᵀ = Σ``)."""

    rate_cov: np.ndarray  # 16 × 16, order RATE_FACTORS
    rate_root: np.ndarray
    fx_cov: np.ndarray  # 4 × 4, order FX_CURRENCIES (vs USD)
    fx_root: np.ndarray
    months_used: int
    first_month: str
    last_month: str
    fx_months_used: int = 0
    fx_first_month: str = ""
    fx_last_month: str = ""
    fx_source: str = "assumed"  # "ECB" when estimated from the ECB reference rates


def psd_root(cov: np.ndarray) -> np.ndarray:
    """A square root ``L`` with ``L Lᵀ = cov`` (eigen-decomposition; works for singular PSD)."""
    vals, vecs = np.linalg.eigh((cov + cov.T) / 2.0)
    return vecs * np.sqrt(np.clip(vals, 0.0, None))


def key_rate_panel(history: pd.DataFrame) -> pd.DataFrame:
    """Month-end yields (%) at the key tenors: rows = month, columns = :data:`RATE_FACTORS`.

    Missing key tenors are filled from the nearest quoted tenor on the same date (module doc).
    """
    h = history.copy()
    h["month"] = pd.to_datetime(h["date"]).dt.to_period("M")
    cols = {}
    for code in MARKET_CODES:
        wide = (h[h["market"] == code].pivot_table(index="month", columns="tenor_years", values="yield_pct",
                                                  aggfunc="last"))
        for k in KEY_TENORS:
            name = f"{code}{int(k)}y"
            if wide.empty:
                cols[name] = pd.Series(dtype=float)
                continue
            order = sorted(wide.columns, key=lambda t, k=k: (abs(float(t) - k), -float(t)))
            cols[name] = wide[order].bfill(axis=1).iloc[:, 0]
    return pd.DataFrame(cols).sort_index()


def ewma_shrunk_cov(x: np.ndarray, half_life_months: float = HALF_LIFE_MONTHS,
                    shrinkage: float = SHRINKAGE) -> np.ndarray:
    """Annualised (×12) zero-mean EWMA covariance of monthly changes ``x`` (T × K, oldest first),
    shrunk toward its diagonal: ``(1 − δ)·S + δ·diag(S)``."""
    age = np.arange(len(x))[::-1]
    wts = 0.5 ** (age / half_life_months)
    wts /= wts.sum()
    s = (x * wts[:, None]).T @ x
    return ((1.0 - shrinkage) * s + shrinkage * np.diag(np.diag(s))) * 12.0


def fx_return_panel(fx_history: pd.DataFrame) -> pd.DataFrame:
    """Monthly simple returns (decimal) of each currency's USD value: rows = month, columns =
    :data:`FX_CURRENCIES` (USD ≡ 0). ``fx_history``: date, currency, usd_per_unit (month-end)."""
    f = fx_history.assign(month=pd.to_datetime(fx_history["date"]).dt.to_period("M"))
    wide = f.pivot_table(index="month", columns="currency", values="usd_per_unit", aggfunc="last").sort_index()
    wide = wide.reindex(columns=list(FX_CURRENCIES))
    wide["USD"] = 1.0
    return wide.pct_change(fill_method=None).iloc[1:]


def bundled_fx_history() -> pd.DataFrame:
    """The bundled ECB month-end FX history (empty if the resources have none)."""
    from desktop.snapshot import read_bundled_tables

    try:
        return read_bundled_tables().fx_history
    except Exception:  # noqa: BLE001 - no bundled resources: the assumed FX block stands in
        return pd.DataFrame()


def fx_block(fx_history: pd.DataFrame | None, last_month: pd.Period | None, window_months: int = WINDOW_MONTHS,
             half_life_months: float = HALF_LIFE_MONTHS, shrinkage: float = SHRINKAGE
             ) -> tuple[np.ndarray, int, str, str, str]:
    """FX covariance (4 × 4, decimal² per year) from month-end FX up to ``last_month`` (module doc):
    (cov, months used, first month, last month, source)."""
    if fx_history is not None and len(fx_history):
        panel = fx_return_panel(fx_history)
        if last_month is not None:
            panel = panel[panel.index <= last_month]
        panel = panel.dropna(how="any").tail(window_months)
        if len(panel) >= 24:
            cov = ewma_shrunk_cov(panel.to_numpy(float), half_life_months, shrinkage)
            return cov, len(panel), str(panel.index[0]), str(panel.index[-1]), "ECB"
    vol = np.array([FX_VOL_PCT[c] / 100.0 for c in FX_CURRENCIES])
    corr = np.full((4, 4), FX_CORR)
    np.fill_diagonal(corr, 1.0)
    return corr * np.outer(vol, vol), 0, "", "", "assumed"


def build_risk_model(history: pd.DataFrame, window_months: int = WINDOW_MONTHS,
                     half_life_months: float = HALF_LIFE_MONTHS, shrinkage: float = SHRINKAGE,
                     fx_history: pd.DataFrame | None = None) -> RiskModel:
    """Estimate the factor covariances from month-end history (module doc for every choice).

    ``fx_history`` (date, currency, usd_per_unit): month-end FX; None = the bundled ECB series.
    """
    panel = key_rate_panel(history).reindex(columns=list(RATE_FACTORS))
    have = [c for c in RATE_FACTORS if panel[c].notna().any()]
    if not have:
        raise OptimError("the workspace has no yield history; the risk model needs month-end yields "
                         "(import or restore the bundled history)")
    changes = (panel[have].diff() / 100.0).dropna(how="any").tail(window_months)
    if len(changes) < 24:
        raise OptimError(f"the yield history has {len(changes)} complete month-end changes for the four "
                         "markets; the risk model needs at least 24 (import more history)")
    x = changes.to_numpy(float)
    part = ewma_shrunk_cov(x, half_life_months, shrinkage)
    cov = np.zeros((len(RATE_FACTORS), len(RATE_FACTORS)))
    idx = [RATE_FACTORS.index(c) for c in have]
    cov[np.ix_(idx, idx)] = part
    for i, name in enumerate(RATE_FACTORS):  # a market without history: same-tenor median variance
        if name not in have:
            peers = [cov[j, j] for j, other in enumerate(RATE_FACTORS) if other in have and other[2:] == name[2:]]
            cov[i, i] = float(np.median(peers)) if peers else float(np.median(np.diag(part)))
    fx = bundled_fx_history() if fx_history is None else fx_history
    fx_cov, fx_n, fx_first, fx_last, fx_src = fx_block(fx, panel.index.max(), window_months, half_life_months,
                                                       shrinkage)
    return RiskModel(cov, psd_root(cov), fx_cov, psd_root(fx_cov), len(x),
                     str(changes.index[0]), str(changes.index[-1]), fx_n, fx_first, fx_last, fx_src)


def rate_exposures(universe: pd.DataFrame) -> sparse.csr_matrix:
    """B (N × 16): ``B[i, (m, k)] = −krd_k`` for bond i of market m (sparse)."""
    krd = universe[list(KEY_RATE_COLUMNS)].to_numpy(float)
    pos = universe["market"].map({c: i for i, c in enumerate(MARKET_CODES)}).to_numpy(int)
    n, nk = krd.shape
    rows = np.repeat(np.arange(n), nk)
    cols = (pos[:, None] * nk + np.arange(nk)[None, :]).ravel()
    return sparse.csr_matrix((-krd.ravel(), (rows, cols)), shape=(n, len(RATE_FACTORS)))


def currency_matrix(universe: pd.DataFrame) -> sparse.csr_matrix:
    """C (N × 4): 1 where the bond's currency is that column of :data:`FX_CURRENCIES`."""
    pos = universe["currency"].map({c: i for i, c in enumerate(FX_CURRENCIES)}).to_numpy(int)
    n = len(universe)
    return sparse.csr_matrix((np.ones(n), (np.arange(n), pos)), shape=(n, len(FX_CURRENCIES)))


def portfolio_risk_pct(model: RiskModel, universe: pd.DataFrame, weights: np.ndarray, *,
                       hedged: bool, base_ccy: str) -> float:
    """Annualised volatility (% of market value) of ``weights`` under the factor model."""
    w = np.asarray(weights, float)
    e = rate_exposures(universe).T @ w
    var = float(e @ model.rate_cov @ e)
    if not hedged:
        z = currency_matrix(universe).T @ w - w.sum() * (np.array(FX_CURRENCIES) == base_ccy)
        var += float(z @ model.fx_cov @ z)
    return 100.0 * np.sqrt(max(var, 0.0))
