"""What xserver does once configured: it listens, keeps the sign-up desk and the watch page, and plays each room's events.

`serve_rooms` opens the listeners, the sign-up (one desk on a server without
rooms; with rooms a lobby, Remote/lobby.py, handing each sign-up to its
room's desk) and, if the configuration asks for it, the watch endpoint with
a hub per room; then runs every room at once, each handing its sign-up
windows (Remote/sign_up_windows.py) a way to play one tournament among the
players of a window, or serving its arena (Remote/arena_hosting.py). Each
tournament is played with its event log (Remote/resume.py makes its
writer: a directory of the event log, the resumed one's, or only memory
for the watchers), which a stop closes with the Results so far. `serve` is
the one room of a configuration without rooms.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import attrs
import trio

from Common.participant import Participant
from Remote.arena_hosting import serve_arena
from Remote.cli import EXIT_CANNOT_LISTEN, EXIT_DONE, LOG_ROOM
from Remote.configuration import SERVER_MAX_MESSAGE_BYTES, ServerConfiguration
from Remote.doorway import Doorway
from Remote.game_description import Game, Resuming, play_tournament
from Remote.lobby import Lobby
from Remote.participants import Participants
from Remote.ratings_file import RatingsFile
from Remote.resume import EndedTournament, EventLogging, Interrupted, InterruptedArena, tournament_event_log, written_while
from Remote.sign_up_windows import Capacity, house_registry, log_sign_up, play_after_windows, play_resumed
from Remote.signup import SignedUp, SignUpDesk
from Remote.watch import WatchedRoom, WatchHub, WatchListenError, serve_watch
from Remote.watch.play import PlaySettings
from Remote.websocket import Door, authority, doors
from Remote.websocket_settings import WebSocketSettings

log = logging.getLogger("xserver")

SEQUENTIAL_VARIABLE = "XSERVER_SEQUENTIAL"
"""Set to 1 to play encounters one after another, for benchmarks that compare."""


@attrs.frozen
class HostedRoom:
    """One event of the server, ready to run: its name (None: a server without rooms), its configuration and game, its
    house players, participants, event log, the tournament it goes on with (or the ended one whose Results it prints
    again), and the seeding of a knock-out by rating."""

    name: str | None
    config: ServerConfiguration
    game: Game
    house_players: Callable[[], list[tuple[str, Participant]]]
    participants: Participants | None = None
    logging_to: EventLogging = attrs.field(factory=EventLogging)
    interrupted: Interrupted | InterruptedArena | EndedTournament | None = None
    seeding: Mapping[str, float] | None = None


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
    room = HostedRoom(None, config, game, house_players, participants, logging_to or EventLogging(), interrupted, seeding)
    return await serve_rooms([room], publish, status)


async def serve_rooms(
    rooms: Sequence[HostedRoom], publish: Callable[[Any], None], status: Callable[[str], None] = lambda text: None
) -> int:
    """Run every room's events on one set of listeners (the first room's configuration says where); the highest of
    the rooms' exit statuses.

    With named rooms, a lobby hands each sign-up to the room it names, each
    Results line is published as `{"room": R, "results": Line}`, each room's
    log lines start with its name, and the status line joins the rooms'.
    """
    config = rooms[0].config  # the listener keys are the same in every room
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
    tcp_listeners = listeners
    listeners = [*listeners, *websocket_listeners]  # all closed at the end
    if websocket is not None:  # its port said, as the player port's is (port 0: any free port)
        port = websocket_listeners[0].socket.getsockname()[1]
        log.info("WebSocket players connect to ws://%s/", authority(websocket.host or "localhost", port))
    lobby = Lobby({})
    doorway = (
        None
        if rooms[0].name is None
        else Doorway(tcp_listeners, SERVER_MAX_MESSAGE_BYTES, lobby.judge, websocket_listeners=websocket_listeners)
    )
    desks = [_desk(room, tcp_listeners, websocket_listeners, doorway) for room in rooms]
    lobby.rooms = {room.name: desk for room, desk in zip(rooms, desks, strict=True) if room.name is not None}
    hubs = [None if config.watch is None else WatchHub(config.watch.memory_bytes) for _ in rooms]
    statuses = {room.name: "" for room in rooms}

    def room_status(name: str | None) -> Callable[[str], None]:
        if name is None:
            return status

        def show(text: str) -> None:
            statuses[name] = text
            status(" · ".join(f"{room}: {shown}" for room, shown in statuses.items() if shown))

        return show

    def room_publish(name: str | None) -> Callable[[Any], None]:
        return publish if name is None else lambda line: publish({"room": name, "results": line})

    try:
        async with trio.open_nursery() as nursery:
            if config.watch is not None:
                websocket_port = websocket_listeners[0].socket.getsockname()[1] if websocket_listeners else None
                watched = [
                    WatchedRoom(
                        room.name,
                        hub,
                        play_settings(room.config, room.game, room.participants, websocket_port, room.name),
                        room.game.name,
                        room.config.event_format.kind,
                    )
                    for room, hub in zip(rooms, hubs, strict=True)
                    if hub is not None
                ]
                try:
                    await nursery.start(serve_watch, config.watch, watched)
                except WatchListenError as error:
                    log.error("%s", error)
                    return EXIT_CANNOT_LISTEN
            if doorway is not None:
                nursery.start_soon(doorway.serve)  # for the server's whole life: a room that takes no sign-ups now says so
            if websocket_listeners:
                nursery.start_soon(desks[0].idle_reader.run)  # waiting WebSocket players' pings answered
            exits: list[int] = []
            async with trio.open_nursery() as events:
                for room, desk, hub in zip(rooms, desks, hubs, strict=True):
                    events.start_soon(_run_room, room, desk, hub, room_publish(room.name), room_status(room.name), exits.append)
            if doorway is not None:
                doorway.close()
            if config.watch is not None and config.watch_linger > 0:
                log.info("watch: the page stays up for %g s", config.watch_linger)
                await trio.sleep(config.watch_linger)
            if rooms[0].name is None and hubs[0] is not None:  # (a named room's hub finished with its room)
                await hubs[0].finish()  # every watcher gets the end of the tournament and a whole body, not a close
            nursery.cancel_scope.cancel()
        return max(exits)
    finally:
        for listener in listeners:
            await trio.aclose_forcefully(listener)


def _desk(
    room: HostedRoom, listeners: Sequence[trio.SocketListener], websocket_listeners: Sequence[trio.SocketListener], doorway: Doorway | None
) -> SignUpDesk:
    """The sign-up desk of `room`: on a server without rooms it accepts on the listeners; else the lobby's `doorway`
    hands it the sign-ups that name the room."""
    return SignUpDesk(
        listeners,
        SERVER_MAX_MESSAGE_BYTES,
        house_registry(room.config, room.game)(),
        room.game.players.is_name,
        name_rule=room.game.players.name_rule,
        participants=room.participants,
        websocket_listeners=websocket_listeners,
        door=_door(room.config, room.game, room.participants),
        room=room.name,
        lobby_doorway=doorway,
    )


async def _run_room(
    room: HostedRoom,
    desk: SignUpDesk,
    hub: WatchHub | None,
    publish: Callable[[Any], None],
    status: Callable[[str], None],
    exited: Callable[[int], None],
) -> None:
    """Play the events of `room` (its sign-up on `desk`, its events shown on `hub`); `exited` hears its exit status."""
    LOG_ROOM.set(room.name)  # this task's log lines, and those of every task and encounter loop it starts, name the room
    config, game, logging_to = room.config, room.game, room.logging_to
    if isinstance(room.interrupted, EndedTournament):
        publish(room.interrupted.output)
        exited(EXIT_DONE)
        return

    async def play(
        players: Sequence[tuple[str, Participant]], resuming: Resuming | None = None, resumed: Interrupted | None = None
    ) -> None:
        """One tournament among `players`, with settings of its own (a seed drawn for each, say); its Results published."""
        concurrent = os.environ.get(SEQUENTIAL_VARIABLE) != "1"
        observers = [] if config.ratings_out is None else [RatingsFile(Path(config.ratings_out), log)]
        play_one = partial(play_tournament, event_format=config.event_format, seeding=room.seeding, observers=observers)
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

    registry = house_registry(config, game)
    capacity = Capacity(config.max_players)

    def signed_up(entry: SignedUp) -> None:
        log_sign_up(entry)
        capacity.check(len(desk.signed_up))

    desk.on_sign_up = signed_up
    async with trio.open_nursery() as nursery:
        if config.repeat:
            nursery.start_soon(desk.serve)  # for the server's whole life: nobody is turned away between windows
        status_code = None
        if isinstance(room.interrupted, Interrupted):
            status_code = await play_resumed(config, game, room.interrupted, desk, registry, room.house_players, play, status)
        if status_code is None and config.event_format.arena is not None:
            resumed = room.interrupted if isinstance(room.interrupted, InterruptedArena) else None
            status_code = await serve_arena(config, game, desk, registry, room.house_players, publish, status, logging_to, resumed, hub)
        if status_code is None:
            status_code = await play_after_windows(config, game, desk, registry, room.house_players, play, status, capacity)
        desk.close()
    if hub is not None and room.name is not None:
        await hub.finish()  # this room's watchers see its end; the other rooms go on
    exited(status_code)


def play_settings(
    config: ServerConfiguration, game: Game, participants: Participants | None, websocket_port: int | None = None, room: str | None = None
) -> PlaySettings:
    """What the watch page's play view tells a person's browser: the game, the WebSocket listener (on `websocket_port`, the
    port it listens on, which "port": 0 leaves to the system), how to sign up (in `room`, if the server has rooms)."""
    websocket = config.websocket
    return PlaySettings(
        game,
        websocket_port=None if websocket is None else websocket_port if websocket_port is not None else websocket.port,
        websocket_host="" if websocket is None else websocket.host or "",
        tokens=participants is not None,
        time_per_call=config.time_per_call,
        game_settings=game.settings_json(config.settings),
        room=room,
    )


def _door(config: ServerConfiguration, game: Game, participants: Participants | None) -> Door:
    """The WebSocket listener's door: the host's own, then the game's that the configuration opens."""
    opened = () if config.websocket is None else sorted(config.websocket.doors)
    return doors(*(game.websocket_doors[name](config, participants) for name in opened))


def _address(config: ServerConfiguration | WebSocketSettings) -> str:
    """The host and port the configuration asks to listen on, as a person would write them."""
    return f"{config.host}:{config.port}" if config.host else f"port {config.port} of every interface"
