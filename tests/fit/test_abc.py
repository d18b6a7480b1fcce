"""The ABC-SMC loop on a toy model whose posterior is known: it finds it, and its answer
depends on the seed only (not on how candidates are batched to workers, nor on a resume)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sim.fit import abc

TRUTH = np.array([0.3, 0.7])


def toy(u: np.ndarray, seeds: list[np.random.SeedSequence]) -> np.ndarray:
    """Two noisy summaries: the first tracks u0, the second u1; a third is pure noise."""
    noise = np.array([np.random.default_rng(s.spawn(1)[0]).normal(0, 0.02, 3) for s in seeds])
    return np.column_stack([u[:, 0], u[:, 1], np.zeros(len(u))]) + noise


OBSERVED = np.array([TRUTH[0], TRUTH[1], 0.0])


def fit(
    settings: abc.Settings, evaluate=toy, gens: list[abc.Generation] | None = None
) -> list[abc.Generation]:
    if gens is None:
        g0, scale = abc.first(settings, 2, OBSERVED, evaluate)
        gens = [g0]
    else:
        scale = abc.scales(gens[0].summaries, OBSERVED)
    while len(gens) < settings.generations:
        gens.append(abc.step(gens[-1], settings, OBSERVED, scale, evaluate, lambda a, t: None))
    return gens


def test_weighted_quantile_by_hand():
    x = np.array([3.0, 1.0, 2.0, 4.0])
    w = np.array([0.1, 0.2, 0.3, 0.4])  # sorted: 1 (0.2), 2 (0.3), 3 (0.1), 4 (0.4)
    assert abc.weighted_quantile(x, w, 0.5) == 2.0  # cumulative 0.2, 0.5 reaches a half at 2
    assert abc.weighted_quantile(x, w, 0.55) == 3.0
    assert abc.weighted_quantile(x, w, 0.95) == 4.0


def test_scales_are_the_median_distance_from_the_record():
    s = np.array([[1.0, 5.0, 2.0], [3.0, 5.0, 2.0], [6.0, 5.0, 2.0]])
    observed = np.array([2.0, 0.0, 2.0])
    # |1-2|, |3-2|, |6-2| -> median 1; a target the prior misses by 5 always -> 5; always met -> 1
    assert abc.scales(s, observed).tolist() == [1.0, 5.0, 1.0]


def test_the_posterior_closes_on_the_truth_and_drops_the_noise():
    gens = fit(abc.Settings(particles=200, generations=5, seed=4))
    last = gens[-1]
    mean = last.weight @ last.u
    assert np.allclose(mean, TRUTH, atol=0.05)
    eps = [g.epsilon for g in gens[1:]]
    assert all(b < a for a, b in itertools.pairwise(eps))  # the tolerance shrinks
    assert last.weight.sum() == pytest.approx(1.0) and last.ess == pytest.approx(200)
    assert all(0 < g.acceptance <= 1 for g in gens) and all(g.moves >= 1 for g in gens[1:])
    assert 50 < last.unique <= 200  # the moves renewed the resampled particles


def test_batching_does_not_change_the_answer():
    """Evaluating candidates one at a time (as one worker would, in any order) or all at
    once gives the same generations: each candidate's draws come from its own (t, i)."""

    def one_by_one(u, seeds):
        rows = [toy(u[i : i + 1], seeds[i : i + 1]) for i in reversed(range(len(u)))]
        return np.concatenate(rows[::-1])

    settings = abc.Settings(particles=40, generations=3, seed=9)
    a, b = fit(settings), fit(settings, one_by_one)
    for x, y in zip(a, b, strict=True):
        assert np.array_equal(x.u, y.u) and np.array_equal(x.weight, y.weight) and x.epsilon == y.epsilon


def test_a_resumed_fit_ends_where_an_unbroken_one_does(tmp_path):
    settings = abc.Settings(particles=30, generations=4, seed=2)
    whole = fit(settings)
    for g in fit(abc.Settings(particles=30, generations=2, seed=2)):
        abc.save(g, tmp_path, ("a", "b"), ("x", "y", "z"))
    loaded = abc.load(tmp_path, ("a", "b"), ("x", "y", "z"))
    resumed = fit(settings, gens=loaded)
    assert np.array_equal(resumed[-1].u, whole[-1].u) and np.array_equal(resumed[-1].weight, whole[-1].weight)


def test_a_damaged_generation_is_computed_again(tmp_path):
    for g in fit(abc.Settings(particles=10, generations=2, seed=1)):
        abc.save(g, tmp_path, ("a", "b"), ("x", "y", "z"))
    (tmp_path / "generation_001.parquet").write_bytes(b"not parquet")
    assert [g.t for g in abc.load(tmp_path, ("a", "b"), ("x", "y", "z"))] == [0]


def test_passes_by_hand():
    """log(0.1) / log(1 - p) passes leave a particle unmoved with chance 0.1."""
    settings = abc.Settings(particles=10, generations=2, seed=0)
    assert abc._passes(0.5, settings) == 4  # 0.5^4 = 0.06 <= 0.1 < 0.5^3
    assert abc._passes(0.9, settings) == 1
    assert abc._passes(0.1, settings) == 8  # 22 wanted, capped at max_moves
    assert abc._passes(0.0, settings) == 8


def test_a_generation_that_accepts_too_few_moves_ends_the_fit():
    from sim.fit.fit import _stop

    settings = abc.Settings(particles=20, generations=5, seed=1, min_acceptance=0.5)
    gens = fit(abc.Settings(particles=20, generations=2, seed=1))
    gens[-1].accepted = 0
    assert _stop(gens, settings) == "generation 1 accepted under 50% of its moves"
    gens[-1].accepted = gens[-1].moves * 20
    assert _stop(gens, settings) == ""
