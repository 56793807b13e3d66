"""One value describes a game: everything the game-free host needs to run its tournaments.

The host (configuration reading, xserver, xclients, `python -m Admin`) reads
a Game and never imports a game's modules by name; each game assembles its
own Game in `Remote/<game>/game.py`, and `Remote/game_registry.py` lists them, one
line per game. A Game says:

* who may play: its local players (kinds, strategy base class, name rule)
  and the longest name its renaming may make;
* its configuration keys: which JSON keys are its own, and how to read them
  strictly into its settings (one-line errors naming the key);
* how to play: a referee of one encounter and the rules the manager follows
  (revisions, Results, schedule), both made from the settings; how many
  players an encounter has (two, or two to four in Fish: then the referee
  takes a table of Entrants) and the format a tournament plays by default;
* both ends of its wire: the server's proxy of a remote player and the
  client's proxy of the server, and the shape of its server's messages (so
  that a client of another game can say where it is);
* how many players an encounter seats (`players_per_encounter`: two for
  Santorini and the IPD; two to four for Fish);
* what the organiser reads: the Results line on standard output, a log line
  per outcome, the standings table, and the exports of the event log (each
  side's word for an outcome in the crosstable, the standings as JSON; for a
  game seating more than two, each player's place and score in an outcome);
* what a spectator sees: the script of its board view on the watch page;
  what a person playing from the page sees: the script of its play view, if any;
* its own doors of the WebSocket listener, if any (`websocket_doors`);
* what its event log records of the settings: every value that can change
  the Results, as configuration keys that `read_settings` reads back.

`play_tournament` runs one tournament of a game, for xserver and
`python -m Admin` alike, writing its events to an EventLog (the event log).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any, Protocol, cast

import attrs
import trio

from Admin.arena_manager import ArenaManager
from Admin.arena_outcomes import EndedOutcomes
from Admin.arena_state import ArenaState
from Admin.encounter import GroupRefereeFunction, Note, RefereeFunction, ignore
from Admin.event_log import EventLog, Resumption
from Admin.formats.arena import ArenaSettings
from Admin.formats.settings import DEFAULT as DEFAULT_FORMAT
from Admin.formats.settings import FormatSettings, NothingToPlay, missing_candidates, schedule_of, staged_format
from Admin.formats.stage import Format
from Admin.manager import TournamentManager, TournamentRules
from Admin.observer import Observer, Observers
from Admin.organiser_log import OrganiserLog
from Admin.tournament_state import LOG_VERSION, RESUME, START
from Common.participant import Participant
from Player.game_players import GamePlayers
from Remote import encounter_loop
from Remote.channel import MessageChannel
from Remote.websocket import Door

DoorFactory = Callable[[Any, Any], Door]
"""A game's door of the WebSocket listener, made from xserver's ServerConfiguration and its Participants (or None)."""


class ClientProxy(Protocol):
    """The client's stand-in for the server, for one local player: it signs up, then plays to the end."""

    @property
    def name(self) -> str:
        """The name its player plays as (the game's Name; read only, so a game's own Name type fits)."""

    channel: MessageChannel
    results: Any | None
    """The Results its player received, once they have arrived."""

    async def sign_up(self) -> None:
        """Send the first message of the connection."""

    async def play(self) -> Any | None:
        """Answer the server until the conversation ends; the Results, or None if none arrived."""


ReceivedOutput = Callable[[Sequence[ClientProxy]], Any]
"""What xclients prints, from its players' proxies in sign-up order (an optional hook of a Game)."""


