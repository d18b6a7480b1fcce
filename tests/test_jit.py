"""The compiled kernels: compiled at first call, and one may call another."""

import importlib
import subprocess
import sys
from pathlib import Path

import numpy as np

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
    # once compiled, the module's own name for a kernel is numba's dispatcher, not the wrapper
    assert hasattr(demo.outer, "compile_lazily") != COMPILED
    assert hasattr(demo.inner, "compile_lazily") != COMPILED


def test_a_kernel_draws_from_the_generator_it_is_handed_by_reference():
    """The reference is the model's generator, not a copy: draws in a kernel and outside it
    come from one stream, as if numpy had made them all."""
    from sim.jit import generator_ref, njit

    @njit
    def three(draws):
        return draws.rng.random(), draws.rng.random(), draws.rng.random()

    rng, fresh = np.random.default_rng(7), np.random.default_rng(7)
    ref = generator_ref(rng)
    assert generator_ref(rng) is ref  # made once for a generator, however many calls
    assert ref.rng is rng
    drawn = [*three(ref), rng.random(), *three(generator_ref(rng))]
    assert drawn == fresh.random(7).tolist()
    other = np.random.default_rng(7)
    assert three(generator_ref(other)) == tuple(np.random.default_rng(7).random(3))


RUN_30_DAYS = """
import datetime as dt, hashlib, sys
import sim.jit
sim.jit.COMPILED = sys.argv[1] == "compiled"  # as where numba cannot be imported, if not
from sim.run.replicate import build_model
from sim.scenario import load_scenario
s = load_scenario("scenarios/2025_counteroffensive.toml")
m = build_model(s.with_run(end=s.start + dt.timedelta(days=29)), 1, 0)
m.run()
print(hashlib.sha256(m.recorder.values.tobytes() + repr(m.recorder.changes).encode()).hexdigest())
"""


def test_without_numba_the_same_loops_give_the_same_numbers():
    """Where numba cannot be imported the kernels run as plain Python: slower, with the same
    tables (a month of the 2025 file, in fresh interpreters)."""
    root = Path(__file__).resolve().parents[1]

    def digest(mode: str) -> str:
        out = subprocess.run(
            [sys.executable, "-c", RUN_30_DAYS, mode], cwd=root, capture_output=True, text=True, check=True
        )
        return out.stdout.strip()

    compiled, python = digest("compiled"), digest("python")
    assert len(compiled) == 64 and compiled == python
