"""One value describes a game: everything the game-free host needs to run its tournaments.

The host (configuration reading, xserver, xclients, `python -m Admin`) reads
a Game and never imports a game's modules by name; each game assembles its
own Game in `Remote/<game>/game.py`, and `Remote/games.py` lists them, one
line per game. A Game says:

* who may play: its local players (kinds, strategy base class, name rule)
  and the longest name its renaming may make;
* its configuration keys: which JSON keys are its own, and how to read them
  strictly into its settings (one-line errors naming the key);
* how to play: a referee of one encounter and the rules the manager follows
  (revisions, Results, schedule), both made from the settings;
* both ends of its wire: the server's proxy of a remote player and the
  client's proxy of the server;
* what the organiser reads: the Results line on standard output, a log line
  per outcome, the standings table.

`play_tournament` runs one tournament of a game, for xserver and
`python -m Admin` alike.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import attrs

from Admin.encounter import RefereeFunction
from Admin.manager import Observer, Observers, TournamentManager, TournamentRules
from Admin.tournament_log import TournamentLog
from Common.participant import Participant
from Player.game_players import GamePlayers
from Remote.channel import MessageChannel
from Remote.statistics import CallStatistics


class ClientProxy(Protocol):
    """The client's stand-in for the server, for one local player: it signs up, then plays to the end."""

    name: str
    channel: MessageChannel
    results: Any | None
    """The Results its player received, once they have arrived."""

    async def sign_up(self) -> None:
        """Send the first message of the connection."""

    async def play(self) -> Any | None:
        """Answer the server until the conversation ends; the Results, or None if none arrived."""


@attrs.frozen
class Game:
    """Everything the host needs to know about one game."""

    name: str
    """The configuration's "game" value."""
    players: GamePlayers
    max_name_length: int
    settings_keys: frozenset[str]
    """The configuration keys that belong to this game."""
    read_settings: Callable[[Mapping[str, Any]], Any]
    """The game's settings from its keys (only those present); StructureError naming the key."""
    make_referee: Callable[[Any, float], RefereeFunction]
    """The referee of one encounter, from the settings and the time per call."""
    rules: Callable[[Any], TournamentRules]
    remote_player: Callable[[MessageChannel, CallStatistics], Participant]
    client_proxy: Callable[..., ClientProxy]
    """The client's proxy `(channel, player, name)`; with `token=` given, it signs up with `["sign-up", Name, Token]`."""
    output: Callable[[Any, Any], Any]
    """The JSON value xserver prints for a tournament: from its Results and the settings."""
    results_to_json: Callable[[Any], Any]
    """The JSON value of Results that a client received (xclients prints it)."""
    no_results: Any
    """What xclients prints when none of its players received Results."""
    describe_outcome: Callable[[Any], str]
    """One outcome as a log line: `ann beat bob`."""
    standings_table: Callable[[Any, Sequence[str]], str]
    """The standings after the Results, among the players (sign-up order), as lines of text."""
    settings_help: str = ""
    """The game's keys for `xserver --help`, one indented line each: `  "best of"  odd whole number, default 3: ...`."""
    prepare: Callable[[Any], tuple[Any, str | None]] = lambda settings: (settings, None)
    """The settings for a tournament (for instance with a seed drawn), and a line for the log, if any."""
    observers: Callable[[Any], list[Observer]] = lambda settings: []
    """Observers of the game's own that the settings ask for (for instance a writer of match records)."""


def game_keys_elsewhere(games: Mapping[str, Game], chosen: Game) -> Mapping[str, str]:
    """Every configuration key of the other games, with the game it belongs to, for one-line errors."""
    return {key: game.name for game in games.values() if game is not chosen for key in game.settings_keys}



async def play_tournament(
    game: Game,
    configured: Any,
    players: Sequence[tuple[str, Participant]],
    time_per_call: float,
    log: logging.Logger,
    status: Callable[[str], None] = lambda text: None,
    concurrent: bool = True,
) -> Any:
    """One tournament of `game` among `players`: settings prepared for it, logged on `log`; the output line."""
    settings, announcement = game.prepare(configured)
    if announcement:
        log.info("%s", announcement)
    tournament_log = TournamentLog(log, status, game.describe_outcome, game.standings_table)
    manager = TournamentManager(
        game.make_referee(settings, time_per_call),
        game.rules(settings),
        time_per_call=time_per_call,
        concurrent=concurrent,
        observer=Observers((tournament_log, *game.observers(settings))),
    )
    return game.output(await manager.run(players), settings)
