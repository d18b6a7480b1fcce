"""The notebook in examples/ runs from top to bottom as plain Python, as a reader's would."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ROOT

NOTEBOOK = ROOT / "examples" / "tour.ipynb"


@pytest.mark.slow  # a short ensemble and 60 model days
def test_every_cell_of_the_tour_runs(tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.chdir(ROOT)
    cells = [c for c in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    namespace: dict = {}
    for k, cell in enumerate(cells):
        exec(compile("".join(cell["source"]), f"{NOTEBOOK.name} cell {k}", "exec"), namespace)
        if k == 0:  # the parameters cell: a smaller run, out of the repository
            namespace.update(REPLICATES=3, OUT=tmp_path)
    assert len(namespace["results"].end_state) == 3
    assert namespace["model"].day == 60
    assert set(namespace["link"].index) <= set(namespace["inputs"].columns)
