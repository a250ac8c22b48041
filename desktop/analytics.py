"""Vectorised fixed-rate government bond analytics (US Treasuries, JGBs, ACGBs, gilts).

All figures are per 100 face. Yields are percent in DataFrame columns ending in ``_pct`` and
decimals inside the maths. Durations in years, convexity in years².

Pricing convention (street / ICMA, every market): the dirty price is the present value of the
remaining cash flows actually received by the buyer, at the yield ``y`` compounded ``f`` times a
year (f = 2 for all four markets)::

    dirty = Σ_j CF_j · (1 + y/f) ** -(w + j)

where ``w`` = days(settlement → next coupon) / days(previous coupon → next coupon) and ``j`` counts
whole coupon periods after the next coupon (see :mod:`desktop.schedule` for the schedule rules,
the first coupon period, the ex-dividend rule and accrued interest). ``w`` and ``j`` stay on the
regular quasi-coupon grid in a first period; a short or long first coupon only changes the amount
of the first flow (a long one leaves a zero flow at the skipped regular date), which is what
QuantLib's ``BondFunctions`` does with ``ActualActual(ISMA)`` reference periods.

Last year: US, JP and AU use the same compounded formula to maturity (QuantLib ``Compounded``).
UK gilts fewer than 365 days from maturity (so with at most two coupons left) are quoted on
a money-market yield, as Tradeweb/FTSE's official close prices are: simple interest ACT/365 to the
payment dates, an intermediate coupon reinvested at the same simple rate to the redemption::

    dirty = Σ_k CF_k · (1 + y·(T − t_k)) / (1 + y·T)

``t_k`` = days(settlement → payment of flow k) / 365, ``T`` that of the redemption, payment dates
moved to the next UK business day. With one flow left (the final period, or ex-dividend in the
penultimate one) this is CF / (1 + y·T) (QuantLib ``Simple`` with ``Actual365Fixed``). Risk figures
from the same formula: mod_duration = Σ CF_k t_k / ((1 + y·T)² · dirty) = −(1/dirty) ∂dirty/∂y,
mac_duration = mod_duration · (1 + y·T) (= T with one flow), convexity = 2T · mod_duration /
(1 + y·T), key-rate durations split mod_duration by the tent weights of t_k.

Accrued: US/UK/AU actual/actual ICMA; JP coupon × days / 365 with 29 Feb not counted; UK/AU
negative in the ex-dividend period. ``clean = dirty − accrued``. Yield ↔ price always goes through
the dirty price, so the JGB yield from a clean price uses the JGB accrued.

Risk figures (at the bond's own yield, ``t_j = (w + j)/f`` years, ``PV_j`` the discounted flows):

* ``mac_duration`` = Σ t_j PV_j / dirty (years)
* ``mod_duration`` = −(1/dirty) ∂dirty/∂y = mac_duration / (1 + y/f) (years)
* ``convexity`` = (1/dirty) ∂²dirty/∂y² (years²); simple final-period gilts: see above
* ``dv01`` = mod_duration × dirty × 1e-4 (price change per 100 face for 1 bp)
* ``krd_<k>y`` key-rate durations: −(1/dirty) ∂dirty/∂b_k where the yield of flow j becomes
  ``y + b_k · W_k(t_j)``, ``W_k`` the tent (triangular) weight of key tenor k (2, 5, 10, 30 years;
  linear between neighbouring key tenors, flat 1 below 2y for the 2y key and above 30y for the 30y
  key). As Σ_k W_k(t) = 1 for every t, Σ krd = mod_duration to rounding (≤ 1e-10 years).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from desktop.markets import MARKETS
from desktop.schedule import DAY, CouponSchedule, accrued_interest, build_schedule, roll_back

__all__ = [
    "KEY_RATE_COLUMNS",
    "KEY_TENORS",
    "ANALYTICS_COLUMNS",
    "bond_analytics",
    "price_from_yield",
    "yield_from_price",
    "accrued",
    "cash_flows",
    "curve_dirty_price",
    "key_rate_weights",
]

KEY_TENORS: tuple[float, ...] = next(iter(MARKETS.values())).key_tenors
if any(m.key_tenors != KEY_TENORS for m in MARKETS.values()):  # pragma: no cover - registry guard
    raise RuntimeError("desktop.analytics assumes every market shares the same key tenors")
KEY_RATE_COLUMNS: tuple[str, ...] = tuple(f"krd_{t:g}y" for t in KEY_TENORS)
ANALYTICS_COLUMNS: tuple[str, ...] = (
    "settle_date",
    "prev_coupon",
    "next_coupon",
    "ex_dividend",
    "years_to_maturity",
    "clean_price",
    "accrued",
    "dirty_price",
    "yield_pct",
    "simple_yield_pct",
    "mac_duration",
    "mod_duration",
    "convexity",
    "dv01",
    *KEY_RATE_COLUMNS,
)

# Yield search bracket (decimal, semi-annual): −190 % … 2,000 % covers a one-week bill priced far from par.
YIELD_LO, YIELD_HI = -1.9, 20.0
YIELD_TOL = 1e-12
# A Newton step below this ends the search (after the step is taken): near the root the error after a
# step is at most (max|P''| / 2 min|P'|) · step² ≈ (convexity / 2 duration) · step² ≤ ~25 years · 1e-18,
# far below YIELD_TOL, so the step that merely confirms convergence is not computed.
NEWTON_STEP_TOL = 1e-9
MAX_ITER = 200
BLOCK_ROWS = 2048  # bonds per padded 2-D block (blocks sorted by remaining coupons)


@dataclass(frozen=True)
class _Discounting:
    """What pricing needs, as padded 2-D arrays (rows = bonds, columns = coupon periods from next).

    Column j is the flow w + j coupon periods after settlement; padded columns carry amount 0.
    """

    first: np.ndarray  # (N,) w, the fraction of a period to the next coupon date
    t_years: np.ndarray  # (N, J) (w + j) / f, years on the coupon-period clock
    amount: np.ndarray  # (N, J) per 100 face, 0 where padded or lost ex-dividend
    frequency: np.ndarray  # (N, 1) coupons per year
    simple: np.ndarray  # (N,) bool: money-market yield (t_years = ACT/365 to the payment dates)

    def take(self, rows: np.ndarray) -> _Discounting:
        """The same flows for a subset of bonds (integer positions or a boolean mask)."""
        return _Discounting(
            self.first[rows], self.t_years[rows], self.amount[rows], self.frequency[rows], self.simple[rows]
        )

    def redemption_years(self) -> np.ndarray:
        """(N,) T: years to the last payment (money-market rows; last column with a flow)."""
        last = np.maximum((self.amount != 0).cumsum(axis=1).argmax(axis=1), 0)
        return self.t_years[np.arange(len(last)), last]


@dataclass(frozen=True)
class _Flows(_Discounting):
    """Remaining flows with the coupon part kept apart (principal = amount − coupon)."""

    coupon: np.ndarray  # (N, J) per 100 face


def _flows(s: CouponSchedule) -> _Flows:
    n = len(s.n_remaining)
    width = int(s.n_remaining.max(initial=1))
    j = np.arange(width)
    freq = s.frequency[:, None].astype(float)
    coupon = (j < s.n_remaining[:, None]) * (s.coupon_pct / s.frequency)[:, None]
    zc = s.zero_columns[:, None]
    coupon = np.where(j < zc, 0.0, np.where(j == zc, s.next_amount[:, None], coupon))  # first coupon
    coupon[:, 0] *= ~s.ex_dividend  # the next coupon is lost ex-dividend (ex-dividend ⇒ zero_columns 0)
    amount = coupon.copy()
    if n:
        amount[np.arange(n), s.n_remaining - 1] += 100.0
    t_years = (s.period_fraction[:, None] + j) / freq
    if s.money_market.any():
        mm_t = np.full((n, width), np.nan)
        mm_t[:, : min(width, 2)] = s.pay_years[:, : min(width, 2)]
        t_years = np.where(s.money_market[:, None] & (j < 2), mm_t, t_years)
    return _Flows(
        first=s.period_fraction,
        t_years=t_years,
        amount=amount,
        frequency=freq,
        simple=s.money_market,
        coupon=coupon,
    )


def _discounted(fl: _Discounting, y: np.ndarray) -> np.ndarray:
    """PV of each flow per 100 face at decimal yield ``y`` (compounded f times a year; money-market
    rows on their simple formula). Used for the money-market gilts; compounded rows go through
    :class:`_Annuity` and :class:`_Grid`."""
    with np.errstate(invalid="ignore", divide="ignore"):  # y ≤ −f (−200 %): no price, NaN/inf
        log_v = -np.log1p(y / fl.frequency[:, 0])
    # v^(w + j) = v^w · v · v · … : one exp per bond, then a running product along the row
    # (relative rounding ≤ ~1e-14 after 80 periods; much cheaper than an exp per flow).
    factors = np.empty_like(fl.amount)
    factors[:, 0] = np.exp(fl.first * log_v)
    factors[:, 1:] = np.exp(log_v)[:, None]
    pv = fl.amount * np.cumprod(factors, axis=1)
    if fl.simple.any():  # money-market rows: CF_k (1 + y (T − t_k)) / (1 + y T), at most two flows
        mm = fl.simple
        t, big_t, ym = fl.t_years[mm], fl.redemption_years()[mm][:, None], y[mm][:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            g = 1.0 + ym * big_t
            pv[mm] = np.where(g > 0, np.nan_to_num(fl.amount[mm] * (1.0 + ym * (big_t - t)) / g), np.nan)
    return pv


def _dirty_and_slope(fl: _Discounting, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dirty price and ∂dirty/∂y (per 100 face, per unit of decimal yield)."""
    pv = _discounted(fl, y)
    slope = -(pv * fl.t_years).sum(axis=1) / (1.0 + y / fl.frequency[:, 0])
    if fl.simple.any():  # money market: ∂P/∂y = −Σ CF_k t_k / (1 + y T)²
        mm = fl.simple
        s1 = np.nansum(fl.amount[mm] * fl.t_years[mm], axis=1)
        slope[mm] = -s1 / (1.0 + y[mm] * fl.redemption_years()[mm]) ** 2
    return pv.sum(axis=1), slope