@attrs.frozen
class Game:
    """Everything the host needs to know about one game."""

    name: str
    """The configuration's "game" value."""
    players: GamePlayers
    settings_keys: Mapping[str, Callable[[Any], Any]]
    """The configuration keys that belong to this game, each with the function that reads (checks) its value:
    two games may share a key only when they read it with the same function."""
    read_settings: Callable[[Mapping[str, Any]], Any]
    """The game's settings from its keys (only those present); StructureError naming the key."""
    make_referee: Callable[[Any, float, Note], RefereeFunction | GroupRefereeFunction]
    """The referee of one encounter, from the settings, the time per call and where its game events go (`note`; `ignore`: nowhere):
    a RefereeFunction (first, second) for a game of two players an encounter; a GroupRefereeFunction (the Entrants in seat
    order) for a game whose `players_per_encounter` allows more, which then plays every encounter, of two players too."""
    rules: Callable[[Any], TournamentRules]
    remote_player: Callable[..., Participant]
    """The server's proxy `(channel, statistics, name=...)` of a player signed up as `name` on `channel`."""
    client_proxy: Callable[..., ClientProxy]
    """The client's proxy `(channel, player, name)`; with `token=` given, it signs up with `["sign-up", Name, Token]`;
    with `options=` (Common.sign_up_options' object), `["sign-up", Name, Token, Options]` (Token null without `token=`);
    `opening=` (Remote.client_conversation.Opening) judges whether the server runs this game."""
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
    settings_json: Callable[[Any], dict[str, Any]]
    """The settings as the game's configuration keys: every value that can change the Results (`read_settings` reads them back)."""
    outcome_sides: Callable[[Any, Sequence[Any]], dict[str, str]]
    """Each player's word for a raw outcome (wire form) in the crosstable, given its games' `game-end` events
    (those of an unrevised outcome; none otherwise): `{"ann": "won 2–1", "bob": "lost 1–2"}`."""
    standings_json: Callable[[Any, Sequence[str]], list[dict[str, Any]]]
    """The standings after the Results, among the players (sign-up order), as JSON rows, best first."""
    board_view: Path
    """The game's script for the watch page (served as /view.js): it registers the game's board view and the
    words of its scores with the page's `Boards` (Remote/watch/static/boards.js), so that the page names no game."""
    play_view: Path | None = None
    """The game's script for the page's play view (served as /play-view.js, its style sheet beside it as /play-view.css):
    it registers with the page's `Play` (Remote/watch/static/play.js) what a person sees and clicks to play the game's
    conversation over WebSocket; None: the game has no play view."""
    settings_help: str = ""
    """The game's keys for `xserver --help`, one indented line each: `  "best of"  odd whole number, default 3: ...`."""
    prepare: Callable[[Any], tuple[Any, str | None]] = lambda settings: (settings, None)
    """The settings for a tournament (for instance with a seed drawn), and a line for the log, if any."""
    observers: Callable[[Any], Sequence[Observer]] = lambda settings: []
    """Observers of the game's own that the settings ask for (for instance a writer of match records)."""
    local_settings: Callable[[Any, Any], Any] = lambda configured, recorded: recorded
    """The settings of a resumed tournament: those recorded in its log, with what only this server decides
    (where records go) from `configured`."""
    title: str = ""
    """The game as a sentence names it ("the prisoner's dilemma"); "" for `name`."""
    schedule_keys: tuple[str, ...] = ()
    """The game's own keys that choose its schedule (the IPD's "pairings", "repetitions"): "format" replaces them."""
    recognises_server_message: Callable[[Any], bool] = lambda message: False
    """Whether a message has the shape of one this game's server sends: xclients tells a server of another game by it."""
    players_per_encounter: tuple[int, int] = (2, 2)
    """The fewest and the most players of one encounter (Fish: 2 to 4); a format's "players per game" is at most the most.
    A game of more than two has a table per encounter instead of the crosstable's two-player cells (Remote/exports.py)."""
    outcome_places: Callable[[Any], Sequence[tuple[str, int | None, Any]]] = lambda outcome: ()
    """Each player's place and score in a raw outcome (wire form), in seat order: `(name, place, score)`, place 1 the
    best (tied players share one), place and score None for a player removed for misbehaving; the score is the game's
    (a JSON value: Fish's fish). The exports' and the watch page's table per encounter of a game seating more than two
    read it; the default, (), tells none (those columns stay empty)."""
    default_format: FormatSettings | None = None
    """The format of a configuration without "format" (None: the round robin); Fish's is the course's knock-out of 4."""
    default_time_per_call: float | None = None
    """The seconds a player has for each call in a configuration without "time per call" (None: the host's default); Fish's 10."""
    received_output: ReceivedOutput | None = None
    """What xclients prints from all its players' proxies, in sign-up order (Fish: who was told it won, who was kicked);
    None: the Results the first player to receive them received (`results_to_json`)."""
    websocket_doors: Mapping[str, DoorFactory] = attrs.field(factory=dict)
    """The game's own doors of the WebSocket listener, by their key in `"websocket"` (the IPD's `"fgw"`: another
    server's URL form and wire); each makes, from xserver's configuration and participants, the Door that judges
    an upgrade request the host's own door (`/`) does not take."""
    configure_doors: Callable[[Any, Mapping[str, Any]], Any] = lambda config, game_keys: config
    """xserver's configuration (its settings read) checked for the game's doors it opens, with their defaults, given the
    game's keys as configured; StructureError, one line naming the key (the IPD's "fgw" needs listed pairings)."""

    @property
    def group_game(self) -> bool:
        """Whether an encounter may seat more than two players (its `make_referee` makes a GroupRefereeFunction)."""
        return self.players_per_encounter[1] > 2

    @property
    def max_name_length(self) -> int:
        """The longest name of the game's rule: the longest its renaming may make."""
        return self.players.names.max_length

    def recorded_settings(self, configured: Any, recorded: Mapping[str, Any]) -> Any:
        """The settings of a tournament whose log recorded `recorded` (its `start` event's `settings`)."""
        return self.local_settings(configured, self.read_settings(recorded))


