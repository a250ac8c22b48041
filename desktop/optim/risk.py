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

**FX covariance** (unhedged only): no FX history is bundled, so fixed assumptions are used —
annual volatility against USD of :data:`FX_VOL_PCT` (JPY 10 %, AUD 11 %, GBP 8 %; rounded long-run
realised vols) with a correlation of :data:`FX_CORR` = 0.3 between the USD crosses, and no
correlation between FX and rates. The base currency's own leg is handled in the problem
(exposure to each currency minus 1 on the base currency).

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


def build_risk_model(history: pd.DataFrame, window_months: int = WINDOW_MONTHS,
                     half_life_months: float = HALF_LIFE_MONTHS, shrinkage: float = SHRINKAGE) -> RiskModel:
    """Estimate the factor covariances from month-end history (module doc for every choice)."""
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
    age = np.arange(len(x))[::-1]
    wts = 0.5 ** (age / half_life_months)
    wts /= wts.sum()
    s = (x * wts[:, None]).T @ x
    part = ((1.0 - shrinkage) * s + shrinkage * np.diag(np.diag(s))) * 12.0
    cov = np.zeros((len(RATE_FACTORS), len(RATE_FACTORS)))
    idx = [RATE_FACTORS.index(c) for c in have]
    cov[np.ix_(idx, idx)] = part
    for i, name in enumerate(RATE_FACTORS):  # a market without history: same-tenor median variance
        if name not in have:
            peers = [cov[j, j] for j, other in enumerate(RATE_FACTORS) if other in have and other[2:] == name[2:]]
            cov[i, i] = float(np.median(peers)) if peers else float(np.median(np.diag(part)))
    vol = np.array([FX_VOL_PCT[c] / 100.0 for c in FX_CURRENCIES])
    corr = np.full((4, 4), FX_CORR)
    np.fill_diagonal(corr, 1.0)
    fx_cov = corr * np.outer(vol, vol)
    return RiskModel(cov, psd_root(cov), fx_cov, psd_root(fx_cov), len(x),
                     str(changes.index[0]), str(changes.index[-1]))


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