def _solve_yield(fl: Any, dirty: np.ndarray, guess: np.ndarray, evaluate: Callable[..., Any] | None = None) -> np.ndarray:
    """Decimal yield matching ``dirty``: Newton steps, bisection when a step leaves the bracket.

    ``fl`` is any flow set with ``take(rows)``; ``evaluate(fl, y) -> (dirty, slope)`` prices it
    (default :func:`_dirty_and_slope`, the padded money-market/generic flows).

    A row stops when its Newton step is below :data:`NEWTON_STEP_TOL` (the step taken: quadratic
    convergence leaves an error far below 1e-12) or its bracket narrower than 1e-12 (converged),
    or when the bracket collapses at an end of −190 % … 2,000 % (no yield reproduces the price:
    NaN). Finished rows are dropped from the arrays once they are the majority.
    """
    evaluate = evaluate or _dirty_and_slope
    n = dirty.size
    y = np.clip(np.where(np.isfinite(guess), guess, 0.03), -0.5, 2.0)
    lo = np.full(n, YIELD_LO)
    hi = np.full(n, YIELD_HI)
    found = np.zeros(n, dtype=bool)
    rows = np.flatnonzero(np.isfinite(dirty) & (dirty > 0))  # rows of ``sub`` (bond positions)
    sub = fl.take(rows)
    live = np.ones(rows.size, dtype=bool)  # rows of ``sub`` still being solved
    for _ in range(MAX_ITER):
        if not live.any():
            break
        if live.sum() < 0.5 * live.size:  # drop finished rows once they are the majority
            rows, sub, live = rows[live], sub.take(live), live[live]
        ya = y[rows]
        price, slope = evaluate(sub, ya)
        gap = price - dirty[rows]
        lo_a = np.where(gap > 0, ya, lo[rows])
        hi_a = np.where(gap <= 0, ya, hi[rows])
        newton = ya - gap / slope
        inside = (newton >= lo_a) & (newton <= hi_a)
        upd = rows[live]
        y[upd] = np.where(inside, newton, 0.5 * (lo_a + hi_a))[live]
        lo[upd], hi[upd] = lo_a[live], hi_a[live]
        collapsed = hi_a - lo_a < YIELD_TOL  # bisection finished: a root unless stuck at an end
        converged = (inside & (np.abs(newton - ya) < NEWTON_STEP_TOL)) | (
            collapsed & (lo_a > YIELD_LO) & (hi_a < YIELD_HI)
        )
        found[rows[live & converged]] = True
        live &= ~(converged | collapsed)
    return np.where(found, y, np.nan)


