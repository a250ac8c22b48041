"""The direct re-solve: a compiled problem's parameter tensors applied straight to one resident Clarabel.

cvxpy compiles a DPP problem once into tensors that map the parameter vector to the solver's data
(P, q, A, b); on every ``problem.solve`` it then re-applies the tensors, re-slices the matrices,
hands them to Clarabel, and inverts the solution back through its reduction chain into every
variable and dual. At 200 bonds that bookkeeping is ~3 ms around a ~6 ms solve (bench_optim: 1.5×
the raw solver). A slider move needs none of the reshaping, so this module does only the
arithmetic, with index maps worked out once per compiled problem:

* **data**: ``values = T @ θ`` for cvxpy's own reduced tensors ``T`` (A and b from one, P from
  another, q and the objective's constant from the third) and the parameter vector ``θ`` built by
  cvxpy's ``get_parameter_vector``; each value lands at a precomputed position of Clarabel's CSC
  data (columns sorted, structural zeros kept, so the sparsity pattern never changes) and only the
  parts that changed since the last solve are passed to ``solver.update``;
* **solution**: the variables and the duals the caller reads are fixed selections of Clarabel's
  ``x`` and ``z`` (with a sign). They are found once by inverting two probe solutions through
  cvxpy's own chain (``Chain.invert``); the maps are checked to be exact selections, and a first
  solve is checked against cvxpy's own ``problem.solve`` to 1e-9 before the direct path is trusted.

Any mismatch (a cvxpy version that reduces differently) leaves :attr:`DirectClarabel.ok` False and
the caller solves through cvxpy as before. Clarabel's settings are the ones cvxpy would pass
(``SOLVER_OPTS["CLARABEL"]``: presolve off, so data updates keep the factorisation's structure).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from types import SimpleNamespace

import cvxpy as cp
import numpy as np
from cvxpy.cvxcore.python import canonInterface
from cvxpy.reductions.solvers.conic_solvers.clarabel_conif import CLARABEL as CvxClarabel
from cvxpy.reductions.solvers.conic_solvers.clarabel_conif import dims_to_solver_cones
from cvxpy.reductions.solvers.conic_solvers.conic_solver import ConicSolver
from scipy import sparse

CHECK_TOL = 1e-12  # the first solve's data must equal cvxpy's own apply_parameters to this (relative)


class DirectMismatch(RuntimeError):
    """The direct path's data differ from cvxpy's own: use cvxpy's solve for this problem."""


@dataclass(frozen=True)
class DirectResult:
    """One direct solve: cvxpy's status word, the objective in the problem's own sense (maximised
    value for ``Maximize``), the selected variables' and constraints' dual values (cvxpy's shapes,
    flattened), Clarabel's iteration count and solve time (s)."""

    status: str
    value: float
    primal: dict[str, np.ndarray]
    dual: dict[str, np.ndarray]
    iterations: int
    solve_time_s: float


def _selection(probe_a: np.ndarray, probe_b: np.ndarray, out_a, out_b) -> tuple[np.ndarray, np.ndarray] | None:
    """Indices and signs with ``out = sign · probe[idx]`` for both probes (probe_a = 1..n, probe_b =
    2·probe_a + 1, so both sign and index are recovered), or None if the map is not a selection."""
    if out_a is None or out_b is None:
        return None
    a = np.asarray(out_a, float).ravel(order="F")
    b = np.asarray(out_b, float).ravel(order="F")
    sign = np.sign(a)
    idx = np.rint(np.abs(a)).astype(np.int64) - 1
    if (sign == 0).any() or (idx < 0).any() or (idx >= probe_a.size).any():
        return None
    if not (np.allclose(sign * probe_a[idx], a, rtol=0, atol=1e-9)
            and np.allclose(sign * probe_b[idx], b, rtol=0, atol=1e-9)):
        return None
    return idx, sign


