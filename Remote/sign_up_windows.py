"""xserver's sign-up windows, and the connections that signed up turned into the players of a tournament.

`play_after_windows` opens window after window until one ends with enough
players (`"min players"`; a window closes early once `"max players"` have
signed up, see `Capacity`), turns the connections that signed up into the
game's remote players, and plays a tournament among them and the house
players; with `"repeat": 1` it goes on for the server's life. A resumed
tournament's window (`play_resumed`) waits instead for the players its event
log names, and stands in for those who do not come back. Every window counts
down on the status line.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Awaitable, Callable, Sequence

import attrs
import trio

from Admin.naming import NameRegistry
from Admin.organiser_log import count
from Common.participant import Participant
from Remote.cli import EXIT_DONE, EXIT_TOO_FEW
from Remote.configuration import ServerConfiguration
from Remote.game_description import Game, Resuming
from Remote.resume import Interrupted, Returning, roster_players
from Remote.signup import SignedUp, SignUpDesk
from Remote.statistics import CallStatistics

log = logging.getLogger("xserver")


async def play_resumed(
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
    expected = [
        name
        for number, entry in enumerate(state.sign_ups)
        if number >= len(house)
        if (name := entry["assigned"]) is not None and name not in out
    ]
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
    returned = {
        assigned: game.remote_player(entry.channel, statistics, name=assigned)
        for assigned, entry in zip(returning.claims, taken, strict=True)
    }
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


async def play_after_windows(
    config: ServerConfiguration,
    game: Game,
    desk: SignUpDesk,
    registry: Callable[[], NameRegistry],
    house_players: Callable[[], list[tuple[str, Participant]]],
    play: Callable[[list[tuple[str, Participant]]], Awaitable[None]],
    status: Callable[[str], None],
    capacity: Capacity,
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
        remote = [(entry.name, game.remote_player(entry.channel, statistics, name=entry.name)) for entry in taken]
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
class Capacity:
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
        log.info("%s signed up as the window closed, full; its connection is closed", entry.name)
        await trio.aclose_forcefully(entry.channel)


def house_registry(config: ServerConfiguration, game: Game) -> Callable[[], NameRegistry]:
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


def log_sign_up(entry: SignedUp) -> None:
    """The log line of a connection that signed up."""
    log.info("%s signed up", entry.name)


async def _count_down(deadline: float, progress: Callable[[], str], status: Callable[[str], None]) -> None:
    """Show `progress` and the whole seconds left until `deadline`, once a second."""
    while (left := deadline - trio.current_time()) > 0:
        status(f"{progress()}; the window closes in {math.ceil(left)} s")
        await trio.sleep(left - math.floor(left) or 1)
