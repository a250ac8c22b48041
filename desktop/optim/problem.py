"""The allocation problem: compiled once per universe and *context*; every slider is a small ``cp.Parameter``.

Variables: ``w`` (N, weights, fraction of market value), ``t`` (N, turnover |w − w₀|),
``e`` (16, key-rate exposures ``Bᵀw``; B is sparse so A stays ~4N non-zeros, not 16N),
``y = Lᵀe`` (16, rate-factor returns), ``m = A w`` (4, market weights — also the currency mix, one
currency per market), ``d = Dᵀw`` (duration), ``r = R w`` (rung weights): each dense row appears once
and the range constraints act on these small variables (a leaner KKT system for the solver), and
``y_fx = L_fxᵀm − L_fxᵀ·1_base`` (FX-factor returns against the base; the product of two parameters
is folded into one parameter ``fx_base``; variables so that ρ·‖·‖² stays DPP).

maximise   μᵀw − ρ·(‖y‖² + ‖y_fx‖²) − κ·Σt
subject to Σw = 1;  0 ≤ w ≤ ub;  d_lo ≤ Dᵀw ≤ d_hi;  D_USᵀw ≤ cap·Dᵀw;  m_lo ≤ A w ≤ m_hi;
           r_lo ≤ R w ≤ r_hi;  t ≥ ±(w − w₀), Σt ≤ τ;  ‖(y − y_b, L_fxᵀ C ᵀ(w − w_b))‖ ≤ te.

μ % per bond (returns.py); ρ = λ·h·100 (one parameter: risk aversion × horizon × % scaling, so the
penalty is λ·variance over the horizon in %); κ = turnover cost in % per unit; ``ub`` = max weight
× allowed (0 outside the ladder's rungs or the GUI's allowed mask); L_fx = 0 when hedged.

**Linear compile.** cvxpy's DPP compile stores the problem as tensors with (variables + 1) ×
(parameter entries + 1) columns and, for the TE cone and the quadratic objective, works on them densely
or through sparse products whose workspace is that wide: an N-sized parameter makes the compile
O(N²) in time and memory (5,000 bonds: 3–8 s; 20,000: 50 s and 12.5 GB). So no parameter here is
N-sized:

* per-bond data the sliders never move within a session — the allowed mask (the caller's mask ∩ the
  ladder's rung range), current holdings ``w₀`` and the horizon's roll-down — are *constants* of a
  :class:`Context`; a problem is compiled per universe and context (the Optimiser keeps a few);
* ``ub = max_weight · mask`` is the scalar parameter ``max_weight`` times the constant mask;
* μ (returns.py's ``expected_return_pct``) is written as constants times small parameter vectors::

      μ = (y·h + rolldown)                     constant per context
          + C · ccy_carry                       4: hedged h·(r_base − r_ccy), unhedged the FX view
          + B · view_key                         16: key-rate view in bp / 100 (B = −krd, risk.py)
          + Q · view_conv                        28: the convexity term ½·C·Δy(T)²·100 with Δy linear
                                                     between key tenors, expanded in the products of
                                                     adjacent key-rate views (/1e4)²

  so the values agree with ``return_components`` to rounding (tests check 1e-12).

Every parameter is then O(1) in size (≈ 100 entries plus two per rung), both tensors have O(N)
columns, and the compile is linear in N. Risk goes through the 16 + 4 factor exposures (never N × N).

With ``turnover=False`` (starting from cash) ``t`` and the turnover rows are left out: a leaner
problem compiled separately.

With ``elastic=True`` the same constraints get non-negative slacks (duration, US cap, market
min/max, rung band, max weight, turnover, TE) and the objective minimises ``Σ penalty_g · slack_g``:
the diagnosis of an infeasible request (explain.py). Its context holds the mask and ``w₀`` (no returns).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import cvxpy as cp
import numpy as np
import pandas as pd
from scipy import sparse

from desktop.markets import MARKET_CODES, market
from desktop.optim.direct import DirectClarabel, DirectResult
from desktop.optim.risk import FX_CURRENCIES, RiskModel, currency_matrix, rate_exposures
from desktop.optim.settings import KEY_TENORS

BIG = 1e3  # stands in for "no limit" (weights ≤ 1, durations ≤ 50 y, so 1e3 never binds)
SLACK_GROUPS = ("duration", "us_cap", "market_min", "market_max", "rung_tolerance", "max_weight",
                "turnover_max", "te_max")
N_KEYS = len(KEY_TENORS)
# Convexity monomials per market: the 4 squared key-tenor views, then the 3 adjacent products.
CONV_TERMS = 2 * N_KEYS - 1


def indicator(labels: np.ndarray, levels: list) -> sparse.csr_matrix:
    """Rows = levels, columns = bonds: 1 where the bond's label equals the level."""
    pos = pd.Index(levels).get_indexer(labels)
    keep = pos >= 0
    return sparse.csr_matrix((np.ones(keep.sum()), (pos[keep], np.flatnonzero(keep))),
                             shape=(len(levels), len(labels)))


