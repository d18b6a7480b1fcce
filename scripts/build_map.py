"""Build the township map the package ships from MIMU's township boundaries.

Inputs (not shipped; see the README of the folder given with --inputs):
- mmr_polbnda_adm3_mimu_250k.shp: MIMU's 330 township polygons (P-codes v9.3);
- vulmmr.csv: 2014 census population (with the census's estimate of people it could not
  count) and MIMU land area per township;
- towns_gad_points.csv: GAD town points; the point numbered 701 in a township is its seat;
- sim/data/towns.csv and roads.csv of the earlier 187-town map (git history), for the
  flags (crossings, corridors, mines, commands, capitals), terrain and main roads.

Outputs in sim/data:
- townships.csv: one row per township with a source column;
- neighbours.csv: township pairs that share a border (plus the sea and bridge links the
  islands need), with the seat-to-seat distance and whether a main road links them;
- townships.geojson: simplified polygons for maps, and states.geojson: their outlines.

Needs the build-only extra: pip install -e ".[map]" (pyshp, shapely). Run from the
repository root: python scripts/build_map.py --inputs ../shared/townships
"""

from __future__ import annotations

import argparse
import csv
import functools
import itertools
import json
import math
import subprocess
from collections import Counter, defaultdict
from pathlib import Path

import shapefile
from shapely import LineString, Point, STRtree, make_valid
from shapely.geometry import mapping, shape
from shapely.ops import unary_union

DATA = Path(__file__).resolve().parent.parent / "sim" / "data"
OLD_MAP_COMMIT = "4f46b53"  # the last commit of the 187-town map
MIMU = "MIMU township boundaries 1:250k (P-codes v9.3)"
CENSUS = "2014 Myanmar Population and Housing Census via MIMU/HARP-F vulnerability dataset (vulmmr.csv)"
ROAD_CIRCUITY = 1.3  # road km per great-circle km on a main road [Ballou et al. 2002, Transp. Res. A 36:843]
TRACK_CIRCUITY = (
    1.6  # off the main roads: tracks and minor roads wind more (assumption, stated in SOURCES.md)
)
SEIKKAN_HOST = "MMR013017"  # Botahtaung, beside Seikkan on the Yangon river front
NEIGHBOUR_GAP_DEG = 0.002  # about 200 m: MIMU's 1:250k outlines of neighbours do not meet exactly
SIMPLIFY_DEG = 0.004  # about 400 m: keeps the shipped polygons under 2 MB
# Old-map points whose rounded coordinates fall in the wrong township, and where they are
OLD_TOWN_IN = {
    "chinshwehaw": (
        "Laukkaing",
        "Chinshwehaw is a border town in Laukkaing Township, Kokang SAZ (Wikipedia 'Chinshwehaw')",
    ),
}
# Spellings the sources use that none of MIMU's, the census's or GAD's names give
SPELLINGS = {  # MIMU's name: the others
    "Tabayin": ("Depayin",),  # its Myanmar name ဒီပဲယင်း reads Depayin (the election lists)
    "Hlaingtharya (East)": ("Hlaingtharya",),  # the census's one township, split by MIMU's polygons
    "Kawthoung": ("Kawthaung",),
    "Kyaukpyu": ("Kyaukphyu",),
    "Munaung": ("Manaung",),
    "Twantay": ("Twante",),
    "Loilen": ("Loilem",),
    "Nansang": ("Namsang",),
    "Hseni": ("Hsenwi",),
    "Namhkan": ("Namhkam",),
    "Chanayethazan": ("Mandalay",),  # the city's central township, seat of the Central Command
    "Dagon": ("Yangon",),  # the city's central township
    "Za Bu Thi Ri": ("Naypyidaw", "Zabuthiri"),  # the capital's government township
}
# The city whose seat a central township is, where the GAD point is the city's
SEAT_NAMES = {"Chanayethazan": "Mandalay", "Dagon": "Yangon", "Za Bu Thi Ri": "Naypyidaw"}
# Islands without a land neighbour, linked where people and troops actually cross.
ISLAND_LINKS = [
    (
        "MMR011003",
        "Mawlamyine",
        "bridge",
        "Chaungzon (Bilugyun) is linked to Mawlamyine by the Thanlwin bridge (opened 2017)",
    ),
    ("MMR012012", "Kyaukpyu", "sea", "Munaung (Manaung island) is reached by boat from Kyaukpyu"),
    (
        "MMR013032",
        "Labutta",
        "sea",
        "Cocokyun (Coco Islands) is reached only by sea; linked to the nearest "
        "delta township on the old map's sea route",
    ),
]
# Where Myanmar's outline is a land border, and with whom; the rest is the sea coast. The
# tripoints are rounded to about 0.1 degree: the country classifies a township's border, not a line.
LAOS_LAT = (20.35, 21.15)  # Golden Triangle to the China-Laos-Myanmar tripoint on the Mekong
INDIA_CHINA_LON = 97.35  # Diphu Pass, the India-China-Myanmar tripoint
BANGLADESH_LAT = (20.72, 21.95)  # the Naf's mouth to the India-Bangladesh-Myanmar tripoint


