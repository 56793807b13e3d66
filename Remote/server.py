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
from pathlib import Path
from collections.abc import Awaitable, Callable
from typing import Any

import trio

from Admin.manager import DEFAULT_TIME_PER_CALL
from Admin.naming import NameRegistry
from Admin.tournament_log import count
from Common.participant import Participant
from Common.strict import StructureError
from Player.configuration import create_players
from Player.loader import PlayerLoadError
from Remote.cli import EXIT_STOPPED, answer_arguments, exit_status_of
from Remote.configuration import SERVER_MAX_MESSAGE_BYTES, ServerConfiguration, read_server_configuration
from Remote.descriptors import raise_open_file_limit
from Remote.game import Game, play_tournament
from Remote.games import DEFAULT_GAME, GAMES
from Remote.participants import Participants, ParticipantsError, read_participants
from Remote.signup import SignedUp, SignUpDesk
from Remote.statistics import CallStatistics

log = logging.getLogger("xserver")

SEQUENTIAL_VARIABLE = "XSERVER_SEQUENTIAL"
"""Set to 1 to play encounters one after another, for benchmarks that compare."""

EXIT_DONE, EXIT_TOO_FEW, EXIT_CONFIGURATION, EXIT_CANNOT_LISTEN = 0, 1, 2, 3

def usage() -> str:
    """What `xserver --help` prints: the host's keys, then each game's."""
    games = "\n".join(f"{game.name}'s keys:\n{game.settings_help}" for game in GAMES.values())
    return f"""
usage: xserver < configuration.json

Reads one JSON object on standard input, opens a TCP sign-up window, runs a
tournament among the players who signed up, and prints the Results as one
line of JSON on standard output. The log goes to standard error.

Configuration keys:
  "min players"    whole number >= 0, required: fewer sign-ups and no tournament runs
  "port"           whole number 0..65535, required: the TCP port (0: any free port, see the log)
  "waiting for"    positive number of seconds, required: how long the sign-up window stays open
  "repeat"         0 or 1, required: 1 runs one tournament after another until stopped
  "game"           one of {", ".join(GAMES)}, default "{DEFAULT_GAME}": the game
  "host"           string, default "": the address to listen on ("" means every interface)
  "time per call"  positive number of seconds, default {DEFAULT_TIME_PER_CALL:g}: how long a player has for each message
  "house players"  list of [Kind, Name, PathString], default []: local players that sign up first
  "participants"   PathString, default none: a CSV file, participant,token (or participant,sha256);
                   with it the only sign-up is ["sign-up", Name, Token] (fill in tokens: python -m Remote.tokens)

{games}
Exit statuses:
  0    the tournament ran; the Results were printed
  1    fewer than "min players" signed up; no tournament
  2    bad configuration, bad house player file, or a bad argument
  3    cannot listen on the host and port
  130  stopped by Ctrl-C or SIGTERM; every connection closed

Options: -h, --help (this text), --version.
"""


class StatusLine(logging.StreamHandler):
    """On a terminal, a status line under the log: each log record clears it and draws it again.

    Elsewhere (a file, a pipe) it logs plainly and shows no status.
    """

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self.on_terminal = stream.isatty()
        self.text = ""

    def show(self, text: str) -> None:
        if self.on_terminal:
            self.text = text
            self.stream.write(f"\r\033[K{text}")
            self.flush()

    def emit(self, record: logging.LogRecord) -> None:
        if self.on_terminal:
            self.stream.write("\r\033[K")
        super().emit(record)
        if self.on_terminal and self.text:
            self.stream.write(self.text)
            self.flush()


async def serve(
    config: ServerConfiguration,
    game: Game,
    house_players: Callable[[], list[tuple[str, Participant]]],
    publish: Callable[[Any], None],
    status: Callable[[str], None] = lambda text: None,
    participants: Participants | None = None,
) -> int:
    """Run the tournaments of `game` that `config` asks for, showing progress with `status`; the exit status."""

    async def play(players: list[tuple[str, Participant]]) -> None:
        """One tournament among `players`, with settings of its own (a seed drawn for each, say); its Results published."""
        concurrent = os.environ.get(SEQUENTIAL_VARIABLE) != "1"
        publish(await play_tournament(game, config.settings, players, config.time_per_call, log, status, concurrent))

    try:
        listeners = await trio.open_tcp_listeners(config.port, host=config.host or None)
    except OSError as error:
        log.error("cannot listen on %s: %s", _address(config), error.strerror or error)
        return EXIT_CANNOT_LISTEN
    registry = _house_registry(config, game)
    desk = SignUpDesk(
        listeners, SERVER_MAX_MESSAGE_BYTES, registry(), game.players.is_name, on_sign_up=_log_sign_up, participants=participants
    )
    try:
        async with trio.open_nursery() as nursery:
            if config.repeat:
                nursery.start_soon(desk.serve)  # for the server's whole life: nobody is turned away between windows
            status_code = await _tournaments(config, game, desk, registry, house_players, play, status)
            desk.close()
        return status_code
    finally:
        for listener in listeners:
            await trio.aclose_forcefully(listener)


