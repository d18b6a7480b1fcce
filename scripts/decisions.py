"""When the agents decide, in a scenario's replicates: each regional command's turns to the
offensive (and how many fall within three days after a dated event), China's changes of
stance, and each faction's ceasefires. Steps the model directly, so it reads the agents.

    python scripts/decisions.py scenarios/replay_2023_2025.toml --replicates 40
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import statistics

from sim.run.replicate import build_model
from sim.scenario.load import load_scenario


def decisions(path: str, replicates: int, until: dt.date | None) -> None:
    scenario = load_scenario(path)
    if until:
        scenario = scenario.with_run(end=until)
    events = sorted({ev["date"] for ev in scenario.data["events"] if ev["date"] > scenario.start})
    first_turn: dict[str, list[dt.date]] = collections.defaultdict(list)
    china: dict[str, list[dt.date]] = collections.defaultdict(list)
    truces: dict[str, list[dt.date]] = collections.defaultdict(list)
    turns = after_event = 0
    for r in range(replicates):
        m = build_model(scenario, scenario.data["run"]["seed"], r)
        was = m.junta.command_attacking.copy()
        stance, cease = m.china.stance, {f.code: f.ceasefire for f in m.resistance_factions}
        seen: set[str] = set()
        for _ in range(m.days):
            m.step()
            for c in (m.junta.command_attacking & ~was).nonzero()[0]:
                code = m.junta.commands[c].code
                turns += 1
                after_event += any(0 <= (m.date - e).days <= 3 for e in events)
                if code not in seen:
                    seen.add(code)
                    first_turn[code].append(m.date)
            was = m.junta.command_attacking.copy()
            if m.china.stance != stance:
                stance = m.china.stance
                china[stance].append(m.date) if len(china[stance]) <= r else None
            for f in m.resistance_factions:
                if f.ceasefire != cease[f.code]:
                    cease[f.code] = f.ceasefire
                    truces[f"{f.code} {'settles' if f.ceasefire else 'takes up arms'}"].append(m.date)
    print(f"{scenario.name}: {replicates} replicates")
    print(
        f"turns of regional commands to the offensive: {turns}; within 3 days after a dated event: "
        f"{after_event} ({after_event / max(turns, 1):.0%})"
    )
    print("first turn of each command (replicates turning; median, earliest, latest):")
    for code, days in sorted(first_turn.items(), key=lambda kv: _median(kv[1])):
        print(f"  {code:4s} {len(days):3d}  {_median(days)}  {min(days)}  {max(days)}")
    print("China's first change to each stance (replicates; median, earliest, latest):")
    for name, days in china.items():
        print(f"  {name:15s} {len(days):3d}  {_median(days)}  {min(days)}  {max(days)}")
    print("ceasefires (times in all replicates; median, earliest, latest):")
    for name, days in sorted(truces.items()):
        print(f"  {name:26s} {len(days):3d}  {_median(days)}  {min(days)}  {max(days)}")


def _median(days: list[dt.date]) -> dt.date:
    return dt.date.fromordinal(round(statistics.median(d.toordinal() for d in days)))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario")
    ap.add_argument("--replicates", type=int, default=10)
    ap.add_argument("--until", type=dt.date.fromisoformat)
    a = ap.parse_args()
    decisions(a.scenario, a.replicates, a.until)
