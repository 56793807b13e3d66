"""What xserver does once configured: it listens, keeps the sign-up desk and the watch page, and plays each tournament.

`serve` opens the listeners, the sign-up desk and, if the configuration asks
for it, the watch endpoint; hands the sign-up windows (Remote/sign_up_windows.py)
a way to play one tournament among the players of a window; and returns the
exit status. Each tournament is played with its event log (Remote/resume.py
makes its writer: a directory of the event log, the resumed one's, or only
memory for the watchers), which a stop closes with the Results so far.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import trio

from Common.participant import Participant
from Remote.arena_hosting import serve_arena
from Remote.cli import EXIT_CANNOT_LISTEN
from Remote.configuration import SERVER_MAX_MESSAGE_BYTES, ServerConfiguration
from Remote.game_description import Game, Resuming, play_tournament
from Remote.participants import Participants
from Remote.ratings_file import RatingsFile
from Remote.resume import EventLogging, Interrupted, InterruptedArena, tournament_event_log, written_while
from Remote.sign_up_windows import Capacity, house_registry, log_sign_up, play_after_windows, play_resumed
from Remote.signup import SignedUp, SignUpDesk
from Remote.watch import WatchHub, WatchListenError, serve_watch
from Remote.watch.play import PlaySettings
from Remote.websocket import Door, authority, doors
from Remote.websocket_settings import WebSocketSettings

log = logging.getLogger("xserver")

SEQUENTIAL_VARIABLE = "XSERVER_SEQUENTIAL"
"""Set to 1 to play encounters one after another, for benchmarks that compare."""


async def serve(
    config: ServerConfiguration,
    game: Game,
    house_players: Callable[[], list[tuple[str, Participant]]],
    publish: Callable[[Any], None],
    status: Callable[[str], None] = lambda text: None,
    participants: Participants | None = None,
    logging_to: EventLogging | None = None,
    interrupted: Interrupted | InterruptedArena | None = None,
    seeding: Mapping[str, float] | None = None,
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
        observers = [] if config.ratings_out is None else [RatingsFile(Path(config.ratings_out), log)]
        play_one = partial(play_tournament, event_format=config.event_format, seeding=seeding, observers=observers)
        event_log = tournament_event_log(logging_to, resumed, game, watched=hub is not None)
        if event_log is None:  # nobody reads the events: none is made
            publish(await play_one(game, config.settings, players, config.time_per_call, log, status, concurrent))
            return

        if hub is not None:
            hub.attach(event_log, game)
        line = await written_while(
            event_log,
            game,
            logging_to,
            partial(
                play_one,
                game,
                config.settings,
                players,
                config.time_per_call,
                log,
                status,
                concurrent,
                event_log=event_log,
                configuration=config.results_keys(),
                resuming=resuming,
            ),
        )
        publish(line)

    try:
        listeners = await trio.open_tcp_listeners(config.port, host=config.host or None)
    except OSError as error:
        log.error("cannot listen on %s: %s", _address(config), error.strerror or error)
        return EXIT_CANNOT_LISTEN
    try:
        websocket = config.websocket
        websocket_listeners = [] if websocket is None else await trio.open_tcp_listeners(websocket.port, host=websocket.host or None)
    except OSError as error:
        assert websocket is not None  # only its listeners could not be opened
        log.error("cannot listen for WebSocket players on %s: %s", _address(websocket), error.strerror or error)
        for listener in listeners:
            await trio.aclose_forcefully(listener)
        return EXIT_CANNOT_LISTEN
    listeners = [*listeners, *websocket_listeners]  # all closed at the end
    if websocket is not None:  # its port said, as the player port's is (port 0: any free port)
        port = websocket_listeners[0].socket.getsockname()[1]
        log.info("WebSocket players connect to ws://%s/", authority(websocket.host or "localhost", port))
    registry = house_registry(config, game)
    capacity = Capacity(config.max_players)

    def signed_up(entry: SignedUp) -> None:
        log_sign_up(entry)
        capacity.check(len(desk.signed_up))

    desk = SignUpDesk(
        listeners[: len(listeners) - len(websocket_listeners)],
        SERVER_MAX_MESSAGE_BYTES,
        registry(),
        game.players.is_name,
        name_rule=game.players.name_rule,
        on_sign_up=signed_up,
        participants=participants,
        websocket_listeners=websocket_listeners,
        door=_door(config, game, participants),
    )
    try:
        async with trio.open_nursery() as nursery:
            if hub is not None:
                try:
                    websocket_port = websocket_listeners[0].socket.getsockname()[1] if websocket_listeners else None
                    await nursery.start(serve_watch, config.watch, hub, play_settings(config, game, participants, websocket_port))
                except WatchListenError as error:
                    log.error("%s", error)
                    return EXIT_CANNOT_LISTEN
            if config.repeat:
                nursery.start_soon(desk.serve)  # for the server's whole life: nobody is turned away between windows
            if websocket_listeners:
                nursery.start_soon(desk.idle_reader.run)  # waiting WebSocket players' pings answered
            status_code = None
            if isinstance(interrupted, Interrupted):
                status_code = await play_resumed(config, game, interrupted, desk, registry, house_players, play, status)
            if status_code is None and config.event_format.arena is not None:
                resumed = interrupted if isinstance(interrupted, InterruptedArena) else None
                status_code = await serve_arena(config, game, desk, registry, house_players, publish, status, logging_to, resumed, hub)
            if status_code is None:
                status_code = await play_after_windows(config, game, desk, registry, house_players, play, status, capacity)
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


def play_settings(
    config: ServerConfiguration, game: Game, participants: Participants | None, websocket_port: int | None = None
) -> PlaySettings:
    """What the watch page's play view tells a person's browser: the game, the WebSocket listener (on `websocket_port`, the
    port it listens on, which "port": 0 leaves to the system), how to sign up."""
    websocket = config.websocket
    return PlaySettings(
        game,
        websocket_port=None if websocket is None else websocket_port if websocket_port is not None else websocket.port,
        websocket_host="" if websocket is None else websocket.host or "",
        tokens=participants is not None,
        time_per_call=config.time_per_call,
        game_settings=game.settings_json(config.settings),
    )


def _door(config: ServerConfiguration, game: Game, participants: Participants | None) -> Door:
    """The WebSocket listener's door: the host's own, then the game's that the configuration opens."""
    opened = () if config.websocket is None else sorted(config.websocket.doors)
    return doors(*(game.websocket_doors[name](config, participants) for name in opened))


def _address(config: ServerConfiguration | WebSocketSettings) -> str:
    """The host and port the configuration asks to listen on, as a person would write them."""
    return f"{config.host}:{config.port}" if config.host else f"port {config.port} of every interface"
