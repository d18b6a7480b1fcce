"""Where replicates run: in this process, on a process pool, or on a Dask cluster.

All three are seen through the `concurrent.futures.Executor` interface, so an
ensemble does not know which one it uses.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import multiprocessing.forkserver
import os
import re
import select
import signal
import socket
import threading
from concurrent.futures import Executor, Future
from typing import Any

from sim.errors import EnvError, UserError


class ClusterLost(Exception):
    """The cluster a run was sent to cannot take its tasks any more (no workers left)."""


class SerialExecutor(Executor):
    """Runs each task when submitted, in this process (no pickling, easy debugging)."""

    slots = 1  # tasks running at once

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
    if kind == "process":
        start_forkserver()
        return _Processes(workers, _context(), initializer=_worker_start, initargs=(os.getpid(),))
    if kind == "dask":
        return _DaskExecutor.start(workers, address)
    raise UserError(f"--executor: unknown executor {kind!r}; allowed: serial, process, dask")


# What every worker needs, imported once by the forkserver before it forks them: a worker then
# starts in milliseconds, not after seconds of its own imports (sim run: about 2 s each), with
# the compiled kernels already loaded (sim.run.warm: about 0.5 s each).
WORKER_MODULES = ["__main__", "sim.run.ensemble", "sim.run.warm"]
# ...with no thread started by those imports, so that forking it is safe: no BLAS thread pool,
# no background thread of Arrow's allocator (a worker runs one replicate at a time anyway).
SINGLE_THREADED = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "JE_ARROW_MALLOC_CONF": "background_thread:false",
}


def _context(modules: list[str] = WORKER_MODULES) -> multiprocessing.context.BaseContext:
    """Forkserver where there is one (no fork of a threaded parent), else spawn."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(modules)  # no effect once it runs: it has them
    return context


def start_forkserver(dask: bool = False) -> bool:
    """Start the forkserver (once per process), single-threaded, with the workers' modules (and
    Dask's, for a local cluster's workers); False where there is none. The CLI calls it before
    importing the model, so that the two imports overlap."""
    modules = [*WORKER_MODULES, "distributed"] if dask else WORKER_MODULES
    if _context(modules).get_start_method() != "forkserver":
        return False
    unset = [k for k in SINGLE_THREADED if k not in os.environ]  # a user's own setting wins
    os.environ.update({k: SINGLE_THREADED[k] for k in unset})
    # ...and Ctrl-C ignored from its first instruction: it only ignores it itself once its
    # seconds of imports are done, and a Ctrl-C before then printed their traceback. The
    # parent handles Ctrl-C; the workers forked from it ignore it too (as `_worker_start` says).
    main = threading.current_thread() is threading.main_thread()
    old = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        multiprocessing.forkserver.ensure_running()  # the forkserver takes this environment
    finally:
        for k in unset:
            os.environ.pop(k, None)
        if main:
            signal.signal(signal.SIGINT, old)
    return True


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
        self.slots = workers

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if cancel_futures and not wait:
            # the pool's workers, and one a Ctrl-C caught between its start and the pool's
            # record of it (it would wake after this process ended and print a traceback)
            started = {id(p): p for p in multiprocessing.active_children()}
            started.update({id(p): p for p in (self._processes or {}).values()})
            for proc in started.values():
                with contextlib.suppress(OSError, ValueError):  # gone, or closed by the pool's thread
                    proc.terminate()
            _stop_forkserver()  # a worker it has yet to fork would start after this process ends
        super().shutdown(wait=wait, cancel_futures=cancel_futures)


def _stop_forkserver() -> None:
    """End this process's forkserver (the next pool starts another). A Ctrl-C that comes
    while it still imports leaves it forking the workers asked for after this process is
    gone; each then fails to open the pool's queues and prints a traceback."""
    server = getattr(multiprocessing.forkserver, "_forkserver", None)
    pid = getattr(server, "_forkserver_pid", None)
    if pid:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
        with contextlib.suppress(OSError, AttributeError):  # forget it (and reap it), so that
            server._stop()  # a later pool in this process starts a new one, not the dead one's


