"""The results directory, written and read here only.

    manifest.json                          what ran (resolved scenario, seed, versions), how far it got
    timeseries.parquet/part-NNNNNNN.parquet one shard per chunk of replicates and table,
    control_changes.parquet/...            named by the chunk's first replicate
    final_control.parquet/...
    chunks/part-NNNNNNN.json               the chunk's record, written after its shards: its
                                           replicates and, per table, the shard's rows, bytes, sha256
    .lock                                  held by the process writing the folder (sim.run.folder)

Every file is written to a hidden temporary and renamed into place, so a kill at any
moment leaves only whole files. A chunk is done once its record is in place and every
shard matches it; `verify` decides what is done from the records and the shards of
every table together, removes what a kill left half done or what is damaged (saying
so), and adopts a whole chunk whose record a kill prevented.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import signal
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import UserError

# written in this order: a chunk's final_control, last, is what makes its replicates done
TABLES = ("timeseries", "control_changes", "parameters", "final_control")
# why a township changed hands (control_changes' `cause`): the fighting, the terms of a
# ceasefire a faction decided on, or a dated agreement of the file (never the model's skill)
CAUSES = ("assault", "settlement", "handover", "ceasefire")
DATED_CAUSES = ("handover", "ceasefire")
RECORDS = "chunks"
SEED_RULE = (
    "replicate r uses numpy.random.SeedSequence(seed, spawn_key=(r,)); "
    "its spawn(2) children seed the parameter draw and the model"
)
# Test hook, in the spirit of SQLite's crash tests: SIGKILL this process at the k-th step
# of the write path (before a write, between write and rename, after a rename or removal).
CRASH_AT = "SIM_CRASH_AT"
_steps = 0


def _step() -> None:
    global _steps
    at = os.environ.get(CRASH_AT)
    if at:
        _steps += 1
        if _steps == int(at):
            os.kill(os.getpid(), signal.SIGKILL)


def write_atomic(path: Path, data: bytes) -> None:
    """`data` into `path`, whole or not at all: into a new temporary beside it (created
    exclusively, so a link planted in the folder is never followed), then renamed over it."""
    _step()
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        _step()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _step()


def write_json(path: Path, data: dict[str, Any]) -> None:
    write_atomic(path, json.dumps(data, indent=2, default=str).encode("utf-8"))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def shard(out: Path, table: str, name: str) -> Path:
    return out / f"{table}.parquet" / f"{name}.parquet"


def chunk_name(first: int) -> str:
    return f"part-{first:07d}"


class Shard(NamedTuple):
    """One table of a chunk, already encoded as Parquet: a worker encodes its own shards, so the
    process writing the folder only writes bytes (at many workers, encoding in the writer alone
    would keep them waiting)."""

    data: bytes
    rows: int


def encode(frame: pd.DataFrame) -> Shard:
    buffer = pa.BufferOutputStream()
    frame.to_parquet(buffer, index=False)
    return Shard(buffer.getvalue().to_pybytes(), len(frame))


def write_chunk(
    out: Path, first: int, replicates: list[int], shards: dict[str, Shard], fingerprint: str = ""
) -> None:
    """One shard per table in the order of TABLES, then the chunk's record."""
    name = chunk_name(first)
    record: dict[str, Any] = {"replicates": sorted(replicates), "fingerprint": fingerprint, "tables": {}}
    for table in TABLES:
        data = shards[table].data
        write_atomic(shard(out, table, name), data)
        record["tables"][table] = {
            "rows": shards[table].rows,
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    (out / RECORDS).mkdir(exist_ok=True)
    write_json(out / RECORDS / f"{name}.json", record)


def _span(reps: set[int] | list[int]) -> str:
    reps = sorted(reps)
    if not reps:
        return "none"
    if reps == list(range(reps[0], reps[-1] + 1)):
        return f"{reps[0]}" if len(reps) == 1 else f"{reps[0]}-{reps[-1]}"
    return ", ".join(map(str, reps))


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def read_record(out: Path, name: str) -> dict[str, Any] | None:
    """A chunk's record, or None if it is missing or not one."""
    try:
        rec = json.loads((out / RECORDS / f"{name}.json").read_text(encoding="utf-8"))
        reps = rec["replicates"]
        ok = isinstance(reps, list) and bool(reps) and all(type(r) is int and r >= 0 for r in reps)
        for table in TABLES:
            info = rec["tables"][table]
            ok = ok and type(info["rows"]) is int and type(info["bytes"]) is int
            ok = ok and isinstance(info["sha256"], str)
        return rec if ok else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _check_recorded(out: Path, name: str, rec: dict[str, Any]) -> str | None:
    """What is wrong with a recorded chunk's shards, or None."""
    for table in TABLES:
        path, want = shard(out, table, name), rec["tables"][table]
        try:
            size = path.stat().st_size
        except OSError:
            return f"{path}: missing"
        if size != want["bytes"]:
            return f"{path}: truncated or changed ({size} bytes, {want['bytes']} written)"
        if _sha256(path) != want["sha256"]:
            return f"{path}: damaged (its checksum differs from the one recorded when it was written)"
    return None


def _adopt(out: Path, name: str, expect: dict[str, int] | None) -> tuple[set[int], str | None]:
    """Replicates of a chunk without a valid record if its shards are whole and agree, else a problem."""
    reps: dict[str, set[int]] = {}
    rows: dict[str, int] = {}
    problem = None
    for table in TABLES:
        path = shard(out, table, name)
        try:
            col = pq.read_table(path, columns=["replicate"]).column("replicate")
        except FileNotFoundError:
            problem = problem or f"{path}: missing (the run was stopped while writing this chunk)"
            continue
        except (OSError, pa.ArrowException, KeyError) as exc:
            problem = problem or f"{path}: unreadable ({_one_line(exc)})"
            continue
        reps[table], rows[table] = {int(x) for x in col.unique().to_pylist()}, len(col)
    if problem:
        return set().union(*reps.values()), problem
    done = reps["final_control"]
    bad = (
        not done
        or reps["timeseries"] != done
        or reps["parameters"] != done
        or not reps["control_changes"] <= done
        or min(done) < 0
    ) or (
        expect is not None
        and any(rows[t] != n * len(done) for t, n in expect.items())  # every day, every town
    )
    if bad:
        incomplete = f"{shard(out, 'timeseries', name)}: incomplete chunk"
        return reps["final_control"] | reps["timeseries"], incomplete
    return done, None


def remove_chunk(out: Path, name: str) -> None:
    """Record first: a kill half way leaves an unrecorded, incomplete chunk, removed next time."""
    for path in (out / RECORDS / f"{name}.json", *(shard(out, t, name) for t in TABLES)):
        if path.exists():
            _step()
            path.unlink()


@dataclass
class Check:
    done: set[int] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)  # one line per chunk removed, to be recomputed


