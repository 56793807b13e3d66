"""xserver's arena: the sign-up desk stays open for the arena's whole life, and each player that signs up joins its queue.

With `"format": {"kind": "arena", ...}` there is no sign-up window: the
house players join when the arena opens, and every connection that signs
up becomes the game's remote player and joins the queue at once
(Admin/arena_manager.py plays it). A name is unique among the players in
the arena now: a bare name already there is renamed as usual, a name that
left may be taken again, and the player under it keeps its rating (with
participants, only its token signs it up again). A player the arena
refuses (out for good after repeated misbehaviour) is told why and closed.

With `"watch"`, the watch page shows the arena's encounters and leaderboard
(Remote/watch/snapshot.py). With `"event log"`, the arena's events go to a directory of its own
(Remote/resume.py's `arena_event_log`), its exports rewritten as
encounters end. With `"resume": true` and an arena there that had not
ended, that arena goes on (Admin/arena_manager.py says how): its
ratings, counts and queue are those its log folds to, and its players
come back by signing up again, as any player joins.

The "opponent" of a sign-up's options (Common.sign_up_options) goes with
the player into the queue for its first stay there (Admin/formats/arena.py:
two who named each other are paired at once; one that named a player who
does not come is paired as usual after the format's "named opponent wait").
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

import trio

from Admin.arena_manager import ArenaManager
from Admin.naming import NameRegistry
from Admin.safe_call import safe_call
from Common.participant import Failure, Participant
from Remote.arena_exports import SpilledOutcomes
from Remote.cli import EXIT_DONE
from Remote.configuration import ServerConfiguration
from Remote.doorway import NAME_TIME_LIMIT
from Remote.game_description import Game, play_arena
from Remote.remote_participant import RemoteParticipant
from Remote.resume import EventLogging, InterruptedArena, arena_event_log, written_while
from Remote.signup import SignedUp, SignUpDesk
from Remote.statistics import CallStatistics
from Remote.watch import WatchHub

log = logging.getLogger("xserver")


async def serve_arena(
    config: ServerConfiguration,
    game: Game,
    desk: SignUpDesk,
    registry: Callable[[], NameRegistry],
    house_players: Callable[[], list[tuple[str, Participant]]],
    publish: Callable[[object], None],
    status: Callable[[str], None],
    logging_to: EventLogging | None = None,
    resumed: InterruptedArena | None = None,
    hub: WatchHub | None = None,
) -> int:
    """Run the arena the configuration describes (or go on with the `resumed` one) until its end; publish its Results;
    the exit status."""
    assert config.event_format.arena is not None, "an arena's format"
    logging_to = logging_to or EventLogging()
    statistics = CallStatistics()
    signed = trio.Event()
    told = desk.on_sign_up

    def on_sign_up(entry: SignedUp) -> None:
        told(entry)
        signed.set()

    desk.on_sign_up = on_sign_up
    desk.takes_opponents = True

    async def feed(arena: ArenaManager) -> None:
        nonlocal signed
        for name, house_player in house_players():
            log.info("%s joins the arena (a house player)", name)
            arena.join(name, house_player)
        async with trio.open_nursery() as nursery:
            if not config.repeat:
                nursery.start_soon(desk.serve)
            nursery.start_soon(_end_when_told, arena, logging_to)
            host, port = desk.listeners[0].socket.getsockname()[:2]
            log.info("listening on %s:%d for the arena's players", host, port)
            while True:
                await signed.wait()
                signed = trio.Event()
                names = _registry_with(registry(), arena.names())
                for entry in desk.take(registry()):
                    assigned = names.assign(entry.name)
                    player: Any = game.remote_player(entry.channel, statistics, name=assigned or entry.name)  # a RemoteParticipant
                    opponent = entry.options.opponent
                    if assigned is None:
                        nursery.start_soon(player.aclose, "its name cannot be made unique")
                    elif assigned != entry.name:
                        log.info("%s plays as %s", entry.name, assigned)
                        nursery.start_soon(_rename_then_join, arena, assigned, player, opponent)
                    else:
                        _join(arena, assigned, player, nursery, opponent)
                desk.registry = _registry_with(registry(), arena.names())
                desk.playing = arena.names()

    event_log = arena_event_log(logging_to, resumed, game, config.settings, watched=hub is not None)
    play = partial(play_arena, game, config.settings, config.event_format.arena, config.time_per_call, log, status, feed, _connected)
    if event_log is None:
        line = await play(outcomes=SpilledOutcomes())  # nothing on disk to read them back from: a file of their own
    else:
        if hub is not None:
            hub.attach(event_log, game)
        arena_log = partial(play, event_log, config.results_keys(), None if resumed is None else resumed.state, event_log.state)
        line = await written_while(event_log, game, logging_to, arena_log)
    desk.close()
    publish(line)
    return EXIT_DONE


async def _end_when_told(arena: ArenaManager, logging_to: EventLogging) -> None:
    """End `arena` when the organiser says so (SIGUSR1: Remote/xserver.py calls the end hooks): as at the end of its
    minutes, no new encounter starts, the running ones finish and every connected player gets the Results."""
    told = trio.Event()
    logging_to.end_hooks.append(told.set)
    try:
        await told.wait()
    finally:
        logging_to.end_hooks.remove(told.set)
    log.info("the organiser ends the arena (SIGUSR1): no new encounter starts, the running ones finish")
    arena.stop()


def _join(arena: ArenaManager, name: str, player: Any, nursery: trio.Nursery, opponent: str | None = None) -> None:
    """`player` joins the arena as `name`, asking for `opponent` (None: anyone); one the arena refuses is told why, and closed."""
    refusal = arena.join(name, player, opponent=opponent)
    if refusal is not None:
        log.info("%s may not join the arena: %s", name, refusal)
        nursery.start_soon(player.kicked, refusal)
    elif opponent is not None:
        log.info("%s joins the arena asking for %s as its opponent", name, opponent)


async def _rename_then_join(arena: ArenaManager, name: str, player: Any, opponent: str | None = None) -> None:
    """A renamed player hears its name first (as in a tournament); one that does not take it is closed."""
    told = await safe_call(player.playing_as, name, time_limit=NAME_TIME_LIMIT)
    if isinstance(told, Failure):
        await player.aclose(f"it did not take its name: {told.reason}")
        return
    async with trio.open_nursery() as nursery:
        _join(arena, name, player, nursery, opponent)


def _registry_with(registry: NameRegistry, names: frozenset[str]) -> NameRegistry:
    """`registry` holding `names` (the arena's players now): a new player's name is made unique among them."""
    for name in sorted(names):
        registry.assign(name)
    return registry


def _connected(player: Participant) -> bool:
    return player.connected() if isinstance(player, RemoteParticipant) else True
