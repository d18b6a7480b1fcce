"""Errors reported by the CLI as one line: a user's mistake (exit status 2) or the
machine's failure (exit status 1)."""

from __future__ import annotations

import errno


class UserError(Exception):
    """Anything a user can fix: a bad file, key, value or argument."""


class ScenarioError(UserError):
    """A scenario file is wrong; says which file, which key and what is allowed."""

    def __init__(self, file: str, key: str, message: str) -> None:
        self.file = file
        self.key = key
        self.message = message
        where = f"{file}: {key}: " if key else f"{file}: "
        super().__init__(where + message)


class EnvError(Exception):
    """The machine failed, not the user: disk full, no permission, a file-size limit."""


def os_error(exc: OSError, what: str) -> UserError | EnvError:
    """One line for a failed file operation: the user's mistake (a path through a file, a
    folder where a file belongs) or the machine's failure (no permission, disk full)."""
    where = exc.filename or what
    reason = exc.strerror or str(exc)
    if exc.errno in (
        errno.ENOTDIR,
        errno.EEXIST,
        errno.EISDIR,
        errno.ENAMETOOLONG,
        errno.ELOOP,
        errno.ENOENT,
    ):
        return UserError(f"{where}: {reason}; choose another {what}")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return EnvError(f"{where}: {reason}; make it writable or choose another {what}")
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return EnvError(f"{where}: {reason}; free space or raise the limit, then continue with --resume")
    return EnvError(f"{where}: {reason}")
