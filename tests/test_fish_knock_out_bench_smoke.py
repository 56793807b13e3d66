"""bench/fish_knock_out.py: a smoke run of 9 players, over the wire and with local players, which must play alike.

No timing is checked here; the benchmark measures.
"""

from __future__ import annotations

import json
import subprocess
import sys

from bench.harness import PROJECT_ROOT

TIME_LIMIT = 120


def test_nine_greedy_players_play_the_same_knock_out_over_the_wire_and_locally():
    finished = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "bench" / "fish_knock_out.py"), "--players", "9", "--runs", "1"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
    )
    assert finished.returncode == 0, finished.stderr
    (figures,) = [json.loads(line) for line in finished.stdout.splitlines()]
    (wire,), (local,) = figures["over the wire, each run"], figures["local, each run"]
    # the course's rounds for 9 with seed 1's boards: games of 4, 3 and 2, then a final among their winners
    assert figures["games"] == wire["games"] == local["games"] == 4
    assert wire["calls"] == local["calls"] == figures["calls"] > 9
    assert len(figures["winners"]) >= 1
    assert "the reference's figure (its documentation, not measured here)" not in figures  # it is for 100 players
