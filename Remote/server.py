"""xserver: sign-up windows on TCP, then round-robin tournaments among those who signed up.

`main` reads the configuration on standard input, and for each tournament
opens a sign-up window, turns every connection that signed up into a
RemotePlayer, adds the house players first, runs the shared tournament
manager and prints the Results as one line of JSON on standard output. Logs
go to standard error; when it is a terminal, a status line shows progress.

Exit status: 0 done; 1 too few players signed up; 2 bad configuration or
house player; 3 cannot listen on the port; 130 stopped (Ctrl-C, SIGTERM).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable

import trio

from Admin.manager import Observer, TournamentManager
from Admin.naming import NameRegistry
from Admin.referee import Referee
from Common.names import Name
from Common.player import Player
from Common.results import Results
from Common.strict import StructureError
from Common.wire import unstructure
from Player.configuration import create_players
from Player.loader import PlayerLoadError
from Remote.configuration import SERVER_MAX_MESSAGE_BYTES, ServerConfiguration, read_server_configuration
from Remote.remote_player import RemotePlayer
from Remote.signup import SignedUp, SignUpWindow
from Remote.statistics import CallStatistics

log = logging.getLogger("xserver")

SEQUENTIAL_VARIABLE = "XSERVER_SEQUENTIAL"
"""Set to 1 to play encounters one after another, for benchmarks that compare."""

EXIT_DONE, EXIT_TOO_FEW, EXIT_CONFIGURATION, EXIT_CANNOT_LISTEN, EXIT_STOPPED = 0, 1, 2, 3, 130


class ServerLog(Observer):
    """Tells the organiser on standard error what happens; keeps a status line on a terminal."""

    def __init__(self, status: Callable[[str], None]) -> None:
        self.status = status

    def renamed(self, requested: Name, assigned: Name | None) -> None:
        if assigned is None:
            log.info("%s: name taken and cannot be extended; left out", requested)
        else:
            log.info("%s: name taken; plays as %s", requested, assigned)

    def misbehaved(self, name: Name, reason: str) -> None:
        log.info("%s misbehaved: %s", name, reason)

    def encounter_finished(self, result, finished: int, total: int) -> None:
        if result is not None:
            outcome = result.outcome
            log.info("%s beat %s%s", outcome.winner, outcome.loser, " (irregular)" if outcome.irregular else "")
        self.status(f"encounters finished: {finished} of {total}")


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
    house_players: Callable[[], list[tuple[Name, Player]]],
    publish: Callable[[Results], None],
    status: Callable[[str], None] = lambda text: None,
) -> int:
    """Run the tournaments `config` asks for, showing progress with `status`; the exit status."""
    manager = TournamentManager(
        Referee(best_of=config.best_of, time_per_call=config.time_per_call),
        time_per_call=config.time_per_call,
        concurrent=os.environ.get(SEQUENTIAL_VARIABLE) != "1",
        observer=ServerLog(status),
    )
    while True:
        house = house_players()
        try:
            signed_up = await _sign_up(config, [name for name, _ in house], status)
        except OSError as error:
            log.error("cannot listen on port %d: %s", config.port, error.strerror or error)
            return EXIT_CANNOT_LISTEN
        statistics = CallStatistics()
        remote = [(entry.name, RemotePlayer(entry.channel, statistics)) for entry in signed_up]
        try:
            count = len(house) + len(remote)
            if count < config.min_players:
                log.info("only %d of at least %d players signed up; no tournament", count, config.min_players)
                if config.repeat:
                    continue
                return EXIT_TOO_FEW
            log.info("tournament of %d players starts", count)
            started = trio.current_time()
            results = await manager.run(house + remote)
            status("")
            publish(results)
            figures = {"players": count, "seconds": round(trio.current_time() - started, 3), **statistics.summary()}
            log.info("statistics %s", json.dumps(figures))
        finally:
            for _, player in remote:
                await player.aclose()
        if not config.repeat:
            return EXIT_DONE


async def _sign_up(config: ServerConfiguration, house_names: list[Name], status: Callable[[str], None]) -> list[SignedUp]:
    listeners = await trio.open_tcp_listeners(config.port, host=config.host or None)
    host, port = listeners[0].socket.getsockname()[:2]
    log.info("listening on %s:%d for %g s", host, port, config.waiting_for)
    registry = NameRegistry()
    for name in house_names:
        registry.assign(name)

    def signed_up(entry: SignedUp) -> None:
        log.info("%s signed up", entry.name)
        status(f"signed up: {len(house_names) + len(window.signed_up)}")

    window = SignUpWindow(listeners, config.waiting_for, SERVER_MAX_MESSAGE_BYTES, registry, on_sign_up=signed_up)
    try:
        return await window.run()
    finally:
        for listener in listeners:
            await trio.aclose_forcefully(listener)


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
    """xserver's whole life: parse, start, print."""
    status_line = StatusLine(sys.stderr)
    status_line.setFormatter(logging.Formatter("xserver: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[status_line])
    try:
        config = read_server_configuration(sys.stdin.read())
        create_players(config.house_players, "house players")
    except (StructureError, PlayerLoadError) as error:
        print(f"xserver: configuration: {error}", file=sys.stderr)
        return EXIT_CONFIGURATION

    def publish(results: Results) -> None:
        print(json.dumps(unstructure(results)), flush=True)

    def house_players() -> list[tuple[Name, Player]]:
        return create_players(config.house_players, "house players")

    return trio.run(_until_terminated, lambda: serve(config, house_players, publish, status_line.show))


if __name__ == "__main__":
    sys.exit(main())
