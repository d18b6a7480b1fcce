"""Random draws inside compiled kernels that are numpy's draws, number for number.

A kernel takes the model's own `np.random.Generator` and draws from it in the order
the numpy calls it replaces would, with numpy's algorithms (numpy's
`random/src/distributions/distributions.c`), so a replicate's numbers do not depend
on whether a draw was made by numpy or inside a kernel. Uniforms come from the
generator itself (`rng.random()`, numpy's `next_double`).
"""

from __future__ import annotations

import numpy as np

from sim.jit import njit

_LOGGAM = (
    8.333333333333333e-02, -2.777777777777778e-03, 7.936507936507937e-04, -5.952380952380952e-04,
    8.417508417508418e-04, -1.917526917526918e-03, 6.410256410256410e-03, -2.955065359477124e-02,
    1.796443723688307e-01, -1.39243221690590e00,
)  # fmt: skip


@njit
def poisson(rng, lam):
    """numpy's `Generator.poisson(lam)`: by multiplying uniforms below 10, else by Hörmann's
    transformed rejection (PTRS). numba's own Generator.poisson truncates PTRS's candidate
    toward zero where numpy takes its floor, and so, now and then, accepts a 0 that numpy
    rejects; this follows numpy."""
    if not lam >= 0:  # numpy refuses a negative or NaN rate too
        raise ValueError("poisson: the rate must be 0 or more")
    if lam >= 10:
        return _ptrs(rng, lam)
    if lam == 0:
        return 0
    limit = np.exp(-lam)
    count, product = 0, 1.0
    while True:
        product *= rng.random()
        if product > limit:
            count += 1
        else:
            return count


@njit
def _ptrs(rng, lam):
    slam, loglam = np.sqrt(lam), np.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    while True:
        u = rng.random() - 0.5
        v = rng.random()
        us = 0.5 - np.fabs(u)
        k = np.int64(np.floor((2 * a / us + b) * u + lam + 0.43))
        if us >= 0.07 and v <= vr:
            return k
        if k < 0 or (us < 0.013 and v > us):
            continue
        if np.log(v) + np.log(invalpha) - np.log(a / (us * us) + b) <= -lam + k * loglam - _loggam(k + 1.0):
            return k


@njit
def _loggam(x):
    """log Γ(x), numpy's `random_loggam`."""
    if x == 1.0 or x == 2.0:
        return 0.0
    n = np.int64(7 - x) if x < 7.0 else 0
    x0 = x + n
    x2 = (1.0 / x0) * (1.0 / x0)
    gl0 = _LOGGAM[9]
    for k in range(8, -1, -1):
        gl0 *= x2
        gl0 += _LOGGAM[k]
    gl = gl0 / x0 + 0.5 * 1.8378770664093453e00 + (x0 - 0.5) * np.log(x0) - x0
    if x < 7.0:
        for _ in range(n):
            gl -= np.log(x0 - 1.0)
            x0 -= 1.0
    return gl


@njit
def multinomial(rng, k, p):
    """numpy's `Generator.multinomial(k, p)`, as floats: a binomial draw per category in turn,
    of the count left, with the category's share of the probability left."""
    out = np.zeros(len(p))
    left, p_left = k, 1.0
    for j in range(len(p) - 1):
        # rounding can leave p_left a hair below p[j]; numpy's C draw takes the ratio as is,
        # which draws the same (all that is left, one uniform spent) as at 1, but numpy's
        # Python-level check (where numba is unavailable) refuses it
        drawn = rng.binomial(left, min(p[j] / p_left, 1.0))
        out[j] = drawn
        left -= drawn
        if left <= 0:
            return out
        p_left -= p[j]
    if left > 0:
        out[-1] = left
    return out
