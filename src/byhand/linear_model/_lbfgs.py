"""Deterministic full-batch solvers written by hand: Newton's method and L-BFGS.

Both minimise a smooth convex objective f(θ) given a function returning (f, ∇f), with a
backtracking (Armijo) line search: accept the step t·p once f(θ + t p) <= f(θ) + c·t·∇fᵀp,
halving t otherwise. They are the "good steps" that plain gradient descent lacks
(CS 577 Lecture 01 (Wang, IIT, 2024), "Gradient descent": a fixed ε must stay below 2/L, so an
ill-conditioned problem crawls; Deep Neural Networks Course I (Galerne, Univ. Orléans, 2024–25),
"Gradient descent" step size
γ < 2/L). No scipy.optimize: the two-loop recursion of L-BFGS (Nocedal & Wright, Alg. 7.4)
is a dozen lines.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["lbfgs", "newton"]

FunGrad = Callable[[np.ndarray], tuple[float, np.ndarray]]
_ARMIJO = 1e-4


def _backtrack(
    fun_grad: FunGrad,
    theta: np.ndarray,
    f: float,
    g: np.ndarray,
    p: np.ndarray,
    t: float = 1.0,
    max_halvings: int = 60,
) -> tuple[float, np.ndarray, float, np.ndarray] | None:
    """Armijo backtracking from step t; None when no decrease is found (at the optimum)."""
    slope = float(g.ravel() @ p.ravel())
    if slope >= 0:  # not a descent direction: fall back to steepest descent
        p = -g
        slope = -float(g.ravel() @ g.ravel())
    for _ in range(max_halvings):
        new = theta + t * p
        f_new, g_new = fun_grad(new)
        if np.isfinite(f_new) and f_new <= f + _ARMIJO * t * slope:
            return t, new, f_new, g_new
        t *= 0.5
    return None


def newton(
    fun_grad: FunGrad,
    hessian: Callable[[np.ndarray], np.ndarray],
    theta0: np.ndarray,
    *,
    max_iter: int,
    tol: float,
) -> tuple[np.ndarray, int, bool]:
    """Damped Newton: p = −H⁻¹∇f (a linear solve, lstsq if H is singular), Armijo steps.

    Stops when max|∇f| <= tol; returns (θ, iterations, converged).
    """
    theta = np.array(theta0, dtype=np.float64)
    f, g = fun_grad(theta)
    for it in range(max_iter):
        if np.max(np.abs(g)) <= tol:
            return theta, it, True
        H = hessian(theta)
        try:
            p = np.linalg.solve(H, -g)
        except np.linalg.LinAlgError:
            p = np.linalg.lstsq(H, -g, rcond=None)[0]
        found = _backtrack(fun_grad, theta, f, g, p)
        if found is None:
            return theta, it + 1, bool(np.max(np.abs(g)) <= tol)
        _, theta, f, g = found
    return theta, max_iter, bool(np.max(np.abs(g)) <= tol)


def lbfgs(
    fun_grad: FunGrad, theta0: np.ndarray, *, max_iter: int, tol: float, memory: int = 10
) -> tuple[np.ndarray, int, bool]:
    """L-BFGS with ``memory`` pairs (s, y) and Armijo backtracking from t = 1.

    The direction p = −H_k ∇f comes from the two-loop recursion, H_k⁰ = (sᵀy / yᵀy)·I;
    the first step is scaled to length 1 in the max norm. Pairs with sᵀy <= 0 are skipped.
    Stops when max|∇f| <= tol; returns (θ, iterations, converged).
    """
    theta = np.array(theta0, dtype=np.float64)
    f, g = fun_grad(theta)
    s_list: list[np.ndarray] = []
    y_list: list[np.ndarray] = []
    for it in range(max_iter):
        gmax = float(np.max(np.abs(g)))
        if gmax <= tol:
            return theta, it, True
        q = g.copy()
        alphas = []
        for s, y in zip(reversed(s_list), reversed(y_list), strict=True):
            rho = 1.0 / float(y.ravel() @ s.ravel())
            a = rho * float(s.ravel() @ q.ravel())
            q -= a * y
            alphas.append((rho, a))
        if s_list:
            s, y = s_list[-1], y_list[-1]
            q *= float(s.ravel() @ y.ravel()) / float(y.ravel() @ y.ravel())
            t0 = 1.0
        else:
            t0 = min(1.0, 1.0 / gmax)
        for (s, y), (rho, a) in zip(
            zip(s_list, y_list, strict=True), reversed(alphas), strict=True
        ):
            b = rho * float(y.ravel() @ q.ravel())
            q += (a - b) * s
        found = _backtrack(fun_grad, theta, f, g, -q, t0)
        if found is None:
            return theta, it + 1, gmax <= tol
        _, new, f, g_new = found
        s, y = new - theta, g_new - g
        if float(s.ravel() @ y.ravel()) > 1e-12 * float(y.ravel() @ y.ravel()):
            s_list.append(s)
            y_list.append(y)
            if len(s_list) > memory:
                s_list.pop(0)
                y_list.pop(0)
        theta, g = new, g_new
    return theta, max_iter, bool(np.max(np.abs(g)) <= tol)