def verify(out: Path, expect: dict[str, int] | None = None, fingerprint: str = "") -> Check:
    """What every table holds, checked shard by shard against the chunks' records.

    Removes temporaries, and chunks that are damaged, incomplete or from another
    scenario (one note each); adopts whole chunks whose record is missing (killed
    before it was written). `expect`: rows per replicate of timeseries and final_control.
    """
    check = Check()
    if not out.is_dir():
        return check
    for stale in (*out.glob("*.parquet/.*.tmp"), *out.glob(f"{RECORDS}/.*.tmp")):
        stale.unlink(missing_ok=True)
    names = {p.stem for t in TABLES for p in out.glob(f"{t}.parquet/part-*.parquet")}
    names |= {p.stem for p in out.glob(f"{RECORDS}/part-*.json")}
    for name in sorted(names):
        rec = read_record(out, name)
        if rec is not None:
            reps, problem = set(rec["replicates"]), _check_recorded(out, name, rec)
            if not problem and fingerprint and rec.get("fingerprint") not in ("", fingerprint):
                problem = f"{out / RECORDS / name}.json: from another scenario or seed"
            if not problem:  # the record says which replicates; the shards must hold exactly those
                held, problem = _adopt(out, name, expect)
                if not problem and held != reps:
                    problem = f"{out / RECORDS / name}.json: names other replicates than its shards hold"
                    reps = held
        else:
            reps, problem = _adopt(out, name, expect)
            if not problem:
                record = {"replicates": sorted(reps), "fingerprint": fingerprint, "tables": {}}
                for table in TABLES:
                    path = shard(out, table, name)
                    rows, size = pq.read_metadata(path).num_rows, path.stat().st_size
                    record["tables"][table] = {"rows": rows, "bytes": size, "sha256": _sha256(path)}
                (out / RECORDS).mkdir(exist_ok=True)
                write_json(out / RECORDS / f"{name}.json", record)
        if not problem and reps & check.done:
            problem = f"{shard(out, 'final_control', name)}: repeats replicates of another chunk"
        if problem:
            what = f"replicates {_span(reps)}" if reps else f"the replicates of {name}"
            check.notes.append(f"{problem}; {what} will be recomputed")
            remove_chunk(out, name)
            continue
        check.done |= reps
    return check


