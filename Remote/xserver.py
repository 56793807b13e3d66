"""xserver, the executable: configuration on standard input, the Results on standard output, the exit status.

`main` reads and checks the configuration (the game, the house players, the
participants file, the event log and what it may resume), then hands over to
`Remote.hosting.serve`, which opens the sign-up windows and plays the
tournaments. Logs go to standard error; when it is a terminal, a status line
shows progress. Ctrl-C or SIGTERM stops it at any moment, in one line.

Exit status: 0 done; 1 too few players signed up; 2 bad configuration or
house player; 3 cannot listen on the port; 130 stopped (Ctrl-C, SIGTERM).
"""

from __future__ import annotations

import gc
import json
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import trio

from Common.participant import Participant
from Common.strict import StructureError
from Player.configuration import create_players
from Player.loader import PlayerLoadError
from Remote.cli import (
    EXIT_CONFIGURATION,
    EXIT_DONE,
    EXIT_STOPPED,
    LOG_ROOM,
    ServerLogFormatter,
    StatusLine,
    answer_arguments,
    exit_status_of,
    xserver_usage,
)
from Remote.configuration import ServerConfiguration
from Remote.descriptors import raise_open_file_limit
from Remote.event_log_writer import EventLogError, LogDirectory
from Remote.game_description import Game
from Remote.game_registry import DEFAULT_GAME, GAMES
from Remote.hosting import HostedRoom, serve_rooms
from Remote.participants import Participants, ParticipantsError, read_participants
from Remote.ratings_file import read_seeding
from Remote.resume import EndedTournament, EventLogging, interrupted_tournament
from Remote.room_configuration import Room, read_rooms

log = logging.getLogger("xserver")

CRASH_VARIABLE = "XSERVER_CRASH_AFTER_EVENT"
"""For tests only: set to k and the server kills itself (SIGKILL) right after the k-th event is on disk."""


async def _until_terminated(
    main: Callable[[], Awaitable[int]],
    stop_hooks: Sequence[Callable[[], Awaitable[None]]] = (),
    end_hooks: Sequence[Callable[[], None]] = (),
) -> int:
    """Run `main`; Ctrl-C or SIGTERM stops it (after the `stop_hooks`), every connection closing as it unwinds; SIGUSR1
    ends the arenas that run (`end_hooks`), which then finish as at the end of their minutes."""
    result = EXIT_STOPPED
    async with trio.open_nursery() as nursery:

        async def end_arenas_on_signal() -> None:
            with trio.open_signal_receiver(signal.SIGUSR1) as signals:
                async for _ in signals:
                    if not end_hooks:
                        log.info("SIGUSR1 ends an arena, and no arena runs: nothing to end")
                    for hook in list(end_hooks):
                        hook()

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
        nursery.start_soon(end_arenas_on_signal)
        nursery.start_soon(run_main)
    return result


def main() -> int:
    """xserver's whole life: parse, start, print; Ctrl-C at any moment ends it with one line."""
    raise_open_file_limit()  # every connection is a descriptor: allow as many as the system lets us
    status_line = StatusLine(sys.stderr)
    status_line.setFormatter(ServerLogFormatter())
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
        rooms = read_rooms(sys.stdin.read(), GAMES, DEFAULT_GAME)
    except StructureError as error:
        print(f"xserver: configuration: {error}", file=sys.stderr)
        return EXIT_CONFIGURATION
    crash_after = os.environ.get(CRASH_VARIABLE)
    stop_hooks: list[Callable[[], Awaitable[None]]] = []  # every room's, in one list
    end_hooks: list[Callable[[], None]] = []  # every arena's, in one list
    hosted = []
    for room in rooms:
        place = "" if room.name is None else f"room {room.name}: "
        logging_to = EventLogging(crash_after=int(crash_after) if crash_after else None, stop_hooks=stop_hooks, end_hooks=end_hooks)
        naming = LOG_ROOM.set(room.name)  # what resuming logs of the room (its Results again, encounters played) names it
        try:
            hosted.append(_hosted(room, logging_to))
        except (StructureError, PlayerLoadError, ParticipantsError) as error:
            print(f"xserver: configuration: {place}{error}", file=sys.stderr)
            return EXIT_CONFIGURATION
        except EventLogError as error:
            print(f"xserver: event log: {place}{error}", file=sys.stderr)
            return EXIT_CONFIGURATION
        finally:
            LOG_ROOM.reset(naming)

    def publish(line: Any) -> None:
        print(json.dumps(line), flush=True)

    if len(hosted) == 1 and hosted[0].name is None and isinstance(hosted[0].interrupted, EndedTournament):
        publish(hosted[0].interrupted.output)
        return EXIT_DONE

    def main() -> Awaitable[int]:
        return serve_rooms(hosted, publish, status)

    gc.freeze()  # what start-up made (modules, classes, converters) lives as long as the server: the collector need not scan it again
    return trio.run(_until_terminated, main, stop_hooks, end_hooks)


def _hosted(room: Room, logging_to: EventLogging) -> HostedRoom:
    """`room` checked and ready to run: its house players made once, its participants and seeding read, its event log
    locked and what it resumes found; StructureError, PlayerLoadError, ParticipantsError or EventLogError if not."""
    config = room.config
    game = GAMES[config.game]
    create_players(config.house_players, "house players", game.players)
    participants = _participants(config, game)
    seeding = read_seeding(config.event_format.ratings)
    if config.event_log is not None:
        logging_to.directory = LogDirectory(Path(config.event_log))
    interrupted = interrupted_tournament(config, game, logging_to.directory, GAMES, seeding) if config.resume else None

    def house_players() -> list[tuple[str, Participant]]:
        return create_players(config.house_players, "house players", game.players)

    return HostedRoom(room.name, config, game, house_players, participants, logging_to, interrupted, seeding)


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