def km_per_deg(lat: float) -> tuple[float, float]:
    return 111.32 * math.cos(math.radians(lat)), 110.57


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lon1, lat1), (lon2, lat2) = a, b
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def line_km(geom) -> float:
    """Length of a (multi)line in km, with the degree lengths at each segment's latitude."""
    total = 0.0
    parts = getattr(geom, "geoms", [geom])
    for part in parts:
        if part.geom_type not in ("LineString", "LinearRing"):
            continue
        xy = list(part.coords)
        for (x1, y1), (x2, y2) in itertools.pairwise(xy):
            kx, ky = km_per_deg((y1 + y2) / 2)
            total += math.hypot((x2 - x1) * kx, (y2 - y1) * ky)
    return total


def polygon_km2(geom) -> float:
    lat = geom.centroid.y
    kx, ky = km_per_deg(lat)
    return geom.area * kx * ky


def read_polygons(folder: Path) -> list[dict]:
    reader = shapefile.Reader(str(folder / "mmr_polbnda_adm3_mimu_250k"))
    rows = []
    for sr in reader.iterShapeRecords():
        rec = sr.record.as_dict()
        geom = make_valid(shape(sr.shape.__geo_interface__))
        rows.append(
            {
                "pcode": rec["TS_PCODE"],
                "name": rec["TS"],
                "part": rec["ST"],
                "geom": geom,
                "name_mm": rec["TS_MMR4"],
                "self_admin": rec["SELF_ADMIN"],
            }
        )
    return rows


def read_census(folder: Path) -> dict[str, dict]:
    with open(folder / "vulmmr.csv", newline="", encoding="utf-8-sig") as fh:
        return {r["township_pcode"]: r for r in csv.DictReader(fh) if r["township_pcode"].startswith("MMR")}


def read_seats(folder: Path) -> dict[str, dict]:
    with open(folder / "towns_gad_points.csv", newline="", encoding="utf-8-sig") as fh:
        points = list(csv.DictReader(fh))
    seats = {}
    for p in points:
        if p["Town_Pcode"].endswith("701"):
            seats[p["Tsp_Pcode"]] = p
    return seats


def old_table(name: str) -> list[dict]:
    """A table of the 187-town map, from the git history (it is no longer on main)."""
    text = subprocess.run(
        ["git", "show", f"{OLD_MAP_COMMIT}:sim/data/{name}"], capture_output=True, text=True, check=True
    ).stdout
    return list(csv.DictReader(text.splitlines()))


def state_of(part: str) -> str:
    """MIMU's 18 parts to the 15 states and regions (Shan and Bago are one each), spelled as
    sim/data/states.csv spells them."""
    state = part.split(" (")[0]
    return "Naypyidaw" if state == "Nay Pyi Taw" else state


