"""The map: Myanmar's 330 townships (places, at their seat towns) with area, population,
flags and the sourced holders at each scenario's start; the links between neighbours.

Read once from the CSV tables in sim/data (each row names its source; the map's tables
are built by scripts/build_map.py from MIMU's boundaries) and shared read-only by every
replicate.
"""

from __future__ import annotations

import csv
import difflib
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.jit import njit
from sim.world.commands import Commands, assign_commands
from sim.world.factions import FACTIONS

if TYPE_CHECKING:
    import networkx as nx

DATA = Path(__file__).parent.parent / "data"
LAND_AREA_KM2 = 676_578  # Myanmar's land area (CSO)
CENSUS_2014 = 51_486_253  # 2014 census incl. estimated non-enumerated


@dataclass(frozen=True, eq=False)
class Geography:
    """Arrays indexed by township; `control`, `contested` and `presence` keyed by start label
    ("2023": 27 Oct 2023, "2025": 1 Jun 2025)."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    seats: tuple[str, ...]  # the seat town's name (a city's for its central township)
    state: np.ndarray  # str per node
    lat: np.ndarray
    lon: np.ndarray
    area: np.ndarray
    population: np.ndarray
    terrain: np.ndarray  # str per node
    border: np.ndarray  # str per node ("" if none)
    crossing: np.ndarray  # bool: a border trade gate in the township
    china_gates: np.ndarray  # China gates the junta guarded on 27 Oct 2023 (outposts of the township)
    corridor: np.ndarray
    mine: np.ndarray
    hq: np.ndarray  # a regional command's headquarters (commands.csv)
    scam: np.ndarray  # scam compounds China wanted closed (china_interests.csv)
    pipeline: np.ndarray  # the China-Myanmar oil and gas pipelines pass through (china_interests.csv)
    capital: np.ndarray
    control: dict[str, np.ndarray]  # holder of the seat, faction code per township
    contested: dict[str, np.ndarray]  # an armed opponent of the holder in the township
    presence: dict[str, list[tuple[str, ...]]]  # armed factions in the township other than the holder
    presence_inferred: dict[str, np.ndarray]  # that presence rests on no report naming the township
    edge_a: np.ndarray
    edge_b: np.ndarray
    edge_km: np.ndarray
    edge_kind: np.ndarray
    commands: Commands
    lookup: dict[str, int] = field(repr=False)
    places: dict[str, int] = field(repr=False, default_factory=dict)  # towns that are no seat
    spellings: tuple[str, ...] = field(repr=False, default=())  # every name and alias, as written

    @property
    def n(self) -> int:
        return len(self.ids)

    @functools.cached_property
    def states(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.state.tolist())))

    @functools.cached_property
    def csr(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Adjacency as (indptr, neighbour, km), both directions."""
        src = np.concatenate([self.edge_a, self.edge_b])
        dst = np.concatenate([self.edge_b, self.edge_a])
        km = np.concatenate([self.edge_km, self.edge_km])
        order = np.lexsort((dst, src))
        indptr = np.zeros(self.n + 1, dtype=np.int64)
        np.add.at(indptr, src + 1, 1)
        return np.cumsum(indptr), dst[order], km[order]

    @functools.cached_property
    def edge_src(self) -> np.ndarray:
        """The town each CSR entry starts from (parallel to `csr[1]`, its neighbour)."""
        indptr, _, _ = self.csr
        return np.repeat(np.arange(self.n), np.diff(indptr))

    def march_days(self, a: np.ndarray, b: np.ndarray, km_per_day: float) -> np.ndarray:
        """Whole days on the road from a[i] to b[i] at `km_per_day`, at least one (they must be
        neighbours, or the same town)."""
        indptr, nbr, km = self.csr
        a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
        return _march_days(indptr, nbr, km, a, b, km_per_day)

    @functools.cached_property
    def neighbours(self) -> list[list[int]]:
        """Neighbours of each town as plain lists (fast in Python loops)."""
        indptr, nbr, _ = self.csr
        return [nbr[indptr[i] : indptr[i + 1]].tolist() for i in range(self.n)]

    @functools.cached_property
    def china_crossing(self) -> np.ndarray:
        return self.crossing & (self.border == "china")

    def graph(self) -> nx.Graph:
        """The roads as a graph, for Mesa's Network (imported here: only a model needs it)."""
        import networkx as nx

        g = nx.Graph()
        g.add_nodes_from(range(self.n))
        for a, b, km in zip(self.edge_a, self.edge_b, self.edge_km, strict=True):
            g.add_edge(int(a), int(b), km=float(km))
        return g

    def find(self, name: str) -> int | None:
        """Index of a township by P-code, name, seat or a spelling the sources use (any case)."""
        return self.lookup.get(name.strip().casefold())

    def suggest(self, name: str) -> list[str]:
        """What a user may have meant: the township of a town that is no seat, or close names."""
        k = self.places.get(name.strip().casefold())
        if k is not None:
            return [f"{self.names[k]} ({name} is a town in {self.names[k]} township, not its seat)"]
        return difflib.get_close_matches(name, self.spellings or self.names, n=3, cutoff=0.5)


