"""`--force` replaces only a results folder, under its lock, and never deletes work."""

import fcntl
import os

import pytest

from sim.cli import main
from sim.cli.common import replacing
from sim.errors import UserError
from tests.conftest import SHORT_2023, write_scenario


def run_args(tmp_path, out):
    path = write_scenario(tmp_path, SHORT_2023, "short.toml")
    return ["run", str(path), "--replicates", "1", "--workers", "1", "--quiet", "--out", str(out)]


def test_force_refuses_a_folder_that_holds_no_results(tmp_path, capsys):
    out = tmp_path / "thesis"
    out.mkdir()
    (out / "chapter1.tex").write_text("years of work")
    assert main([*run_args(tmp_path, out), "--force"]) == 2
    err = capsys.readouterr().err
    assert "not a results folder" in err and "chapter1.tex" in err and len(err.strip().splitlines()) == 1
    assert (out / "chapter1.tex").read_text() == "years of work"


def test_force_refuses_a_folder_another_process_is_writing(tmp_path, capsys):
    out = tmp_path / "out"
    args = run_args(tmp_path, out)
    assert main(args) == 0
    fd = os.open(out / ".lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running `sim run` holds it
    try:
        assert main([*args, "--seed", "9", "--force"]) == 2
    finally:
        os.close(fd)
    assert "another sim process" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("out")) == ["out"]


def test_force_refuses_the_current_folder(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    args = run_args(tmp_path, out)
    assert main(args) == 0
    monkeypatch.chdir(out)
    assert main([*args[:-1], ".", "--seed", "9", "--force"]) == 2
    assert "current folder" in capsys.readouterr().err


def old_results(tmp_path):
    """A results folder (its manifest says "{}") that a --force run would replace."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text("{}")
    return out


def new_run(ending: str):
    """A run into a folder that writes its manifest, then ends as `ending` says."""

    def work(folder):
        folder.mkdir()
        (folder / "manifest.json").write_text('{"new": 1}')
        if ending == "interrupted":
            raise KeyboardInterrupt
        return 1 if ending == "fails" else 0

    return work


@pytest.mark.parametrize("ending", ["fails", "interrupted"])
def test_a_replacement_that_does_not_finish_keeps_both_folders(tmp_path, ending, capsys):
    out = old_results(tmp_path)
    if ending == "interrupted":
        with pytest.raises(KeyboardInterrupt):
            replacing(out, True, new_run(ending))
    else:
        assert replacing(out, True, new_run(ending)) == 1
    new = [p for p in tmp_path.iterdir() if p.name.startswith("out.new-")]
    assert len(new) == 1 and (new[0] / "manifest.json").read_text() == '{"new": 1}'
    assert (out / "manifest.json").read_text() == "{}"
    err = capsys.readouterr().err
    assert str(new[0]) in err and f"{out} is unchanged" in err


def test_a_successful_replacement_leaves_only_the_new_results(tmp_path, capsys):
    out = old_results(tmp_path)
    assert replacing(out, True, new_run("succeeds")) == 0
    assert (out / "manifest.json").read_text() == '{"new": 1}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert f"replaced {out}" in capsys.readouterr().err


def test_force_on_an_empty_or_missing_folder_just_runs(tmp_path):
    calls = []
    assert replacing(tmp_path / "none", True, lambda f: calls.append(f) or 0) == 0
    assert calls == [tmp_path / "none"]
    with pytest.raises(UserError, match="not a results folder"):
        (tmp_path / "x").mkdir()
        (tmp_path / "x" / "notes.txt").write_text("")
        replacing(tmp_path / "x", True, lambda f: 0)
