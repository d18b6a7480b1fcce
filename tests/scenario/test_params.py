"""Scenario.sample: one draw of a scenario as typed, frozen parameters the model reads."""

import dataclasses

import numpy as np
import pytest

from sim.scenario import schema


def _frozen(obj) -> bool:
    return dataclasses.is_dataclass(obj) and type(obj).__dataclass_params__.frozen


def test_sample_gives_frozen_typed_sections(s2025):
    params = s2025.sample(np.random.default_rng(1))
    assert isinstance(params, schema.Params) and _frozen(params)
    for name, cls in schema.SECTION_TYPES.items():
        assert type(getattr(params, name)) is cls and _frozen(getattr(params, name)), name
    assert type(params.junta.conscription) is schema.ConscriptionParams
    assert type(params.china.trade_share) is schema.TradeShareParams
    assert set(params.factions) == set(s2025.data["factions"])
    assert all(type(f) is schema.FactionParams and _frozen(f) for f in params.factions.values())
    assert all(type(e) is schema.Event for e in params.events)
    assert [e.kind for e in params.events] == [e["kind"] for e in s2025.data["events"]]
    assert params.run.start == s2025.start and params.junta.air_doctrine == "preemptive"
    assert isinstance(s2025.data["junta"]["strength"], dict)  # a distribution in the file ...
    assert isinstance(params.junta.strength, float)  # ... one number in the draw
    with pytest.raises(dataclasses.FrozenInstanceError):
        params.junta.drones = 1.0  # type: ignore[misc]


def test_same_seed_same_params_other_seed_other_params(s2025):
    """Replicates are reproducible from their seed alone."""
    a = s2025.sample(np.random.default_rng(7))
    b = s2025.sample(np.random.default_rng(7))
    c = s2025.sample(np.random.default_rng(8))
    assert a == b
    assert a != c
    assert a.junta.strength != c.junta.strength
