"""A reference to a numpy Generator that compiled kernels take cheaply (`sim.jit.generator_ref`).

numba unboxes a `np.random.Generator` argument through ctypes at every call, about
12 µs; a StructRef that holds one unboxes in about 1 µs, and a kernel draws from its
`.rng` as from the generator itself: the same state, advanced alike. Imported at the
first replicate, with numba, never by a process that only plans runs.
"""

from __future__ import annotations

import numpy as np
from numba import njit, typeof, types
from numba.experimental import structref


@structref.register
class GeneratorRefType(types.StructRef):
    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(t)) for name, t in fields)


class GeneratorRef(structref.StructRefProxy):
    """Holds `rng` (and keeps it alive) for compiled kernels."""

    @property
    def rng(self) -> np.random.Generator:
        return _rng_of(self)


structref.define_proxy(GeneratorRef, GeneratorRefType, ["rng"])
_TYPE = GeneratorRefType(fields=[("rng", typeof(np.random.default_rng(0)))])


@njit(cache=True, nogil=True)
def hold(rng):
    ref = structref.new(_TYPE)
    ref.rng = rng
    return ref


@njit(cache=True, nogil=True)
def _rng_of(ref):
    return ref.rng
