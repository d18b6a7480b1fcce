"""Reading a text file a user names (a scenario, an observed table): only a regular file, up
to a size limit, UTF-8 with or without a byte-order mark.

A FIFO or a device is no file to read (opening a FIFO would wait for a writer forever, and
/dev/zero never ends), so the file is opened without blocking and refused unless it is a
regular file; no more than `limit` bytes are read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

LIMIT = 16 * 1024 * 1024  # far above any scenario or table the project ships (under 1 MB)


class NotText(Exception):
    """Why the file cannot be read as text: a short reason for a one-line message."""


def read_text(path: Path, limit: int = LIMIT) -> str:
    """The file's text. Raises FileNotFoundError, IsADirectoryError, NotText or OSError."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(str(path))
        if not stat.S_ISREG(info.st_mode):
            raise NotText("not a regular file (a pipe, device or socket)")
        if info.st_size > limit:
            raise NotText(f"{info.st_size:,} bytes, more than the {limit:,} a text file here may have")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise NotText(f"more than the {limit:,} bytes a text file here may have")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotText("not a text file (UTF-8)") from None
