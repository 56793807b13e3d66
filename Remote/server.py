"""xserver: sign-up windows on TCP, then round-robin tournaments among those who signed up.

`main` reads the configuration on standard input, and for each tournament
opens a sign-up window, turns every connection that signed up into a
RemotePlayer, adds the house players first, runs the shared tournament
manager and prints the Results as one line of JSON on standard output. With
`"repeat": 1` the sign-up desk accepts all along, also while a tournament
runs. Logs go to standard error; when it is a terminal, a status line shows
progress.

Exit status: 0 done; 1 too few players signed up; 2 bad configuration or
house player; 3 cannot listen on the port; 130 stopped (Ctrl-C, SIGTERM).
"""

from __future__ import annotations

import json
import logging
import math
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import attrs
import trio

from Admin.naming import NameRegistry
from Admin.tournament_log import count
from Common.participant import Participant
from Common.strict import StructureError
from Player.configuration import create_players
from Player.loader import PlayerLoadError
from Remote.cli import EXIT_STOPPED, StatusLine, answer_arguments, exit_status_of, xserver_usage
from Remote.configuration import SERVER_MAX_MESSAGE_BYTES, ServerConfiguration, read_server_configuration
from Remote.descriptors import raise_open_file_limit
from Remote.event_log import EventLogError, LogDirectory
from Remote.game_description import Game, Resuming, play_tournament
from Remote.game_registry import DEFAULT_GAME, GAMES
from Remote.participants import Participants, ParticipantsError, read_participants
from Remote.resume import (
    Ended,
    EventLogging,
    Interrupted,
    Returning,
    interrupted_tournament,
    roster_players,
    tell_how_to_resume,
    tournament_journal,
)
from Remote.signup import SignedUp, SignUpDesk
from Remote.statistics import CallStatistics
from Remote.watch import WatchHub, WatchListenError, serve_watch

log = logging.getLogger("xserver")

SEQUENTIAL_VARIABLE = "XSERVER_SEQUENTIAL"
"""Set to 1 to play encounters one after another, for benchmarks that compare."""
CRASH_VARIABLE = "XSERVER_CRASH_AFTER_EVENT"
"""For tests only: set to k and the server kills itself (SIGKILL) right after the k-th event is on disk."""

EXIT_DONE, EXIT_TOO_FEW, EXIT_CONFIGURATION, EXIT_CANNOT_LISTEN = 0, 1, 2, 3


async def serve(
    config: ServerConfiguration,
    game: Game,
    house_players: Callable[[], list[tuple[str, Participant]]],
    publish: Callable[[Any], None],
    status: Callable[[str], None] = lambda text: None,
    participants: Participants | None = None,
    logging_to: EventLogging | None = None,
    interrupted: Interrupted | None = None,
) -> int:
    """Run the tournaments of `game` that `config` asks for, showing progress with `status`; the exit status.

    With `interrupted`, the first tournament is that one, resumed.
    """
    logging_to = logging_to or EventLogging()
    hub = None if config.watch is None else WatchHub(config.watch.memory_bytes)

    async def play(
        players: Sequence[tuple[str, Participant]], resuming: Resuming | None = None, resumed: Interrupted | None = None
    ) -> None:
        """One tournament among `players`, with settings of its own (a seed drawn for each, say); its Results published."""
        concurrent = os.environ.get(SEQUENTIAL_VARIABLE) != "1"
        event_log = tournament_journal(logging_to, resumed, game, watched=hub is not None)
        if event_log is None:  # nobody reads the events: none is made
            publish(await play_tournament(game, config.settings, players, config.time_per_call, log, status, concurrent))
            return

        async def stop() -> None:
            await event_log.stop("signal")
            tell_how_to_resume(event_log, game)

        if hub is not None:
            hub.attach(event_log, game)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(event_log.run)
            logging_to.stop_hooks.append(stop)
            try:
                line = await play_tournament(
                    game, config.settings, players, config.time_per_call, log, status, concurrent,
                    journal=event_log, configuration=config.results_keys(), resuming=resuming,
                )
            finally:
                logging_to.stop_hooks.remove(stop)
            nursery.cancel_scope.cancel()
        event_log.close()
        publish(line)

    try:
        listeners = await trio.open_tcp_listeners(config.port, host=config.host or None)
    except OSError as error:
        log.error("cannot listen on %s: %s", _address(config), error.strerror or error)
        return EXIT_CANNOT_LISTEN
    registry = _house_registry(config, game)
    capacity = _Capacity(config.max_players)

    def signed_up(entry: SignedUp) -> None:
        _log_sign_up(entry)
        capacity.check(len(desk.signed_up))

    desk = SignUpDesk(
        listeners, SERVER_MAX_MESSAGE_BYTES, registry(), game.players.is_name, on_sign_up=signed_up, participants=participants
    )
    try:
        async with trio.open_nursery() as nursery:
            if hub is not None:
                try:
                    await nursery.start(serve_watch, config.watch, hub)
                except WatchListenError as error:
                    log.error("%s", error)
                    return EXIT_CANNOT_LISTEN
            if config.repeat:
                nursery.start_soon(desk.serve)  # for the server's whole life: nobody is turned away between windows
            status_code = None
            if interrupted is not None:
                status_code = await _resume(config, game, interrupted, desk, registry, house_players, play, status)
            if status_code is None:
                status_code = await _tournaments(config, game, desk, registry, house_players, play, status, capacity)
            desk.close()
            if hub is not None and config.watch_linger > 0:
                log.info("watch: the page stays up for %g s", config.watch_linger)
                await trio.sleep(config.watch_linger)
            if hub is not None:
                await hub.finish()  # every watcher gets the end of the tournament and a whole body, not a close
            nursery.cancel_scope.cancel()
        return status_code
    finally:
        for listener in listeners:
            await trio.aclose_forcefully(listener)


