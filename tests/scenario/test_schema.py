"""The schema documents itself: docs/ODD.md and `sim check` messages are generated from it."""

from sim.scenario import schema
from sim.scenario.fields import leaves, spec_of
from sim.scenario.rules import ModelParams
from sim.world.factions import RESISTANCE

UNDOCUMENTED = ("name", "description")  # self-explanatory top-level keys


def test_full_covers_every_table():
    paths = [path for path, _ in leaves(schema.FULL)]
    assert len(paths) == len(set(paths))
    for path in ("run.seed", "junta.conscription.monthly_intake", "china.trade_share.neutral"):
        assert path in paths
    assert {f"factions.{code}.strength" for code in RESISTANCE} <= set(paths)
    assert [p for p in paths if p.startswith("model.")] == [
        "model." + p for p, _ in leaves(spec_of(ModelParams))
    ]


def test_every_key_has_help():
    missing = [path for path, f in leaves(schema.FULL) if path not in UNDOCUMENTED and not f.help.strip()]
    assert not missing, f"keys without help: {missing}"


def test_uncertain_numbers_have_their_default_within_range():
    """Otherwise the file's default would itself fail `sim check`, and sensitivity ranges mislead."""
    uncertain = [(path, f) for path, f in leaves(schema.FULL) if f.kind == "float" and f.uncertain]
    assert len(uncertain) > 50
    bad = [
        path
        for path, f in uncertain
        if f.low is None or f.high is None or f.default is None or not f.low <= f.default <= f.high
    ]
    assert not bad, f"default outside [low, high]: {bad}"


def test_every_number_of_the_rules_has_a_source():
    """A citation, "calibration" or "assumption": the ODD table's source column must never be blank."""
    fields = list(leaves(spec_of(ModelParams)))
    assert len(fields) > 50
    missing = [path for path, f in fields if not f.source.strip()]
    assert not missing, f"model keys without a source: {missing}"
