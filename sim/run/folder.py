"""Opening a results folder for writing: checks on --out, a lock, the manifest, resume.

One process writes a folder at a time (an exclusive `flock` on DIR/.lock, released by
the kernel when the process ends, however it ends). Reopening a folder verifies every
chunk (sim.run.store.verify) and rebuilds the manifest's counts from what the tables
hold, never from what the manifest says.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import functools
import hashlib
import json
import os
import platform
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim import __version__
from sim.errors import UserError, os_error
from sim.run.store import (
    RECORDS,
    SEED_RULE,
    TABLES,
    Shard,
    chunk_name,
    read_manifest,
    read_record,
    verify,
    write_chunk,
    write_json,
)
from sim.scenario import Scenario

LOCK = ".lock"
# what a results folder holds (a run's tables, records and manifest; a comparison's compare.json)
RESULTS_MARKERS = ("manifest.json", "compare.json", RECORDS, *(f"{t}.parquet" for t in TABLES))


def fingerprint(scenario: Scenario, seed: int) -> str:
    """What must match for results to be mixed in one directory: resolved scenario and seed."""
    data = {k: v for k, v in scenario.data.items()}
    data["run"] = {k: v for k, v in data["run"].items() if k not in ("replicates", "seed")}
    posterior = scenario.posterior.digest if scenario.posterior is not None else None
    text = json.dumps({"scenario": data, "seed": seed, "posterior": posterior}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@functools.cache
def model_version() -> str:
    """A digest of everything that decides a replicate's numbers: the model's, the scenario
    layer's and the map's code and data. Results of two versions are never mixed in one folder."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for folder in ("model", "scenario", "world", "data"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".csv", ".toml", ".geojson"):
                h.update(path.relative_to(root).as_posix().encode())
                h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def hold_lock(out: Path) -> int:
    """The folder's lock, held until the returned descriptor is closed (or the process ends);
    refused in one line if another process holds it."""
    path = out / LOCK
    try:  # never through a link planted in the folder
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        raise UserError(
            f"{path}: is a link, not this folder's lock; remove it or choose another --out"
        ) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 32).decode(errors="replace").strip()
        os.close(fd)
        pid = f" (pid {holder})" if holder.isdigit() else ""
        raise UserError(
            f"{out}: another sim process{pid} is writing this folder; "
            "wait for it to end or choose another --out"
        ) from None
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    return fd


def _first_missing(out: Path) -> Path | None:
    """The topmost folder that creating `out` would create (removed again if opening fails)."""
    missing = None
    for p in (out, *out.parents):
        if p.exists() or p.is_symlink():
            break
        missing = p
    return missing


