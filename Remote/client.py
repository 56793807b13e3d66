"""xclients: local players that connect to a server, sign up and play through ServerProxies.

`main` reads the configuration on standard input, creates the players (built
in, or loaded from the Python files it names), connects and signs them up one
after another in configuration order, then lets them all play at once. It
prints the Results its players received, once, as one line of JSON (the
first player's, in configuration order, that received any: in an arena each
player's Results hold its own encounters; `[]` if none did; a game whose clients learn only their own part, Fish, prints what
its `received_output` makes of all its players), and exits when every
player is done, whatever the server does.

Connecting: a refused connection (no server listening yet) is tried again
every RETRY_PAUSE_SECONDS until `retry for` seconds have passed since the
first refusal; that window is shared by all players, so a missing server
costs `retry for` seconds, not that much per player. A host name that does
not resolve fails at once; an attempt that gets no answer at all gives up
after CONNECT_TIME_LIMIT_SECONDS. Each player that cannot sign up says why in
one line.

The protocol does not acknowledge a sign-up, so xclients says that a player
"sent its sign-up", not that it signed up. A server that refuses one says so
(`["refused", Text]`): the player prints that text. A server of another game
is told by its first messages (each game of the registry recognises its own,
`opening`): the player says which game it seems to run and which key to set.

Exit status: see USAGE.
"""

from __future__ import annotations

import json
import logging
import signal
import socket
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import attrs
import trio

from Common.sign_up_options import NO_OPTIONS
from Common.strict import StructureError
from Player.configuration import create_players
from Player.loader import PlayerLoadError
from Remote.channel import ChannelError, MessageChannel
from Remote.cli import EXIT_STOPPED, answer_arguments, exit_status_of
from Remote.client_conversation import Opening
from Remote.client_errors import ServerMisbehaved, SignUpRefused, StrategyFailed, WrongGame
from Remote.configuration import (
    CLIENT_MAX_MESSAGE_BYTES,
    DEFAULT_RETRY_SECONDS,
    WEBSOCKET,
    ClientConfiguration,
    read_client_configuration,
)
from Remote.game_description import ClientProxy, Game
from Remote.game_registry import DEFAULT_GAME, GAMES
from Remote.websocket import WebSocketChannel, authority

log = logging.getLogger("xclients")

PROGRAM = "xclients"
RETRY_PAUSE_SECONDS = 0.2
"""The pause between two attempts to connect while the server refuses."""
CONNECT_TIME_LIMIT_SECONDS = 10.0
"""How long one attempt to connect may go without an answer (a host that drops the packets)."""
EXIT_DONE, EXIT_TROUBLE, EXIT_CONFIGURATION = 0, 1, 2

_NO_RESULTS = ", ".join(f"{json.dumps(game.no_results)} for {game.name}" for game in GAMES.values())
_KINDS = "\n".join(f"                   {game.name}: {game.players.kind_list()}" for game in GAMES.values())
_NAMES = "\n".join(f"                   {game.name}: {game.players.name_rule}" for game in GAMES.values())

USAGE = f"""
usage: xclients [-h | --help | --version]

Reads one JSON object, its configuration, on standard input. Creates the
players it lists, connects each to the server and signs it up, in the order
listed, and lets them play. Prints the Results its players received as one
line of JSON on standard output (if none did: {_NO_RESULTS});
for fish, [the players told they won, the players kicked out], each in the order listed;
logs go to standard error. It exits when all its players are done, whatever
the server does.

Configuration keys:
  "players"    required  array of [Kind, Name, PathString],
                 [Kind, Name, PathString, Token] or
                 [Kind, Name, PathString, Token, Options]
                 Kind: one of the game's kinds
{_KINDS}
                 Name: the game's names
{_NAMES}
                 PathString: a Python player file (see Player/<game>/README.md),
                 or "" for the built-in player of Kind
                 Token: the secret the organiser gave this participant
                 (16 to 128 letters, digits, '_' or '-'); with it the
                 player signs up with ["sign-up", Name, Token], else with
                 its bare Name. Never printed, not even when it is bad.
                 Options: what the sign-up asks for, an object of
                 "opponent": a Name, the opponent an arena pairs it with
                 if that one names it too (a tournament ignores it);
                 "room" is reserved for rooms (servers refuse it today).
                 With Options the sign-up is ["sign-up", Name, Token, Options];
                 Token is null for a server without participants.
  "observers"  optional  array of [Name, PathString], default []:
                 checked, not used
  "ip"         required  string: a numeric address or a host name
                 (over WebSocket, "ip" and "port", or "url")
  "port"       required  whole number 0..65535
  "transport"  optional  "tcp" (default) or "websocket": the players connect
                 over WebSocket, one JSON value per text message
                 (docs/websocket.md)
  "url"        optional  over WebSocket, instead of "ip" and "port":
                 ws://HOST:PORT/PATH, port 80 if left out (wss:// is not
                 supported); only with "transport": "websocket"
  "retry for"  optional  positive number of seconds, default {DEFAULT_RETRY_SECONDS:g}:
                 how long a refused connection is tried again
  "game"       optional  one of {", ".join(GAMES)}, default "{DEFAULT_GAME}"

Examples:
  {{"players": [["good", "alice", ""]], "observers": [], "ip": "127.0.0.1", "port": 56789}}
  {{"players": [["good", "alice", ""]], "transport": "websocket", "url": "ws://127.0.0.1:8765/"}}

A connection attempt that gets no answer is given up after {CONNECT_TIME_LIMIT_SECONDS:g} s; a host
name that does not resolve fails at once.

Exit status:
  0    every player played until its conversation with the server ended
       (also when the server put it out)
  1    a player could not connect or sign up (the server refused it, or
       runs another game), the server sent something
       that is not the protocol, or a player's strategy raised or answered
       a value of the wrong type
  2    bad configuration, bad player file, or an unexpected argument
  {EXIT_STOPPED}  stopped (Ctrl-C)
"""

