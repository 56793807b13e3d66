"""What the executables do at the command line: `--help` (xserver's usage text), `--version`, Ctrl-C, and xserver's status line.

Both read their configuration on standard input and take no arguments but
`-h`/`--help` (print the usage and exit 0) and `--version`. Any other
argument is refused in one line. Ctrl-C at any moment, before trio runs or
inside it, ends the program with one line and exit status 130, never with a
traceback. On a terminal, `StatusLine` keeps one line of progress under
the log.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from importlib import metadata
from typing import Any

from Admin.manager import DEFAULT_TIME_PER_CALL

EXIT_STOPPED = 130
EXIT_USAGE = 2
EXIT_DONE, EXIT_TOO_FEW, EXIT_CONFIGURATION, EXIT_CANNOT_LISTEN = 0, 1, 2, 3
"""xserver's other exit statuses, as its usage text (below) lists them."""
DISTRIBUTION = "santorini-tournament"


def version() -> str:
    """The installed version of this project, or "unknown" when it runs uninstalled."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown"


def answer_arguments(program: str, arguments: list[str], usage: str) -> int | None:
    """Handle the command line: None to go on and read standard input, or the exit status to stop with."""
    if not arguments:
        return None
    if arguments == ["-h"] or arguments == ["--help"]:
        print(usage.strip())
        return 0
    if arguments == ["--version"]:
        print(f"{program} {version()}")
        return 0
    print(
        f"{program}: unexpected argument {arguments[0]!r}: the configuration is read on standard input (see {program} --help)",
        file=sys.stderr,
    )
    return EXIT_USAGE


def xserver_usage(games: Mapping[str, Any], default_game: str) -> str:
    """What `xserver --help` prints: the host's keys, then each of `games`' (`Remote.game_description.Game`s by name)."""
    keys = "\n".join(f"{game.name}'s keys:\n{game.settings_help}" for game in games.values())
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
  "max players"    whole number >= 2 and >= "min players", default none: a sign-up window closes as soon as
                   this many have signed up (house players included); with "repeat": 1, later ones wait for the next
  "game"           one of {", ".join(games)}, default "{default_game}": the game
  "host"           string, default "": the address to listen on ("" means every interface)
  "time per call"  positive number of seconds, default {DEFAULT_TIME_PER_CALL:g} (fish: 10): how long a player has for each message
  "house players"  list of [Kind, Name, PathString], default []: local players that sign up first
  "participants"   PathString, default none: a CSV file, participant,token (or participant,sha256);
                   with it the only sign-up is ["sign-up", Name, Token] (fill in tokens: python -m Remote.tokens);
                   any sign-up may add options, ["sign-up", Name, Token or null, {{"opponent": Name}}]: an arena pairs
                   two who named each other first, a tournament ignores it (docs/santorini-protocol.md, section 7)
  "event log"      PathString, default none: a directory; each tournament writes its events and exports
                   into a directory of its own there (rebuild the exports: python -m Remote.rebuild_exports DIR)
  "resume"         true or false, default false: with "event log", go on with its newest tournament
                   if it did not end (the configuration must be the same), or print its Results again
  "resume wait"    positive number of seconds, default "waiting for": how long a resumed tournament
                   waits for its players to come back
  "watch"          {{"port": P, "host": H}}, default none: a web page and an event stream of the
                   tournament at http://H:P/ (host: default "host"; also "max watchers", default 256,
                   and "watchers per address", default 8)
  "watch linger"   number of seconds >= 0, default 0: how long the page stays up after the last tournament
  "websocket"      {{"port": P, "host": H}}, default none: players may also connect over WebSocket at
                   ws://H:P/ (host: default "host"; 0: any free port, see the log), the same conversation,
                   one JSON value per text message, the sign-up as the first message (a token also as the
                   Authorization header); TCP and WebSocket players meet in one tournament (docs/websocket.md)
  "format"         object, default {{"kind": "round robin"}} (fish: the course's knock-out): who meets whom (docs/formats.md)
                     {{"kind": "round robin", "cycles": 2}}     everyone meets everyone twice, starts alternating
                     {{"kind": "swiss", "rounds": 7}}          7 Swiss rounds, paired within score groups
                     {{"kind": "knock-out"}}                   single elimination seeded by sign-up order; or
                       "seeding": "rating", "ratings": FILE   seeded by an earlier event's "ratings out"
                       "players per game": 4                  the course's knock-out: games of up to 4 players
                                                              (fish) from the front of the list, the winners go on
                     {{"kind": "gauntlet", "candidates": [A], "cycles": 10}}   A against every other player;
                       "sprt": {{"elo0": 0, "elo1": 10, "alpha": 0.05, "beta": 0.05}}   stop once the test decides
                     {{"kind": "pairings", "pairings": [[A, B], ...]}}   the listed pairings, in order
                     {{"kind": "arena", "minutes": 30, "pairing": "first come"}}   sign-up open all along: players
                                                              paired as they wait ("first come", or "rating"), rated
                                                              live, the leaderboard at the end (docs/arena.md); also
                       "players per game": 2, "cool down": 60, "misbehaviours allowed": 2, "named opponent wait": 30
  "ratings out"    PathString, default none: a file that gets every player's rating at the end of each tournament
  "rooms"          list of objects, default none: several events on one server; each room is {{"name": N, ...}} with
                   every key of a whole configuration (its game, "format", the game's keys, "event log", ...) but the
                   server's "port", "host", "websocket", "watch" and "watch linger", which stand beside "rooms",
                   alone; N: 1 to 64 letters, digits, "-", "_" or ".", the first a letter or a digit, unique; a player
                   names its room in its sign-up's options, {{"room": N}}; naming none, the first room (docs/rooms.md)

{keys}
Exit statuses:
  0    the tournament ran; the Results were printed
  1    fewer than "min players" signed up; no tournament
  2    bad configuration, bad house player file, a bad argument, an event log in use by another
       server or that cannot be written, or a tournament to resume whose configuration differs
       or whose log is damaged (one line names the line)
  3    cannot listen on the host and port (or on the watch port, or the WebSocket port)
  130  stopped by Ctrl-C or SIGTERM; every connection closed
With "rooms", xserver exits once every room has ended, with the highest of the rooms' statuses.
Signals: Ctrl-C or SIGTERM stops xserver at once (resumable with "event log" and "resume": true);
SIGUSR1 (kill -USR1 PID) ends every arena that runs as at the end of its minutes: no new encounter
starts, the running ones finish, every connected player gets the Results, and xserver exits 0.

Options: -h, --help (this text), --version.
"""