def border_country(lon: float, lat: float, chord: tuple[float, float] | None) -> str:
    """The country beyond a point of Myanmar's outline, or "sea" (see the constants above)."""
    if lon < 92.8 and BANGLADESH_LAT[0] <= lat <= BANGLADESH_LAT[1]:
        return "bangladesh"
    if lat > BANGLADESH_LAT[1] and lon < INDIA_CHINA_LON and lon < 96.6:
        return "india"
    if lat > 24.0 and lon < INDIA_CHINA_LON:
        return "india"
    if lat > LAOS_LAT[1] and lon >= 97.0:
        return "china"
    if lon > 99.9 and LAOS_LAT[0] <= lat <= LAOS_LAT[1]:
        return "laos"
    if lat >= 17.5 and lon > 97.0:
        return "thailand"
    if lat < 17.5 and chord is not None and lon > 97.6 and lon > (chord[0] + chord[1]) / 2:
        return "thailand"
    return "sea"


def mainland_chords(mainland):
    """The mainland's west and east ends at a latitude (rounded to 0.01°, each worked out once)."""

    @functools.cache
    def chord(lat: float) -> tuple[float, float] | None:
        line = LineString([(90.0, lat), (102.0, lat)]).intersection(mainland)
        if line.is_empty:
            return None
        xs = [x for part in getattr(line, "geoms", [line]) for x, _ in part.coords]
        return min(xs), max(xs)

    return lambda lat: chord(round(lat, 2))


def classify_outline(geom, outline, chord) -> dict[str, float]:
    """km of a township's outline on each foreign border and on the sea (`chord`: the
    mainland's ends at a latitude, `mainland_chords`)."""
    shared = geom.boundary.intersection(outline)
    out: dict[str, float] = defaultdict(float)
    for part in getattr(shared, "geoms", [shared]):
        if part.geom_type != "LineString":
            continue
        xy = list(part.coords)
        for (x1, y1), (x2, y2) in itertools.pairwise(xy):
            mx, my = (x1 + x2) / 2, (y1 + y2) / 2
            kx, ky = km_per_deg(my)
            seg = math.hypot((x2 - x1) * kx, (y2 - y1) * ky)
            out[border_country(mx, my, chord(my))] += seg
    return dict(out)


def simple(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalpha())


def township_names(p: dict, census: dict, seats: dict) -> set[str]:
    """The spellings of a township the sources agree on: MIMU's, the census's, its seat's and ours."""
    names = {p["name"], *SPELLINGS.get(p["name"], ())}
    if p["pcode"] in census:
        names.add(census[p["pcode"]]["township_name"])
    if p["pcode"] in seats:
        names.add(seats[p["pcode"]]["Town_Name_Eng"].removesuffix(" Town"))
    return {n for n in names if n}


