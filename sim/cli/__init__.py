"""The `sim` command. Mistakes a user can make end in one line on stderr and exit status 2;
failures of the machine (disk full, no permission) in one line and exit status 1."""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import threading
import traceback
import unicodedata

# `sim` only writes figures to files: whatever backend the environment names (a desktop's,
# or one matplotlib does not know) is not the one to draw with, and must not end the command
os.environ["MPLBACKEND"] = "Agg"

from sim import __version__
from sim.cli import calibrate, compare, discover, explain, observed, run, validate, visual
from sim.cli.common import EXIT_INTERRUPTED, EXIT_USER, Parser, check_out, start_workers
from sim.errors import EnvError, UserError, os_error

MODULES = (run, compare, validate, observed, explain, discover, calibrate, visual)


def build_parser() -> Parser:
    parser = Parser(
        prog="sim",
        description="Agent-based simulation of Myanmar's civil war. "
        "`sim COMMAND --help` explains a command's arguments.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for module in MODULES:
        module.register(sub)
    return parser


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C: stop, keep what is finished, say how to resume."""


def _terminate(signum, frame) -> None:
    raise Terminated


def main(argv: list[str] | None = None) -> int:
    """Run one command. Every failure ends in one line on stderr: exit status 2 for a
    user's mistake, 1 for the machine's (disk full, no permission), 130 when interrupted."""
    handlers = {}
    for stream in (sys.stdout, sys.stderr):  # a name this terminal cannot show is escaped, not fatal
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    if threading.current_thread() is threading.main_thread():
        handlers[signal.SIGTERM] = signal.signal(signal.SIGTERM, _terminate)
        handlers[signal.SIGXFSZ] = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG, not a kill
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.command is None:  # bare `sim`: what it can do, not an error
            print(parser.format_help(), end="")
            return 0
        check_out(args)
        start_workers(args)
        return args.func(args)
    except UserError as exc:
        print(f"sim: error: {printable(str(exc))}", file=sys.stderr)
        return EXIT_USER
    except EnvError as exc:
        print(f"sim: error: {printable(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("sim: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        sys.stderr.close()
        return 1
    except OSError as exc:  # a file the command reads or writes
        err = os_error(exc, "path")
        print(f"sim: error: {printable(str(err))}", file=sys.stderr)
        return EXIT_USER if isinstance(err, UserError) else 1
    except (MemoryError, RecursionError) as exc:
        print(f"sim: error: ran out of memory ({type(exc).__name__}); ask for less", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug: one line here, the traceback in a file
        if os.environ.get("SIM_DEBUG"):
            raise
        first = (str(exc).splitlines() or [""])[0]
        print(
            f"sim: internal error: {type(exc).__name__}: {printable(first)}{_saved_traceback()}",
            file=sys.stderr,
        )
        return 1
    finally:
        for sig, old in handlers.items():
            signal.signal(sig, old)


def printable(text: str) -> str:
    """A message with its control characters escaped: a file name holding an escape sequence
    must not clear the screen or retitle the terminal, nor break the one line."""
    return "".join(repr(c)[1:-1] if unicodedata.category(c) == "Cc" else c for c in text)


def _saved_traceback() -> str:
    try:
        with tempfile.NamedTemporaryFile("w", prefix="sim-traceback-", suffix=".txt", delete=False) as fh:
            traceback.print_exc(file=fh)
        return f" (please report it with {fh.name})"
    except OSError:
        return ""
