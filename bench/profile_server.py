"""Where the server's time goes: a 20-player round robin of fast clients, with the server profiled.

Two profilers, chosen with `--tool`:

* `cprofile` (the default; in the standard library): the server runs as
  `python -m cProfile -o FILE -m Remote.xserver`. The tournament ends by itself
  (repeat 0), so the profile is written on a normal exit. cProfile times every
  Python call, which roughly doubles the cost of small functions, and it
  counts each resumption of a coroutine as a call.
* `py-spy` (install it into the virtual environment for measuring:
  `.venv/bin/pip install py-spy`; it is no dependency of the project): samples
  the running server's stacks 400 times a second without changing its code.
  Time spent inside a system call (sending on a socket) shows up on the
  Python line that made it.

Percentages are of the server's busy time: everything but waiting for
events in `epoll` (the sign-up window, and moments when every client is
thinking). `cumulative %` counts a function with everything it calls; `own %`
counts only the time in its own lines (for py-spy: the samples where it is
the innermost Python frame).

With `--server bare` (py-spy only) the profiled server is the yardstick,
bench/bare_trio_santorini_server.py, under the same load (`bare-deadlines`:
with a trio deadline per call, `--time-per-call 2`): what the same
conversation costs in a bare trio + JSON server, area by area. Each area
is also given in µs per call: its share of the busy samples, as seconds at
py-spy's rate, over the calls (time in which the server was runnable but
not running counts too, so these are upper bounds on a busy machine).

Run `.venv/bin/python bench/profile_server.py [--tool cprofile|py-spy] [--server ours|bare|bare-deadlines] [--players N] [--top K]`;
the raw profile stays in the temporary directory (`python -m pstats FILE`,
or the py-spy stacks, one per line).
"""

from __future__ import annotations

import argparse
import collections
import pstats
import re
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import PROJECT_ROOT, BenchError, LoadGenerator, Server, round_robin, run_main, sign_up_window
from santorini_vs_bare import bare, bare_with_deadlines

PY_SPY = Path(sys.executable).parent / "py-spy"
PY_SPY_RATE = 400
EPOLL_WAIT_CPROFILE = "<method 'poll' of 'select.epoll' objects>"
EPOLL_WAIT_PY_SPY = "EpollIOManager.get_events (trio/_core/_io_epoll.py)"


STANDARD_LIBRARY = Path(sysconfig.get_paths()["stdlib"])


def _short(file: str) -> str:
    """A source file's path from the project, from site-packages or from the standard library."""
    path = Path(file)
    parts = path.parts
    if "site-packages" in parts:
        return "/".join(parts[parts.index("site-packages") + 1 :])
    for root in (PROJECT_ROOT, STANDARD_LIBRARY):
        try:
            return str(path.relative_to(root))
        except ValueError:
            pass
    return file


AREAS = (
    ("the bare server's own code", ("bare_trio_santorini_server.py",)),
    ("sending and receiving on sockets (system calls)", ("_nonblocking_helper", "of '_socket.socket' objects")),
    ("JSON framing and the json module", ("Remote/framing.py", "json/", "Pattern' objects")),
    ("proxy and channel", ("remote_player.py", "Remote/channel.py", "Remote/remote_participant.py")),
    ("strict converter (cattrs, wire.py, strict.py, enum)", ("cattrs/", "wire.py", "Common/strict.py", "(enum.py")),
    ("trio scheduling, cancel scopes, contextlib", ("outcome._impl", "methods trio.")),  # attrs-generated methods of trio's classes
    ("rules and board (Common, attrs)", ("Common/", "attr/", "attrs generated")),
    ("referee, manager, safe call (Admin)", ("Admin/",)),
    ("call statistics", ("Remote/statistics.py",)),
    ("logging", ("logging/",)),
    ("start-up (imports)", ("importlib", "builtins.compile", "marshal.", "_imp.", "__build_class__")),
    ("trio scheduling, cancel scopes, contextlib", ("trio/", "outcome/", "contextlib", "sniffio/")),
)
"""Where a function belongs, by what its label contains; the first match wins."""


def area(label: str) -> str:
    for name, marks in AREAS:
        if any(mark in label for mark in marks):
            return name
    return "other"


def _areas(rows: list[tuple[str, Any, float, float]], busy: float) -> dict[str, float]:
    """Own time added up by area, as percentages of the busy time, largest first."""
    totals: collections.Counter[str] = collections.Counter()
    for label, _, own, _ in rows:
        totals[area(label)] += own
    return {name: round(100 * own / busy, 1) for name, own in totals.most_common()}


def _table(rows: list[tuple[str, Any, float, float]], busy: float, key: int, top: int) -> list[dict[str, Any]]:
    ranked = sorted(rows, key=lambda row: row[key], reverse=True)[:top]
    return [
        {
            "function": name,
            "calls or samples": count,
            "own %": round(100 * own / busy, 1),
            "cumulative %": round(100 * cumulative / busy, 1),
        }
        for name, count, own, cumulative in ranked
    ]