PROMPT = "xclients: reading the configuration (one JSON object) from the terminal; end it with Ctrl-D (see --help)"

Opener = Callable[[str, int], Awaitable[trio.abc.Stream]]


class CannotConnect(Exception):
    """No connection to the server; the message is one line that says why."""


def _attempt_errors(error: OSError) -> list[BaseException]:
    """The errors of every address tried: trio.open_tcp_stream puts them in a group as the cause."""
    cause = error.__cause__
    if isinstance(cause, BaseExceptionGroup):
        return list(cause.exceptions)
    return [error]


def _why(errors: list[BaseException]) -> str:
    return "; ".join(dict.fromkeys(getattr(error, "strerror", None) or str(error) for error in errors))


@attrs.define
class Connector:
    """Connects to the server at `host`:`port`, trying a refused connection again for `retry_for` seconds.

    The retry window opens at the first refusal and is shared by every
    connection this Connector makes.
    """

    host: str
    port: int
    retry_for: float = DEFAULT_RETRY_SECONDS
    open_stream: Opener = trio.open_tcp_stream
    _retry_until: float | None = None

    async def connect(self) -> trio.abc.Stream:
        """A connection to the server; CannotConnect if there is none to be had."""
        while True:
            try:
                with trio.fail_after(CONNECT_TIME_LIMIT_SECONDS):
                    return await self.open_stream(self.host, self.port)
            except trio.TooSlowError:
                raise CannotConnect(f"no answer within {CONNECT_TIME_LIMIT_SECONDS:g} s") from None
            except socket.gaierror as error:
                raise CannotConnect(f"cannot resolve the host name {self.host!r}: {error.strerror or error}") from None
            except OSError as error:
                errors = _attempt_errors(error)
                if not all(isinstance(one, ConnectionRefusedError) for one in errors):
                    raise CannotConnect(_why(errors)) from None
            now = trio.current_time()
            if self._retry_until is None:
                self._retry_until = now + self.retry_for
                log.info(
                    "no server at %s:%d yet (connection refused); trying again for up to %g s",
                    self.host,
                    self.port,
                    self.retry_for,
                )
            if now + RETRY_PAUSE_SECONDS > self._retry_until:
                raise CannotConnect(f"connection refused (tried for {self.retry_for:g} s)")
            await trio.sleep(RETRY_PAUSE_SECONDS)


@attrs.define
class Outcome:
    """What xclients' players did: the Results they received (the first player's in sign-up order that received any: in
    an arena each receives its own), and whether all went well."""

    results: Any | None = None
    all_well: bool = True
    proxies: list[ClientProxy] = attrs.field(factory=list)
    """The proxies of the players that sent their sign-up, in sign-up order."""


def sign_ups_of(config: ClientConfiguration, players: list) -> list[dict[str, Any]]:
    """What each of `players` signs up with, as the game's client proxy takes it: its entry's token and options, if any
    (none: the sign-up is the bare name).

    `players` were created from `config.players`, in order; players that a
    caller made without entries (a test's) have neither.
    """
    if len(players) != len(config.players):
        return [{} for _ in players]
    sign_ups = []
    for entry in config.players:
        token, options = getattr(entry, "token", None), getattr(entry, "options", NO_OPTIONS).to_json()
        sign_ups.append({**({} if token is None else {"token": token}), **({"options": options} if options else {})})
    return sign_ups


def opening(game: Game) -> Opening:
    """The judge of a server's first messages for a client of `game`: every other game of the registry is asked too."""
    others = [
        (
            other.recognises_server_message,
            f'this server seems to run {other.title or other.name}: add "game": "{other.name}" to the configuration',
        )
        for other in GAMES.values()
        if other is not game
    ]
    return Opening(game.recognises_server_message, others)