# Files this process holds open for a local Dask cluster (measured: 31 with one worker, 166 with
# 16, once started; more while workers start and shards are written), with a margin.
CLUSTER_FILES, WORKER_FILES = 40, 12


def _open_files_for(workers: int) -> None:
    """Raise this process's open-files limit to its hard limit where that is needed for a local
    cluster of `workers`, or stop in one line: under the limit, the workers' start failed with a
    traceback each, and a run that got going printed one for every connection refused."""
    try:
        import resource
    except ImportError:  # not POSIX: no such limit to check
        return
    need = CLUSTER_FILES + WORKER_FILES * workers
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= need:
        return
    if hard == resource.RLIM_INFINITY or hard >= need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))
        return
    raise EnvError(
        f"--workers {workers}: a local Dask cluster of {workers} workers needs about {need} open "
        f"files and this process may open {hard} (ulimit -n); raise the limit or run fewer workers"
    )


@contextlib.contextmanager
def _interrupt_held():
    """Hold back Ctrl-C until the block has run (then raise it) for steps that must not stop
    half-way; the event tells the block's caller that one came. Off the main thread, no effect."""
    interrupted = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield interrupted
        return
    old = signal.signal(signal.SIGINT, lambda *_: interrupted.set())
    try:
        yield interrupted
    finally:
        signal.signal(signal.SIGINT, old)


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


def _speaks_dask(address: str, seconds: float = 10.0) -> None:
    """One line within `seconds` if what listens at the address does not answer as a Dask
    scheduler does (an HTTP server, say, which would leave a Client waiting forever)."""
    import asyncio

    from distributed.comm import connect

    async def handshake() -> None:
        comm = await asyncio.wait_for(connect(address, timeout=seconds), seconds)
        await comm.close()

    try:
        asyncio.run(handshake())
    except (OSError, TimeoutError, ValueError) as exc:
        reason = " ".join(str(exc).split()) or f"no Dask handshake within {seconds:g} s"
        raise UserError(f"--address: {address!r} does not answer as a Dask scheduler: {reason}") from None


