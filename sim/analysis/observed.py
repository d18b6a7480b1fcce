"""The record of what happened: the sourced holders of every township on 27 Oct 2023
(sim/data/start.csv) and every sourced change of hands after it (observed/changes.csv),
from which the observed map of any date up to the record's end is rebuilt.

Nothing here reaches into a run: a run starts from `start.csv` and is scored against maps
rebuilt here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from sim import shipped
from sim.analysis.csv_table import read_rows
from sim.errors import UserError
from sim.world.factions import FACTIONS, side_name
from sim.world.geography import Geography

OBSERVED = shipped.path("observed")
CHANGES = OBSERVED / "changes.csv"
RECORD_START = dt.date(2023, 10, 27)  # Operation 1027: the holders in start.csv's holder_2023
START_LABEL = "2023"
HOW = ("assault", "handover", "ceasefire", "withdrawal", "defection")
PRECISION = ("day", "week", "month")
COLUMNS = ("date", "date_precision", "pcode", "from", "to", "how", "source")
NEEDS = "date, date_precision, pcode, township, from, to, how, source"


def read_changes(geo: Geography, path: Path = CHANGES) -> pd.DataFrame:
    """The changes of hands in file order (same-day changes keep their order), checked: a
    known township and factions, a date on or after the record's start, dates in order, and
    each change starting from the holder the earlier ones left. Every mistake is one
    UserError naming the file, the line and what is allowed."""
    holder = {geo.ids[i]: c for i, c in enumerate(geo.control[START_LABEL])}
    rows, last, seen = [], RECORD_START, {}
    for line, row in read_rows(path, COLUMNS, NEEDS):
        where = f"{path}: line {line}"
        pcode = row["pcode"]
        key = (row["date"], pcode, row["from"], row["to"])
        if key in seen:
            raise UserError(
                f"{where}: the same change as line {seen[key]} ({pcode} on {row['date']}); keep one"
            )
        seen[key] = line
        if pcode not in holder:
            close = geo.find(pcode)
            hint = f"; {pcode!r} is township {geo.ids[close]}" if close is not None else ""
            raise UserError(f"{where}: pcode: unknown township {pcode!r}{hint}")
        try:
            day = dt.date.fromisoformat(row["date"])
        except ValueError:
            raise UserError(f"{where}: date: not a date (YYYY-MM-DD): {row['date']!r}") from None
        if day < RECORD_START:
            raise UserError(f"{where}: date: {day} is before the record's start ({RECORD_START})")
        if day < last:
            raise UserError(
                f"{where}: date: {day} comes after a change dated {last}; keep the file in date order"
            )
        for column, allowed in (("how", HOW), ("date_precision", PRECISION)):
            if row[column] not in allowed:
                raise UserError(f"{where}: {column}: {row[column]!r}; allowed: {', '.join(allowed)}")
        for column in ("from", "to"):
            if row[column] not in FACTIONS:
                raise UserError(
                    f"{where}: {column}: unknown faction {row[column]!r}; allowed: {', '.join(FACTIONS)}"
                )
        if row["from"] != holder[pcode]:
            raise UserError(
                f"{where}: from: {row['from']} did not hold {pcode} then; the record has {holder[pcode]} "
                "holding it (start.csv and the changes above)"
            )
        if row["to"] == row["from"]:
            raise UserError(f"{where}: to: the same holder as from ({row['to']})")
        holder[pcode] = row["to"]
        last = day
        rows.append({**row, "date": day, "line": line})
    return pd.DataFrame(rows, columns=[*COLUMNS, "township", "line"])


def observed_map(geo: Geography, at: dt.date, changes: pd.DataFrame) -> pd.DataFrame:
    """Who held every township at the end of `at`: one row per township (pcode, name, state,
    holder, side, since, how, source). `since` is the date of the last change of hands (the
    record's start where none), `how` and `source` that change's."""
    if at < RECORD_START:
        raise UserError(f"the record starts on {RECORD_START}; no observed map for {at}")
    by = {
        pc: (geo.control[START_LABEL][i], RECORD_START, "", "start.csv (27 Oct 2023)")
        for i, pc in enumerate(geo.ids)
    }
    for r in changes[changes["date"] <= at].itertuples(index=False):
        by[r.pcode] = (r.to, r.date, r.how, r.source)
    return pd.DataFrame(
        [
            {"pcode": pc, "name": geo.names[i], "state": geo.state[i], "holder": by[pc][0],
             "side": side_name(by[pc][0]), "since": by[pc][1], "how": by[pc][2], "source": by[pc][3]}
            for i, pc in enumerate(geo.ids)
        ]
    )  # fmt: skip


def record_end(changes: pd.DataFrame) -> dt.date:
    """The last date the record speaks for: 28 Dec 2025 (the replay's end), or a later change."""
    last = max(changes["date"], default=RECORD_START)
    return max(last, dt.date(2025, 12, 28))


def check_covered(at: dt.date, changes: pd.DataFrame, path: Path, key: str = "--at") -> None:
    """One line, naming the record, where it does not speak for the date `at`."""
    if not RECORD_START <= at <= record_end(changes):
        raise UserError(f"{key} {at}: {path} covers {RECORD_START} to {record_end(changes)}")


TOTALS = OBSERVED / "totals.csv"
# The sources' national counts a run can be set beside, and the model's measure that counts the
# same thing (observed/totals.csv's definitions). Counts of towns (not townships) and those
# from before the record's start have none.
COMPARABLE: dict[str, tuple[str, str]] = {
    "townships_with_fighting": ("townships_contested", "contested townships"),
    "townships_junta": ("townships_junta_full", "junta townships with no armed opponent"),
    "townships_census_full": ("townships_junta_full", "junta townships with no armed opponent"),
    "townships_resistance": ("townships_resistance", "resistance-held townships"),
    "townships_contested": ("townships_contested", "contested townships"),
    "townships_census_none": ("townships_not_junta", "townships the junta does not hold"),
    "townships_no_vote": ("townships_not_junta", "townships the junta does not hold"),
    "land_share_junta_full": ("junta_full_control_share", "land of uncontested junta townships"),
    "land_share_junta_not_complete": ("junta_not_full_share", "land outside uncontested junta townships"),
    "land_share_opposition": ("resistance_area_share", "land of resistance-held townships"),
    "land_share_contested": ("junta_contested_share", "land of contested junta townships"),
}
DERIVED = {
    "townships_not_junta": lambda ts: ts["townships_resistance"] + ts["townships_neutral"],
    "junta_not_full_share": lambda ts: 1 - ts["junta_full_control_share"],
    "junta_contested_share": lambda ts: ts["junta_area_share"] - ts["junta_full_control_share"],
}


def read_totals(path: Path = TOTALS) -> pd.DataFrame:
    """The sources' dated counts (date, scope, measure, value, unit, definition, source)."""
    rows = read_rows(path, ("date", "scope", "measure", "value", "unit", "definition", "source"), "totals")
    out = []
    for line, row in rows:
        try:
            out.append({**row, "date": dt.date.fromisoformat(row["date"]), "value": float(row["value"])})
        except ValueError:
            raise UserError(f"{path}: line {line}: date or value: not a date and a number") from None
    return pd.DataFrame(out)


def beside_totals(
    timeseries: pd.DataFrame, totals: pd.DataFrame, on: set[dt.date] | None = None
) -> pd.DataFrame:
    """Each national count of the sources dated within a run (or on the dates `on`), beside
    the model's median and 5-95 % range of the measure that counts the same thing on that
    date, and the CRPS of the replicates' values against the source's (scoringrules)."""
    import scoringrules as sr

    ts = timeseries.assign(**{name: f(timeseries) for name, f in DERIVED.items()})
    dates = pd.to_datetime(ts["date"]).dt.date
    first, last = dates.min(), dates.max()
    rows = []
    for r in totals[(totals["scope"] == "national") & totals["measure"].isin(COMPARABLE)].itertuples():
        if not first <= r.date <= last or (on is not None and r.date not in on):
            continue
        column, meaning = COMPARABLE[r.measure]
        values = ts.loc[dates == r.date, column].to_numpy(float)
        rows.append({
            "date": r.date, "source's measure": r.measure, "observed": r.value, "model measure": meaning,
            "median": np.median(values), "p5": np.quantile(values, 0.05), "p95": np.quantile(values, 0.95),
            "crps": float(sr.crps_ensemble(r.value, values)),
        })  # fmt: skip
    return pd.DataFrame(rows)
