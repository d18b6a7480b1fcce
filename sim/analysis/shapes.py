"""The township polygons and state outlines the maps draw (sim/data/townships.geojson and
states.geojson, simplified from MIMU's boundaries by scripts/build_map.py; credit MIMU)."""

from __future__ import annotations

import functools
import json

import numpy as np
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.patches import PathPatch
from matplotlib.path import Path

from sim.world.geography import DATA, Geography

CREDIT = "Boundaries: MIMU (simplified)."


def _rings(geom: dict) -> list[list[np.ndarray]]:
    """A (multi)polygon's parts, each a list of rings (the exterior, then its holes)."""
    parts = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
    return [[np.asarray(ring, dtype=float) for ring in part] for part in parts]


def _path(parts: list[list[np.ndarray]]) -> Path:
    """One compound path: holes cut out of their exterior (even-odd filling)."""
    verts, codes = [], []
    for part in parts:
        for ring in part:
            verts.append(ring)
            codes.append([Path.MOVETO] + [Path.LINETO] * (len(ring) - 2) + [Path.CLOSEPOLY])
    return Path(np.concatenate(verts), np.concatenate(codes).astype(np.uint8))


@functools.lru_cache(maxsize=1)
def _township_paths() -> dict[str, Path]:
    doc = json.loads((DATA / "townships.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["pcode"]: _path(_rings(f["geometry"])) for f in doc["features"]}


@functools.lru_cache(maxsize=1)
def _state_lines() -> list[np.ndarray]:
    doc = json.loads((DATA / "states.geojson").read_text(encoding="utf-8"))
    return [ring for f in doc["features"] for part in _rings(f["geometry"]) for ring in part]


def townships(geo: Geography, where: np.ndarray | None = None, **kw) -> PatchCollection:
    """A collection of the map's townships (those `where` is true, if given), in the map's
    order, to colour with `set_array` or facecolors; extra keywords go to the collection."""
    paths = _township_paths()
    patches = [PathPatch(paths[pc]) for k, pc in enumerate(geo.ids) if where is None or where[k]]
    kw = {"edgecolor": "white", "linewidth": 0.15, **kw}
    return PatchCollection(patches, **kw)


def state_outlines(**kw) -> LineCollection:
    """The outlines of the 15 states and regions, for drawing over the townships."""
    kw = {"colors": "0.25", "linewidths": 0.5, **kw}
    return LineCollection(_state_lines(), **kw)


def frame(ax) -> None:
    """Myanmar's extent at its latitude's aspect."""
    ax.set_aspect(1.0 / np.cos(np.radians(20)))
    ax.set_xlim(92, 101.5)
    ax.set_ylim(9.5, 28.6)
    ax.tick_params(labelsize=7)