class _Placed:
    """One reduced cvxpy tensor's values placed into a fixed CSC pattern (and optionally a vector)."""

    def __init__(self, tensor, index, n_cols: int, *, triu: bool, with_offset: bool) -> None:
        indices, indptr, shape = index
        n_rows = shape[0]
        entry_col = np.repeat(np.arange(shape[1]), np.diff(indptr))
        entry_row = np.asarray(indices, np.int64)
        self.tensor = tensor.tocsr()
        in_matrix = entry_col < n_cols
        if triu:
            in_matrix &= entry_row <= entry_col
        sel = np.flatnonzero(in_matrix)
        order = np.lexsort((entry_row[sel], entry_col[sel]))
        self.take = sel[order]
        rows, cols = entry_row[self.take], entry_col[self.take]
        counts = np.bincount(cols, minlength=n_cols)
        self.indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self.indices = rows.astype(np.int64)
        self.shape = (n_rows, n_cols)
        off = np.flatnonzero(entry_col == n_cols) if with_offset else np.array([], np.int64)
        self.offset_take, self.offset_rows = off, entry_row[off]

    def values(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(CSC data in the fixed pattern, the offset column as a dense vector of n_rows)."""
        flat = self.tensor @ theta
        vec = np.zeros(self.shape[0])
        vec[self.offset_rows] = flat[self.offset_take]
        return flat[self.take], vec

    def matrix(self, data: np.ndarray) -> sparse.csc_matrix:
        return sparse.csc_matrix((data, self.indices, self.indptr), shape=self.shape)


class DirectClarabel:
    """Re-solves ``problem`` (a DPP cvxpy problem) with one resident Clarabel solver (module doc).

    ``primal``/``dual``: the variables and constraints whose values the caller reads, by name.
    Build it once per compiled problem, then call :meth:`solve` after setting parameter values.
    """

    def __init__(self, problem: cp.Problem, primal: dict[str, cp.Variable], dual: dict[str, cp.Constraint],
                 settings: dict[str, object]) -> None:
        self.problem = problem
        self.ok = False
        self.why = ""
        self._solver = None
        self._last: dict[str, np.ndarray] = {}
        self._settings = dict(settings)
        try:
            self.why = self._build(primal, dual)
        except Exception as exc:  # noqa: BLE001 - an internal cvxpy layout we do not know: use cvxpy's path
            self.why = f"{type(exc).__name__}: {exc}"
        self.ok = not self.why

    def _build(self, primal: dict[str, cp.Variable], dual: dict[str, cp.Constraint]) -> str:
        """Index maps from cvxpy's compiled tensors and chain; '' when the direct path is usable, else why not."""
        problem = self.problem
        data, chain, inverse = problem.get_problem_data(cp.CLARABEL, solver_opts=dict(self._settings))
        prog = data[cp.settings.PARAM_PROB]
        self._prog = prog
        n_x = int(prog.x.size)
        self.n_x = n_x
        prog.reduced_A.cache()
        if prog.reduced_A.problem_data_index is None:
            return "the constraint tensor has no reduced form"
        self._A = _Placed(prog.reduced_A.reduced_mat, prog.reduced_A.problem_data_index, n_x,
                          triu=False, with_offset=True)
        self._P = None
        if prog.P is not None:
            prog.reduced_P.cache()
            if prog.reduced_P.problem_data_index is not None:
                self._P = _Placed(prog.reduced_P.reduced_mat, prog.reduced_P.problem_data_index, n_x,
                                  triu=True, with_offset=False)
        self._q = sparse.csr_matrix(prog.q)
        self._cones = dims_to_solver_cones(data[ConicSolver.DIMS])
        self._sense = -1.0 if isinstance(problem.objective, cp.Maximize) else 1.0
        # index maps: invert two probe solutions through cvxpy's own chain
        m = int(self._A.shape[0])
        px, pz = np.arange(1.0, n_x + 1), np.arange(1.0, m + 1)
        sols = [chain.invert(SimpleNamespace(x=k * px + (k - 1), z=k * pz + (k - 1), s=np.zeros(m),
                                             status="Solved", obj_val=0.0, solve_time=0.0, iterations=0),
                             inverse) for k in (1, 2)]
        self._primal: dict[str, tuple[np.ndarray, np.ndarray, tuple]] = {}
        self._dual: dict[str, tuple[np.ndarray, np.ndarray, tuple]] = {}
        for name, var in primal.items():
            sel = _selection(px, 2 * px + 1, sols[0].primal_vars.get(var.id), sols[1].primal_vars.get(var.id))
            if sel is None:
                return f"variable {name} is not a selection of the solver's x"
            self._primal[name] = (*sel, var.shape)
        for name, con in dual.items():
            sel = _selection(pz, 2 * pz + 1, sols[0].dual_vars.get(con.id), sols[1].dual_vars.get(con.id))
            if sel is None:
                return f"the dual of {name} is not a selection of the solver's z"
            self._dual[name] = (*sel, con.shape)
        return ""

    def data(self) -> dict[str, np.ndarray]:
        """Clarabel's data for the parameters' current values: P (upper-triangle CSC data), q, A (CSC
        data), b, and the objective's constant ``d``."""
        prog = self._prog
        theta = canonInterface.get_parameter_vector(
            prog.total_param_size, prog.param_id_to_col, prog.param_id_to_size,
            lambda pid: np.asarray(prog.id_to_param[pid].value))
        qd = np.asarray(self._q @ theta).ravel()
        a_data, b = self._A.values(theta)
        out = {"q": qd[:-1], "d": qd[-1:], "A": -a_data, "b": b}
        out["P"] = self._P.values(theta)[0] if self._P is not None else np.zeros(0)
        return out

    def matrices(self, data: dict[str, np.ndarray]) -> tuple[sparse.csc_matrix, sparse.csc_matrix]:
        """(P upper triangle, A) as CSC matrices in the fixed pattern."""
        P = self._P.matrix(data["P"]) if self._P is not None else sparse.csc_matrix((self.n_x, self.n_x))
        return P, self._A.matrix(data["A"])

    def resend_all(self) -> None:
        """Make the next solve send all its data to the solver, changed or not (as a fresh move that
        changes every part would; the bench times re-solves this way against the raw solver's full update)."""
        self._last = {}

    def _check(self, data: dict[str, np.ndarray]) -> None:
        """The first solve's data against cvxpy's own ``apply_parameters`` (as its Clarabel interface
        would pass them); a difference raises :class:`DirectMismatch` (the caller falls back to cvxpy)."""
        if self._P is not None:
            P_ref, q_ref, d_ref, A_ref, b_ref = self._prog.apply_parameters(quad_obj=True)
        else:
            q_ref, d_ref, A_ref, b_ref = self._prog.apply_parameters()
            P_ref = sparse.csc_matrix((self.n_x, self.n_x))
        P, A = self.matrices(data)
        pairs = {"P": (P, sparse.triu(P_ref)), "A": (A, -A_ref)}
        for name, (ours, ref) in pairs.items():
            diff = abs(ours - sparse.csc_matrix(ref)).max() if ours.nnz or ref.nnz else 0.0
            scale = max(1.0, abs(sparse.csc_matrix(ref)).max() if ref.nnz else 0.0)
            if diff > CHECK_TOL * scale:
                raise DirectMismatch(f"{name} differs from cvxpy's by {diff:.1e}")
        for name, ours, ref in (("q", data["q"], q_ref), ("b", data["b"], b_ref), ("d", data["d"], d_ref)):
            ref = np.atleast_1d(np.asarray(ref, float)).ravel()
            if ours.shape != ref.shape or not np.allclose(ours, ref, rtol=CHECK_TOL, atol=CHECK_TOL):
                raise DirectMismatch(f"{name} differs from cvxpy's")

    def solve(self) -> DirectResult:
        """Solve for the parameters' current values; only changed data is sent to the solver."""
        import clarabel

        data = self.data()
        if self._solver is None:
            self._check(data)
            settings = clarabel.DefaultSettings()
            settings.verbose = False
            for key, value in self._settings.items():
                setattr(settings, key, value)
            P, A = self.matrices(data)
            self._solver = clarabel.DefaultSolver(P, data["q"], A, data["b"], self._cones, settings)
        else:
            keys = ("P", "q", "A", "b") if self._P is not None else ("q", "A", "b")
            changed = {k: data[k] for k in keys if k not in self._last or not np.array_equal(self._last[k], data[k])}
            if changed:
                self._solver.update(**changed)
        self._last = data
        start = time.perf_counter()
        sol = self._solver.solve()
        elapsed = time.perf_counter() - start
        status = CvxClarabel.STATUS_MAP.get(str(sol.status), cp.SOLVER_ERROR)
        x, z = np.asarray(sol.x, float), np.asarray(sol.z, float)
        primal = {k: (sign * x[idx]).reshape(shape, order="F") for k, (idx, sign, shape) in self._primal.items()}
        dual = {k: (sign * z[idx]).reshape(shape, order="F") for k, (idx, sign, shape) in self._dual.items()}
        value = self._sense * (float(sol.obj_val) + float(data["d"][0]))
        return DirectResult(status, value, primal, dual, int(sol.iterations), elapsed)
