"""A bounded normal is truncated, not clipped: no probability piles up at its bounds."""

import numpy as np
import pytest
from scipy import stats

from sim.scenario.fields import Field
from sim.scenario.scenario import _draw


def _draws(value, field, n=4000):
    rng = np.random.default_rng(3)
    return np.array([_draw(value, field, rng) for _ in range(n)])


def test_bounded_normal_stays_inside_with_no_mass_at_the_bounds():
    value = {"dist": "normal", "mean": 0.5, "sd": 0.3, "low": 0.4, "high": 0.9}
    x = _draws(value, Field("float", 0.5, 0.0, 1.0))
    assert x.min() >= 0.4 and x.max() <= 0.9
    assert np.mean(x == 0.4) == 0 and np.mean(x == 0.9) == 0  # clipping put ~37 % at 0.4
    expected = stats.truncnorm((0.4 - 0.5) / 0.3, (0.9 - 0.5) / 0.3, loc=0.5, scale=0.3)
    assert stats.kstest(x, expected.cdf).pvalue > 0.01
    assert x.mean() == pytest.approx(expected.mean(), abs=0.01)


def test_the_keys_range_truncates_too_and_draws_repeat_with_the_seed():
    value = {"dist": "normal", "mean": 0.95, "sd": 0.2}
    x = _draws(value, Field("float", 0.5, 0.0, 1.0), n=500)
    assert x.max() <= 1.0 and np.mean(x == 1.0) == 0
    np.testing.assert_array_equal(x, _draws(value, Field("float", 0.5, 0.0, 1.0), n=500))
