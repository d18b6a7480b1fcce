"""Sums in compiled kernels give numpy's numbers to the last bit, so fusing a numpy sum into
a kernel changes no replicate."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.model.sums import masked_total, pairwise_sum, total

finite = st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(arrays(np.float64, st.integers(0, 1100), elements=finite))
def test_total_is_numpys_sum_bit_for_bit(a):
    assert total(a) == a.sum()


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, st.integers(0, 600), elements=finite), st.integers(0, 2**32 - 1))
def test_masked_total_is_numpys_sum_of_the_selection(a, seed):
    mask = np.random.default_rng(seed).random(len(a)) < 0.5
    assert masked_total(a, mask) == a[mask].sum()


def test_long_sums_split_like_numpys():
    """Past 128 elements numpy halves the range at a multiple of 8; adding in turn differs."""
    rng = np.random.default_rng(3)
    a = rng.normal(0, 1, 5000) * 10.0 ** rng.integers(-8, 8, 5000)
    assert total(a) == a.sum()
    assert pairwise_sum(a, 100, 3000) == a[100:3100].sum()
    in_turn = 0.0
    for x in a:
        in_turn += x
    assert in_turn != a.sum()  # the test can tell the two orders apart
