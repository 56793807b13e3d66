"""xclients: local players that connect to a server, sign up and play through ServerProxies.

`main` reads the configuration on standard input, creates the players (built
in, or loaded from the Python files it names), connects and signs them up one
after another in configuration order, then lets them all play at once. It
prints the Results its players received, once, as one line of JSON (`[]` if
none did), and exits when every player is done, also when the server vanishes.

Exit status: 0 every player played to the end of its connection; 1 a player
could not connect or the server sent something it could not understand;
2 bad configuration or player file.
"""

from __future__ import annotations

import json
import logging
import sys

import trio

from Common.results import Results
from Common.strict import StructureError
from Common.wire import unstructure
from Player.configuration import create_players
from Player.loader import PlayerLoadError
from Remote.channel import ChannelError, MessageChannel
from Remote.configuration import CLIENT_MAX_MESSAGE_BYTES, ClientConfiguration, read_client_configuration
from Remote.server_proxy import ServerProxy

log = logging.getLogger("xclients")

CONNECT_ATTEMPTS = 5
FIRST_RETRY_SECONDS = 0.2
EXIT_DONE, EXIT_TROUBLE, EXIT_CONFIGURATION = 0, 1, 2


async def connect(host: str, port: int) -> trio.SocketStream:
    """A connection to the server, retrying a refused one a few times with growing pauses."""
    pause = FIRST_RETRY_SECONDS
    for attempt in range(1, CONNECT_ATTEMPTS + 1):
        try:
            return await trio.open_tcp_stream(host, port)
        except OSError as error:
            if attempt == CONNECT_ATTEMPTS:
                raise
            log.info("cannot connect to %s:%d (%s); trying again in %g s", host, port, error.strerror or error, pause)
            await trio.sleep(pause)
            pause *= 2
    raise AssertionError("unreachable")


async def run_clients(config: ClientConfiguration, players: list) -> tuple[Results | None, bool]:
    """Sign up every (name, player) in order, then play; the first Results received, and whether all went well."""
    received: list[Results] = []
    all_well = True

    async def play(proxy: ServerProxy) -> None:
        nonlocal all_well
        try:
            results = await proxy.play()
        except Exception as error:  # noqa: BLE001 - one player's failure must not stop the others
            all_well = False
            log.error("%s stopped: %s", proxy.name, _describe(error))
        else:
            if results is not None:
                received.append(results)
        finally:
            await trio.aclose_forcefully(proxy.channel)

    async with trio.open_nursery() as nursery:
        for name, player in players:
            try:
                stream = await connect(config.ip, config.port)
                proxy = ServerProxy(MessageChannel(stream, CLIENT_MAX_MESSAGE_BYTES), player, name)
                await proxy.sign_up()
            except (OSError, ChannelError) as error:
                all_well = False
                log.error("%s cannot sign up at %s:%d: %s", name, config.ip, config.port, getattr(error, "strerror", None) or error)
                continue
            nursery.start_soon(play, proxy)
    return (received[0] if received else None), all_well


def _describe(error: BaseException) -> str:
    """The innermost, first cause of `error`, for one log line."""
    while isinstance(error, BaseExceptionGroup) and len(error.exceptions) == 1:
        error = error.exceptions[0]
    return f"{type(error).__name__}: {error}"


def main() -> int:
    """xclients' whole life: parse, start, print."""
    logging.basicConfig(format="xclients: %(message)s", level=logging.INFO, stream=sys.stderr)
    try:
        config = read_client_configuration(sys.stdin.read())
        players = create_players(config.players, "players")
    except (StructureError, PlayerLoadError) as error:
        print(f"xclients: configuration: {error}", file=sys.stderr)
        return EXIT_CONFIGURATION
    try:
        results, all_well = trio.run(run_clients, config, players)
    except KeyboardInterrupt:
        return 130
    print(json.dumps(unstructure(results or ())), flush=True)
    return EXIT_DONE if all_well else EXIT_TROUBLE


if __name__ == "__main__":
    sys.exit(main())
