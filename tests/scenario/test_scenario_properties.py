"""Property-based tests of the scenario loader: generated files either load and run,
or fail with one clear ScenarioError, never anything else."""

import datetime as dt

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.errors import ScenarioError
from sim.run.replicate import build_model
from sim.scenario import load_scenario, schema
from tests.conftest import write_scenario

KEYS = [
    (table, key, field)
    for table in ("junta", "resistance", "china", "uwsa", "model")
    for key, field in schema.TOP[table].items()
    if not isinstance(field, dict)
]


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return repr(value)


def valid_value(field):
    if field.choices:
        return st.sampled_from(field.choices)
    if field.kind == "bool":
        return st.booleans()
    if field.kind == "int":
        return st.integers(int(field.low), int(min(field.high, 365)))
    lo, hi = field.low, field.high
    point = st.floats(lo, hi, allow_nan=False)
    if field.uncertain:
        pair = st.tuples(point, point).map(sorted)
        return st.one_of(point, pair.map(lambda p: {"dist": "uniform", "low": p[0], "high": p[1]}))
    return point


any_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(
        st.sampled_from(["dist", "low", "high", "mean", "sd", "mode"]),
        st.one_of(st.floats(-5, 5), st.text(max_size=4)),
        max_size=4,
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_file_loads_or_fails_with_one_clear_line(tmp_path, data):
    picks = data.draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=4, unique=True))
    lines = ['extends = "2023_operation_1027.toml"', 'name = "generated"']
    for table, key, _ in picks:
        value = data.draw(any_value)
        if value is None:
            continue
        lines += [f"[{table}]", f"{key} = {_toml_value(value)}"]
    text = "\n".join(lines) + "\n"
    path = write_scenario(tmp_path, text, "gen.toml")
    try:
        load_scenario(path)
    except ScenarioError as err:
        assert err.file.endswith("gen.toml")
        assert "\n" not in str(err)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_valid_file_runs(tmp_path, data):
    picks = data.draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=6, unique=True))
    by_table: dict[str, list[str]] = {}
    for table, key, field in picks:
        by_table.setdefault(table, []).append(f"{key} = {_toml_value(data.draw(valid_value(field)))}")
    text = 'extends = "2023_operation_1027.toml"\nname = "valid"\n[run]\nend = 2023-11-10\n'
    text += "".join(f"[{t}]\n" + "\n".join(v) + "\n" for t, v in by_table.items())
    scenario = load_scenario(write_scenario(tmp_path, text, "valid.toml"))
    model = build_model(scenario, data.draw(st.integers(0, 2**31)), 0)
    model.run()
    assert model.date == dt.date(2023, 11, 10)
    assert np.isfinite(model.recorder.values).all()
