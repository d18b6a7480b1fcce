"""A scenario file that names a posterior draws one particle per replicate, whole, by
weight; a posterior that is missing, damaged, of other rules or of unknown keys is refused
with one line."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sim.errors import ScenarioError
from sim.run.replicate import run_replicate
from sim.scenario import load_scenario
from sim.scenario.posterior import META_KEY, rules_digest
from tests.conftest import write_scenario

NAMES = ["model.drone_effect", "model.air_effect"]
OLD_RULES = {"fitted_until": "2024-06-30", "rules": "0"}  # a digest no version of the rules has


def posterior(path, values, weights, names=NAMES, meta=None):
    table = pa.table({**{n: values[:, k] for k, n in enumerate(names)}, "weight": weights})
    if meta is None:
        meta = {"fitted_until": "2024-06-30", "rules": rules_digest(names)}
    table = table.replace_schema_metadata({META_KEY: json.dumps(meta).encode()})
    pq.write_table(table, path)
    return path


def child(tmp_path, body='posterior = "post.parquet"\n'):
    return write_scenario(tmp_path, f'extends = "2023_operation_1027.toml"\nname = "fitted"\n{body}')


def test_each_replicate_takes_one_particle_whole(tmp_path):
    values = np.array([[0.3, 0.6], [0.9, 1.4], [0.5, 0.8]])
    posterior(tmp_path / "post.parquet", values, np.array([0.2, 0.5, 0.3]))
    s = load_scenario(child(tmp_path))
    s = s.with_run(end=s.start + dt.timedelta(days=1))
    assert str(s.data["run"]["fitted_until"]) == "2024-06-30"
    drawn = []
    for r in range(12):
        params = run_replicate(s, 5, r).tables["parameters"].iloc[0]
        k = int(params["particle"])
        assert [params[n] for n in NAMES] == values[k].tolist()  # a particle's values travel together
        drawn.append(k)
    assert len(set(drawn)) > 1
    again = run_replicate(s, 5, 3).tables["parameters"].iloc[0]
    assert int(again["particle"]) == drawn[3]  # the replicate's own seed picks it


def test_a_particle_of_zero_weight_is_never_drawn(tmp_path):
    posterior(tmp_path / "post.parquet", np.array([[0.3, 0.6], [0.9, 1.4]]), np.array([0.0, 1.0]))
    s = load_scenario(child(tmp_path))
    assert {s.sample(np.random.default_rng(i)).particle for i in range(20)} == {1}
    assert s.sample(np.random.default_rng(0)).model.drone_effect == 0.9


def test_an_empty_name_switches_an_inherited_posterior_off(tmp_path):
    posterior(tmp_path / "post.parquet", np.array([[0.3, 0.6]]), np.array([1.0]))
    path = child(tmp_path)
    write_scenario(tmp_path, f'extends = "{path.name}"\nname = "hand"\nposterior = ""\n', "hand.toml")
    s = load_scenario(tmp_path / "hand.toml")
    assert s.posterior is None and s.sample(np.random.default_rng(0)).particle == -1


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: None, "file not found"),
        (lambda p: p.write_bytes(b"PAR1 but not really"), "not a readable Parquet file"),
        (lambda p: pq.write_table(pa.table({NAMES[0]: [0.5], "weight": [1.0]}), p), "not a posterior"),
        (lambda p: posterior(p, np.ones((1, 1)), np.ones(1), ["model.no_such"],
                             {"fitted_until": "2024-06-30", "rules": "x"}), "unknown key"),
        (lambda p: posterior(p, np.ones((1, 2)), np.ones(1), meta=OLD_RULES),
         "another version of the rules"),
        (lambda p: posterior(p, np.ones((2, 2)), np.array([-1.0, 1.0])), "non-negative"),
        (lambda p: posterior(p, np.full((1, 2), 99.0), np.ones(1)), "outside"),
        (lambda p: posterior(p, np.ones((1, 1)), np.ones(1), ["junta.strength"],
                             {"fitted_until": "2024-06-30", "rules": rules_digest(["junta.strength"])}),
         "outside"),
    ],
)  # fmt: skip
def test_a_bad_posterior_is_one_line_naming_the_file_and_key(tmp_path, make, message):
    make(tmp_path / "post.parquet")
    with pytest.raises(ScenarioError) as err:
        load_scenario(child(tmp_path))
    text = str(err.value)
    assert "test.toml: posterior: " in text and message in text and "\n" not in text


def test_sim_check_refuses_it_with_status_2(tmp_path, capsys):
    from sim.cli import main

    assert main(["check", str(child(tmp_path))]) == 2
    assert "posterior: file not found" in capsys.readouterr().err


def test_a_fitted_until_other_than_the_posterior_s_is_refused(tmp_path):
    posterior(tmp_path / "post.parquet", np.array([[0.3, 0.6]]), np.array([1.0]))
    path = child(tmp_path, 'posterior = "post.parquet"\n[run]\nfitted_until = 2024-01-01\n')
    with pytest.raises(
        ScenarioError, match=r"run\.fitted_until: is 2024-01-01, but the posterior was fitted to 2024"
    ):
        load_scenario(path)


def test_a_value_set_by_a_command_wins_over_the_posterior(tmp_path):
    """A sensitivity point or an explorer lever sets a fitted number for every replicate;
    the file's own value of it gives way to the posterior's."""
    posterior(tmp_path / "post.parquet", np.array([[0.3, 0.6], [0.9, 1.4]]), np.array([0.5, 0.5]))
    s = load_scenario(child(tmp_path, 'posterior = "post.parquet"\n[model]\ndrone_effect = 2.0\n'))
    drawn = {s.sample(np.random.default_rng(i)).model.drone_effect for i in range(20)}
    assert drawn == {0.3, 0.9}
    point = s.with_values({"model.drone_effect": 1.7})
    assert {point.sample(np.random.default_rng(i)).model.drone_effect for i in range(20)} == {1.7}
    assert {point.sample(np.random.default_rng(i)).model.air_effect for i in range(20)} == {0.6, 1.4}
    assert "model.drone_effect" not in point.uncertain() and "model.air_effect" in point.uncertain()


def test_the_shipped_files_draw_their_rules_from_the_fit(s2023, s2025):
    """Both windows and the replay take the fitted numbers from one posterior, fitted to the
    record up to 30 Jun 2024, and each replicate takes a whole particle of it."""
    from tests.conftest import SCENARIOS

    replay = load_scenario(SCENARIOS / "replay_2023_2025.toml")
    for s in (s2023, s2025, replay):
        assert s.posterior is not None and s.posterior.path.endswith("2024-06-30.parquet")
        assert str(s.data["run"]["fitted_until"]) == "2024-06-30"
    post = s2025.posterior
    assert len(post.weights) >= 1000 and set(post.names) <= set(s2025.uncertain())
    params = s2025.sample(np.random.default_rng(11))
    k = params.particle
    assert params.model.drone_effect == post.values[k, post.names.index("model.drone_effect")]