class _DaskExecutor(Executor):
    """A Dask client seen through the concurrent.futures interface.

    Without an address it starts a LocalCluster of `workers` single-threaded worker
    processes on 127.0.0.1 (no dashboard, nothing logged) and closes it on
    shutdown; with an address (tcp://HOST:PORT) it connects to a running scheduler and
    on shutdown only disconnects, cancelling what this run still has queued there.
    """

    CONNECT_TIMEOUT = "10s"
    WORKER_WAIT = 10  # seconds for a remote scheduler to have at least one worker

    def __init__(self, client, cluster=None, workers: int = 0, address: str | None = None) -> None:
        self.client = client
        self.cluster = cluster
        self.local_workers = workers  # a LocalCluster's, known before they all report
        self._inner = client.get_executor(pure=False)
        self._shared: tuple[object, Any] | None = None  # the last object sent to the workers
        self.address = address  # a remote scheduler's, for messages
        self._closing = False  # our own shutdown cancels tasks; the client's own loss does too

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
            _speaks_dask(address)
            try:
                client = Client(address, timeout=cls.CONNECT_TIMEOUT, set_as_default=False)
            except (OSError, TimeoutError, ValueError) as exc:
                reason = " ".join(str(exc).split())
                raise UserError(
                    f"--address: cannot reach a Dask scheduler at {address!r}: {reason}"
                ) from None
            try:  # a scheduler with no workers would take the tasks and never run them
                client.wait_for_workers(1, timeout=cls.WORKER_WAIT)
            except (TimeoutError, OSError):
                client.close()
                raise UserError(
                    f"--address: the Dask scheduler at {address!r} has no workers; start some "
                    f"(dask worker {address}) and run again"
                ) from None
            logging.getLogger("distributed.client").setLevel(logging.CRITICAL)  # its failed
            # reconnects logged tracebacks; a lost scheduler is reported once, as ClusterLost
            return cls(client, address=address)
        import dask

        # the workers fork from our forkserver, which has imported what they need (as for the
        # process pool), instead of starting afresh and importing for seconds each; and they
        # do not sample their own stacks or the GIL every few ms, which holds up pure Python.
        # Every server (the scheduler and each worker's nanny, all in this process, and each
        # worker) times its event loop with a tick every 20 ms by default: at 16 workers, close
        # to a thousand wake-ups a second here, each taking the GIL from the work. Once a
        # second still catches a loop blocked for long (warned at 3 s).
        _open_files_for(workers)
        method = "forkserver" if start_forkserver(dask=True) else "spawn"
        quiet = {
            "distributed.worker.multiprocessing-method": method,
            "distributed.worker.profile.enabled": False,
            "distributed.admin.system-monitor.gil.enabled": False,
            "distributed.admin.tick.interval": "1s",
        }
        # A Ctrl-C while the cluster starts waits until it has: one that broke into its start left
        # workers half-made (Dask's exit hook then failed on them with a traceback) and the
        # forkserver forking workers for a process that had gone (a traceback each).
        with dask.config.set(quiet), _interrupt_held() as interrupted:
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.CRITICAL,  # a failed task or worker is reported by
                # the run; their logs (a missed heartbeat as the cluster closes) were noise
            )
            try:
                client = Client(cluster, set_as_default=False)
            except BaseException:
                cluster.close()
                raise
        executor = cls(client, cluster, workers)
        if interrupted.is_set():
            executor.shutdown(wait=False, cancel_futures=True)
            raise KeyboardInterrupt
        return executor

    @property
    def slots(self) -> int:
        """Worker threads the scheduler has now (on a remote cluster, more than --workers)."""
        return max(1, self.local_workers, sum(self.client.nthreads().values()))

    def submit(self, fn, /, *args, **kwargs) -> Future:
        """The task's future; one the client cancels on its own (it lost the scheduler, which
        cancels every task it holds) fails with ClusterLost instead of a bare CancelledError."""
        inner = self._inner.submit(fn, *(self._share(arg) for arg in args), **kwargs)
        outer: Future = Future()

        def relay(done: Future) -> None:
            if done.cancelled():
                if not self._closing:
                    where = f"at {self.address}" if self.address else "of this run"
                    outer.set_exception(ClusterLost(f"lost the Dask scheduler {where} mid-run"))
                else:
                    outer.cancel()
                    outer.set_running_or_notify_cancel()
            elif (error := done.exception()) is not None:
                outer.set_exception(error)
            else:
                outer.set_result(done.result())

        inner.add_done_callback(relay)
        return outer

    def _share(self, arg):
        """An object argument (the scenario, some 80 kB pickled) goes to the workers once, and
        tasks refer to it: sent with every task, it cost this process (which hosts the scheduler)
        about twice the CPU per task. Numbers and lists go with the task."""
        if arg is None or isinstance(arg, (int, float, str, list, tuple)):
            return arg
        if self._shared is None or self._shared[0] is not arg:
            try:
                self._shared = (arg, self.client.scatter(arg, broadcast=True, hash=False))
            except (TimeoutError, OSError) as exc:  # not the results folder's fault
                raise ClusterLost(f"the Dask cluster has no workers left ({exc})") from None
        return self._shared[1]

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._closing = True
        try:
            self._inner.shutdown(wait=wait and not cancel_futures)
        finally:
            with _interrupt_held() as interrupted:  # a Ctrl-C now would leave workers half-closed
                self.client.close()
                if self.cluster is not None:
                    self.cluster.close()
            if interrupted.is_set() and wait:  # an interrupted run is already on its way out
                raise KeyboardInterrupt
