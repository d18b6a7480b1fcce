"""The schema walker and dotted-path helpers, on a tiny section declared here."""

import dataclasses
from dataclasses import dataclass

import pytest

from sim.scenario import fields
from sim.scenario.fields import Field, build, get_path, key, leaves, number, section, set_path, spec_of


@dataclass(frozen=True)
class _Inner:
    rate: float = number(0.5, 0, 1, "a rate")
    steps: int = key(Field("int", 3, 0, 10, help="some steps"))


@dataclass(frozen=True)
class _Outer:
    name: str = key(Field("str", "x", help="a name"))
    inner: _Inner = section(_Inner)
    tags: tuple[str, ...] = key(Field("strlist", help="some tags"))


def test_spec_of_nests_sections_in_declaration_order():
    spec = spec_of(_Outer)
    assert list(spec) == ["name", "inner", "tags"]
    assert list(spec["inner"]) == ["rate", "steps"]
    rate = Field("float", 0.5, 0, 1, uncertain=True, help="a rate", source=fields.CALIBRATION)
    assert spec["inner"]["rate"] == rate
    assert spec["tags"].kind == "strlist"


def test_leaves_walk_depth_first_in_declaration_order():
    """Sampling draws in this order, so the order fixes which random numbers go where."""
    assert [path for path, _ in leaves(spec_of(_Outer))] == ["name", "inner.rate", "inner.steps", "tags"]
    spec = {"b": Field("int"), "a": {"z": Field("str"), "y": {"x": Field("bool")}}, "c": Field("float")}
    got = list(leaves(spec))
    assert [path for path, _ in got] == ["b", "a.z", "a.y.x", "c"]
    assert [f.kind for _, f in got] == ["int", "str", "bool", "float"]
    assert [path for path, _ in leaves(spec["a"], "a")] == ["a.z", "a.y.x"]


def test_get_path_and_set_path():
    data = {"junta": {"drones": 0.2, "conscription": {"enabled": True}}}
    assert get_path(data, "junta.drones") == 0.2
    assert get_path(data, "junta.conscription.enabled") is True
    assert get_path(data, "junta.conscription") == {"enabled": True}
    with pytest.raises(KeyError):
        get_path(data, "junta.drone")
    set_path(data, "junta.conscription.enabled", False)
    set_path(data, "china.trade_share.neutral", 0.5)  # creates china and china.trade_share
    set_path(data, "name", "x")
    assert data == {
        "junta": {"drones": 0.2, "conscription": {"enabled": False}},
        "china": {"trade_share": {"neutral": 0.5}},
        "name": "x",
    }


def test_build_makes_frozen_typed_sections():
    values = {"name": "a", "inner": {"rate": 0.25, "steps": 4}, "tags": ["p", "q"]}
    built = build(_Outer, values)
    assert built == _Outer(name="a", inner=_Inner(rate=0.25, steps=4), tags=("p", "q"))
    assert isinstance(built.inner, _Inner)
    assert built.tags == ("p", "q")  # lists become tuples, so the whole stays immutable
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.name = "b"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.inner.rate = 0.9  # type: ignore[misc]
    assert values["tags"] == ["p", "q"]  # the input is left alone
