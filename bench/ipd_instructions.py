"""Instructions per IPD round, counted by valgrind: a figure of the server's own work that a busy machine does not move.

On a machine shared with other work, CPU time per round moves by a third
from one run to the next. The number of user-space instructions the server
process executes does not: this script runs `ipd_floors.py`'s match (one
process, two forked echo clients) under `valgrind --tool=callgrind` at two
lengths and divides the difference of the server process's instructions
by the difference of the rounds, so that start-up, imports and the clients
(their own processes) drop out. System calls count only as the
instructions that make them; the kernel's time is not in the figure.

It prints one JSON object: instructions per round for each server asked
(`--servers`, names of `ipd_floors.SERVERS`; default the naive server and
ours in the encounter loop) and their ratio. Each count takes 15 to 40 s.

    .venv/bin/python bench/ipd_instructions.py [--rounds 1000 3000] [--servers "naive" "ours, encounter loop"]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import PROJECT_ROOT, server_version

FIRST_PID = re.compile(r"^==(\d+)==", re.MULTILINE)
SUMMARY = re.compile(r"^summary: (\d+)$", re.MULTILINE)
MATCH = """
import sys
sys.path[:0] = [{bench!r}, {root!r}]  # this tree's code, not the one an editable install points at
import ipd_floors
ipd_floors.run(ipd_floors.SERVERS[sys.argv[1]], int(sys.argv[2]))
"""


def instructions(server: str, rounds: int) -> int:
    """The instructions the server's process executed in one run of `rounds` rounds with `server`, start-up included."""
    with tempfile.TemporaryDirectory() as directory:
        script = Path(directory) / "match.py"
        script.write_text(MATCH.format(bench=str(PROJECT_ROOT / "bench"), root=str(PROJECT_ROOT)))
        command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={directory}/callgrind.%p", sys.executable, str(script)]
        done = subprocess.run([*command, server, str(rounds)], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)
        first = FIRST_PID.search(done.stderr)
        if done.returncode != 0 or first is None:
            raise SystemExit(f"ipd_instructions: valgrind failed on {server!r}: {done.stderr.strip().splitlines()[-1:]}")
        summary = SUMMARY.search((Path(directory) / f"callgrind.{first[1]}").read_text())
        assert summary is not None, "callgrind wrote no summary"
        return int(summary[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, nargs=2, default=[1000, 3000], metavar=("SHORT", "LONG"))
    parser.add_argument("--servers", nargs="+", default=["naive", "ours, encounter loop"])
    arguments = parser.parse_args()
    if shutil.which("valgrind") is None:
        print("ipd_instructions: valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 1
    short, long = arguments.rounds
    per_round = {server: round((instructions(server, long) - instructions(server, short)) / (long - short)) for server in arguments.servers}
    figures: dict[str, object] = {"figure": "ipd instructions per round, ipd_floors' match under callgrind", "rounds": [short, long]}
    figures |= {f"{server}: instructions per round": count for server, count in per_round.items()}
    if len(per_round) == 2:
        (first_name, first), (second_name, second) = per_round.items()
        figures[f"ratio ({second_name} / {first_name})"] = round(second / first, 2)
    figures["code"] = server_version()
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
