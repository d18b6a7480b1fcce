"""The Dask executor gives the serial executor's tables, on a local cluster and on a remote scheduler.

Skipped unless the optional extra is installed (pip install -e ".[dask]"). Loopback only.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("distributed")

from distributed import Client

from sim.errors import UserError
from sim.run.ensemble import run_ensemble
from sim.run.executors import _DaskExecutor, make_executor
from sim.run.store import load_results
from sim.scenario import load_scenario
from tests.conftest import S2023

HOST = "127.0.0.1"


@pytest.fixture(scope="module")
def tiny():
    s = load_scenario(S2023)
    return s.with_run(end=s.start + dt.timedelta(days=6), replicates=4)


@pytest.fixture(scope="module")
def serial(tiny, tmp_path_factory):
    out = tmp_path_factory.mktemp("serial") / "out"
    run_ensemble(tiny, out, executor="serial", workers=1, progress=False)
    return load_results(out)


def _assert_same(path: Path, serial) -> None:
    res = load_results(path)
    assert res.manifest["status"] == "complete" and not res.manifest["failures"]
    pd.testing.assert_frame_equal(res.timeseries, serial.timeseries)
    pd.testing.assert_frame_equal(res.final_control, serial.final_control)


def test_local_cluster_matches_serial(tiny, serial, tmp_path):
    report = run_ensemble(tiny, tmp_path / "dask", executor="dask", workers=2, progress=False)
    assert report.done == 4 and not report.failures and not report.interrupted
    _assert_same(tmp_path / "dask", serial)


def test_a_scenario_goes_to_the_workers_once(tiny):
    """Tasks of one scenario refer to one copy of it on the workers, not one each."""
    pool = make_executor("dask", 2)
    try:
        names = [pool.submit(getattr, tiny, "name").result() for _ in range(3)]
        held = {key for keys in pool.client.has_what().values() for key in keys}
        other = pool.submit(getattr, tiny.with_run(end=tiny.start + dt.timedelta(days=2)), "days").result()
    finally:
        pool.shutdown()
    assert names == [tiny.name] * 3 and other == 3  # another scenario is another copy
    assert len([k for k in held if str(k).startswith("Scenario-")]) == 1


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _dask_cli() -> list[str]:
    exe = Path(sys.executable).parent / "dask"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("dask")
    if found is None:
        pytest.skip("the `dask` command is not installed")
    return [found]


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.mark.slow  # starts a scheduler and a worker process: 4-6 s
def test_remote_scheduler_matches_serial(tiny, serial, tmp_path):
    address = f"tcp://{HOST}:{_free_port()}"
    dask = _dask_cli()
    procs: list[subprocess.Popen] = []
    logs = []
    try:
        for name, args in (
            (
                "scheduler",
                ["scheduler", "--host", HOST, "--port", address.rsplit(":", 1)[1], "--no-dashboard"],
            ),
            (
                "worker",
                [
                    "worker",
                    address,
                    "--host",
                    HOST,
                    "--nworkers",
                    "1",
                    "--nthreads",
                    "1",
                    "--no-dashboard",
                    "--local-directory",
                    str(tmp_path / "dask-worker"),
                ],
            ),
        ):
            log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 (closed in finally)
            logs.append(log)
            procs.append(subprocess.Popen([*dask, *args], stdout=log, stderr=subprocess.STDOUT))
        with Client(address, timeout="30s", set_as_default=False) as client:
            client.wait_for_workers(1, timeout=30)
        report = run_ensemble(
            tiny, tmp_path / "remote", executor="dask", workers=1, address=address, progress=False
        )
        assert report.done == 4 and not report.failures and not report.interrupted
        _assert_same(tmp_path / "remote", serial)
    finally:
        for proc in reversed(procs):  # worker first, then the scheduler
            _stop(proc)
        for log in logs:
            log.close()
    assert all(p.poll() is not None for p in procs)


def test_unreachable_scheduler_is_a_user_error(monkeypatch):
    monkeypatch.setattr(_DaskExecutor, "CONNECT_TIMEOUT", "1s")
    address = f"tcp://{HOST}:{_free_port()}"  # nothing listens there
    with pytest.raises(UserError, match="cannot reach a Dask scheduler"):
        make_executor("dask", 1, address)


def test_a_server_that_is_no_scheduler_is_one_line_not_a_hang():
    """An HTTP server at --address accepts the connection and never answers as Dask does."""
    import http.server
    import threading

    from sim.run.executors import _speaks_dask

    server = http.server.ThreadingHTTPServer((HOST, 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(UserError, match="does not answer as a Dask scheduler"):
            _speaks_dask(f"tcp://{HOST}:{server.server_address[1]}", seconds=1)
    finally:
        server.shutdown()


@pytest.mark.slow  # starts a scheduler process: 2-4 s
def test_a_scheduler_without_workers_is_named_not_the_results_folder(monkeypatch, tmp_path):
    """Before: the tasks' wait timed out inside the run and was reported as a failed write to
    --out. Now the scheduler is named, before any folder exists."""
    monkeypatch.setattr(_DaskExecutor, "WORKER_WAIT", 1)
    address = f"tcp://{HOST}:{_free_port()}"
    with open(tmp_path / "scheduler.log", "w") as log:
        proc = subprocess.Popen(
            [
                *_dask_cli(),
                "scheduler",
                "--host",
                HOST,
                "--port",
                address.rsplit(":", 1)[1],
                "--no-dashboard",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            with Client(address, timeout="30s", set_as_default=False):
                pass  # it is up
            with pytest.raises(UserError, match="has no workers; start some"):
                make_executor("dask", 1, address)
        finally:
            _stop(proc)


def test_a_ctrl_c_while_the_local_cluster_starts_waits_for_it_then_closes_it(tmp_path):
    """Before: a Ctrl-C that broke into the cluster's start left workers half-made, and Dask's
    exit hook and the forkserver's late forks each printed a traceback."""
    script = tmp_path / "start.py"
    script.write_text(
        "import os, signal, distributed.nanny\n"
        "from sim.run import executors\n"
        "start = distributed.nanny.Nanny.start_unsafe\n"
        "async def interrupted_start(self):  # on the cluster's thread, as its workers start\n"
        "    os.kill(os.getpid(), signal.SIGINT)  # the user's Ctrl-C, to the main thread\n"
        "    return await start(self)\n"
        "if __name__ == '__main__':  # the workers' forkserver imports this module too\n"
        "    distributed.nanny.Nanny.start_unsafe = interrupted_start\n"
        "    try:\n"
        "        executors.make_executor('dask', 1)\n"
        "    except KeyboardInterrupt:\n"
        "        print('interrupted after the start')\n"
    )
    proc = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stdout.strip() == "interrupted after the start", proc.stderr
    assert "Traceback" not in proc.stderr and proc.returncode == 0