async def _resume(
    config: ServerConfiguration,
    game: Game,
    interrupted: Interrupted,
    desk: SignUpDesk,
    registry: Callable[[], NameRegistry],
    house_players: Callable[[], list[tuple[str, Participant]]],
    play: Callable[..., Awaitable[None]],
    status: Callable[[str], None],
) -> int | None:
    """Go on with the `interrupted` tournament; the exit status, or None when more tournaments follow."""
    state = interrupted.state
    house = house_players()
    out = state.out
    expected = [name for number, entry in enumerate(state.sign_ups) if number >= len(house)
                if (name := entry["assigned"]) is not None and name not in out]
    returning = Returning(state.sign_ups, expected)
    wait = config.resume_wait if config.resume_wait is not None else config.waiting_for
    if expected:
        host, port = desk.listeners[0].socket.getsockname()[:2]
        log.info("listening on %s:%d for %g s", host, port, wait)
        log.info("resuming tournament %s: waiting for %s to come back", interrupted.directory.name, count(len(expected), "player"))
    else:
        log.info("resuming tournament %s: nobody needs to come back", interrupted.directory.name)
    desk.admit = returning.admit
    try:
        await _window(config, desk, len(house), status, wait, returning.all_back)
    finally:
        desk.admit = None
    statistics = CallStatistics()
    taken = desk.take(registry())
    returned = {assigned: game.remote_player(entry.channel, statistics) for assigned, entry in zip(returning.claims, taken, strict=True)}
    absence = f"did not come back within {wait:g} s when the tournament resumed"
    players, resumption, absent = roster_players(state, house, returned, absence)
    if absent:
        log.info("absent: %s", ", ".join(absent))
    assert state.start is not None  # an interrupted tournament has started
    settings = game.recorded_settings(config.settings, state.start["settings"])
    desk.playing = frozenset(returned)
    try:
        started = trio.current_time()
        await play(players, Resuming(settings, resumption, tuple(returned), tuple(absent)), interrupted)
        _log_statistics(len(players), started, statistics)
    finally:
        desk.playing = frozenset()
        for player in returned.values():
            await player.aclose()  # type: ignore[attr-defined]  # a game's remote player is a RemoteParticipant too
    return None if config.repeat else EXIT_DONE