def game_keys_elsewhere(games: Mapping[str, Game], chosen: Game) -> Mapping[str, str]:
    """Every configuration key of the other games that `chosen` does not share, with its owners in words, for one-line errors:
    `the santorini game`, `the go and santorini games`."""
    owners: dict[str, list[str]] = {}
    for game in games.values():
        for key in game.settings_keys:
            if game is not chosen and key not in chosen.settings_keys:
                owners.setdefault(key, []).append(game.name)
    return {key: _owners_in_words(names) for key, names in owners.items()}


def _owners_in_words(names: Sequence[str]) -> str:
    names = sorted(names)
    return f"the {names[0]} game" if len(names) == 1 else f"the {', '.join(names[:-1])} and {names[-1]} games"


class GameError(Exception):
    """A Game that cannot be registered; its message is one line naming the game and what is wrong."""


_HOOKS = tuple(field.name for field in attrs.fields(Game) if str(field.type).startswith("Callable"))
"""The Game's fields that are functions the host calls (its hooks)."""


def register(*games: Game) -> dict[str, Game]:
    """The registry of `games` by name, each checked: GameError (one line) for a game that cannot be hosted.

    Every hook is present (a function, never None), and the board view's
    script is there (and the play view's, if the game has one); names are distinct; a
    configuration key owned by two games is read by both with the same
    function, or the error names every owner.
    """
    registry: dict[str, Game] = {}
    for game in games:
        if type(game.name) is not str or not game.name:
            raise GameError(f"a game's name must be a non-empty string, got {game.name!r}")
        if game.name in registry:
            raise GameError(f"the game {game.name!r} is registered twice")
        missing = [hook for hook in _HOOKS if not callable(getattr(game, hook))]
        if missing:
            raise GameError(f"the game {game.name!r} lacks {', '.join(missing)}: every game must say each (Remote/game_description.py)")
        if not isinstance(game.board_view, Path) or not game.board_view.is_file():
            shown = str(game.board_view)
            raise GameError(f"the game {game.name!r}: its board_view must be the path of its watch page script, got {shown!r}")
        if game.play_view is not None and not (isinstance(game.play_view, Path) and game.play_view.is_file()):
            raise GameError(
                f"the game {game.name!r}: its play_view must be None or the path of its play script, got {str(game.play_view)!r}"
            )
        if not isinstance(game.settings_keys, Mapping):
            raise GameError(f"the game {game.name!r}: settings_keys must map each key to the function that reads its value")
        fewest, most = game.players_per_encounter
        if not 2 <= fewest <= most:
            raise GameError(
                f"the game {game.name!r}: players_per_encounter must be (fewest, most), 2 <= fewest <= most, got {(fewest, most)}"
            )
        if game.default_format is not None and not fewest <= game.default_format.players_per_game <= most:
            raise GameError(f"the game {game.name!r}: its default format's players per game is not within {fewest} to {most}")
        registry[game.name] = game
    readers: dict[str, dict[str, Any]] = {}
    for game in registry.values():
        for key, reader in game.settings_keys.items():
            readers.setdefault(key, {})[game.name] = reader
    for key, by_game in readers.items():
        if len({id(reader) for reader in by_game.values()}) > 1:
            owners = ", ".join(sorted(by_game))
            raise GameError(
                f"the configuration key {key!r} belongs to the games {owners}, which read it differently: "
                "a shared key is read by one function"
            )
    return registry


