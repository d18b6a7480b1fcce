from pathlib import Path

from sim.scenario.params_doc import BEGIN, END, parameter_table

ROOT = Path(__file__).resolve().parent.parent


def test_odd_parameter_table_matches_the_code(s2023, s2025):
    text = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    start, stop = text.index(BEGIN), text.index(END) + len(END)
    assert text[start:stop] == parameter_table([s2023, s2025]), "docs/ODD.md is out of date: run make docs"


def test_odd_has_every_section():
    text = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    for heading in (
        "Purpose and patterns",
        "Entities, state variables and scales",
        "Process overview and scheduling",
        "Design concepts",
        "Initialisation",
        "Input data",
        "Submodels",
        "Calibration",
    ):
        assert heading in text