async def _tournaments(
    config: ServerConfiguration,
    game: Game,
    desk: SignUpDesk,
    registry: Callable[[], NameRegistry],
    house_players: Callable[[], list[tuple[str, Participant]]],
    play: Callable[[list[tuple[str, Participant]]], Awaitable[None]],
    status: Callable[[str], None],
    capacity: _Capacity,
) -> int:
    """Sign-up window after sign-up window, a tournament after each that has enough players; the exit status.

    A window closes early once `capacity` is full; those beyond it wait for the next window (with `"repeat": 1`).
    """
    host, port = desk.listeners[0].socket.getsockname()[:2]
    unchanged_since = None  # how many had signed up after the last window without a tournament
    while True:
        house = house_players()
        if unchanged_since is None or unchanged_since != len(desk.signed_up):
            log.info("listening on %s:%d for %g s", host, port, config.waiting_for)
            for name, _ in house:
                log.info("%s signed up (a house player)", name)
        capacity.open(len(house), len(desk.signed_up))
        await _window(config, desk, len(house), status, config.waiting_for, capacity.full)
        if capacity.full.is_set() and capacity.most is not None:  # full: there is a most
            log.info('the window closed: %s signed up, as many as "max players"', count(capacity.most, "player"))
        signed = len(house) + len(desk.signed_up)
        players = min(signed, capacity.most) if capacity.most else signed
        if players < config.min_players:
            if unchanged_since != len(desk.signed_up):
                log.info("only %s signed up, of at least %d; no tournament", count(players, "player"), config.min_players)
            if not config.repeat:
                return EXIT_TOO_FEW
            unchanged_since = len(desk.signed_up)
            continue
        unchanged_since = None
        statistics = CallStatistics()
        taken = desk.take(registry(), None if capacity.most is None else capacity.most - len(house))
        if not config.repeat:
            await _turn_away(desk.take(registry()))
        remote = [(entry.name, game.remote_player(entry.channel, statistics)) for entry in taken]
        desk.playing = frozenset(name for name, _ in remote)
        try:
            started = trio.current_time()
            await play(house + remote)
            _log_statistics(players, started, statistics)
        finally:
            desk.playing = frozenset()
            for _, player in remote:
                await player.aclose()  # type: ignore[attr-defined]  # a game's remote player is a RemoteParticipant too
        if not config.repeat:
            return EXIT_DONE


async def _window(
    config: ServerConfiguration,
    desk: SignUpDesk,
    house: int,
    status: Callable[[str], None],
    seconds: float,
    everyone_here: trio.Event | None = None,
) -> None:
    """One sign-up window of `seconds`, counting down on the status line; it closes early once `everyone_here` is set.

    For a single tournament the desk serves only now; for one after another it serves all along.
    """

    def signed_up_so_far() -> str:
        return f"signed up: {house + len(desk.signed_up)}"

    desk.new_window()
    try:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(_count_down, trio.current_time() + seconds, signed_up_so_far, status)
            if not config.repeat:
                nursery.start_soon(desk.serve)
            with trio.move_on_after(seconds):
                if everyone_here is None:
                    await trio.sleep_forever()
                await everyone_here.wait()
            if not config.repeat:
                desk.close()
            nursery.cancel_scope.cancel()
    finally:
        status("")


@attrs.define
class _Capacity:
    """When a sign-up window is full: once `most` players (None: never) have signed up, `house` players included."""

    most: int | None
    house: int = 0
    full: trio.Event = attrs.field(factory=trio.Event)

    def open(self, house: int, signed_up: int) -> None:
        """A window opens with `house` players and the `signed_up` who wait already (those beyond the last window's most)."""
        self.house, self.full = house, trio.Event()
        self.check(signed_up)

    def check(self, signed_up: int) -> None:
        """`signed_up` connections have signed up so far."""
        if self.most is not None and self.house + signed_up >= self.most:
            self.full.set()


async def _turn_away(late: Sequence[SignedUp]) -> None:
    """Close the connections that signed up as a full window closed, with no tournament to come."""
    for entry in late:
        log.info('%s signed up as the window closed, full; its connection is closed', entry.name)
        await trio.aclose_forcefully(entry.channel)


def _house_registry(config: ServerConfiguration, game: Game) -> Callable[[], NameRegistry]:
    """A maker of the names a tournament has taken before any connection signs up: its house players'."""

    def registry() -> NameRegistry:
        taken = NameRegistry(game.max_name_length)
        for entry in config.house_players:
            taken.assign(entry.name)
        return taken

    return registry


def _log_statistics(players: int, started: float, statistics: CallStatistics) -> None:
    """The tournament's figures, one line: its players, its seconds since `started`, its calls' durations."""
    figures = {"players": players, "seconds": round(trio.current_time() - started, 3), **statistics.summary()}
    log.info("statistics %s", json.dumps(figures))


