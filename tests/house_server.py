"""xserver's own `serve` in this process, with an event log: one life of the server, stopped after any event if asked.

Game-free: the conformance kit's tournaments of house players
(tests/game_conformance.py `configuration`) and the resume tests run with it.
"""

from __future__ import annotations

import json
from pathlib import Path

import trio

from Player.configuration import create_players
from Remote import hosting, resume
from Remote.cli import EXIT_DONE
from Remote.configuration import read_server_configuration
from Remote.event_log_reader import read_events
from Remote.event_log_writer import EVENTS_FILE, LogDirectory
from Remote.game_registry import DEFAULT_GAME, GAMES


async def run_server(config_json: dict, crash_after: int | None = None) -> list:
    """One xserver life in this process: the lines it printed (its exit status must be 0 unless it crashed)."""
    config = read_server_configuration(json.dumps(config_json), GAMES, DEFAULT_GAME)
    game = GAMES[config.game]
    directory = LogDirectory(Path(config.event_log))
    printed: list = []
    try:
        interrupted = resume.interrupted_tournament(config, game, directory) if config.resume else None
        if isinstance(interrupted, resume.EndedTournament):
            return [interrupted.output]
        with trio.CancelScope() as scope:
            logging_to = resume.EventLogging(directory, crash_after=crash_after, on_crash=scope.cancel)
            house = lambda: create_players(config.house_players, "house players", game.players)  # noqa: E731
            status = await hosting.serve(config, game, house, printed.append, logging_to=logging_to, interrupted=interrupted)
            assert status == EXIT_DONE
    finally:
        directory.close()
    return printed


def events_of(log: Path) -> list[dict]:
    (tournament,) = [entry for entry in log.iterdir() if entry.is_dir()]
    events, torn = read_events(tournament / EVENTS_FILE)
    assert not torn
    return events
