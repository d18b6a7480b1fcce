"""The `sim` command. Mistakes a user can make end in one line on stderr and exit status 2."""

from __future__ import annotations

import sys

from sim.cli import compare, explain, run, validate, visual
from sim.cli.common import EXIT_INTERRUPTED, EXIT_USER, Parser
from sim.errors import UserError

MODULES = (run, compare, validate, explain, visual)


def build_parser() -> Parser:
    parser = Parser(prog="sim", description="Agent-based simulation of Myanmar's civil war.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for module in MODULES:
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
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
