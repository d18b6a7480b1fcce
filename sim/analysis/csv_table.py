"""Reading the small hand-made CSV tables users and maintainers edit (observed town control,
casualty figures and targets): every mistake is one UserError naming the file and line."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sim.errors import UserError, os_error
from sim.textfile import NotText, read_text


def read_rows(path: Path, columns: tuple[str, ...], needs: str) -> list[tuple[int, dict[str, str]]]:
    """The table's rows as (line number, {column: text}), stripped; lines starting with # and
    blank lines are comments. `columns` must be in the header; `needs` says what it should hold."""
    try:
        text = read_text(Path(path))
    except FileNotFoundError:
        raise UserError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a folder, not a CSV file") from None
    except NotText as exc:
        raise UserError(f"{path}: {exc}; needs CSV with columns {needs}") from None
    except OSError as exc:
        raise os_error(exc, str(path)) from None
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for fields in reader:
            if fields and not fields[0].lstrip().startswith("#") and any(f.strip() for f in fields):
                rows.append((reader.line_num, [f.strip() for f in fields]))
    except csv.Error as exc:
        raise UserError(f"{path}: line {reader.line_num}: not a CSV table ({exc})") from None
    if not rows:
        raise UserError(f"{path}: empty; needs a header line and rows with columns {needs}")
    (first, header), body = rows[0], rows[1:]
    missing = [c for c in columns if c not in header]
    if missing:
        raise UserError(f"{path}: line {first}: missing columns {', '.join(missing)}; needs {needs}")
    if len(set(header)) < len(header):
        twice = sorted({h for h in header if header.count(h) > 1})
        raise UserError(f"{path}: line {first}: column {twice[0]!r} appears twice")
    if not body:
        raise UserError(f"{path}: only a header, no rows")
    out = []
    for line, fields in body:
        if len(fields) != len(header):
            raise UserError(f"{path}: line {line}: {len(fields)} fields, but the header has {len(header)}")
        out.append((line, dict(zip(header, fields, strict=True))))
    return out
