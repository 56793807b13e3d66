"""`python -m Remote.rebuild_exports DIR` on an event log's directory lists its tournaments, one line each.

An organiser who points the command at the `"event log"` directory itself
(which holds one directory per tournament, and no events.ndjson) gets one
line per tournament, oldest first: its directory's name, the game, whether
it ended or was interrupted (stopped, killed, or still running: it has no
Results), its players and how many of its encounters ended; exit status 0,
nothing written. A tournament whose log cannot be read gets a line saying
why; the others are still listed. The tournaments are real: xserver runs
one of each game (house players only) into one event log.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from Remote.game_registry import GAMES
from Remote.loopback import PROJECT_ROOT, ServerProcess
from tests.raw_client import stop

LIMIT = 60.0


def run_export(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "Remote.rebuild_exports", *arguments], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=LIMIT
    )


@pytest.fixture(scope="module")
def event_log(tmp_path_factory):
    """An event log with one ended tournament of each game, then a copy of the first cut before its end."""
    log = tmp_path_factory.mktemp("export-listing") / "log"
    for game in GAMES.values():
        kind = next(iter(game.players.kinds))
        config = {
            "game": game.name,
            "min players": 2,
            "waiting for": 1,
            "repeat": 0,
            "event log": str(log),
            "house players": [[kind, "ann", ""], [kind, "bob", ""], [kind, "cat", ""]],
        }
        server = ServerProcess(config)
        try:
            assert server.finish(LIMIT).status == 0
        finally:
            stop(server)
    first = sorted(path for path in log.iterdir() if path.is_dir())[0]
    interrupted = log / "zz-interrupted"
    shutil.copytree(first, interrupted)
    lines = (interrupted / "events.ndjson").read_text().splitlines(keepends=True)
    ends = [number for number, line in enumerate(lines) if json.loads(line)["type"] == "encounter-end"]
    (interrupted / "events.ndjson").write_text("".join(lines[: ends[0] + 1]))
    for name in ("results.json", "crosstable.csv", "games.ndjson"):
        (interrupted / name).unlink()
    return log


def test_each_tournament_of_an_event_log_is_one_line(event_log) -> None:
    listed = run_export(str(event_log))
    assert (listed.returncode, listed.stderr) == (0, "")
    lines = listed.stdout.splitlines()
    tournaments = sorted(path.name for path in event_log.iterdir() if path.is_dir())
    assert [line.split()[0] for line in lines] == tournaments
    for line, game in zip(lines[:-1], GAMES, strict=True):
        assert line.split()[1:3] == [game, "ended"]
        ended, of, total = line.split("players")[1].split()[:3]
        assert "3 players" in line and of == "of" and ended == total != "0", "every encounter of the schedule ended"
    assert lines[-1].split()[1:3] == [next(iter(GAMES)), "interrupted"]
    assert "1 of 3 encounters ended" in lines[-1]


def test_listing_writes_nothing(event_log) -> None:
    before = {path: path.stat().st_mtime_ns for path in event_log.rglob("*")}
    run_export(str(event_log))
    assert {path: path.stat().st_mtime_ns for path in event_log.rglob("*")} == before
    assert not (event_log / "zz-interrupted" / "results.json").exists()


def test_a_tournament_whose_log_is_bad_says_why_and_the_others_are_listed(event_log, tmp_path) -> None:
    log = tmp_path / "log"
    shutil.copytree(event_log, log)
    (log / "zz-interrupted" / "events.ndjson").write_text("not json\n")
    listed = run_export(str(log))
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert len(lines) == len(GAMES) + 1
    assert lines[-1].startswith("zz-interrupted") and "cannot be read" in lines[-1] and "line 1" in lines[-1]


def test_an_empty_directory_is_still_refused_in_one_line(tmp_path) -> None:
    refused = run_export(str(tmp_path))
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.count("\n") == 1 and "no events.ndjson" in refused.stderr


def test_help_says_a_directory_of_tournaments_is_listed() -> None:
    assert "lists them" in run_export("--help").stdout