def summarise_cprofile(profile: str, top: int) -> dict[str, Any]:
    """The `top` functions by cumulative and by own time, as percentages of the busy time.

    For the areas, the own time of a built-in function that belongs to no area
    (`len`, `isinstance`, ...) counts for the areas of its callers, shared out
    as they called it.
    """
    stats = pstats.Stats(profile)

    def label(function: tuple[str, int, str]) -> str:
        file, line, name = function
        return f"{name} ({_short(file)}:{line})" if line else name

    rows = []
    area_rows = []
    waiting = 0.0
    for function, (_, calls, own, cumulative, callers) in stats.stats.items():
        name = label(function)
        if name == EPOLL_WAIT_CPROFILE:
            waiting = own
            continue
        rows.append((name, calls, own, cumulative))
        if function[1] == 0 and area(name) == "other" and callers:
            shares = {caller: timing[2] + 1e-9 for caller, timing in callers.items()}  # each caller's time spent in it
            whole = sum(shares.values())
            area_rows += [(label(caller), 0, own * share / whole, 0.0) for caller, share in shares.items()]
        else:
            area_rows.append((name, calls, own, cumulative))
    busy = stats.total_tt - waiting
    # functions that only wait (the trio run loop, main) would top the cumulative table at > 100 %; cap them
    rows = [(name, calls, own, min(cumulative, busy)) for name, calls, own, cumulative in rows]
    return {
        "total seconds": round(stats.total_tt, 3),
        "waiting in epoll seconds": round(waiting, 3),
        "busy seconds": round(busy, 3),
        "own time by area": _areas(area_rows, busy),
        "by cumulative time": _table(rows, busy, 3, top),
        "by own time": _table(rows, busy, 2, top),
    }


def summarise_py_spy(stacks: str, top: int) -> dict[str, Any]:
    """The same tables from py-spy's raw stacks (`frame;frame;... count` per line), line numbers dropped."""
    cumulative: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = waiting = 0
    for line in Path(stacks).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        samples = int(count)
        frames = [re.sub(r":\d+\)$", ")", frame) or "(unknown)" for frame in stack.split(";")]
        total += samples
        if frames[-1] == EPOLL_WAIT_PY_SPY:
            waiting += samples
            continue
        for frame in set(frames):
            cumulative[frame] += samples
        own[frames[-1]] += samples
    busy = total - waiting
    rows = [(frame, cumulative[frame], own[frame], cumulative[frame]) for frame in cumulative]
    return {
        "samples": total,
        "waiting in epoll samples": waiting,
        "busy samples": busy,
        "own time by area": _areas(rows, busy),
        "by cumulative time": _table(rows, busy, 3, top),
        "by own time": _table(rows, busy, 2, top),
    }


def profile_with_py_spy(players: int, stacks: str, server_kind: str = "ours") -> dict[str, Any]:
    """A round robin with py-spy attached to the server (xserver, or the bare one) from the moment it listens until it exits."""
    if not PY_SPY.exists():
        raise BenchError(f"py-spy is not installed in the virtual environment ({PY_SPY}): .venv/bin/pip install py-spy")
    if server_kind == "ours":
        server = Server({"min players": players, "waiting for": sign_up_window(players)})
    else:
        server = bare(players) if server_kind == "bare" else bare_with_deadlines(players)
    spy = subprocess.Popen(
        [str(PY_SPY), "record", "--pid", str(server.process.pid), "--format", "raw", "--output", stacks, "--rate", str(PY_SPY_RATE)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    generator = None
    try:
        time.sleep(0.5)  # py-spy attaches
        generator = LoadGenerator(players, server.port)
        generator.finish()
        status = server.wait(120)
        spy_log, _ = spy.communicate(timeout=60)
    finally:
        if generator is not None:
            generator.kill()
        server.kill()
        if spy.poll() is None:
            spy.kill()
            spy.communicate()
    if status != 0 or server.statistics is None or not Path(stacks).exists():
        raise BenchError(f"the profiled run failed (xserver exit {status}): {spy_log.strip()[-300:]}")
    statistics = server.statistics
    summary = summarise_py_spy(stacks, 10**6)
    per_call = summary["busy samples"] / PY_SPY_RATE * 1e6 / statistics["calls"]
    return {
        "calls": statistics["calls"],
        "seconds (profiled)": statistics["seconds"],
        "calls per second (profiled)": round(statistics["calls"] / statistics["seconds"]),
        "profile": stacks,
        "busy µs per call": round(per_call, 1),
        "µs per call by area": {name: round(share * per_call / 100, 1) for name, share in summary["own time by area"].items()},
        **summary,
    }


def measure(tool: str, players: int, top: int, server_kind: str = "ours") -> dict[str, Any]:
    directory = Path(tempfile.gettempdir())
    if tool == "py-spy":
        name = "xserver" if server_kind == "ours" else server_kind
        figures = profile_with_py_spy(players, str(directory / f"{name}.py-spy.txt"), server_kind)
        figures["by cumulative time"] = figures["by cumulative time"][:top]
        figures["by own time"] = figures["by own time"][:top]
    else:
        profile = str(directory / "xserver.prof")
        run = round_robin(players, profile_to=profile)
        figures = {
            "calls": run["calls"],
            "seconds (profiled)": run["seconds"],
            "calls per second (profiled)": run["calls per second"],
            "profile": profile,
            **summarise_cprofile(profile, top),
        }
    return {"figure": "profile", "tool": tool, "server": server_kind, "players": players, **figures}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tool", choices=("cprofile", "py-spy"), default="cprofile")
    servers = ("ours", "bare", "bare-deadlines")
    parser.add_argument("--server", choices=servers, default="ours", help="xserver, or a bare yardstick (py-spy only)")
    parser.add_argument("--players", type=int, default=20)
    parser.add_argument("--top", type=int, default=30)
    arguments = parser.parse_args()
    if arguments.server != "ours" and arguments.tool != "py-spy":
        parser.error(f"--server {arguments.server} needs --tool py-spy")
    return run_main(lambda: measure(arguments.tool, arguments.players, arguments.top, arguments.server))


if __name__ == "__main__":
    sys.exit(main())
