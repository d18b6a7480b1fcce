"""Published casualty figures and the ranges the casualty checks of `sim validate` test.

The numbers live in sim/data/casualty_figures.csv (one row per figure, with publisher, title,
date and address) and sim/data/casualty_targets.csv (one row per check, citing the figures
that bound it), never in code, so that a reader can audit every bound against its source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sim.analysis.csv_table import read_rows
from sim.errors import UserError

DATA = Path(__file__).resolve().parent.parent / "data"
FIGURES = DATA / "casualty_figures.csv"
TARGETS = DATA / "casualty_targets.csv"

FIGURE_COLUMNS = ("id", "window", "quantity", "value", "bound", "publisher", "title", "date", "url", "note")
TARGET_COLUMNS = (
    "id", "check", "applies_to", "quantity", "start", "end", "low", "high", "kind", "figures", "note",
)  # fmt: skip
BOUNDS = ("lower", "upper", "claim", "context")
QUANTITIES = ("junta_dead", "combatant_dead", "junta_surrendered", "dead_ratio", "dead_share")
KINDS = ("observation", "derived", "plausibility", "literature")
WINDOWS = ("2023", "2025", "all")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Figure:
    """One published number as its publisher gave it."""

    id: str
    window: str
    quantity: str
    value: float | None
    bound: str
    publisher: str
    title: str
    date: str
    url: str
    note: str


@dataclass(frozen=True)
class Target:
    """One casualty check: the range of a quantity over a window and the figures behind it."""

    id: str
    check: str
    applies_to: str
    quantity: str
    start: str
    end: str
    low: float
    high: float
    kind: str
    figures: tuple[str, ...]
    note: str


def _rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """The table's rows by line number, each with an id of its own."""
    rows, seen = read_rows(path, columns, ", ".join(columns)), set()
    for n, row in rows:
        if not row["id"] or row["id"] in seen:
            raise UserError(f"{path}: line {n}: id {row['id']!r} is empty or appears twice")
        seen.add(row["id"])
    return rows


def _number(path: Path, line: int, column: str, text: str) -> float:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        raise UserError(f"{path}: line {line}: {column}: {text!r} is not a number") from None


def _one_of(path: Path, line: int, column: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise UserError(f"{path}: line {line}: {column}: {value!r}; allowed: {', '.join(allowed)}")
    return value


def read_figures(path: Path = FIGURES) -> dict[str, Figure]:
    """Every figure by id; each must name its publisher, title, date and address."""
    figures = {}
    for n, row in _rows(path, FIGURE_COLUMNS):
        for column in ("publisher", "title", "date", "url"):
            if not row[column]:
                raise UserError(f"{path}: line {n}: {column}: empty; every figure names its source")
        if not _DATE.match(row["date"]):
            raise UserError(f"{path}: line {n}: date: {row['date']!r}; write YYYY, YYYY-MM or YYYY-MM-DD")
        if not row["url"].startswith(("http://", "https://")):
            raise UserError(f"{path}: line {n}: url: {row['url']!r} is not a web address")
        bound = _one_of(path, n, "bound", row["bound"], BOUNDS)
        value = _number(path, n, "value", row["value"]) if row["value"] else None
        if value is None and bound in ("lower", "upper"):
            raise UserError(f"{path}: line {n}: value: a {bound} bound needs a number")
        figures[row["id"]] = Figure(**{c: row[c] for c in FIGURE_COLUMNS} | {"value": value})
    return figures


def read_targets(path: Path = TARGETS, figures: dict[str, Figure] | None = None) -> dict[str, Target]:
    """Every target by id, checked: known quantity and kind, low <= high, windows as dates,
    and every cited figure present in the figures table."""
    figures = read_figures() if figures is None else figures
    targets = {}
    for n, row in _rows(path, TARGET_COLUMNS):
        quantity = _one_of(path, n, "quantity", row["quantity"], QUANTITIES)
        _one_of(path, n, "kind", row["kind"], KINDS)
        _one_of(path, n, "applies_to", row["applies_to"], WINDOWS)
        low, high = (_number(path, n, c, row[c]) for c in ("low", "high"))
        if not 0 <= low <= high:
            raise UserError(f"{path}: line {n}: low {low:g} and high {high:g}: need 0 <= low <= high")
        if quantity != "dead_share":
            for column in ("start", "end"):
                if not _DAY.match(row[column]):
                    raise UserError(f"{path}: line {n}: {column}: {row[column]!r}; write YYYY-MM-DD")
            if row["start"] > row["end"]:
                raise UserError(f"{path}: line {n}: start {row['start']} is after end {row['end']}")
        cited = tuple(f.strip() for f in row["figures"].split(";") if f.strip())
        if not cited:
            raise UserError(f"{path}: line {n}: figures: empty; every range cites its figures")
        unknown = [f for f in cited if f not in figures]
        if unknown:
            raise UserError(f"{path}: line {n}: figures: unknown id {unknown[0]!r}")
        fields = {c: row[c] for c in TARGET_COLUMNS} | {"low": low, "high": high, "figures": cited}
        targets[row["id"]] = Target(**fields)
    shares = [t for t in targets.values() if t.quantity == "dead_share"]
    if len(shares) != 1 or not 0 < shares[0].low <= shares[0].high <= 1:
        raise UserError(f"{path}: needs exactly one dead_share row with 0 < low <= high <= 1")
    return targets


def sources(target: Target, figures: dict[str, Figure]) -> str:
    """The publishers and dates behind a target, for the report's source column (the full
    references stay in the figures table)."""
    cited = [figures[f] for f in target.figures]
    return "; ".join(dict.fromkeys(f"{f.publisher.split(' (')[0]} {f.date}" for f in cited))
