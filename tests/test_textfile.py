"""User-named text files: only regular files, up to a size limit, with or without a BOM."""

import os

import pytest

from sim.cli import main
from sim.textfile import NotText, read_text
from tests.conftest import S2023


def test_a_byte_order_mark_is_read_as_nothing(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes("\ufeffname = 'x'\n".encode())
    assert read_text(path) == "name = 'x'\n"


def test_a_pipe_is_refused_at_once_not_waited_on(tmp_path):
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    with pytest.raises(NotText, match="not a regular file"):
        read_text(fifo)


def test_a_file_over_the_limit_is_refused(tmp_path):
    path = tmp_path / "big.toml"
    path.write_bytes(b"#" * 101)
    with pytest.raises(NotText, match="more than the 100"):
        read_text(path, limit=100)
    assert read_text(path, limit=101) == "#" * 101


def test_a_scenario_that_extends_a_device_is_one_line(tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text('extends = "/dev/zero"\nname = "x"\n')
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("s.toml: extends: /dev/zero: not a regular file (a pipe, device or socket)")
    assert len(err.splitlines()) == 1


def test_a_scenario_with_a_byte_order_mark_loads(tmp_path, capsys):
    path = tmp_path / "bom.toml"
    path.write_bytes(f'\ufeffextends = "{S2023}"\nname = "with a BOM"\n'.encode())
    assert main(["check", str(path)]) == 0
    assert "with a BOM" in capsys.readouterr().out