class ResultsDir:
    """A results folder open for writing: its manifest, the replicates done, its lock."""

    def __init__(self, out: Path, manifest: dict[str, Any], done: set[int], lock: int) -> None:
        self.out, self.manifest, self.done, self._lock = out, manifest, done, lock
        self.fingerprint = manifest["fingerprint"]

    @classmethod
    def open(
        cls,
        out: Path,
        scenario: Scenario,
        seed: int,
        replicates: int,
        resume: bool,
        log: Callable[[str], None] = lambda line: None,
    ) -> ResultsDir:
        """Create or reopen `out`; refuse to mix runs, overwrite results or share the folder."""
        if out.exists() and not out.is_dir():
            raise UserError(f"--out {out}: is a file, not a folder; choose another --out")
        created = _first_missing(out)
        try:
            out.mkdir(parents=True, exist_ok=True)
            had_lock = (out / LOCK).exists()
            lock = hold_lock(out)
        except OSError as exc:
            raise os_error(exc, "--out") from None
        try:
            folder = cls._open(out, scenario, seed, replicates, resume, log, lock)
            folder.save()
            return folder
        except BaseException:
            if not had_lock:
                (out / LOCK).unlink(missing_ok=True)
            os.close(lock)
            if created is not None:
                shutil.rmtree(created, ignore_errors=True)
            raise

    @classmethod
    def _open(cls, out, scenario, seed, replicates, resume, log, lock) -> ResultsDir:
        fp = fingerprint(scenario, seed)
        for stale in out.glob(".manifest.json.*.tmp"):  # a kill left it half written; the lock is ours
            stale.unlink()
        held = sorted(p.name for p in out.iterdir() if p.name != LOCK)
        fresh = cls._new_manifest(scenario, seed, replicates, fp)
        if not held:
            for table in TABLES:
                (out / f"{table}.parquet").mkdir(exist_ok=True)
            return cls(out, fresh, set(), lock)
        ours = any(name in RESULTS_MARKERS for name in held)
        if not ours:
            raise UserError(
                f"--out {out}: not empty and not a results folder (holds {held[0]!r}); "
                "choose a new or empty --out"
            )
        if not resume:
            raise UserError(
                f"--out {out}: already holds results; use --resume to continue it or choose another --out"
            )
        expect = {"timeseries": scenario.days, "parameters": 1, "final_control": scenario.geography.n}
        shards = [p for t in TABLES for p in out.glob(f"{t}.parquet/*")]
        if not (out / "manifest.json").exists() and not shards and not any(out.glob(f"{RECORDS}/*")):
            return cls(out, fresh, set(), lock)  # killed before it wrote anything: start afresh
        try:
            manifest = read_manifest(out)
        except UserError as exc:  # rebuilt from the chunk records if they say they are this run's
            records = [read_record(out, p.stem) for p in out.glob(f"{RECORDS}/part-*.json")]
            if {r.get("fingerprint", "") for r in records if r} - {""} != {fp}:
                raise UserError(f"{exc}; cannot tell which run it belongs to; choose another --out") from None
            log(f"{out}/manifest.json: missing or damaged; rebuilt from the chunk records")
            manifest = fresh
        if manifest.get("fingerprint") != fp:
            raise UserError(
                f"--out {out}: holds results of a different scenario or seed "
                f"({manifest.get('scenario_path')}, seed {manifest.get('seed')}); refusing to mix them"
            )
        if manifest.get("model_version") != model_version():
            raise UserError(
                f"--out {out}: holds results of another version of the model "
                f"(commit {str(manifest.get('git_commit'))[:10]}); resuming would mix two models: "
                "use --force to replace them or choose another --out"
            )
        check = verify(out, expect, fp)
        for note in check.notes:
            log(note)
        for table in TABLES:
            (out / f"{table}.parquet").mkdir(exist_ok=True)
        manifest["replicates"] = max(replicates, max(check.done, default=-1) + 1)
        if manifest["replicates"] > replicates:
            log(
                f"{out} already holds {len(check.done)} replicates, more than the {replicates} asked for; "
                "keeping them all"
            )
        manifest["replicates_done"] = len(check.done)
        old = manifest.get("failures", [])
        manifest["failures"] = [f for f in old if f.get("replicate") not in check.done]
        return cls(out, manifest, check.done, lock)

    @staticmethod
    def _new_manifest(scenario: Scenario, seed: int, replicates: int, fp: str) -> dict[str, Any]:
        return {
            "scenario_path": scenario.path,
            "scenario_name": scenario.name,
            "scenario": scenario.data,
            "seed": seed,
            "seeds": SEED_RULE,
            "replicates": replicates,
            "replicates_done": 0,
            "fingerprint": fp,
            "model_version": model_version(),
            "package_version": __version__,
            "git_commit": _git_commit(),
            "python": platform.python_version(),
            "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "finished": None,
            "status": "running",
            "mesa_agents_at_start": None,
            "failures": [],
        }

    @property
    def total(self) -> int:
        return self.manifest["replicates"]

    @property
    def complete(self) -> bool:
        return all(r in self.done for r in range(self.total))

    def add(self, replicates: list[int], shards: dict[str, Shard], failures: list[dict[str, Any]]) -> None:
        """A finished chunk: its shards and record, then the manifest. The shards are named by
        the chunk's first replicate done: no other chunk holds it, so none is overwritten (a
        chunk whose first replicate failed, run again on resume, takes that replicate's name)."""
        if replicates:
            write_chunk(self.out, min(replicates), replicates, shards, self.fingerprint)
        self.done.update(replicates)
        tried = {*replicates, *(f["replicate"] for f in failures)}
        kept = [f for f in self.manifest["failures"] if f["replicate"] not in tried]
        self.manifest["failures"] = [*kept, *failures]
        self.save()

    def save(self, status: str = "running") -> None:
        self.manifest["replicates_done"] = len(self.done)
        self.manifest["status"] = status
        if status != "running":
            self.manifest["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        write_json(self.out / "manifest.json", self.manifest)

    def close(self) -> None:
        if self._lock >= 0:
            os.close(self._lock)
            self._lock = -1


__all__ = ["RECORDS", "ResultsDir", "chunk_name", "fingerprint"]