def place_old_towns(polys: list[dict], old: list[dict], census: dict, seats: dict) -> tuple[dict, dict]:
    """Where each town of the old map lies: the township it names (its seat) where a spelling
    matches in the same state, else the polygon its point falls in. Returns the towns in each
    township and, per township, the old town that was its seat (if any)."""
    tree = STRtree([p["geom"] for p in polys])
    by_name = {p["name"]: p["pcode"] for p in polys}
    spelled = {}
    for p in polys:
        for n in township_names(p, census, seats):
            spelled.setdefault((simple(n), state_of(p["part"])), p["pcode"])
    inside: dict[str, list[dict]] = defaultdict(list)
    seat_of: dict[str, dict] = {}
    for row in old:
        if row["id"] in OLD_TOWN_IN:
            inside[by_name[OLD_TOWN_IN[row["id"]][0]]].append(row)
            continue
        state = row["state"]
        named = [spelled.get((simple(n), state)) for n in [row["name"], *row["aliases"].split(";")] if n]
        named = [pc for pc in named if pc]
        if named and named[0] not in seat_of:
            seat_of[named[0]] = row
            inside[named[0]].append(row)
            continue
        pt = Point(float(row["lon"]), float(row["lat"]))
        hits = [i for i in tree.query(pt) if polys[i]["geom"].covers(pt)]
        if not hits:  # a coastal point just off the polygon: the nearest township
            hits = [int(tree.nearest(pt))]
        inside[polys[hits[0]]["pcode"]].append(row)
    return inside, seat_of


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--inputs", type=Path, required=True, help="folder with MIMU's shapefile, vulmmr.csv, GAD points"
    )
    args = ap.parse_args()
    polys = read_polygons(args.inputs)
    census = read_census(args.inputs)
    seats = read_seats(args.inputs)
    old_towns, old_roads = old_table("towns.csv"), old_table("roads.csv")
    by_pcode = {p["pcode"]: p for p in polys}

    country = unary_union([p["geom"] for p in polys])
    mainland = max(country.geoms, key=lambda g: g.area) if country.geom_type == "MultiPolygon" else country
    outline = country.boundary
    chord = mainland_chords(mainland)

    # seats: the GAD point numbered 701, else (none, or one city's point shared by several
    # townships) a point inside the polygon
    seat_xy, seat_src = {}, {}
    shared = Counter((s["Longitude"], s["Latitude"]) for s in seats.values())
    for p in polys:
        s = seats.get(p["pcode"])
        if (
            s is not None
            and shared[(s["Longitude"], s["Latitude"])] == 1
            and p["geom"].buffer(0.05).covers(Point(float(s["Longitude"]), float(s["Latitude"])))
        ):
            seat_xy[p["pcode"]] = (float(s["Longitude"]), float(s["Latitude"]))
            seat_src[p["pcode"]] = f"seat: GAD town point {s['Town_Pcode']} {s['Town_Name_Eng']}"
        else:
            rp = p["geom"].representative_point()
            seat_xy[p["pcode"]] = (rp.x, rp.y)
            why = "shared by several townships of one city" if s is not None else "none"
            seat_src[p["pcode"]] = f"seat: GAD town point {why}; a point inside the polygon"

    # old towns in each township: flags, terrain, names
    inside, seat_of = place_old_towns(polys, old_towns, census, seats)
    old_at = {}
    for pc, rows in inside.items():
        for r in rows:
            old_at[r["id"]] = pc
    old_by_id = {r["id"]: r for r in old_towns}

    # Hlaingtharya is one census code but two polygons; Seikkan has a census row but no polygon
    hl_total = census["MMR013008"]
    hl_parts = [pc for pc in ("MMR013046", "MMR013047") if pc in by_pcode]
    hl_area = sum(polygon_km2(by_pcode[pc]["geom"]) for pc in hl_parts)

    rows = []
    for p in sorted(polys, key=lambda p: p["pcode"]):
        pc, geom = p["pcode"], p["geom"]
        state = state_of(p["part"])
        if pc in census:
            c = census[pc]
            pop, area = int(float(c["total_pop_both_sexes"])), float(c["land_area_km2_mimu"] or 0)
            src_pop = CENSUS
        elif pc in hl_parts:
            share = polygon_km2(geom) / hl_area
            pop = round(int(float(hl_total["total_pop_both_sexes"])) * share)
            area = float(hl_total["land_area_km2_mimu"]) * share
            src_pop = CENSUS + "; Hlaingtharya (MMR013008) split between East and West by polygon area"
        else:
            raise SystemExit(f"{pc}: no census row")
        if pc == SEIKKAN_HOST:  # Seikkan (MMR013045) has no polygon: its 2,826 people join its neighbour
            s = census["MMR013045"]
            pop += int(float(s["total_pop_both_sexes"]))
            src_pop += "; with Seikkan (MMR013045, no polygon), the port township on its river front"
        if area <= 0:
            area = polygon_km2(geom)
            src_pop += "; area from the polygon (no MIMU land area)"
        outline_km = classify_outline(geom, outline, chord)
        land = {k: v for k, v in outline_km.items() if k != "sea" and v >= 2.0}
        old_here = inside.get(pc, [])
        own = seat_of.get(pc)
        # terrain: the old town at the seat; else the old town this township was folded into; else the
        # nearest old town in the same state
        if own is not None:
            terrain, terrain_src = own["terrain"], f"terrain of the old map's {own['name']}"
        else:
            near = min(
                (r for r in old_towns if r["state"] == state),
                key=lambda r: great_circle_km(seat_xy[pc], (float(r["lon"]), float(r["lat"]))),
            )
            terrain, terrain_src = near["terrain"], f"terrain of the nearest old-map town ({near['name']})"
        if terrain == "coast" and outline_km.get("sea", 0) < 1.0:
            terrain, terrain_src = "plain", terrain_src + ", not on the sea: plain"
        flags = {
            k: any(r[k].strip() == "1" for r in old_here)
            for k in ("crossing", "trade_corridor", "mine", "capital")
        }
        crossings = [r["name"] for r in old_here if r["crossing"].strip() == "1"]
        # the China gates the junta guarded on 27 Oct 2023 (Laiza, the KIA's seat, never was)
        china_gates = sum(
            r["crossing"].strip() == "1" and r["border"] == "china" and r["control_2023"] == "JUNTA"
            for r in old_here
        )
        crossing_country = sorted(
            {r["border"] for r in old_here if r["crossing"].strip() == "1" and r["border"]}
        )
        border = crossing_country[0] if crossing_country else (max(land, key=land.get) if land else "")
        names = township_names(p, census, seats)
        seat_name = seats[pc]["Town_Name_Eng"].removesuffix(" Town") if pc in seats else ""
        if own is not None:
            names |= {own["name"], *[a for a in own["aliases"].split(";") if a]}
        name = p["name"]
        aliases = sorted(n for n in names if n.casefold() != name.casefold())
        places = sorted(r["name"] for r in old_here if r is not own)
        rows.append(
            {
                "pcode": pc,
                "name": name,
                "aliases": ";".join(aliases),
                "name_mm": p["name_mm"],
                "state": state,
                "part": p["part"],
                "self_admin": p["self_admin"],
                "seat": SEAT_NAMES.get(name) or seat_name or name,
                "lat": round(seat_xy[pc][1], 5),
                "lon": round(seat_xy[pc][0], 5),
                "area_km2": round(area, 1),
                "population": pop,
                "terrain": terrain,
                "border": border,
                "border_km": round(sum(land.values()), 1),
                "coast_km": round(outline_km.get("sea", 0.0), 1),
                "crossing": int(flags["crossing"]),
                "crossings": ";".join(crossings),
                "china_gates": china_gates,
                "trade_corridor": int(flags["trade_corridor"]),
                "mine": int(flags["mine"]),
                "capital": int(flags["capital"]),
                "old_town": own["id"] if own else "",
                "places": ";".join(places),
                "source": "; ".join(
                    [
                        f"polygon: {MIMU}",
                        seat_src[pc],
                        f"population/area: {src_pop}",
                        terrain_src,
                        "flags: the old 187-town map's towns inside the polygon (sim/data/SOURCES.md)"
                        if old_here
                        else "flags: no old-map town inside the polygon",
                    ]
                ),
            }
        )

    # neighbours: shared borders, then the islands' links, then mark main roads from the old roads
    tree = STRtree([p["geom"] for p in polys])
    pairs: dict[tuple[str, str], dict] = {}
    for i, p in enumerate(polys):
        for j in tree.query(p["geom"].buffer(NEIGHBOUR_GAP_DEG)):
            if j <= i:
                continue
            q = polys[j]
            shared = p["geom"].boundary.intersection(q["geom"].buffer(NEIGHBOUR_GAP_DEG))
            km = line_km(shared)
            if km < 1.0:  # a corner, not a border
                continue
            a, b = sorted((p["pcode"], q["pcode"]))
            pairs[(a, b)] = {"a": a, "b": b, "border_km": round(km, 1), "link": "land", "source": MIMU}
    name_to_pc = {r["name"]: r["pcode"] for r in rows}
    for pc, other, link, why in ISLAND_LINKS:
        a, b = sorted((pc, name_to_pc[other]))
        pairs[(a, b)] = {"a": a, "b": b, "border_km": 0.0, "link": link, "source": why}
    main_roads, corridor = roads_on_pairs(old_roads, old_by_id, old_at, polys, tree, set(pairs))
    for row in rows:
        if row["pcode"] in corridor and not row["trade_corridor"]:
            row["trade_corridor"] = 1
            row["source"] += "; corridor: on the old map's road between two trade-corridor towns"
    write_csv(DATA / "townships.csv", rows)
    out = []
    for (a, b), e in sorted(pairs.items()):
        gc = great_circle_km(seat_xy[a], seat_xy[b])
        kind = main_roads.get((a, b), "")
        if e["link"] in ("sea", "bridge"):
            kind = e["link"] if e["link"] == "sea" else "road"
        factor = ROAD_CIRCUITY if kind in ("road", "river", "sea") else TRACK_CIRCUITY
        e.update(kind=kind or "track", length_km=round(gc * factor, 1))
        if kind in ("road", "river"):
            e["source"] += f"; {kind}: on the old map's {kind} link (sim/data/SOURCES.md)"
        out.append({k: e[k] for k in ("a", "b", "link", "kind", "border_km", "length_km", "source")})
    write_csv(DATA / "neighbours.csv", out)

    # polygons for maps, and state outlines
    feats = []
    for p in sorted(polys, key=lambda p: p["pcode"]):
        g = p["geom"].simplify(SIMPLIFY_DEG, preserve_topology=True)
        feats.append(
            {
                "type": "Feature",
                "properties": {"pcode": p["pcode"], "name": p["name"], "state": state_of(p["part"])},
                "geometry": rounded(mapping(g)),
            }
        )
    write_geojson(DATA / "townships.geojson", feats, "MIMU township boundaries (P-codes v9.3), simplified")
    by_state = defaultdict(list)
    for p in polys:
        by_state[state_of(p["part"])].append(p["geom"])
    sfeats = [
        {
            "type": "Feature",
            "properties": {"state": s},
            "geometry": rounded(mapping(unary_union(g).simplify(SIMPLIFY_DEG * 2, preserve_topology=True))),
        }
        for s, g in sorted(by_state.items())
    ]
    write_geojson(DATA / "states.geojson", sfeats, "state outlines dissolved from MIMU township boundaries")
    print(f"{len(rows)} townships, {len(out)} links ({sum(e['kind'] == 'road' for e in out)} on main roads)")


