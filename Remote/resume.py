"""The event log on xserver's side: each tournament's writer, what a stop says, and resuming.

Each tournament's events go to an EventLogWriter (`tournament_event_log`): in a
directory of its own under `"event log"`, or only in memory for the
watchers, or nowhere when nobody reads them. At a stop, `tell_how_to_resume`
prints the Results so far and how to go on.

`"resume": true` takes the newest tournament of the event log's directory
(`interrupted_tournament`):

* its log is read, a torn last line (a write the crash cut short) dropped
  from the file, and the events folded (Admin.tournament_state);
* with Results, there is nothing to do but print them again;
* without a roster, nothing had started: a fresh tournament begins;
* otherwise the configuration must be the one the log recorded, in every
  value that can change the Results (`configuration_differences`), and the
  players come back: `Returning` admits each player of the roster that is
  still in, once, under the name it asked for or the one it played as.
  The house players are the first sign-ups (the server signs them up first)
  and are made again; whoever does not come back is an AbsentPlayer.
"""

from __future__ import annotations

import json
import logging
import os
import signal
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import attrs
import trio

from Admin.absent import AbsentPlayer
from Admin.arena_manager import placing
from Admin.arena_state import ArenaState
from Admin.encounter import Encounter, EncounterResult, Entrant
from Admin.event_log import Resumption
from Admin.manager import TournamentManager
from Admin.organiser_log import count
from Admin.tournament_state import TournamentState
from Common.participant import Name, Participant
from Common.strict import show
from Remote.arena_exports import ArenaExports, arena_results_json
from Remote.configuration import ServerConfiguration
from Remote.event_log_reader import read_any_log
from Remote.event_log_writer import EVENTS_FILE, EventLogError, EventLogWriter, LogDirectory
from Remote.exports import RESULTS_JSON, export_texts, results_so_far, settings_of, write_texts
from Remote.game_description import Game, with_format

T = TypeVar("T")
log = logging.getLogger("xserver")


def load_tournament(
    directory: Path, games: Mapping[str, Game], files: ArenaExports | None = None
) -> tuple[TournamentState | ArenaState, bool]:
    """The state read strictly from `directory`'s log (a tournament's or an arena's, which tells `files` of each
    encounter as it ends), and whether a torn last line was dropped (and cut from the file)."""
    path = directory / EVENTS_FILE
    try:
        state, _, torn = read_any_log(path, games, files)
    except OSError as error:
        raise EventLogError(f"cannot resume from {path}: {error.strerror or error}") from None
    except ValueError as error:
        raise EventLogError(f"cannot resume from {path}: {error}") from None
    if torn:
        _cut_torn_line(path)
    if isinstance(state, TournamentState):
        state.forget_unfinished()
    return state, torn


def _cut_torn_line(path: Path) -> None:
    """Cut the file after its last whole line, so that the events appended next follow a whole line."""
    with open(path, "rb+") as file:
        data = file.read()
        file.truncate(data.rfind(b"\n") + 1)