@pytest.mark.slow  # starts a scheduler and a worker process, then kills the scheduler: 10-20 s
def test_a_scheduler_killed_mid_run_is_one_line_and_keeps_what_was_done(tiny, tmp_path):
    address = f"tcp://{HOST}:{_free_port()}"
    port = address.rsplit(":", 1)[1]
    procs = [
        subprocess.Popen(
            [*_dask_cli(), *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for args in (
            ["scheduler", "--host", HOST, "--port", port, "--no-dashboard"],
            ["worker", address, "--host", HOST, "--nworkers", "1", "--nthreads", "1", "--no-dashboard",
             "--local-directory", str(tmp_path / "dask-worker")],
        )
    ]  # fmt: skip
    out = tmp_path / "out"
    try:
        with Client(address, timeout="30s", set_as_default=False) as client:
            client.wait_for_workers(1, timeout=30)
        cli = ["run", str(S2023), "--replicates", "2000", "--quiet", "--executor", "dask"]
        run = subprocess.Popen(
            [sys.executable, "-m", "sim", *cli, "--address", address, "--out", str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        shards = out / "timeseries.parquet"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (shards.is_dir() and list(shards.glob("part-*"))):
            time.sleep(0.05)
        procs[0].kill()  # the scheduler
        _, err = run.communicate(timeout=120)
    finally:
        for proc in reversed(procs):
            _stop(proc)
    assert run.returncode == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert f"lost the Dask scheduler at {address}" in lines[0] and "continue with --resume" in lines[0]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and 0 < manifest["replicates_done"] < 2000