async def run_clients(config: ClientConfiguration, players: list, open_stream: Opener = trio.open_tcp_stream) -> Outcome:
    """Sign up every (name, player) in order, then let them play the configured game; what they received."""
    game = GAMES[config.game or DEFAULT_GAME]
    outcome = Outcome()
    host, port = config.address
    connector = Connector(host, port, config.retry_for, open_stream)
    where = f"{host}:{port}" if config.url is None else str(config.url)

    async def play(proxy: ClientProxy) -> None:
        try:
            await proxy.play()
        except SignUpRefused as error:
            outcome.all_well = False
            log.error("%s: the server refused the sign-up: %s", proxy.name, error)
        except WrongGame as error:
            outcome.all_well = False
            log.error("%s: %s", proxy.name, error)
        except (StrategyFailed, ServerMisbehaved) as error:
            outcome.all_well = False
            details = f"\n{error.details}" if isinstance(error, StrategyFailed) and error.details else ""
            log.error("%s: %s; closing the connection%s", proxy.name, error, details)
        finally:
            await trio.aclose_forcefully(proxy.channel)

    async with trio.open_nursery() as nursery:
        for (name, player), sign_up in zip(players, sign_ups_of(config, players), strict=True):
            try:
                stream = await connector.connect()
                channel = await _channel(config, stream)
                proxy = game.client_proxy(channel, player, name, opening=opening(game), **sign_up)
                await proxy.sign_up()
            except (CannotConnect, ChannelError) as error:
                outcome.all_well = False
                log.error("%s cannot sign up at %s: %s", name, where, error)
                continue
            log.info("%s sent its sign-up to %s", name, where)
            outcome.proxies.append(proxy)
            nursery.start_soon(play, proxy)
    outcome.results = next((proxy.results for proxy in outcome.proxies if proxy.results is not None), None)
    return outcome


async def _channel(config: ClientConfiguration, stream: trio.abc.Stream) -> MessageChannel:
    """The channel of a new connection: the stream itself on TCP; over WebSocket, after the upgrade."""
    if config.transport != WEBSOCKET:
        return MessageChannel(stream, CLIENT_MAX_MESSAGE_BYTES)
    host, port = config.address
    target = "/" if config.url is None else config.url.target
    try:
        with trio.fail_after(CONNECT_TIME_LIMIT_SECONDS):
            return await WebSocketChannel.connect(stream, authority(host, port), CLIENT_MAX_MESSAGE_BYTES, target)
    except trio.TooSlowError:
        await trio.aclose_forcefully(stream)
        raise CannotConnect(f"no WebSocket upgrade within {CONNECT_TIME_LIMIT_SECONDS:g} s") from None
    except ChannelError:
        await trio.aclose_forcefully(stream)
        raise


async def run_until_interrupted(config: ClientConfiguration, players: list) -> Outcome | None:
    """`run_clients`, or None when Ctrl-C comes first.

    Inside trio, SIGINT is taken as a message, not as a KeyboardInterrupt
    raised wherever the code happens to be (in the middle of starting a
    task, say): every player's conversation is cancelled, and the caller
    ends the program as Ctrl-C does.
    """
    outcome = None
    with trio.open_signal_receiver(signal.SIGINT) as interrupts:
        async with trio.open_nursery() as nursery:

            async def stop_at_ctrl_c() -> None:
                async for _ in interrupts:
                    nursery.cancel_scope.cancel()
                    return

            nursery.start_soon(stop_at_ctrl_c)
            outcome = await run_clients(config, players)
            nursery.cancel_scope.cancel()
    return outcome


def main() -> int:
    """xclients' whole life: arguments, configuration, play, print."""
    status = answer_arguments(PROGRAM, sys.argv[1:], USAGE)
    if status is not None:
        return status
    logging.basicConfig(format="xclients: %(message)s", level=logging.INFO, stream=sys.stderr)
    if sys.stdin.isatty():
        print(PROMPT, file=sys.stderr, flush=True)
    try:
        config = read_client_configuration(sys.stdin.read(), GAMES, DEFAULT_GAME)
        game = GAMES[config.game]
        players = create_players(config.players, "players", game.players)
    except (StructureError, PlayerLoadError) as error:
        print(f"xclients: configuration: {error}", file=sys.stderr)
        return EXIT_CONFIGURATION
    outcome = trio.run(run_until_interrupted, config, players)
    if outcome is None:
        raise KeyboardInterrupt  # Ctrl-C during play: exit_status_of says so in one line
    if game.received_output is not None:
        received = game.received_output(outcome.proxies)
    else:
        received = game.no_results if outcome.results is None else game.results_to_json(outcome.results)
    print(json.dumps(received), flush=True)
    return EXIT_DONE if outcome.all_well else EXIT_TROUBLE


if __name__ == "__main__":
    sys.exit(exit_status_of(PROGRAM, main))
