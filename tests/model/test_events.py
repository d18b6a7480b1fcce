"""Dated exogenous changes: capabilities and laws change on their date, and only what is allowed."""

from __future__ import annotations

import pytest

from sim.errors import ScenarioError
from sim.run.replicate import build_model
from sim.scenario import load_scenario
from tests.conftest import write_scenario

CHANGE = """
extends = "2023_operation_1027.toml"
name = "drones arrive"
[run]
end = 2023-11-10
[[events]]
date = 2023-11-01
kind = "change"
parameter = "junta.drones"
value = {value}
"""


def test_a_change_event_sets_the_parameter_on_its_date(tmp_path):
    model = build_model(load_scenario(write_scenario(tmp_path, CHANGE.format(value=0.9))), 1, 0)
    before = model.p.junta.drones
    for _ in range(5):  # 27-31 Oct
        model.step()
    assert model.p.junta.drones == before
    while model.date < model.start.replace(month=11, day=1):
        model.step()
    assert model.p.junta.drones == 0.9
    assert model.junta.params.drones == 0.9  # agents read today's parameters


@pytest.mark.parametrize(
    ("event", "key", "message"),
    [
        ('parameter = "junta.strength"\nvalue = 1', "parameter", "not allowed"),
        ('parameter = "junta.drones"\nvalue = 3.0', "value", "out of range"),
        ('parameter = "junta.air_doctrine"\nvalue = "carpet"', "value", "not allowed"),
        ('parameter = "junta.drones"', "value", "missing"),
    ],
)
def test_a_change_event_is_checked_like_the_key_it_sets(tmp_path, event, key, message):
    text = CHANGE.replace('parameter = "junta.drones"\nvalue = {value}', event)
    with pytest.raises(ScenarioError) as err:
        load_scenario(write_scenario(tmp_path, text))
    assert err.value.key.endswith(key) and message in err.value.message
