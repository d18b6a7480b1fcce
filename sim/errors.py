"""Errors a user can cause, reported as one line by the CLI (exit status 2)."""

from __future__ import annotations


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
