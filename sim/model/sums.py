"""Sums inside compiled kernels that give numpy's numbers to the last bit.

numpy adds the elements of an array pairwise (blocks of up to 128 in eight running
sums), not one after another; a kernel that sums a quantity numpy used to sum must
add in the same order, or a fused kernel would change a replicate's numbers.
"""

from __future__ import annotations

import numpy as np

from sim.jit import njit


@njit
def pairwise_sum(a, lo, n):
    """numpy's sum of `a[lo:lo + n]` (`pairwise_sum_DOUBLE` in numpy's `loops_utils.h`): halves,
    split at a multiple of 8, down to blocks of at most 128. The recursion runs on a stack of
    its own (numba cannot cache a recursive function)."""
    if n <= 128:
        return _block(a, lo, n)
    part_lo, part_n = np.empty(96, np.int64), np.empty(96, np.int64)
    joined = np.zeros(96, np.bool_)
    sums = np.empty(48)
    top, done = 1, 0
    part_lo[0], part_n[0] = lo, n
    while top:
        top -= 1
        start, size = part_lo[top], part_n[top]
        if size <= 128:
            sums[done] = _block(a, start, size)
            done += 1
        elif joined[top]:  # both halves are summed: left + right
            done -= 1
            sums[done - 1] = sums[done - 1] + sums[done]
        else:
            half = size // 2
            half -= half % 8
            joined[top] = True  # this part again, once its halves are done
            part_lo[top + 1], part_n[top + 1], joined[top + 1] = start + half, size - half, False
            part_lo[top + 2], part_n[top + 2], joined[top + 2] = start, half, False
            top += 3
    return sums[0]


@njit
def _block(a, lo, n):
    """At most 128 elements: eight running sums, added pairwise, then the rest in turn."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    while i < n - n % 8:
        k = lo + i
        r0, r1, r2, r3 = r0 + a[k], r1 + a[k + 1], r2 + a[k + 2], r3 + a[k + 3]
        r4, r5, r6, r7 = r4 + a[k + 4], r5 + a[k + 5], r6 + a[k + 6], r7 + a[k + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit
def total(a):
    """`a.sum()` for a 1-d float array."""
    return pairwise_sum(a, 0, len(a))


@njit
def masked_total(a, mask):
    """`a[mask].sum()`."""
    picked = np.empty(len(a))
    n = 0
    for i in range(len(a)):
        if mask[i]:
            picked[n] = a[i]
            n += 1
    return pairwise_sum(picked, 0, n)