def configuration_differences(recorded: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    """Each value that differs between the recorded and the current configuration, as `"key" was X, is Y`."""
    differences = []
    for key in sorted({*recorded, *current}):
        was, now = recorded.get(key), current.get(key)
        if was != now or type(was) is not type(now):
            differences.append(f"{show(key)} was {show(was)}, is {show(now)}")
    return differences


class Returning:
    """Who may come back to a resumed tournament, and who has: the players still in, each once.

    `sign_ups` are the log's (requested and assigned names, sign-up order);
    `expected` the assigned names of those who must come back (not house
    players, not out). A name that comes back is matched to the first
    expected player that asked for it, or else to the one that played as it.
    """

    def __init__(self, sign_ups: Sequence[Mapping[str, Any]], expected: Sequence[Name]) -> None:
        self.waiting = [(entry["requested"], entry["assigned"]) for entry in sign_ups if entry["assigned"] in expected]
        self.claims: list[Name] = []
        """The assigned names that came back, in the order they came."""
        self.all_back = trio.Event()
        if not self.waiting:
            self.all_back.set()

    def admit(self, name: Name) -> str | None:
        """Admit `name` (None), or say why it may not come back."""
        for matches in (lambda requested, assigned: requested == name, lambda requested, assigned: assigned == name):
            for requested, assigned in self.waiting:
                if matches(requested, assigned) and assigned not in self.claims:
                    self.claims.append(assigned)
                    if len(self.claims) == len(self.waiting):
                        self.all_back.set()
                    return None
        return f"{name} is not a player of the interrupted tournament that is still in, or has come back already"


def roster_players(
    state: TournamentState,
    house: Sequence[tuple[Name, Participant]],
    returned: Mapping[Name, Participant],
    absence: str,
) -> tuple[list[tuple[Name, Participant | AbsentPlayer]], Resumption, list[Name]]:
    """The roster's players in sign-up order, the Resumption, and the names of the absent.

    `house` are the house players made again (requested names, in the
    configuration's order); `returned` the players that came back, by the
    name they play as; every other player still in is absent, for `absence`.
    """
    assert state.roster is not None
    playing: list[tuple[Name, Participant | AbsentPlayer]] = []
    renamed, absent = [], []
    for number, entry in enumerate(state.sign_ups):
        assigned = entry["assigned"]
        if assigned is None:
            continue
        if number < len(house):
            player: Participant | AbsentPlayer = house[number][1]
            if assigned != entry["requested"] and assigned not in state.out:
                renamed.append(assigned)
        elif assigned in returned:
            player = returned[assigned]
            if assigned != entry["requested"]:
                renamed.append(assigned)
        else:
            player = AbsentPlayer(absence)
            if assigned not in state.out:
                absent.append(assigned)
        playing.append((assigned, player))
    return playing, Resumption(state.progress(), tuple(renamed), state.revised_so_far(), tuple(state.stages)), absent


@attrs.frozen
class EndedTournament:
    """The newest tournament of the event log had ended: `"resume": true` prints its `output` again."""

    output: Any


@attrs.frozen
class Interrupted:
    """The newest tournament of the event log, which `"resume": true` goes on with: its directory and state."""

    directory: Path
    state: TournamentState


@attrs.frozen
class InterruptedArena:
    """The newest event of the event log is an arena that had not ended: `"resume": true` goes on with it, and appends
    to the files its fold wrote again."""

    directory: Path
    state: ArenaState
    exports: ArenaExports


@attrs.define
class EventLogging:
    """Where each tournament's events go: the locked directory (None: nowhere), and the test-only crash hook."""

    directory: LogDirectory | None = None
    crash_after: int | None = None
    on_crash: Callable[[], None] = lambda: os.kill(os.getpid(), signal.SIGKILL)
    stop_hooks: list[Callable[[], Awaitable[None]]] = attrs.field(factory=list)
    """Called when the server is stopped (Ctrl-C, SIGTERM), before anything unwinds."""
    end_hooks: list[Callable[[], None]] = attrs.field(factory=list)
    """Called when the organiser ends the arenas (SIGUSR1): each running arena ends as if its minutes were over."""


def tournament_event_log(logging_to: EventLogging, resumed: Interrupted | None, game: Game, watched: bool) -> EventLogWriter | None:
    """The event log writer of one tournament: a new directory of the event log, or the resumed one's.

    Without a log it is kept in memory for the watchers; None when nobody watches either.
    """
    if resumed is not None:
        directory, state = resumed.directory, resumed.state
    elif logging_to.directory is not None:
        directory, state = logging_to.directory.new_tournament(), None
    elif watched:
        return EventLogWriter(None)
    else:
        return None

    def exports(state: TournamentState) -> Callable[[], None]:
        texts = export_texts(state, game)
        return lambda: write_texts(directory, texts)

    return EventLogWriter(directory, state, exports, crash_after=logging_to.crash_after, on_crash=logging_to.on_crash)


def arena_event_log(
    logging_to: EventLogging, resumed: InterruptedArena | None, game: Game, configured: Any, watched: bool = False
) -> EventLogWriter | None:
    """The event log writer of an arena: a new directory of the event log, or the resumed one's; without a log, only
    memory for the watchers, or None when nobody watches either.

    Its fold places each outcome's players by the rules of the `configured` settings (a resumed arena's: those its log
    recorded), as the arena rates them.
    """
    if resumed is not None:
        directory, state, files = resumed.directory, resumed.state, resumed.exports
        files.flushed_by_the_writer()
    elif logging_to.directory is not None:
        directory = logging_to.directory.new_tournament()
        files = ArenaExports(directory, {game.name: game})
        state = ArenaState(placing(game.rules(configured)), on_ended=files.ended, rated=files.outcomes())
    elif watched:
        files = ArenaExports(None, {game.name: game})
        state = ArenaState(placing(game.rules(configured)), on_ended=files.ended, rated=files.outcomes())
        return EventLogWriter(None, state, arena_exports=files)
    else:
        return None

    def exports(state: ArenaState) -> Callable[[], None]:
        results = arena_results_json(state)

        def write() -> None:
            files.flush()  # first: results.json counts no encounter that is not in the appended files
            write_texts(directory, {RESULTS_JSON: results})

        return write

    return EventLogWriter(directory, state, exports, crash_after=logging_to.crash_after, on_crash=logging_to.on_crash, arena_exports=files)


async def written_while(event_log: EventLogWriter, game: Game, logging_to: EventLogging, play: Callable[[], Awaitable[T]]) -> T:
    """What `play` returns, its events written by `event_log` as it goes, which is then closed; a stop meanwhile (Ctrl-C,
    SIGTERM) ends the log with a `stop` event and says how to go on."""

    async def stop() -> None:
        await event_log.stop("signal")
        tell_how_to_resume(event_log, game)

    async with trio.open_nursery() as nursery:
        nursery.start_soon(event_log.run)
        logging_to.stop_hooks.append(stop)
        try:
            played = await play()
        finally:
            logging_to.stop_hooks.remove(stop)
        nursery.cancel_scope.cancel()
    event_log.close()
    return played


def tell_how_to_resume(event_log: EventLogWriter, game: Game) -> None:
    """At a stop: the Results so far on one line of standard error (a tournament's), and how to go on (with a log on disk)."""
    if isinstance(event_log.state, TournamentState) and event_log.state.roster is not None:
        log.info("results so far: %s", json.dumps(results_so_far(event_log.state, game)))
    if event_log.directory is None:
        return
    log.info(
        'the event log keeps tournament %s: to go on with it, run xserver again with the same configuration and "resume": true',
        event_log.tournament,
    )


def interrupted_tournament(
    config: ServerConfiguration,
    game: Game,
    directory: LogDirectory | None,
    games: Mapping[str, Game] | None = None,
    seeding: Mapping[str, float] | None = None,
) -> Interrupted | InterruptedArena | EndedTournament | None:
    """What `"resume": true` goes on with: the newest tournament, or its output if it ended, or None (a fresh one).

    `games` are those whose logs can be read (the registry; default: `game`'s
    only). EventLogError when the log is not one they read strictly, or its
    configuration differs in a value that can change the Results.
    """
    assert directory is not None
    newest = directory.newest()
    if newest is None:
        log.info("resume: the event log %s holds no tournament; a fresh one starts", directory.path)
        return None
    readable = games or {game.name: game}
    files = ArenaExports(newest, readable, flush_inline=True)  # an arena's, written again as its log is folded
    state, torn = load_tournament(newest, readable, files)
    if torn:
        log.info("resume: dropped the torn last line of %s", newest.name)
    if isinstance(state, ArenaState):
        files.flush()
        return _arena_to_resume(config, game, newest, state, files)
    if state.roster is None or state.start is None:
        log.info("resume: tournament %s had no roster yet; a fresh one starts", newest.name)
        return None
    if state.start["game"] != game.name:
        raise EventLogError(f"tournament {newest.name} is of the game {state.start['game']}, not {game.name}")
    current = {**config.results_keys(), **game.settings_json(config.settings)}
    differences = configuration_differences(state.start["configuration"], current)
    if differences:
        raise EventLogError(f"cannot resume tournament {newest.name}: its configuration differs: {'; '.join(differences)}")
    if state.results is not None:
        log.info("resume: tournament %s had ended; its Results again", newest.name)
        return EndedTournament(state.results["output"])
    _check_it_goes_on(config, game, state, newest.name, seeding)
    log.info("resume: %d of %s already played", state.finished, count(state.total or 0, "encounter"))
    return Interrupted(newest, state)


def _arena_to_resume(
    config: ServerConfiguration, game: Game, newest: Path, state: ArenaState, files: ArenaExports
) -> InterruptedArena | EndedTournament:
    """The arena of the log in `newest`, if the configuration is the one it recorded: its output if it ended."""
    assert state.start is not None  # an arena's fold has its start
    if state.start["game"] != game.name:
        raise EventLogError(f"arena {newest.name} is of the game {state.start['game']}, not {game.name}")
    current = {**config.results_keys(), **game.settings_json(config.settings)}
    differences = configuration_differences(state.start["configuration"], current)
    if differences:
        raise EventLogError(f"cannot resume arena {newest.name}: its configuration differs: {'; '.join(differences)}")
    if state.results is not None:
        log.info("resume: arena %s had ended; its Results again", newest.name)
        return EndedTournament(state.results["output"])
    ended = len(state.rated)
    log.info("resume: arena %s: %s ended, %s rated", newest.name, count(ended, "encounter"), count(len(state.ratings), "player"))
    return InterruptedArena(newest, state, files)


def _check_it_goes_on(
    config: ServerConfiguration, game: Game, state: TournamentState, name: str, seeding: Mapping[str, float] | None
) -> None:
    """EventLogError, one line, unless the manager can take the tournament up where its log ends (the stages a format
    played in stages gives again are those logged: a log edited by hand, or a different ratings file, says so)."""
    rules, staged = with_format(game.rules(settings_of(state, game)), config.event_format, seeding)
    manager = TournamentManager(_plays_nothing, rules, time_per_call=config.time_per_call, event_format=staged)
    resumption = Resumption(state.progress(), (), state.revised_so_far(), tuple(state.stages))
    try:
        manager.check_resumption(list(state.roster or ()), resumption)
    except ValueError as error:
        raise EventLogError(f"cannot resume tournament {name}: {error}") from None


async def _plays_nothing(first: Entrant, second: Entrant, encounter: Encounter) -> EncounterResult:
    """The referee of a manager that only checks a log: it is never called."""
    raise AssertionError("a check plays no encounter")