def _log_sign_up(entry: SignedUp) -> None:
    log.info("%s signed up", entry.name)


def _address(config: ServerConfiguration) -> str:
    """The host and port the configuration asks to listen on, as a person would write them."""
    return f"{config.host}:{config.port}" if config.host else f"port {config.port} of every interface"


async def _count_down(deadline: float, progress: Callable[[], str], status: Callable[[str], None]) -> None:
    """Show `progress` and the whole seconds left until `deadline`, once a second."""
    while (left := deadline - trio.current_time()) > 0:
        status(f"{progress()}; the window closes in {math.ceil(left)} s")
        await trio.sleep(left - math.floor(left) or 1)


async def _until_terminated(main: Callable[[], Awaitable[int]], stop_hooks: Sequence[Callable[[], Awaitable[None]]] = ()) -> int:
    """Run `main`; Ctrl-C or SIGTERM stops it (after the `stop_hooks`), every connection closing as it unwinds."""
    result = EXIT_STOPPED
    async with trio.open_nursery() as nursery:

        async def stop_on_signal() -> None:
            with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
                async for _ in signals:
                    log.info("stopped")
                    for hook in list(stop_hooks):
                        await hook()
                    nursery.cancel_scope.cancel()

        async def run_main() -> None:
            nonlocal result
            result = await main()
            nursery.cancel_scope.cancel()

        nursery.start_soon(stop_on_signal)
        nursery.start_soon(run_main)
    return result


def main() -> int:
    """xserver's whole life: parse, start, print; Ctrl-C at any moment ends it with one line."""
    raise_open_file_limit()  # every connection is a descriptor: allow as many as the system lets us
    status_line = StatusLine(sys.stderr)
    status_line.setFormatter(logging.Formatter("xserver: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[status_line])
    signal.signal(signal.SIGTERM, _interrupt)  # until trio takes the signals over: SIGTERM acts as Ctrl-C
    return exit_status_of("xserver", lambda: _run(sys.argv[1:], status_line.show), before_exit=lambda: status_line.show(""))


def _interrupt(signal_number: int, frame: object) -> None:
    raise KeyboardInterrupt


def _run(arguments: list[str], status: Callable[[str], None]) -> int:
    answered = answer_arguments("xserver", arguments, xserver_usage(GAMES, DEFAULT_GAME))
    if answered is not None:
        return answered
    try:
        config = read_server_configuration(sys.stdin.read(), GAMES, DEFAULT_GAME)
        game = GAMES[config.game]
        create_players(config.house_players, "house players", game.players)
        participants = _participants(config, game)
    except (StructureError, PlayerLoadError, ParticipantsError) as error:
        print(f"xserver: configuration: {error}", file=sys.stderr)
        return EXIT_CONFIGURATION
    crash_after = os.environ.get(CRASH_VARIABLE)
    logging_to = EventLogging(crash_after=int(crash_after) if crash_after else None)
    try:
        if config.event_log is not None:
            logging_to.directory = LogDirectory(Path(config.event_log))
        interrupted = interrupted_tournament(config, game, logging_to.directory, GAMES) if config.resume else None
    except EventLogError as error:
        print(f"xserver: event log: {error}", file=sys.stderr)
        return EXIT_CONFIGURATION

    def house_players() -> list[tuple[str, Participant]]:
        return create_players(config.house_players, "house players", game.players)

    def publish(line: Any) -> None:
        print(json.dumps(line), flush=True)

    if isinstance(interrupted, Ended):
        publish(interrupted.output)
        return EXIT_DONE

    def main() -> Awaitable[int]:
        return serve(config, game, house_players, publish, status, participants, logging_to, interrupted)

    return trio.run(_until_terminated, main, logging_to.stop_hooks)


def _participants(config: ServerConfiguration, game: Game) -> Participants | None:
    """The participants file's participants, if the configuration names one; none may be a house player."""
    if config.participants is None:
        return None
    participants = read_participants(Path(config.participants), game.players.is_name, game.players.name_rule)
    for entry in config.house_players:
        if entry.name in participants:
            raise ParticipantsError(f"{entry.name} is both a house player and a participant @ $.participants")
    return participants


if __name__ == "__main__":
    sys.exit(main())
