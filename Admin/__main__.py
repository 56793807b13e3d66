"""`python -m Admin`: one tournament among local players, in this process, of any game.

Reads `{"players": [[Kind, Name, PathString], ...]}` on standard input
(optionally also "observers", "game", "time per call" and the game's own
keys, such as Santorini's "best of"), runs the tournament and prints the
Results as one line of JSON. Every misbehaviour, with its reason, and the
standings at the end go to standard error. A bad configuration gets one line
naming the offending key and exit status 2.

Like xserver, this executable is where the parts meet: it reads the
configuration and the registry of games (`Remote/`), so it is the one module
of Admin that imports Player and Remote.
"""

from __future__ import annotations

import json
import logging
import sys
from functools import partial

import trio

from Common.strict import StructureError
from Player.configuration import create_players
from Player.loader import PlayerLoadError
from Remote.configuration import read_local_configuration
from Remote.game_description import play_tournament
from Remote.game_registry import DEFAULT_GAME, GAMES
from Remote.ratings_file import read_seeding

PROGRAM = "python -m Admin"


def main() -> int:
    logging.basicConfig(format=f"{PROGRAM}: %(message)s", level=logging.INFO, stream=sys.stderr)
    log = logging.getLogger("Admin")
    try:
        config = read_local_configuration(sys.stdin.read(), GAMES, DEFAULT_GAME)
        game = GAMES[config.game]
        players = create_players(config.players, "players", game.players)
        seeding = read_seeding(config.event_format.ratings)
    except (StructureError, PlayerLoadError) as error:
        print(f"{PROGRAM}: configuration: {error}", file=sys.stderr)
        return 2
    tournament = partial(play_tournament, event_format=config.event_format, seeding=seeding)
    line = trio.run(tournament, game, config.settings, players, config.time_per_call, log)
    print(json.dumps(line), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
