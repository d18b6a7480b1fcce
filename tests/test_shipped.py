"""The scenario files, the observed record and the brief travel with the package: an installed
wheel (not only this checkout) has them, and `sim.shipped` finds whichever copy there is."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from sim import shipped
from tests.conftest import ROOT


def test_a_checkout_reads_its_own_folders():
    assert shipped.path("scenarios") == ROOT / "scenarios"
    assert shipped.scenario("2025_counteroffensive.toml").is_file()
    assert (shipped.path("observed") / "changes.csv").is_file()
    assert shipped.path("BRIEF.md") == ROOT / "docs" / "BRIEF.md"


def test_an_installed_package_reads_the_copies_inside_it(tmp_path, monkeypatch):
    package = tmp_path / "site-packages" / "sim"
    (package / "_shipped" / "scenarios").mkdir(parents=True)
    monkeypatch.setattr(shipped, "PACKAGE", package)  # no checkout beside it
    assert shipped.scenario("x.toml") == package / "_shipped" / "scenarios" / "x.toml"


@pytest.mark.slow  # builds a wheel: 10-20 s
def test_the_wheel_ships_the_scenarios_the_record_and_the_brief(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    inside = {name.removeprefix("sim/_shipped/") for name in names if name.startswith("sim/_shipped/")}
    scenarios = {p.relative_to(ROOT).as_posix() for p in (ROOT / "scenarios").rglob("*") if p.is_file()}
    observed = {p.relative_to(ROOT).as_posix() for p in (ROOT / "observed").rglob("*") if p.is_file()}
    assert scenarios | observed | {"BRIEF.md"} <= inside
    assert "scenarios/fits/2024-06-30.parquet" in inside and "sim/data/townships.csv" in names
