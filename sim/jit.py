"""Compilation of the daily step's hot loops with numba.

The loops are plain Python over arrays, written to give the same numbers in the
same order as the numpy expressions they replace. numba compiles them on first
use and caches the machine code next to the source, so worker processes load it
instead of compiling again. Where numba cannot be imported the same loops run as
Python: correct, only slower.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

try:
    from numba import njit as _njit
except ImportError:  # pragma: no cover - numba is a dependency; this keeps a platform without it working
    _njit = None

COMPILED = _njit is not None


def njit(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Compile `fn` (cached on disk, no fast-math: results stay bit-identical to numpy's)."""
    if _njit is None:  # pragma: no cover
        return fn
    return _njit(cache=True, nogil=True)(fn)