@dataclass
class Results:
    path: Path
    manifest: dict[str, Any]
    timeseries: pd.DataFrame
    final_control: pd.DataFrame
    control_changes: pd.DataFrame  # empty for results written before the table existed
    parameters: pd.DataFrame = field(default_factory=pd.DataFrame)  # each replicate's drawn values

    name: str | None = None  # shown in legends and tables; default: the scenario's name

    @property
    def label(self) -> str:
        return self.name or self.manifest.get("scenario_name") or self.path.name

    @property
    def end_state(self) -> pd.DataFrame:
        """The last day of every replicate, one row per replicate."""
        ts = self.timeseries
        return ts[ts["day"] == ts["day"].max()].set_index("replicate").sort_index()


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of a results folder; one-line UserError if there is none or it is damaged."""
    file = path / "manifest.json"
    if not file.is_file():
        raise UserError(f"{path}: not a results folder (no manifest.json)")
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise UserError(f"{file}: damaged, not JSON ({_one_line(exc)})") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("scenario"), dict):
        raise UserError(f"{file}: damaged, not the manifest of a sim run")
    return manifest


def _finished(path: Path) -> dict[str, list[Path]]:
    """Shards of every table: those of recorded chunks, or all shards in folders written
    before chunks were recorded."""
    if (path / RECORDS).is_dir():
        names = sorted(p.stem for p in (path / RECORDS).glob("part-*.json"))
        for name in names:
            rec = read_record(path, name)
            problem = _check_recorded(path, name, rec) if rec else f"{path / RECORDS / name}.json: damaged"
            if problem:
                raise UserError(f"{problem}; repair it with `sim run SCENARIO --out {path} --resume`")
        return {t: [shard(path, t, n) for n in names] for t in TABLES}
    return {t: sorted(path.glob(f"{t}.parquet/part-*.parquet")) for t in TABLES}


def load_ends(path: str | Path) -> Results:
    """A run's first and last day only (what `sim run`'s summary shows), read shard by shard
    with the other days left on disk: memory grows with replicates, not replicates x days."""
    path = Path(path)
    manifest = read_manifest(path)
    files = _finished(path)
    if not files["timeseries"]:
        raise UserError(f"{path}: no finished replicates yet")
    run = manifest["scenario"]["run"]
    last = (dt.date.fromisoformat(str(run["end"])) - dt.date.fromisoformat(str(run["start"]))).days
    days = [("day", "in", [0, last])]
    ts = _read_table(path / "timeseries.parquet", files["timeseries"], path, days)
    _same_columns(path, manifest, ts)
    return Results(path, manifest, ts, pd.DataFrame(), pd.DataFrame())


def _read_table(folder: Path, files: list[Path], run: Path, filters: list | None = None) -> pd.DataFrame:
    parts = []
    for file in files:
        try:
            parts.append(pq.read_table(file, filters=filters))
        except (OSError, pa.ArrowException) as exc:
            raise UserError(
                f"{file}: damaged or missing ({_one_line(exc)}); repair it with "
                f"`sim run SCENARIO --out {run} --resume`"
            ) from None
    frame = pa.concat_tables(parts, promote_options="default").to_pandas()
    keys = [k for k in ("replicate", "day", "pcode") if k in frame.columns]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def _same_columns(path: Path, manifest: dict[str, Any], timeseries: pd.DataFrame) -> None:
    """Refuse, in one line, results another version of the model wrote (other columns)."""
    from sim.model.recorder import COLUMNS

    missing = [c for c in COLUMNS if c not in timeseries.columns]
    if missing:
        written = manifest.get("git_commit") or manifest.get("package_version") or "an unknown version"
        raise UserError(
            f"{path}: written by another version of the model ({str(written)[:10]}): its tables lack "
            f"{', '.join(missing[:3])}{' ...' if len(missing) > 3 else ''}; run it again with this version"
        )


def load_results(path: str | Path) -> Results:
    """Load `sim run` output (the replicates every table holds); one-line UserError if the
    folder is not one, holds nothing finished yet or is damaged."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise UserError(f"{path}: is a file, not a results folder")
    if not path.exists():
        raise UserError(f"{path}: no such results folder")
    manifest = read_manifest(path)
    files = _finished(path)
    if not files["final_control"] or not files["timeseries"]:
        raise UserError(f"{path}: no finished replicates yet")
    tables = {t: _read_table(path / f"{t}.parquet", files[t], path) for t in TABLES if files[t]}
    _same_columns(path, manifest, tables["timeseries"])
    return Results(
        path,
        manifest,
        tables["timeseries"],
        tables["final_control"],
        tables.get("control_changes", pd.DataFrame()),
        tables.get("parameters", pd.DataFrame()),
    )
