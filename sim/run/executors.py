"""Where replicates run: in this process, on a process pool, or on a Dask cluster.

All three are seen through the `concurrent.futures.Executor` interface, so an
ensemble does not know which one it uses.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import re
import select
import signal
import socket
import threading
from concurrent.futures import Executor, Future

from sim.errors import UserError


class SerialExecutor(Executor):
    """Runs each task when submitted, in this process (no pickling, easy debugging)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        fut: Future = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            fut.set_exception(exc)
        return fut


def make_executor(kind: str, workers: int, address: str | None = None) -> Executor:
    if kind == "serial":
        return SerialExecutor()
    if kind == "process":  # forkserver: no fork of a threaded parent
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        return _Processes(workers, context, initializer=_worker_start, initargs=(os.getpid(),))
    if kind == "dask":
        return _DaskExecutor.start(workers, address)
    raise UserError(f"--executor: unknown executor {kind!r}; allowed: serial, process, dask")


def _worker_start(parent: int) -> None:
    """In each worker process: leave Ctrl-C to the parent, and exit when the parent dies
    (killed even with SIGKILL), so no worker outlives the run."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(parent,), name="exit-with-parent", daemon=True).start()


def _exit_with(parent: int) -> None:
    try:
        fd = os.pidfd_open(parent)  # readable once the process has ended
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):  # no pidfd (old kernel): watch the pid instead
        while True:
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(1)
            threading.Event().wait(1.0)
    select.select([fd], [], [])
    os._exit(1)


class _Processes(cf.ProcessPoolExecutor):
    """A process pool whose shutdown with cancel_futures and no wait also stops the running
    tasks (an interrupted run recomputes their chunks on resume), so nothing lingers."""

    def __init__(self, workers: int, context, **kwargs) -> None:
        super().__init__(max_workers=workers, mp_context=context, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if cancel_futures and not wait:
            for proc in list((self._processes or {}).values()):
                proc.terminate()
        super().shutdown(wait=wait, cancel_futures=cancel_futures)


def _reachable(address: str) -> None:
    """One line, at once, for an address that is not HOST:PORT or where nothing listens."""
    match = re.match(r"^(?:(?:tcp|tls)://)?\[?(?P<host>[^\s\[\]/]+?)\]?:(?P<port>\d{1,5})$", address)
    if not match or not 0 < int(match["port"]) < 65536:
        raise UserError(f"--address: not a scheduler address (tcp://HOST:PORT): {address!r}")
    try:
        socket.create_connection((match["host"], int(match["port"])), timeout=10).close()
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise UserError(f"--address: cannot reach a Dask scheduler at {address!r}: {reason}") from None


class _DaskExecutor(Executor):
    """A Dask client seen through the concurrent.futures interface.

    Without an address it starts a LocalCluster of `workers` single-threaded worker
    processes on 127.0.0.1 (no dashboard, only errors logged) and closes it on
    shutdown; with an address (tcp://HOST:PORT) it connects to a running scheduler and
    on shutdown only disconnects, cancelling what this run still has queued there.
    """

    CONNECT_TIMEOUT = "10s"

    def __init__(self, client, cluster=None) -> None:
        self.client = client
        self.cluster = cluster
        self._inner = client.get_executor(pure=False)

    @classmethod
    def start(cls, workers: int, address: str | None = None) -> _DaskExecutor:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise UserError(
                "--executor dask needs the optional extra: pip install 'myanmar-conflict-sim[dask]'"
            ) from None
        import logging

        if address:
            _reachable(address)  # before a Client, whose failed start hangs and warns at exit
            try:
                client = Client(address, timeout=cls.CONNECT_TIMEOUT, set_as_default=False)
            except (OSError, TimeoutError, ValueError) as exc:
                reason = " ".join(str(exc).split())
                raise UserError(
                    f"--address: cannot reach a Dask scheduler at {address!r}: {reason}"
                ) from None
            return cls(client)
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        try:
            client = Client(cluster, set_as_default=False)
        except BaseException:
            cluster.close()
            raise
        return cls(client, cluster)

    @property
    def slots(self) -> int:
        """Worker threads the scheduler has now (on a remote cluster, more than --workers)."""
        return max(1, sum(self.client.nthreads().values()))

    def submit(self, fn, /, *args, **kwargs) -> Future:
        return self._inner.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        try:
            self._inner.shutdown(wait=wait and not cancel_futures)
        finally:
            self.client.close()
            if self.cluster is not None:
                self.cluster.close()