async def _tournaments(
    config: ServerConfiguration,
    game: Game,
    desk: SignUpDesk,
    registry: Callable[[], NameRegistry],
    house_players: Callable[[], list[tuple[str, Participant]]],
    play: Callable[[list[tuple[str, Participant]]], Awaitable[None]],
    status: Callable[[str], None],
) -> int:
    """Sign-up window after sign-up window, a tournament after each that has enough players; the exit status."""
    host, port = desk.listeners[0].socket.getsockname()[:2]
    unchanged_since = None  # how many had signed up after the last window without a tournament
    while True:
        house = house_players()
        if unchanged_since is None or unchanged_since != len(desk.signed_up):
            log.info("listening on %s:%d for %g s", host, port, config.waiting_for)
            for name, _ in house:
                log.info("%s signed up (a house player)", name)
        await _window(config, desk, len(house), status)
        players = len(house) + len(desk.signed_up)
        if players < config.min_players:
            if unchanged_since != len(desk.signed_up):
                log.info("only %s signed up, of at least %d; no tournament", count(players, "player"), config.min_players)
            if not config.repeat:
                return EXIT_TOO_FEW
            unchanged_since = len(desk.signed_up)
            continue
        unchanged_since = None
        statistics = CallStatistics()
        remote = [(entry.name, game.remote_player(entry.channel, statistics)) for entry in desk.take(registry())]
        desk.playing = frozenset(name for name, _ in remote)
        try:
            started = trio.current_time()
            await play(house + remote)
            figures = {"players": players, "seconds": round(trio.current_time() - started, 3), **statistics.summary()}
            log.info("statistics %s", json.dumps(figures))
        finally:
            desk.playing = frozenset()
            for _, player in remote:
                await player.aclose()
        if not config.repeat:
            return EXIT_DONE


async def _window(config: ServerConfiguration, desk: SignUpDesk, house: int, status: Callable[[str], None]) -> None:
    """One sign-up window of `config.waiting_for` seconds, counting down on the status line.

    For a single tournament the desk serves only now; for one after another it serves all along.
    """

    def signed_up_so_far() -> str:
        return f"signed up: {house + len(desk.signed_up)}"

    desk.new_window()
    try:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(_count_down, trio.current_time() + config.waiting_for, signed_up_so_far, status)
            if config.repeat:
                await trio.sleep(config.waiting_for)
            else:
                nursery.start_soon(desk.serve)
                await trio.sleep(config.waiting_for)
                desk.close()
            nursery.cancel_scope.cancel()
    finally:
        status("")


def _house_registry(config: ServerConfiguration, game: Game) -> Callable[[], NameRegistry]:
    """A maker of the names a tournament has taken before any connection signs up: its house players'."""

    def registry() -> NameRegistry:
        taken = NameRegistry(game.max_name_length)
        for entry in config.house_players:
            taken.assign(entry.name)
        return taken

    return registry


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


async def _until_terminated(main: Callable[[], Awaitable[int]]) -> int:
    """Run `main`; Ctrl-C or SIGTERM stops it, every connection closing as it unwinds."""
    result = EXIT_STOPPED
    async with trio.open_nursery() as nursery:

        async def stop_on_signal() -> None:
            with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
                async for _ in signals:
                    log.info("stopped")
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
    answered = answer_arguments("xserver", arguments, usage())
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

    def house_players() -> list[tuple[str, Participant]]:
        return create_players(config.house_players, "house players", game.players)

    def publish(line: Any) -> None:
        print(json.dumps(line), flush=True)

    return trio.run(_until_terminated, lambda: serve(config, game, house_players, publish, status, participants))


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
