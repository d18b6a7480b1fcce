"""The `sim` command. Mistakes a user can make end in one line on stderr and exit status 2."""

from __future__ import annotations

import sys

from sim import __version__
from sim.cli import compare, explain, run, validate, visual
from sim.cli.common import EXIT_INTERRUPTED, EXIT_USER, Parser
from sim.errors import UserError

MODULES = (run, compare, validate, explain, visual)


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


def main(argv: list[str] | None = None) -> int:
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.command is None:  # bare `sim`: what it can do, not an error
            print(parser.format_help(), end="")
            return 0
        return args.func(args)
    except UserError as exc:
        print(f"sim: error: {exc}", file=sys.stderr)
        return EXIT_USER
    except KeyboardInterrupt:
        print("sim: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        sys.stderr.close()
        return 1