@attrs.frozen
class Resuming:
    """What `play_tournament` needs to go on with an interrupted tournament."""

    settings: Any
    """The settings its log recorded (Game.recorded_settings)."""
    resumption: Resumption
    returned: tuple[str, ...]
    absent: tuple[str, ...]


async def play_tournament(
    game: Game,
    configured: Any,
    players: Sequence[tuple[str, Participant]],
    time_per_call: float,
    log: logging.Logger,
    status: Callable[[str], None] = lambda text: None,
    concurrent: bool = True,
    event_log: EventLog | None = None,
    configuration: Mapping[str, Any] | None = None,
    resuming: Resuming | None = None,
    event_format: FormatSettings = DEFAULT_FORMAT,
    seeding: Mapping[str, float] | None = None,
    observers: Sequence[Observer] = (),
) -> Any:
    """One tournament of `game` among `players`: settings prepared for it, logged on `log`; the output line.

    Its events go to `event_log`: first `start`, with `configuration` (the
    host's values that can change the Results, beside the game's own), or
    `resume` when `resuming` an interrupted tournament among its roster.
    `event_format` says who meets whom (a knock-out by rating is seeded by
    `seeding`, ratings by name); `observers` hear the tournament too.
    """
    note = ignore if event_log is None else event_log.write
    event_log = event_log or EventLog()
    if resuming is None:
        settings, announcement = game.prepare(configured)
        if announcement:
            log.info("%s", announcement)
        event_log.write(
            {"type": START, "version": LOG_VERSION, "tournament": event_log.tournament, "game": game.name}
            | {"configuration": {**(configuration or {}), **game.settings_json(configured)}}
            | {"settings": game.settings_json(settings)}
        )
    else:
        settings = resuming.settings
        event_log.write({"type": RESUME, "returned": list(resuming.returned), "absent": list(resuming.absent)})
    tournament_log = OrganiserLog(log, status, game.describe_outcome, game.standings_table)
    rules, staged = with_format(game.rules(settings), event_format, seeding, log)
    async with encounter_loop.encounter_loop() as loop:
        manager = _manager(game, settings, rules, time_per_call, loop, note)
        manager = attrs.evolve(
            manager,
            concurrent=concurrent,
            observer=Observers((tournament_log, *game.observers(settings), *observers)),
            event_log=event_log,
            output=lambda results: game.output(results, settings),
            event_format=staged,
        )
        results = await manager.run(players, None if resuming is None else resuming.resumption)
    return game.output(results, settings)


def _manager(
    game: Game, settings: Any, rules: TournamentRules, time_per_call: float, loop: encounter_loop.EncounterLoop, note: Note
) -> TournamentManager:
    """A manager of `game`'s encounters: its referee (in the encounter loop, for two players on sockets) and `rules`."""
    referee = game.make_referee(settings, time_per_call, note)
    return TournamentManager(
        None
        if game.group_game
        else encounter_loop.InEncounterLoop(cast(RefereeFunction, referee), loop if encounter_loop.ENCOUNTER_LOOP else None),
        rules,
        time_per_call=time_per_call,
        group_referee=cast(GroupRefereeFunction, referee) if game.group_game else None,
    )


