"""The exports of a real tournament's event log, both games: what the server wrote live is what the log rebuilds.

Each tournament is xserver's `serve` among house players with `"event log"`
(as in tests/test_resume.py). Then: results.json holds exactly the Results
printed on standard output; `python -m Remote.export` (a real process)
rebuilds the three exports byte for byte from events.ndjson; and every game
of games.ndjson replays through Common's rules to its recorded end.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from Common.ipd.chance import MatchKey
from Common.ipd.replay import replay as replay_ipd_match
from Common.santorini.replay import replay as replay_santorini_game
from Remote.exports import CROSSTABLE_CSV, GAMES_NDJSON, RESULTS_JSON, structure_export
from Remote.games import GAMES
from Remote.loopback import PROJECT_ROOT
from tests.test_resume import configuration, run_server

EXPORTS = (RESULTS_JSON, CROSSTABLE_CSV, GAMES_NDJSON)


@pytest.mark.parametrize("game", ["santorini", "ipd"])
async def test_the_live_exports_hold_the_printed_results_rebuild_from_the_log_and_every_game_replays(game, tmp_path):
    config = configuration(game, tmp_path)
    (printed,) = await run_server({**config, "best of": 3} if game == "santorini" else config)
    (tournament,) = [entry for entry in (tmp_path / "log").iterdir() if entry.is_dir()]
    live = {name: (tournament / name).read_bytes() for name in EXPORTS}

    export = structure_export(json.loads(live[RESULTS_JSON]))
    assert export.results == printed and export.finished

    for name in EXPORTS:
        (tournament / name).unlink()
    rebuilt = subprocess.run(
        [sys.executable, "-m", "Remote.export", str(tournament)], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert {name: (tournament / name).read_bytes() for name in EXPORTS} == live

    lines = [json.loads(line) for line in live[GAMES_NDJSON].decode().splitlines()]
    assert lines and any(line["end"]["how"] == "misbehaved" for line in lines)
    encounters = {entry.index: entry for entry in export.encounters}
    settings = GAMES[game].read_settings(export.settings)
    for line in lines:
        if game == "santorini":
            assert replay_santorini_game(line) == line["end"]
        else:
            encounter = encounters[line["encounter"]]
            key = MatchKey(settings.game.seed, encounter.repetition, *encounter.players, encounter.meeting)
            assert replay_ipd_match(line, settings.game, key) == line["end"]
