"""Random draws inside kernels are numpy's draws, number for number, and leave the generator
where numpy would: moving a draw into a kernel changes no replicate."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.air import sorties
from sim.model.draws import multinomial, poisson

seeds = st.integers(0, 2**32 - 1)
rates = st.one_of(st.just(0.0), st.floats(1e-6, 10.0), st.floats(10.0, 1e4))


def in_step(a: np.random.Generator, b: np.random.Generator) -> bool:
    return a.bit_generator.state == b.bit_generator.state


@settings(max_examples=150, deadline=None)
@given(st.lists(rates, min_size=1, max_size=40), seeds)
def test_poisson_is_numpys(lam, seed):
    ours, numpys = np.random.default_rng(seed), np.random.default_rng(seed)
    drawn = [poisson(ours, x) for x in lam]
    assert drawn == numpys.poisson(lam).tolist()
    assert in_step(ours, numpys)


def test_poisson_takes_the_floor_of_a_negative_candidate():
    """Here numpy's rejection method proposes a negative count and draws again; numba's own
    Generator.poisson truncates it to 0 and accepts it."""
    ours, numpys = np.random.default_rng(23708), np.random.default_rng(23708)
    assert poisson(ours, 11.0) == numpys.poisson(11.0) != 0
    assert in_step(ours, numpys)


@pytest.mark.parametrize("rate", [-1.0, float("nan")])
def test_poisson_refuses_what_numpy_refuses(rate):
    with pytest.raises(ValueError):
        np.random.default_rng(0).poisson(rate)
    with pytest.raises(ValueError):
        poisson(np.random.default_rng(0), rate)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 300), st.lists(st.floats(0.0, 1e3), min_size=1, max_size=200), seeds)
def test_multinomial_is_numpys(k, weight, seed):
    w = np.array(weight)
    if w.sum() <= 0:
        w[-1] = 1.0
    p = w / w.sum()
    ours, numpys = np.random.default_rng(seed), np.random.default_rng(seed)
    np.testing.assert_array_equal(multinomial(ours, k, p), numpys.multinomial(k, p))
    assert in_step(ours, numpys)


@pytest.mark.parametrize("compiled", [True, False])
def test_multinomial_takes_a_share_rounded_above_what_is_left(compiled):
    """After the first category the probability left is a hair below the second's: numpy's C
    draw takes the ratio as is, its Python-level binomial refuses it. The Python loop (what
    runs where numba is unavailable) must draw what numpy does, not fail."""
    p = np.array([0.6066357757671799, 0.7294965609839984, 0.0])
    p /= p.sum()
    assert p[1] / (1.0 - p[0]) > 1.0
    draw = multinomial if compiled else multinomial.__wrapped__
    for seed in range(5):
        ours, numpys = np.random.default_rng(seed), np.random.default_rng(seed)
        np.testing.assert_array_equal(draw(ours, 50, p), numpys.multinomial(50, p))
        assert in_step(ours, numpys)


def test_sorties_are_a_poisson_count_spread_by_weight():
    weight = np.zeros(50)
    weight[[3, 7, 40]] = [1.0, 2.0, 5.0]
    for seed in range(20):
        ours, numpys = np.random.default_rng(seed), np.random.default_rng(seed)
        strikes = sorties(ours, weight, 6.8)
        k = numpys.poisson(6.8)
        np.testing.assert_array_equal(strikes, numpys.multinomial(k, weight / weight.sum()) if k else 0.0)
        assert strikes.sum() == k and not strikes[weight == 0].any()
        assert in_step(ours, numpys)
    assert not sorties(np.random.default_rng(0), np.zeros(50), 6.8).any()