async def play_arena(
    game: Game,
    configured: Any,
    arena: ArenaSettings,
    time_per_call: float,
    log: logging.Logger,
    status: Callable[[str], None],
    feed: Callable[[ArenaManager], Awaitable[None]],
    connected: Callable[[Participant], bool] = lambda player: True,
    event_log: EventLog | None = None,
    configuration: Mapping[str, Any] | None = None,
    resumed: ArenaState | None = None,
    fold: ArenaState | None = None,
    outcomes: EndedOutcomes | None = None,
) -> Any:
    """An arena of `game` (Admin/arena_manager.py): `feed` hands it the players as they sign up; the output line.

    Its events go to `event_log`: first `start`, with `configuration` (as
    `play_tournament` writes it), unless it goes on with the arena whose
    log folded to `resumed` (with the settings that log recorded). `fold`
    is the log writer's fold, which keeps the outcomes and the meetings;
    without one they are kept in memory, the outcomes in `outcomes` if given.
    """
    note = ignore if event_log is None else event_log.write
    event_log = event_log or EventLog()
    opened_at = None
    if resumed is None:
        settings, announcement = game.prepare(configured)
        if announcement:
            log.info("%s", announcement)
        opened_at = round(time.time(), 3)
        event_log.write(
            {"type": START, "t": opened_at, "version": LOG_VERSION, "tournament": event_log.tournament, "game": game.name}
            | {"configuration": {**(configuration or {}), **game.settings_json(configured)}}
            | {"settings": game.settings_json(settings)}
        )
    else:
        assert resumed.start is not None, "a resumed arena's log has its start"
        settings = game.recorded_settings(configured, resumed.start["settings"])
    tournament_log = OrganiserLog(log, status, game.describe_outcome, game.standings_table)
    async with encounter_loop.encounter_loop() as loop:
        manager = _manager(game, settings, game.rules(settings), time_per_call, loop, note)
        manager = attrs.evolve(manager, output=lambda results: game.output(results, settings))
        arena_manager = ArenaManager(
            manager,
            arena,
            log,
            status,
            observer=tournament_log,
            event_log=event_log,
            connected=connected,
            resumed=resumed,
            fold=fold,
            outcomes=outcomes,
            opened_at=opened_at,
        )
        async with trio.open_nursery() as nursery:
            nursery.start_soon(feed, arena_manager)
            results = await arena_manager.run()
            nursery.cancel_scope.cancel()
    return game.output(results, settings)


def with_format(
    rules: TournamentRules, event_format: FormatSettings, seeding: Mapping[str, float] | None = None, log: logging.Logger | None = None
) -> tuple[TournamentRules, Callable[[Sequence[str]], Format] | None]:
    """The manager's rules and format played in stages for `event_format`: the rules' schedule replaced by the
    format's when it is known from the roster (a round robin of several cycles, listed pairings), or a format played in stages."""
    if event_format.staged:
        return rules, partial(_staged_format, event_format, seeding, log)

    def skipped(first: str, second: str) -> None:
        if log is not None:
            log.info("pairing [%s, %s] skipped: a player of it did not sign up", first, second)

    return attrs.evolve(rules, schedule=schedule_of(event_format, rules.schedule, skipped)), None


def _staged_format(
    settings: FormatSettings, seeding: Mapping[str, float] | None, log: logging.Logger | None, names: Sequence[str]
) -> Format:
    """The format played in stages among `names`; a candidate of a gauntlet who did not sign up is left out, and the log says so."""
    if log is not None:
        for name in missing_candidates(settings, names):
            log.info("gauntlet: the candidate %s did not sign up and is left out", name)
    try:
        return staged_format(settings, names, seeding)
    except ValueError as error:
        if log is not None:
            log.error("%s: nothing is played", error)
        return NothingToPlay(str(error))
