"""The compiled kernels: compiled at first call, and one may call another."""

import importlib

from sim.jit import COMPILED

KERNELS = """
from sim.jit import njit


@njit
def inner(x):
    return x + 1


@njit
def outer(x):
    return inner(x) * 2
"""


def test_a_compiled_function_may_call_another_compiled_at_its_first_call(tmp_path, monkeypatch):
    """A fresh machine has no cached machine code: the caller is compiled after its callee,
    whatever order they are first called in (numba needs the callee compiled)."""
    (tmp_path / "lazy_kernels_demo.py").write_text(KERNELS, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    demo = importlib.import_module("lazy_kernels_demo")
    assert demo.outer(1) == 4
    assert demo.inner(1) == 2
    assert hasattr(demo.outer, "compile_lazily") == COMPILED