def roads_on_pairs(old_roads, old_by_id, old_at, polys, tree, pairs) -> tuple[dict, set[str]]:
    """Each old road or river link, drawn seat to seat, crosses a chain of townships: the
    neighbouring pairs along it carry that road, and where it linked two trade-corridor towns
    every township on the chain lies on the corridor. Returns the pairs' kinds and the
    corridor's townships."""
    kinds: dict[tuple[str, str], str] = {}
    corridor: set[str] = set()
    for r in old_roads:
        a, b = old_by_id[r["a"]], old_by_id[r["b"]]
        line = LineString([(float(a["lon"]), float(a["lat"])), (float(b["lon"]), float(b["lat"]))])
        hits = [i for i in tree.query(line) if polys[i]["geom"].intersects(line)]
        start = Point(line.coords[0])
        hits.sort(key=lambda i: start.distance(polys[i]["geom"].intersection(line).centroid))
        chain = [polys[i]["pcode"] for i in hits]
        if old_at[r["a"]] not in chain or old_at[r["b"]] not in chain:
            chain = [old_at[r["a"]], *chain, old_at[r["b"]]]
        dedup = [c for k, c in enumerate(chain) if k == 0 or c != chain[k - 1]]
        if r["kind"] == "road" and a["trade_corridor"].strip() == "1" and b["trade_corridor"].strip() == "1":
            corridor.update(dedup)
        for x, y in itertools.pairwise(dedup):
            key = tuple(sorted((x, y)))
            if key in pairs and kinds.get(key) != "road":
                kinds[key] = r["kind"]
    return kinds, corridor


def rounded(geom: dict, nd: int = 4) -> dict:
    def r(c):
        return [r(x) for x in c] if isinstance(c[0], list | tuple) else [round(c[0], nd), round(c[1], nd)]

    return {"type": geom["type"], "coordinates": r(geom["coordinates"])}


def write_csv(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def write_geojson(path: Path, feats: list[dict], what: str) -> None:
    doc = {"type": "FeatureCollection", "name": what, "credit": "MIMU", "features": feats}
    path.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")


if __name__ == "__main__":
    main()
