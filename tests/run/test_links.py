"""A results folder cannot be tricked: the lock and the temporaries are never opened through a
link planted in it, and a folder another version of the model wrote is never resumed into."""

from sim.cli import main
from tests.conftest import SHORT_2023, write_scenario


def _run(tmp_path, out, *more):
    path = write_scenario(tmp_path, SHORT_2023, "short.toml")
    args = ["run", str(path), "--replicates", "1", "--workers", "1", "--quiet", "--out", str(out), *more]
    return main(args)


def test_a_planted_lock_link_is_refused_and_its_target_untouched(tmp_path, capsys):
    out = tmp_path / "out"
    assert _run(tmp_path, out) == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (out / ".lock").unlink()
    (out / ".lock").symlink_to(victim)
    assert _run(tmp_path, out, "--resume") == 2
    assert "a link, not this folder's lock" in capsys.readouterr().err
    assert victim.read_text() == "precious"


def test_links_planted_where_temporaries_were_written_are_never_followed(tmp_path):
    out = tmp_path / "out"
    assert _run(tmp_path, out, "--replicates", "1") == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    for name in (".manifest.json.tmp", "timeseries.parquet/.part-0000001.parquet.tmp"):
        (out / name).symlink_to(victim)
    assert _run(tmp_path, out, "--replicates", "2", "--resume") == 0
    assert victim.read_text() == "precious"


def test_results_of_another_model_version_are_never_resumed_into(tmp_path, capsys):
    import json

    out = tmp_path / "out"
    assert _run(tmp_path, out) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["model_version"] = "0123456789abcdef"  # as another version of the model wrote it
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert _run(tmp_path, out, "--replicates", "2", "--resume") == 2
    assert "another version of the model" in capsys.readouterr().err
    assert json.loads((out / "manifest.json").read_text())["replicates_done"] == 1
