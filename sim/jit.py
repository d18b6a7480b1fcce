"""Compilation of the daily step's hot loops with numba.

The loops are plain Python over arrays, written to give the same numbers in the
same order as the numpy expressions they replace. numba compiles them on first
use and caches the machine code next to the source, so worker processes load it
instead of compiling again. numba itself is imported at that first call, not when
the model is imported: a process that never runs a replicate (the parent of a
worker pool, `sim check`) never maps numba and LLVM, about 100 MB. Where numba
cannot be imported the same loops run as Python: correct, only slower.
"""

from __future__ import annotations

import functools
import importlib.util
import os
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np

COMPILED = importlib.util.find_spec("numba") is not None


def njit(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn`, compiled at its first call (cached on disk, no fast-math: results stay
    bit-identical to numpy's). From then on the module's name for it is the compiled
    function itself: this wrapper costs a call about 0.3 µs, a dozen times a day."""
    if not COMPILED:  # pragma: no cover - numba is a dependency; this keeps a platform without it working
        return fn
    dispatcher: Callable[..., Any] | None = None

    def compile_() -> Callable[..., Any]:
        nonlocal dispatcher
        if dispatcher is None:
            from numba import njit as _njit

            # a compiled function that calls another must see it compiled: swap the callee's
            # lazy wrapper in the module for its dispatcher before numba reads the module
            names = fn.__globals__
            for name in fn.__code__.co_names:
                callee = names.get(name)
                if callee is not call and hasattr(callee, "compile_lazily"):
                    names[name] = callee.compile_lazily()
            dispatcher = _njit(cache=True, nogil=True)(fn)
            if names.get(fn.__name__) is call:  # the module's own calls now skip this wrapper
                names[fn.__name__] = dispatcher
        return dispatcher

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        return (dispatcher or compile_())(*args, **kwargs)

    call.compile_lazily = compile_  # type: ignore[attr-defined]
    return call


def cached_here() -> bool:
    """Whether the kernels have been compiled on this machine (numba's cache beside the package
    holds them), or there is nothing to compile; where the package folder cannot be written
    (numba then caches elsewhere) it cannot tell, and says so."""
    from pathlib import Path

    package = Path(__file__).resolve().parent
    if not COMPILED or not os.access(package, os.W_OK):
        return True
    return any(package.rglob("*.nbi"))


_held: tuple[np.random.Generator, Any] | None = None


def generator_ref(rng: np.random.Generator) -> Any:
    """`rng` as a compiled kernel takes it cheaply: an object whose `.rng` is the generator
    (`sim/jit_generator.py`: passing the generator itself costs a kernel call about 12 µs).
    The last one made is kept, so a replicate's many calls make it once (read into a local
    once: what comes back always holds `rng`, whichever thread changed the kept one)."""
    global _held
    held = _held
    if held is None or held[0] is not rng:
        if COMPILED:
            from sim.jit_generator import hold

            held = (rng, hold(rng))
        else:  # pragma: no cover - see njit
            held = (rng, SimpleNamespace(rng=rng))
        _held = held
    return held[1]