def _yield_guess(s: CouponSchedule, clean: np.ndarray) -> np.ndarray:
    years = np.maximum(s.years_to_maturity, 1.0 / 52)
    return (s.coupon_pct + (100.0 - clean) / years) / (0.5 * (100.0 + clean))


def _as_float_array(values: Any, n: int, name: str) -> np.ndarray:
    """A scalar or length-n array-like as a float array of length n."""
    arr = np.asarray(values, dtype=float)
    if arr.ndim and arr.shape != (n,):
        raise ValueError(f"{name}: expected {n} values, got {arr.shape[0]}")
    return np.broadcast_to(arr, (n,)).copy()


def _tent_segments(t_years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each time: index i of the key tenor at or below it and the weight λ of key i + 1.

    The tent weights are then W_i = 1 − λ, W_{i+1} = λ, every other key 0 (times clipped to the
    first/last key tenor, so the 2y key takes everything shorter and the 30y key everything longer).
    """
    keys = np.asarray(KEY_TENORS)
    tc = np.clip(t_years, keys[0], keys[-1])
    idx = np.clip(np.searchsorted(keys, tc, side="right") - 1, 0, len(keys) - 2)
    lam = (tc - keys[idx]) / (keys[idx + 1] - keys[idx])
    return idx, lam


def key_rate_weights(t_years: np.ndarray) -> np.ndarray:
    """Tent weights of each key tenor at times ``t_years`` (shape ``t.shape + (n_keys,)``); rows sum to 1."""
    t = np.asarray(t_years, dtype=float)
    idx, lam = _tent_segments(t)
    out = np.zeros(t.shape + (len(KEY_TENORS),))
    np.put_along_axis(out, idx[..., None], (1.0 - lam)[..., None], axis=-1)
    np.put_along_axis(out, idx[..., None] + 1, lam[..., None], axis=-1)
    return out


def _key_rate_sums(pv_t: np.ndarray, t_years: np.ndarray) -> np.ndarray:
    """Σ_j pv_t[n, j] · W_k(t[n, j]) for every bond n and key k, shape (N, n_keys)."""
    n, width = pv_t.shape
    k = len(KEY_TENORS)
    idx, lam = _tent_segments(t_years)
    cell = np.arange(n)[:, None] * k + idx
    out = np.bincount(cell.ravel(), (pv_t * (1.0 - lam)).ravel(), minlength=n * k)
    out += np.bincount((cell + 1).ravel(), (pv_t * lam).ravel(), minlength=n * k)
    return out.reshape(n, k)


def _risk_columns(dirty: np.ndarray, mac: np.ndarray, mod: np.ndarray, conv: np.ndarray,
                  krd: np.ndarray) -> dict[str, np.ndarray]:
    """The risk figures as output columns; dv01 = mod_duration × dirty × 1e-4 (per 100 face, 1 bp)."""
    out = {"dirty_price": dirty, "mac_duration": mac, "mod_duration": mod, "convexity": conv,
           "dv01": mod * dirty * 1e-4}
    out.update({col: krd[:, k] for k, col in enumerate(KEY_RATE_COLUMNS)})
    return out


def _risk(fl: _Flows, y: np.ndarray) -> dict[str, np.ndarray]:
    """Dirty price, durations, convexity, dv01 and key-rate durations at decimal yield ``y``."""
    pv = _discounted(fl, y)
    dirty = pv.sum(axis=1)
    growth = 1.0 + y / fl.frequency[:, 0]
    t = fl.t_years
    pv_t = pv * t
    mac = pv_t.sum(axis=1) / dirty
    mod = mac / growth
    conv = (pv_t * (t + 1.0 / fl.frequency)).sum(axis=1) / dirty / growth**2
    krd = _key_rate_sums(np.nan_to_num(pv_t), np.nan_to_num(t)) / (dirty * growth)[:, None]
    if fl.simple.any():  # money market (see the module docstring)
        mm = fl.simple
        g = 1.0 + y[mm] * fl.redemption_years()[mm]
        cf_t = np.nan_to_num(fl.amount[mm] * t[mm])
        mod[mm] = cf_t.sum(axis=1) / (g**2 * dirty[mm])
        mac[mm] = mod[mm] * g
        conv[mm] = 2.0 * fl.redemption_years()[mm] * mod[mm] / g
        krd[mm] = _key_rate_sums(cf_t, np.nan_to_num(t[mm])) / (g**2 * dirty[mm])[:, None]
    return _risk_columns(dirty, mac, mod, conv, krd)



@dataclass(frozen=True)
class _Grid:
    """Compounded rows' flows on the regular coupon-period grid (rows = bonds, columns = periods).

    Column j is the flow ``periods = w + j`` coupon periods after settlement (t = periods / f years);
    padded columns carry amount 0. Discounting is ``exp(−periods · log(1 + y/f))``: one exp per flow,
    no running product.
    """

    first: np.ndarray  # (N,) w
    frequency: np.ndarray  # (N,) coupons per year (float)
    periods: np.ndarray  # (N, J) w + j
    amount: np.ndarray  # (N, J) per 100 face

    def discount(self, y: np.ndarray) -> np.ndarray:
        """(N, J) (1 + y/f) ** −periods (NaN/inf rows where y ≤ −f: no price)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            log_v = -np.log1p(y / self.frequency)
        out = np.multiply(self.periods, log_v[:, None])
        return np.exp(out, out=out)


@cache
def _below_rows(width: int) -> np.ndarray:
    """(width + 1, width) 0/1 rows: row k has ones in its first k columns (a gather, not a compare)."""
    return (np.arange(width)[None, :] < np.arange(width + 1)[:, None]).astype(float)


def _grid(s: CouponSchedule, rows: np.ndarray) -> _Grid:
    """The grid flows of schedule rows ``rows`` (compounded rows only). Arrays are filled in place:
    on this kind of block a fresh temporary costs more than the arithmetic."""
    n_rem = s.n_remaining[rows]
    freq = s.frequency[rows].astype(float)
    w = s.period_fraction[rows]
    width = int(n_rem.max(initial=1))
    amount = np.take(_below_rows(width), n_rem, axis=0)
    amount *= (s.coupon_pct[rows] / freq)[:, None]  # c/f on every column below n_remaining
    zc = s.zero_columns[rows]
    at = np.arange(rows.size)
    amount[at, np.minimum(zc, width - 1)] = s.next_amount[rows]  # first coupon (c/f when regular)
    long_first = np.flatnonzero(zc > 0)
    if long_first.size:  # regular dates a long first coupon does not pay on
        amount[long_first] *= 1.0 - _below_rows(width)[zc[long_first]]
    amount[s.ex_dividend[rows], 0] = 0.0  # the next coupon is lost ex-dividend (ex ⇒ zero_columns 0)
    if rows.size:
        amount[at, n_rem - 1] += 100.0
    periods = np.add(w[:, None], np.arange(width, dtype=float))
    return _Grid(w, freq, periods, amount)


@dataclass(frozen=True)
class _Annuity:
    """Compounded rows' flows in closed form, one value per bond (no padded columns): the yield search.

    On the grid of :func:`_grid`: ``lead_amount`` at column ``lead`` (the next coupon paid: c/f, a
    first coupon, 0 ex-dividend), the regular coupon ``coupon`` at every later column below ``n`` and
    100 at column n − 1. With L = −log(1 + y/f) and G_k = Σ_{j<k} e^{jL} = expm1(kL) / expm1(L)
    (accurate to a few ulp for every L, k at L = 0)::

        dirty = e^{wL} · (coupon · (G_n − G_{lead+1}) + lead_amount · e^{lead·L} + 100 · e^{(n−1)L})

    an O(1) price per bond and Newton step instead of a pass over its flows.
    """

    first: np.ndarray  # w
    frequency: np.ndarray  # f (float)
    n: np.ndarray  # remaining regular dates (float)
    coupon: np.ndarray  # c/f per 100 face
    lead: np.ndarray  # zero columns before the next coupon paid (float)
    lead_amount: np.ndarray  # amount of the next coupon paid (0 ex-dividend)

    def take(self, rows: np.ndarray) -> _Annuity:
        return _Annuity(*(getattr(self, f)[rows] for f in self.__dataclass_fields__))


def _annuity(s: CouponSchedule, rows: np.ndarray) -> _Annuity:
    freq = s.frequency[rows].astype(float)
    return _Annuity(
        first=s.period_fraction[rows],
        frequency=freq,
        n=s.n_remaining[rows].astype(float),
        coupon=s.coupon_pct[rows] / freq,
        lead=s.zero_columns[rows].astype(float),
        lead_amount=np.where(s.ex_dividend[rows], 0.0, s.next_amount[rows]),
    )


def _geometric(k: np.ndarray, log_v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """G = Σ_{j<k} e^{jL} and G' = dG/dL = Σ_{j<k} j e^{jL} (L = ``log_v``), elementwise.

    G' in closed form loses ~2·eps / (L² k) relatively as L → 0; below |L| = 1e-4 its Taylor series
    Σj + L Σj² + L²/2 Σj³ is used (relative error ≤ ~1e-7 there). G' only sets Newton's step, never
    the price, so that is ample.
    """
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        d = np.expm1(log_v)
        g = np.where(log_v == 0, k, np.expm1(k * log_v) / d)
        q = np.exp(log_v)
        qk1 = np.exp((k - 1.0) * log_v)
        gp = q * (1.0 - k * qk1 + (k - 1.0) * qk1 * q) / (d * d)
        m = k - 1.0
        s1 = 0.5 * m * (m + 1.0)
        s2 = m * (m + 1.0) * (2.0 * m + 1.0) / 6.0
        gp = np.where(np.abs(log_v) < 1e-4, s1 + log_v * s2 + 0.5 * log_v * log_v * s1 * s1, gp)
    return g, gp


def _annuity_dirty_and_slope(a: _Annuity, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dirty price and ∂dirty/∂y (per 100 face, per unit of decimal yield) in closed form."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        log_v = -np.log1p(y / a.frequency)
        g_n, gp_n = _geometric(a.n, log_v)
        g_l, gp_l = _geometric(a.lead + 1.0, log_v)
        v_lead = np.exp(a.lead * log_v)
        v_last = np.exp((a.n - 1.0) * log_v)
        x = a.coupon * (g_n - g_l) + a.lead_amount * v_lead + 100.0 * v_last
        dx = a.coupon * (gp_n - gp_l) + a.lead_amount * a.lead * v_lead + 100.0 * (a.n - 1.0) * v_last
        v_w = np.exp(a.first * log_v)
        price = v_w * x
        slope = -v_w * (a.first * x + dx) / (a.frequency + y)  # dL/dy = −1 / (f + y)
    return price, slope


def _below(x: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Σ_{j < cols[n, k]} x[n, j] for every row n and key k, and the row totals Σ_j x[n, j].

    Within a block a key's column differs between rows by at most a few (ceil(K f − w), w in
    (0, 1]): one matrix product with the 0/1 columns ``j < min_n cols[n, k]`` (and a column of ones
    for the totals), then the few ragged columns added where a row's own column is further on.
    """
    width = x.shape[1]
    lo = cols.min(axis=0, initial=width)
    sums = x @ (np.arange(width)[:, None] < np.append(lo, width)[None, :]).astype(float)
    below = sums[:, :-1]
    extra = cols - lo
    for d in range(int(extra.max(initial=0))):
        below += np.where(extra > d, x[:, np.minimum(lo + d, width - 1)], 0.0)
    return below, sums[:, -1]


def _grid_risk(g: _Grid, y: np.ndarray) -> dict[str, np.ndarray]:
    """Dirty price, durations, convexity, dv01 and key-rate durations of grid rows at decimal ``y``.

    One discounting pass: Σ PV·e and Σ PV·e² (e = w + j periods, t = e/f years) give
    mac = Σ PV t / P and convexity = Σ PV t (t + 1/f) / (P (1 + y/f)²). The key-rate sums
    Σ PV t W_k(t) come from the same sums taken over the flows before each key tenor: W_k is linear
    in t between neighbouring key tenors, so a segment's flows give (K_hi Σ PV t − Σ PV t²) /
    (K_hi − K_lo) to its lower key and (Σ PV t² − K_lo Σ PV t) / (K_hi − K_lo) to its upper key,
    and the flows with t < K are arithmetic: the first ceil(K f − w) columns of the row.
    """
    pv = g.discount(y)
    f = g.frequency
    growth = 1.0 + y / f
    pv *= g.amount
    dirty = pv.sum(axis=1)
    pv_e = np.multiply(pv, g.periods, out=pv)  # in place: PV·e, then PV·e²
    keys = np.asarray(KEY_TENORS)
    n, width = pv_e.shape
    with np.errstate(invalid="ignore"):
        cols = np.clip(np.ceil(keys[None, :] * f[:, None] - g.first[:, None]), 0, width).astype(np.int64)
    below1, s1 = _below(pv_e, cols)  # Σ PV e
    below2, s2 = _below(np.multiply(pv_e, g.periods, out=pv_e), cols)  # Σ PV e²
    below1 /= f[:, None]  # Σ PV t over t < K
    below2 /= (f * f)[:, None]  # Σ PV t² over t < K
    mac = s1 / f / dirty
    mod = mac / growth
    conv = (s2 + s1) / (f * f * dirty * growth**2)
    sums = np.zeros((n, keys.size))
    sums[:, 0] = below1[:, 0]
    sums[:, -1] = s1 / f - below1[:, -1]
    for i in range(keys.size - 1):
        lo, hi = keys[i], keys[i + 1]
        z1 = below1[:, i + 1] - below1[:, i]
        z2 = below2[:, i + 1] - below2[:, i]
        sums[:, i] += (hi * z1 - z2) / (hi - lo)
        sums[:, i + 1] += (z2 - lo * z1) / (hi - lo)
    krd = sums / (dirty * growth)[:, None]
    return _risk_columns(dirty, mac, mod, conv, krd)


def _figures(
    s: CouponSchedule,
    *,
    y: np.ndarray | None = None,
    dirty: np.ndarray | None = None,
    guess: np.ndarray | None = None,
    risk: bool = True,
) -> dict[str, np.ndarray]:
    """Yield (``y``, decimal) and, with ``risk``, the risk figures of every schedule row.

    Give ``y`` (decimal yields) or ``dirty`` (target dirty prices, with a first ``guess``). Compounded
    rows: yields (and prices without ``risk``) in closed form (:class:`_Annuity`, O(1) per bond and
    Newton step), then one discounting pass over the padded grid flows for the risk figures, in
    blocks of :data:`BLOCK_ROWS` bonds sorted by remaining coupons (each block only as wide as its
    own bonds need: a loop over ~N/2,048 blocks, never over bonds). Money-market gilts (at most two
    flows) through the padded payment-date flows.
    """
    n = len(s.n_remaining)
    out: dict[str, np.ndarray] = {"y": np.full(n, np.nan) if y is None else y}
    if risk:
        out.update({k: np.full(n, np.nan) for k in ("dirty_price", "mac_duration", "mod_duration", "convexity",
                                                    "dv01", *KEY_RATE_COLUMNS)})
    elif y is not None:
        out["dirty_price"] = np.full(n, np.nan)

    def store(rows: np.ndarray, part: dict[str, np.ndarray]) -> None:
        for key, arr in part.items():
            out[key][rows] = arr

    mm = np.flatnonzero(s.money_market)
    if mm.size:
        fl = _flows(s.take(mm))
        if y is None:
            ym = out["y"][mm] = _solve_yield(fl, dirty[mm], guess[mm])
        else:
            ym = y[mm]
        if risk:
            store(mm, _risk(fl, ym))
        elif y is not None:
            out["dirty_price"][mm] = _discounted(fl, ym).sum(axis=1)
    grid_rows = np.flatnonzero(~s.money_market)
    if grid_rows.size == 0:
        return out
    if y is None:
        out["y"][grid_rows] = _solve_yield(
            _annuity(s, grid_rows), dirty[grid_rows], guess[grid_rows], _annuity_dirty_and_slope
        )
    elif not risk:
        out["dirty_price"][grid_rows] = _annuity_dirty_and_slope(_annuity(s, grid_rows), y[grid_rows])[0]
    if not risk:
        return out
    order = grid_rows[np.argsort(s.n_remaining[grid_rows], kind="stable")]
    for rows in np.array_split(order, -(-order.size // BLOCK_ROWS)):
        store(rows, _grid_risk(_grid(s, rows), out["y"][rows]))
    return out


def price_from_yield(bonds: pd.DataFrame, settle: Any, yield_pct: Any) -> pd.DataFrame:
    """Clean price, accrued and dirty price per 100 face from yields in % (semi-annual compounding).

    Returns a DataFrame with columns ``clean_price, accrued, dirty_price`` on ``bonds.index``.
    """
    s = build_schedule(bonds, settle)
    y = _as_float_array(yield_pct, len(bonds), "yield_pct") / 100.0
    dirty = _figures(s, y=y, risk=False)["dirty_price"]
    acc = accrued_interest(s)
    return pd.DataFrame({"clean_price": dirty - acc, "accrued": acc, "dirty_price": dirty}, index=bonds.index)


def accrued(bonds: pd.DataFrame, settle: Any) -> np.ndarray:
    """Accrued interest per 100 face (market convention; negative ex-dividend), no pricing involved.

    Handy to turn a model dirty price (:func:`curve_dirty_price`) into a clean price.
    """
    return accrued_interest(build_schedule(bonds, settle))


def yield_from_price(bonds: pd.DataFrame, settle: Any, clean_price: Any) -> np.ndarray:
    """Yield in % (semi-annual compounding) from clean prices per 100 face.

    The yield solves dirty(y) = clean + accrued (market accrued, so JGBs use ACT/365 no-leap).
    Vectorised Newton with a bisection safeguard (compounded bonds priced in closed form at each
    step, :class:`_Annuity`), converged well below 1e-12 (decimal); NaN when no yield in
    −190 % … 2,000 % reproduces the price.
    """
    s = build_schedule(bonds, settle)
    clean = _as_float_array(clean_price, len(bonds), "clean_price")
    dirty = clean + accrued_interest(s)
    return _figures(s, dirty=dirty, guess=_yield_guess(s, clean), risk=False)["y"] * 100.0


def _simple_yield_pct(s: CouponSchedule, clean: np.ndarray) -> np.ndarray:
    return simple_yield_pct(s.market, s.coupon_pct, clean, s.years_to_maturity)


def simple_yield_pct(market: Any, coupon_pct: Any, clean_price: Any, years_to_maturity: Any) -> np.ndarray:
    """Japanese simple yield (単利) in %: (C + (100 − P)/n) / P with C the coupon (% a year), P the
    clean price per 100 and n the years to maturity (ACT/365F); NaN for bonds outside JP."""
    clean = np.asarray(clean_price, float)
    simple = (np.asarray(coupon_pct, float) + (100.0 - clean) / np.asarray(years_to_maturity, float)) / clean * 100.0
    return np.where(np.asarray(market) == "JP", simple, np.nan)


def bond_analytics(
    bonds: pd.DataFrame,
    settle: Any,
    *,
    yield_pct: Any = None,
    clean_price: Any = None,
) -> pd.DataFrame:
    """Full figure set per 100 face for every bond, from yields (%) or clean prices (exactly one).

    Columns: see :data:`ANALYTICS_COLUMNS` (dates as ``datetime64[ns]``, ``ex_dividend`` bool,
    ``years_to_maturity`` ACT/365F). Index = ``bonds.index``. From a clean price the yield is solved
    first (see :func:`yield_from_price`) and ``clean_price`` echoes the input. Per-row inputs
    (``settle``, ``yield_pct``, ``clean_price``) are matched to ``bonds`` by position, not by index.
    """
    if (yield_pct is None) == (clean_price is None):
        raise ValueError("give exactly one of yield_pct or clean_price")
    s = build_schedule(bonds, settle)
    acc = accrued_interest(s)
    n = len(bonds)
    if yield_pct is not None:
        risk = _figures(s, y=_as_float_array(yield_pct, n, "yield_pct") / 100.0)
        clean = risk["dirty_price"] - acc
    else:
        clean = _as_float_array(clean_price, n, "clean_price")
        risk = _figures(s, dirty=clean + acc, guess=_yield_guess(s, clean))
    frame = {
        "settle_date": s.settle.astype("datetime64[ns]"),
        "prev_coupon": s.prev_coupon.astype("datetime64[ns]"),
        "next_coupon": s.next_coupon.astype("datetime64[ns]"),
        "ex_dividend": s.ex_dividend,
        "years_to_maturity": s.years_to_maturity,
        "clean_price": clean,
        "accrued": acc,
        "dirty_price": risk["dirty_price"],
        "yield_pct": risk["y"] * 100.0,
        "simple_yield_pct": _simple_yield_pct(s, clean),
    }
    frame.update({k: risk[k] for k in ANALYTICS_COLUMNS if k in risk and k not in frame})
    return pd.DataFrame(frame, index=bonds.index)[list(ANALYTICS_COLUMNS)]


@dataclass(frozen=True)
class _Cells:
    """The received flows as flat arrays (one entry per flow, ordered by bond then date): no padding."""

    rows: np.ndarray  # bond position
    pay: np.ndarray  # unadjusted payment date (datetime64[D])
    t_years: np.ndarray  # ACT/365F settlement → pay date
    coupon: np.ndarray  # per 100 face
    amount: np.ndarray  # coupon + principal (100 on the last date)


def _cells(s: CouponSchedule, *, drop_zero: bool) -> _Cells:
    """Every flow a buyer settling on ``s.settle`` receives (``drop_zero``: not the 0 coupons of 0 % bonds).

    The regular dates after settlement, flattened (bond i: columns 0 … n_remaining − 1): a next coupon
    lost ex-dividend is left out (but its bond's redemption, if due then, is kept), as are the regular
    dates a long first coupon skips; the first coupon paid carries ``next_amount``.
    """
    n_rem = s.n_remaining
    rows = np.repeat(np.arange(n_rem.size), n_rem)
    cols = np.arange(rows.size) - np.repeat(np.cumsum(n_rem) - n_rem, n_rem)
    last = cols == n_rem[rows] - 1
    zc = s.zero_columns[rows]
    lost = s.ex_dividend[rows] & (cols == 0)
    coupon = np.where(lost, 0.0, np.where(cols == zc, s.next_amount[rows], (s.coupon_pct / s.frequency)[rows]))
    amount = coupon + np.where(last, 100.0, 0.0)
    keep = (cols >= zc) & ~(lost & ~last)
    if drop_zero:
        keep &= amount != 0
    rows, cols, coupon, amount = rows[keep], cols[keep], coupon[keep], amount[keep]
    months_back = (n_rem[rows] - 1 - cols) * (12 // s.frequency)[rows]
    pay = roll_back(s.maturity[rows], months_back, s.end_of_month[rows])
    return _Cells(rows, pay, (pay - s.settle[rows]) / DAY / 365.0, coupon, amount)


def cash_flows(bonds: pd.DataFrame, settle: Any) -> pd.DataFrame:
    """Remaining flows received by a buyer settling on ``settle``, per 100 face, long format.

    Columns ``bond`` (index label of ``bonds``), ``pay_date`` (unadjusted coupon date),
    ``t_years`` (ACT/365F from settlement), ``coupon``, ``principal``, ``amount``; rows ordered by
    bond then date. A coupon lost to the ex-dividend rule is not listed, nor are the zero coupons of
    a 0 % bond.
    """
    c = _cells(build_schedule(bonds, settle), drop_zero=True)
    return pd.DataFrame(
        {
            "bond": np.asarray(bonds.index)[c.rows],
            "pay_date": c.pay.astype("datetime64[ns]"),
            "t_years": c.t_years,
            "coupon": c.coupon,
            "principal": c.amount - c.coupon,
            "amount": c.amount,
        }
    )


def curve_dirty_price(
    bonds: pd.DataFrame, settle: Any, discount: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """Model dirty price per 100 face: Σ amount · discount(t_years), t_years ACT/365F from settlement.

    ``discount`` maps an array of year fractions to discount factors (e.g. ``Curve.discount``).
    """
    c = _cells(build_schedule(bonds, settle), drop_zero=False)
    df = np.asarray(discount(c.t_years), dtype=float)
    return np.bincount(c.rows, weights=c.amount * df, minlength=len(bonds))