def is_interrupt(error: BaseException) -> bool:
    """Whether `error` is Ctrl-C: a KeyboardInterrupt, or a group of nothing else (trio's nurseries wrap it)."""
    if isinstance(error, BaseExceptionGroup):
        return all(is_interrupt(inner) for inner in error.exceptions)
    return isinstance(error, KeyboardInterrupt)


def exit_status_of(program: str, main: Callable[[], int], before_exit: Callable[[], None] = lambda: None) -> int:
    """Run `main`; Ctrl-C at any moment gives one line on standard error and EXIT_STOPPED.

    `before_exit` runs once in every case, first, for instance to clear a status line.
    """
    try:
        status = main()
    except BaseException as error:
        if not is_interrupt(error):
            raise
        status = None
    finally:
        before_exit()
    if status is None:
        print(f"{program}: stopped", file=sys.stderr, flush=True)
        return EXIT_STOPPED
    return status


LOG_ROOM: ContextVar[str | None] = ContextVar("LOG_ROOM", default=None)
"""The room whose event the running task (or encounter loop) plays, on a server with rooms: its log lines say so."""


class ServerLogFormatter(logging.Formatter):
    """xserver's log lines: `xserver: ` and, from a room's event, the room's name (`xserver: cup: alice signed up`)."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        room = LOG_ROOM.get()
        return f"xserver: {record.message}" if room is None else f"xserver: {room}: {record.message}"


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
