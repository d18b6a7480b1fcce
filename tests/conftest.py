"""Shared fixtures: the shipped map and scenarios, and small fast scenarios for tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario import load_scenario
from sim.world.geography import load_geography

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
S2023 = SCENARIOS / "2023_operation_1027.toml"
S2025 = SCENARIOS / "2025_counteroffensive.toml"
FITS = SCENARIOS / "fits"


@pytest.fixture(scope="session")
def geo():
    return load_geography()


@pytest.fixture(scope="session")
def s2023():
    return load_scenario(S2023)


@pytest.fixture(scope="session")
def s2025():
    return load_scenario(S2025)


def write_scenario(folder: Path, text: str, name: str = "test.toml") -> Path:
    """A scenario file next to copies of the shipped ones, so `extends` works."""
    for src in (S2023, S2025):
        target = folder / src.name
        if not target.exists():
            target.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    for src in FITS.glob("*.parquet"):  # the posterior they name, beside them as in scenarios/
        target = folder / "fits" / src.name
        if not target.exists():
            target.parent.mkdir(exist_ok=True)
            target.write_bytes(src.read_bytes())
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


SHORT_2023 = """
extends = "2023_operation_1027.toml"
name = "short 2023"
[run]
end = 2023-11-15
replicates = 4
"""
