"""`python -m Admin`: one round-robin tournament among local players, in this process.

Reads `{"players": [[Kind, Name, PathString], ...], "observers": []}` on
standard input (optionally also "time per call" and "best of"), runs the
tournament and prints the Results as one line of JSON. Every misbehaviour,
with its reason, and the standings at the end go to standard error. A bad
configuration gets one line naming the offending key and exit status 2.
"""

from __future__ import annotations

import json
import logging
import sys

import attrs
import trio

from Admin.manager import TournamentManager
from Admin.santorini.referee import DEFAULT_BEST_OF, DEFAULT_TIME_PER_CALL, RULES, Referee
from Admin.tournament_log import TournamentLog
from Common.strict import StructureError, odd_number, parse_document, positive_number, register_json_object, strict_converter
from Common.santorini.wire import unstructure
from Player.configuration import ObserverEntry, PlayerEntry, create_players, register_entries
from Player.loader import PlayerLoadError


@attrs.frozen
class LocalTournament:
    """What `python -m Admin` reads on standard input."""

    players: tuple[PlayerEntry, ...]
    observers: tuple[ObserverEntry, ...]
    time_per_call: float = DEFAULT_TIME_PER_CALL
    best_of: int = DEFAULT_BEST_OF


_CONVERTER = strict_converter()
register_entries(_CONVERTER)
register_json_object(
    _CONVERTER,
    LocalTournament,
    keys={"players": "players", "observers": "observers", "time_per_call": "time per call", "best_of": "best of"},
    checks={"time_per_call": positive_number, "best_of": odd_number},
)


PROGRAM = "python -m Admin"


def main() -> int:
    logging.basicConfig(format=f"{PROGRAM}: %(message)s", level=logging.INFO, stream=sys.stderr)
    try:
        config = parse_document(sys.stdin.read(), LocalTournament, _CONVERTER)
        players = create_players(config.players, "players")
    except (StructureError, PlayerLoadError) as error:
        print(f"{PROGRAM}: configuration: {error}", file=sys.stderr)
        return 2
    manager = TournamentManager(
        Referee(config.best_of, config.time_per_call),
        RULES,
        time_per_call=config.time_per_call,
        observer=TournamentLog(logging.getLogger("Admin")),
    )
    results = trio.run(manager.run, players)
    print(json.dumps(unstructure(results)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
