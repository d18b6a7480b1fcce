"""Watch the war unfold: one replicate animated on the map, and the explorer in the browser."""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

from sim import shipped
from sim.cli.common import int_at_least, positive
from sim.errors import UserError

DEFAULT_SCENARIO = shipped.scenario("2025_counteroffensive.toml")


def port_arg(text: str) -> int:
    port = int_at_least(0)(text)
    if port > 65535:
        raise argparse.ArgumentTypeError(f"must be a port number from 0 to 65535, got {port}")
    return port


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("animate", help="one replicate on the map, day by day, as a GIF or MP4")
    p.add_argument("results", type=Path, help="a results directory written by sim run")
    p.add_argument("--replicate", type=int_at_least(0), default=None, help="default: the first one")
    p.add_argument(
        "--out",
        type=Path,
        required=True,
        help="FILE.gif (Pillow), FILE.mp4 (needs ffmpeg) or FILE.png (one day)",
    )
    p.add_argument("--day", type=int, default=-1, help="with FILE.png: the day shown (default: the last)")
    p.add_argument("--fps", type=positive, default=12, help="frames a second (default 12)")
    p.add_argument("--every", type=positive, default=1, help="one frame every N days (default 1)")
    p.set_defaults(func=cmd_animate)

    p = sub.add_parser("explore", help="the interactive explorer in the browser (Mesa and Solara)")
    p.add_argument("scenario", type=Path, nargs="?", help="scenario file (default: the shipped 2025 file)")
    p.add_argument("--port", type=port_arg, default=8765, help="port to serve on (default 8765)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.set_defaults(func=cmd_explore)


def cmd_animate(args) -> int:
    from sim.analysis.animation import animate, save_frame, writer_for
    from sim.run.store import load_results

    still = args.out.suffix.lower() == ".png"
    if not still:
        writer_for(args.out, args.fps)  # a wrong suffix or missing ffmpeg fails before any work
    res = load_results(args.results)
    replicate = args.replicate
    if replicate is None:
        replicate = int(res.timeseries["replicate"].min())
    if still:
        save_frame(res, replicate, args.day, args.out)
        print(f"{args.out}: day {args.day} of replicate {replicate}")
        return 0
    frames = animate(res, replicate, args.out, fps=args.fps, every=args.every)
    print(f"{args.out}: {frames} frames (replicate {replicate})")
    return 0


def cmd_explore(args) -> int:
    from sim.scenario import load_scenario

    path = args.scenario or DEFAULT_SCENARIO
    if not path.is_file():
        raise UserError(f"{path}: no such scenario file" + ("" if args.scenario else "; name one"))
    load_scenario(path)  # a bad file ends here, in one line
    if importlib.util.find_spec("solara") is None:
        raise UserError(
            "sim explore needs the optional extra: pip install -e '.[explore]' (make setup installs it)"
        )
    os.environ["SIM_EXPLORE_SCENARIO"] = str(path.resolve())
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"  # nothing leaves this machine
    # Solara warns on every page load served over http to a host not named "localhost" (it then
    # sets its session cookie as lax, which is right for a page not embedded in another site)
    quiet = "ignore:Cookies with samesite=none require https:UserWarning"
    os.environ["PYTHONWARNINGS"] = ",".join(filter(None, [os.environ.get("PYTHONWARNINGS"), quiet]))
    command = [sys.executable, "-m", "solara", "run", "sim.explore.app", "--production", "--no-open"]
    command += ["--no-check-version"]
    command += ["--host", args.host, "--port", str(args.port)]
    print(f"sim explore: {path} on http://{args.host}:{args.port} (Ctrl-C to stop)", flush=True)
    os.execv(sys.executable, command)  # the server replaces this process: one process to stop
    return 0  # pragma: no cover