def benchmark_weights(universe: pd.DataFrame, market_mix: dict[str, float]) -> np.ndarray:
    """Benchmark weights: each market's share spread equally over its real (non-generic) bonds
    (all its bonds if it has no real ones), renormalised over the markets present."""
    w = np.zeros(len(universe))
    codes = universe["market"].to_numpy()
    real = ~universe["is_generic"].to_numpy(bool)
    for code, share in market_mix.items():
        sel = (codes == code) & real
        if not sel.any():
            sel = codes == code
        if sel.any():
            w[sel] = share / sel.sum()
    return w / w.sum() if w.sum() > 0 else w


def convexity_matrix(universe: pd.DataFrame) -> sparse.csr_matrix:
    """Q (N × 4·7): the convexity return ½·C·(Δy(T)/1e4)²·100 (%) of each bond is ``Q @ view_conv``.

    ``Δy(T)`` (bp) is the market's key-tenor view interpolated linearly at the bond's maturity T (flat
    before 2 y and after 30 y, as ``np.interp``): between key tenors j and j+1 with α = (T − T_j) /
    (T_{j+1} − T_j), Δy² = (1−α)²·v_j² + 2α(1−α)·v_j·v_{j+1} + α²·v_{j+1}². Column ``7·market + j`` holds
    the v_j² coefficient, ``7·market + 4 + j`` the v_j·v_{j+1} one (:func:`convexity_monomials`).
    """
    years = universe["years_to_maturity"].to_numpy(float)
    conv = 0.5 * universe["convexity"].to_numpy(float) * 100.0
    pos = universe["market"].map({c: i for i, c in enumerate(MARKET_CODES)}).to_numpy(int)
    keys = np.asarray(KEY_TENORS)
    n = len(years)
    seg = np.clip(np.searchsorted(keys, years, side="right") - 1, 0, N_KEYS - 2)
    alpha = np.clip((years - keys[seg]) / (keys[seg + 1] - keys[seg]), 0.0, 1.0)
    base = pos * CONV_TERMS
    rows = np.repeat(np.arange(n), 3)
    cols = np.stack([base + seg, base + N_KEYS + seg, base + seg + 1], axis=1).ravel()
    vals = (conv[:, None] * np.stack([(1 - alpha) ** 2, 2 * alpha * (1 - alpha), alpha ** 2], axis=1)).ravel()
    return sparse.csr_matrix((vals, (rows, cols)), shape=(n, CONV_TERMS * len(MARKET_CODES)))


def convexity_monomials(key_bp: np.ndarray) -> np.ndarray:
    """``view_conv`` for a (markets × 4) table of key-tenor views in bp: per market the squares then the
    adjacent products of ``bp / 1e4`` (the column order of :func:`convexity_matrix`)."""
    v = np.asarray(key_bp, float) / 1e4
    return np.concatenate([v * v, v[:, :-1] * v[:, 1:]], axis=1).ravel()


CONTEXT_DECIMALS = 12  # context constants are compared rounded to 1e-12 (weights, % returns): the same
#                       book priced in another base currency differs in the last bits only


def rounded(a: np.ndarray) -> np.ndarray:
    """``a`` rounded to :data:`CONTEXT_DECIMALS` (−0.0 folded into 0.0), as contexts compare it."""
    return np.round(np.asarray(a, float), CONTEXT_DECIMALS) + 0.0


def digest(a: np.ndarray | None) -> bytes:
    """A short fingerprint of an array's values rounded as :func:`rounded` (context keys)."""
    return b"" if a is None else hashlib.blake2b(np.ascontiguousarray(rounded(a)).tobytes(), digest_size=16).digest()


@dataclass(frozen=True, eq=False)
class Context:
    """The per-bond data a compiled problem holds as constants (they do not move with a slider).

    ``mask``: 1.0 where the bond may be held (the caller's mask ∩ the ladder's rung range), else 0.0;
    ``w0``: current holdings (fractions; None = the problem without turnover); ``fixed_return``:
    the horizon's constant part of μ, yield·h + roll-down (% per bond; None for the elastic problem).
    """

    mask: np.ndarray
    w0: np.ndarray | None = None
    fixed_return: np.ndarray | None = None
    key: tuple = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", (digest(self.mask), digest(self.w0), digest(self.fixed_return)))