def _flag(row: dict[str, str], key: str) -> bool:
    return row.get(key, "").strip() in ("1", "true", "True", "yes")


@functools.lru_cache(maxsize=4)
def load_geography(folder: str | Path = DATA) -> Geography:
    """Load the township map (townships.csv, neighbours.csv), the regional commands
    (commands.csv), China's interests (china_interests.csv) and the sourced start of each
    scenario date (start.csv) from a folder (default: the package's data)."""
    folder = Path(folder)
    rows, links, start, command_rows = (
        read_table(folder / name) for name in ("townships.csv", "neighbours.csv", "start.csv", "commands.csv")
    )
    ids = tuple(r["pcode"].strip() for r in rows)
    index = {i: k for k, i in enumerate(ids)}
    lookup: dict[str, int] = {}
    spellings: list[str] = []
    for k, r in enumerate(rows):
        for name in [r["name"], r.get("seat", ""), *r.get("aliases", "").split(";"), r["pcode"]]:
            if name.strip() and name.strip().casefold() not in lookup:
                lookup[name.strip().casefold()] = k
                spellings.append(name.strip())
    places = {
        place.strip().casefold(): k
        for k, r in enumerate(rows)
        for place in r.get("places", "").split(";")
        if place
    }
    by_pcode = {r["pcode"].strip(): r for r in start}
    missing = [i for i in ids if i not in by_pcode]
    if missing:
        raise ValueError(f"start.csv: no row for townships {missing[:5]}")
    start_rows = [by_pcode[i] for i in ids]
    labels = sorted(c.removeprefix("holder_") for c in start[0] if c.startswith("holder_"))
    control, contested, presence, inferred = {}, {}, {}, {}
    for label in labels:
        control[label] = np.array([r[f"holder_{label}"].strip() for r in start_rows])
        bad = set(control[label]) - set(FACTIONS)
        if bad:
            raise ValueError(f"start.csv: holder_{label}: unknown factions {sorted(bad)}")
        contested[label] = np.array([r[f"contested_{label}"].strip() == "1" for r in start_rows])
        presence[label] = [
            tuple(p.strip() for p in r.get(f"presence_{label}", "").split(";") if p.strip())
            for r in start_rows
        ]
        inferred[label] = np.array(
            [r.get(f"presence_basis_{label}", "").strip() == "inferred" for r in start_rows]
        )
    a = np.array([index[r["a"].strip()] for r in links], dtype=np.int64)
    b = np.array([index[r["b"].strip()] for r in links], dtype=np.int64)
    km = np.array([float(r["length_km"]) for r in links])
    commands = assign_commands(command_rows, [r["part"].strip() for r in rows], lookup, (a, b, km))
    china = _china_interests(read_table(folder / "china_interests.csv"), lookup, len(rows))
    col = lambda key: np.array([r[key].strip() for r in rows])  # noqa: E731
    flag = lambda key: np.array([_flag(r, key) for r in rows])  # noqa: E731
    return Geography(
        ids=ids,
        names=tuple(r["name"].strip() for r in rows),
        seats=tuple(r["seat"].strip() for r in rows),
        state=col("state"),
        lat=col("lat").astype(float),
        lon=col("lon").astype(float),
        area=col("area_km2").astype(float),
        population=col("population").astype(float),
        terrain=col("terrain"),
        border=col("border"),
        crossing=flag("crossing"),
        china_gates=col("china_gates").astype(float),
        corridor=flag("trade_corridor"),
        mine=flag("mine"),
        hq=np.isin(np.arange(len(rows)), commands.hq),
        scam=china["scam"],
        pipeline=china["pipeline"],
        capital=flag("capital"),
        control=control,
        contested=contested,
        presence=presence,
        presence_inferred=inferred,
        edge_a=a,
        edge_b=b,
        edge_km=km,
        edge_kind=np.array([r["kind"].strip() for r in links]),
        commands=commands,
        lookup=lookup,
        places=places,
        spellings=tuple(spellings),
    )


def _china_interests(rows: list[dict[str, str]], lookup: dict[str, int], n: int) -> dict[str, np.ndarray]:
    """Per interest (scam, pipeline), the townships China has it in."""
    china = {kind: np.zeros(n, dtype=bool) for kind in ("scam", "pipeline")}
    for r in rows:
        k = lookup.get(r["township"].strip().casefold())
        if k is None or r["interest"] not in china:
            raise ValueError(f"china_interests.csv: {r['township']!r}, {r['interest']!r}: unknown")
        china[r["interest"]][k] = True
    return china


def read_table(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@njit
def _march_days(indptr, nbr, km, a, b, km_per_day):
    days = np.ones(len(a), dtype=np.int64)
    for i in range(len(a)):
        if a[i] == b[i]:
            continue
        for e in range(indptr[a[i]], indptr[a[i] + 1]):
            if nbr[e] == b[i]:
                days[i] = max(1.0, np.ceil(km[e] / km_per_day))
                break
        else:
            raise ValueError("march_days: the towns are not neighbours")
    return days