class LadderProblem:
    """One compiled cvxpy problem over a fixed universe and context (module doc); set ``p``, solve."""

    def __init__(self, universe: pd.DataFrame, risk: RiskModel, benchmark: np.ndarray, *,
                 elastic: bool = False, turnover: bool = True, context: Context | None = None) -> None:
        n = len(universe)
        self.n = n
        assert [market(c).currency for c in MARKET_CODES] == list(FX_CURRENCIES)  # m doubles as ccy mix
        self.elastic = elastic
        self.turnover = turnover
        if context is None:  # everything allowed, starting from cash, no fixed return
            context = Context(np.ones(n), np.zeros(n) if turnover else None, None if elastic else np.zeros(n))
        self.context = context
        self.D = universe["mod_duration"].to_numpy(float)
        codes = universe["market"].to_numpy()
        self.rung_levels = sorted(int(r) for r in np.unique(universe["rung"].to_numpy(int)))
        A = indicator(codes, list(MARKET_CODES))
        R = indicator(universe["rung"].to_numpy(int), self.rung_levels)
        k = len(self.rung_levels)
        B = rate_exposures(universe)
        C = currency_matrix(universe)
        self.B, self.C = B, C
        mask = np.asarray(context.mask, float)
        w0 = np.zeros(n) if context.w0 is None else np.asarray(context.w0, float)

        w = cp.Variable(n, nonneg=True, name="w")
        t = cp.Variable(n, nonneg=True, name="t") if turnover else None
        e = cp.Variable(B.shape[1], name="e")  # key-rate exposures Bᵀw (sparse rows: 4 per bond)
        y = cp.Variable(B.shape[1], name="y")
        m = cp.Variable(len(MARKET_CODES), name="m")  # market weights A w (= currency mix: one ccy each)
        d = cp.Variable(name="d")  # portfolio modified duration Dᵀw
        r = cp.Variable(k, name="r")  # rung weights R w
        y_fx = cp.Variable(len(FX_CURRENCIES), name="y_fx")
        self.w, self.t, self.e, self.y, self.m, self.d, self.r, self.y_fx = w, t, e, y, m, d, r, y_fx
        p = {
            "max_weight": cp.Parameter(nonneg=True, name="max_weight"),
            "d_lo": cp.Parameter(name="d_lo"),
            "d_hi": cp.Parameter(name="d_hi"),
            "us_cap": cp.Parameter(nonneg=True, name="us_cap"),
            "m_lo": cp.Parameter(len(MARKET_CODES), name="m_lo"),
            "m_hi": cp.Parameter(len(MARKET_CODES), name="m_hi"),
            "r_lo": cp.Parameter(k, name="r_lo"),
            "r_hi": cp.Parameter(k, name="r_hi"),
            "fx_root": cp.Parameter((len(FX_CURRENCIES), len(FX_CURRENCIES)), name="fx_root"),
            "fx_base": cp.Parameter(len(FX_CURRENCIES), name="fx_base"),  # L_fxᵀ·onehot(base), folded
            "te_max": cp.Parameter(nonneg=True, name="te_max"),
        }
        if turnover:
            p["turnover_max"] = cp.Parameter(nonneg=True, name="turnover_max")
            if not elastic:
                p["turnover_cost"] = cp.Parameter(nonneg=True, name="turnover_cost")
        if not elastic:
            p["risk_weight"] = cp.Parameter(nonneg=True, name="risk_weight")
            p["ccy_carry"] = cp.Parameter(len(FX_CURRENCIES), name="ccy_carry")
            p["view_key"] = cp.Parameter(B.shape[1], name="view_key")
            p["view_conv"] = cp.Parameter(CONV_TERMS * len(MARKET_CODES), name="view_conv")
        self.p = p
        self.s: dict[str, cp.Variable] = {}
        if elastic:
            sizes: dict[str, tuple[int, ...]] = {
                "duration": (2,), "us_cap": (), "market_min": (4,), "market_max": (4,),
                "rung_tolerance": (2 * k,), "max_weight": (), "turnover_max": (), "te_max": ()}
            self.s = {g: cp.Variable(sizes[g], nonneg=True, name=f"slack_{g}") for g in SLACK_GROUPS}
            self.penalty = cp.Parameter(len(SLACK_GROUPS), nonneg=True, name="penalty")

        def slack(group: str, i: int | slice | None = None) -> cp.Expression | float:
            if not elastic:
                return 0.0
            return self.s[group] if i is None else self.s[group][i]

        us_duration = (self.D * (codes == "US")) @ w
        y_bench = risk.rate_root.T @ (B.T @ benchmark)
        fx_bench = C.T @ benchmark
        te_vec = cp.hstack([y - y_bench, p["fx_root"].T @ (m - fx_bench)])
        ub = p["max_weight"] + self.s["max_weight"] if elastic else p["max_weight"]
        self.cons: dict[str, cp.Constraint] = {
            "market_mix": m == A @ w,
            "duration_def": d == self.D @ w,
            "rung_mix": r == R @ w,
            "budget": cp.sum(m) == 1,
            "max_weight": w <= cp.multiply(mask, ub),
            "duration_min": d >= p["d_lo"] - slack("duration", 0),
            "duration_max": d <= p["d_hi"] + slack("duration", 1),
            "us_cap": us_duration <= p["us_cap"] * d + slack("us_cap"),
            "market_min": m >= p["m_lo"] - slack("market_min"),
            "market_max": m <= p["m_hi"] + slack("market_max"),
            "rung_min": r >= p["r_lo"] - slack("rung_tolerance", slice(0, k)),
            "rung_max": r <= p["r_hi"] + slack("rung_tolerance", slice(k, 2 * k)),
            "exposures": e == B.T @ w,
            "factor_rates": y == risk.rate_root.T @ e,
            "factor_fx": y_fx == p["fx_root"].T @ m - p["fx_base"],
            "te_max": cp.norm(te_vec, 2) <= p["te_max"] + slack("te_max"),
        }
        turnover_cost: cp.Expression | float = 0.0
        if turnover:
            self.cons["turnover_up"] = t >= w - w0
            self.cons["turnover_down"] = t >= w0 - w
            self.cons["turnover_max"] = cp.sum(t) <= p["turnover_max"] + slack("turnover_max")
            if not elastic:
                turnover_cost = p["turnover_cost"] * cp.sum(t)
        if elastic:
            obj = cp.Minimize(self.penalty @ cp.hstack([cp.sum(self.s[g]) for g in SLACK_GROUPS]))
        else:
            assert context.fixed_return is not None
            self.Q = convexity_matrix(universe)
            # μᵀw with μ = fixed + C·ccy_carry + B·view_key + Q·view_conv (module doc): each small
            # parameter vector meets a constant N-row matrix, so the compile stays linear in N.
            self.expected_return = (np.asarray(context.fixed_return, float) @ w + p["ccy_carry"] @ (C.T @ w)
                                    + p["view_key"] @ (B.T @ w) + p["view_conv"] @ (self.Q.T @ w))
            variance = cp.sum_squares(y) + cp.sum_squares(y_fx)
            obj = cp.Maximize(self.expected_return - p["risk_weight"] * variance - turnover_cost)
            self.variance = variance
        self.problem = cp.Problem(obj, list(self.cons.values()))
        assert self.problem.is_dpp(), "every slider must enter as a DPP parameter (re-solve without recompiling)"
        # the direct re-solve (direct.py), built on the first solve; ``result`` holds its last solution
        # (None after a solve through cvxpy, whose values are then on the cvxpy objects)
        self.direct: DirectClarabel | None = None
        self.result: DirectResult | None = None

    def weights(self) -> np.ndarray:
        """The last solve's weights (fractions of the portfolio, before flooring dust)."""
        return self.result.primal["w"] if self.result is not None else np.asarray(self.w.value, float)

    def objective_value(self) -> float:
        """The last solve's objective (% over the horizon for the allocation; the penalty for elastic)."""
        return self.result.value if self.result is not None else float(self.problem.value)

    def dual(self, name: str) -> np.ndarray | None:
        """The last solve's dual value of constraint ``name`` (cvxpy's sign and shape; None if absent)."""
        if self.result is not None:
            return self.result.dual.get(name)
        value = self.cons[name].dual_value
        return None if value is None else np.asarray(value, float)

    def matches(self, values: dict) -> bool:
        """Whether ``values`` (``Optimiser.parameter_values``) have this problem's context constants."""
        ctx = self.context
        n = self.n

        def same(const: np.ndarray | None, key: str, default: np.ndarray) -> bool:
            if const is None:
                return True
            value = np.asarray(values.get(key, default), float)
            return np.array_equal(const, value) or np.array_equal(rounded(const), rounded(value))

        return (same(ctx.mask, "allowed", np.ones(n)) and same(ctx.w0, "w0", np.zeros(n))
                and same(ctx.fixed_return, "fixed_return", np.zeros(n)))

    def mu(self, values: dict) -> np.ndarray:
        """The objective's per-bond linear coefficient (% over the horizon) for these parameter values."""
        assert self.context.fixed_return is not None
        return (np.asarray(self.context.fixed_return, float) + self.C @ values["ccy_carry"]
                + self.B @ values["view_key"] + self.Q @ values["view_conv"])
