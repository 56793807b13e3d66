"""`python -m Remote.rebuild_exports DIR`: rebuild a tournament's exports from its event log, or list an event log's tournaments.

DIR is one tournament's directory of an `"event log"` (the one holding
`events.ndjson`), of a finished tournament, an unfinished one, or one
whose server was killed; or an arena's (its results.json holds the
leaderboard and the encounters, its crosstable.csv a row per encounter). The command folds the events and writes
results.json, crosstable.csv and games.ndjson (and, for a Swiss or a round
robin of a game of two, tournament.trf) beside them, exactly as the server writes them after
each encounter's end (`Remote/exports.py`). A torn last line (the server
died while writing it) is dropped, and one line on standard error says so. Anything else wrong is one line on standard
error naming what and where (a line's number), and nothing is written.
Exit status: 0 written, 2 refused.

DIR may also be the event log's directory itself, which holds one directory
per tournament and no events.ndjson (decision: an organiser who names it
wants to see what is there, so nothing is written): each tournament is
listed in one line, oldest first (`list_tournaments`); to rebuild one, name
its directory.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from Admin.arena_state import ArenaState
from Admin.tournament_state import TournamentState
from Remote.arena_exports import ENCOUNTERS_NDJSON, ArenaExports, arena_results_json
from Remote.event_log_reader import EventLogReadError, read_any_log
from Remote.exports import (
    CROSSTABLE_CSV,
    GAMES_NDJSON,
    RESULTS_JSON,
    TOURNAMENT_TRF,
    ExportError,
    write_exports,
    write_texts,
)
from Remote.game_description import Game
from Remote.game_registry import GAMES

PROGRAM = "python -m Remote.rebuild_exports"
EVENTS = "events.ndjson"
REBUILDING = ".rebuilding"
"""Where an arena's appended files are written while its log is folded (then moved in): streamed, not held in memory."""
APPENDED = (CROSSTABLE_CSV, ENCOUNTERS_NDJSON, GAMES_NDJSON)
EXIT_DONE, EXIT_REFUSED = 0, 2

DESCRIPTION = f"""\
Rebuilds the exports of one tournament from its event log: DIR is the
tournament's directory, the one holding {EVENTS} (under the "event log"
directory of xserver's configuration, named by the tournament's id). It
writes, beside the log, each file replaced atomically:

  {RESULTS_JSON}    the configuration, the players, every encounter (raw and
                  revised outcomes, each game's end), the Results as xserver
                  printed them (null while unfinished) and the standings
  {CROSSTABLE_CSV}  one row and one column per player: each cell the outcome(s)
                  from the row player's side, then the totals; for a game of
                  more than two players a game, a row per player per
                  encounter: its place, score and result
  {GAMES_NDJSON}    one line per game, with every step needed to replay it
  {TOURNAMENT_TRF}  a Swiss or round robin of a game of two only: the event as a FIDE Tournament
                  Report File (TRF16), for pairing checkers and rating tools

An arena's (docs/event-log.md): {RESULTS_JSON} (the leaderboard, the queue,
the running encounters, the Results), and a line or row per ended encounter,
in the order they ended, in {ENCOUNTERS_NDJSON}, {CROSSTABLE_CSV} and {GAMES_NDJSON}.

The log of a server that was killed works too: a torn last line is dropped
(one line on standard error says so). Exit status: 0 written; 2 refused,
with one line naming what is wrong (a missing directory, a bad line of the
log and its number, a game this program does not know).

When DIR is the "event log" directory itself (it holds tournaments'
directories and no {EVENTS}), the command lists them and writes nothing:
one line per tournament, oldest first, with its directory's name, the game,
"ended" or "interrupted" (no Results yet: stopped, killed, or still
running), its players and how many of its encounters ended; a tournament
whose log cannot be read gets a line saying why. Exit status 0."""


class RebuildRefused(Exception):
    """The command cannot go on; the message is its one line."""


def rebuild(directory: Path, games: Mapping[str, Game], warn=lambda line: None) -> tuple[TournamentState | ArenaState, list[str]]:
    """Fold `directory`'s event log and write its exports (the names written); RebuildRefused with one line if it cannot."""
    if not directory.is_dir():
        raise RebuildRefused(f"{directory}: no such directory")
    if not (directory / EVENTS).is_file():
        raise RebuildRefused(f"{directory}: no {EVENTS} in it: not a tournament's directory of an event log")
    rebuilding = directory / REBUILDING  # an arena's appended files, written as its log is folded, then moved in
    files = ArenaExports(rebuilding, games, flush_inline=True)
    try:
        rebuilding.mkdir(exist_ok=True)
        state, game = fold(directory, games, warn, files)
        if isinstance(state, ArenaState):
            files.flush()
            write_texts(directory, {RESULTS_JSON: arena_results_json(state)})
            for name in APPENDED:
                os.replace(rebuilding / name, directory / name)
            written = [RESULTS_JSON, *APPENDED]
        else:
            written = write_exports(directory, state, game)
    except ExportError as error:
        raise RebuildRefused(f"{directory / EVENTS}: {error}") from None
    except OSError as error:
        raise RebuildRefused(f"{directory}: cannot write the exports: {error.strerror or error}") from None
    finally:
        shutil.rmtree(rebuilding, ignore_errors=True)
    return state, written


def fold(
    directory: Path, games: Mapping[str, Game], warn=lambda line: None, files: ArenaExports | None = None
) -> tuple[TournamentState | ArenaState, Game]:
    """The state that the event log of the tournament in `directory` describes, and its game; RebuildRefused with one line.

    An arena's fold tells `files` of each encounter as it ends (None: it keeps their games)."""
    path = directory / EVENTS
    try:
        state, game, torn = read_any_log(path, games, files)
    except EventLogReadError as error:
        raise RebuildRefused(f"{path}: {error}") from None
    except OSError as error:
        raise RebuildRefused(f"{path}: {error.strerror or error}") from None
    if torn:
        warn(f"{path}: dropped a torn last line (line {state.last_seq + 1}): the server stopped while writing it")
    if game is None:
        raise RebuildRefused(f"{path}: no start event: nothing to export")
    return state, game


def tournaments_in(directory: Path) -> list[Path]:
    """The tournaments' directories (those holding an event log) in the event log directory `directory`, oldest first."""
    try:
        return sorted(path for path in directory.iterdir() if (path / EVENTS).is_file())
    except OSError:
        return []


def list_tournaments(tournaments: Sequence[Path], games: Mapping[str, Game]) -> list[str]:
    """One line for each tournament: name, game, ended or interrupted, players, encounters ended; or why it cannot be read."""
    width = max(len(path.name) for path in tournaments)
    lines = []
    for path in tournaments:
        try:
            state, game = fold(path, games, files=ArenaExports(None, games))  # an arena's games are not listed: only the latest kept
        except RebuildRefused as error:
            lines.append(f"{path.name:<{width}}  cannot be read: {str(error).removeprefix(str(path / EVENTS) + ': ')}")
            continue
        ended = "ended" if state.results is not None else "interrupted"
        if isinstance(state, ArenaState):
            players, encounters = len(state.ratings), f"an arena, {state.finished} encounters ended"
        else:
            players = len(state.roster) if state.roster is not None else len(state.sign_ups)
            encounters = f"{state.finished} of {state.total} encounters ended" if state.total is not None else "no schedule yet"
        game_width = max(map(len, games))
        lines.append(f"{path.name:<{width}}  {game.name:<{game_width}}  {ended:<11}  {players} player{'s' * (players != 1)}  {encounters}")
    return lines


def summary(directory: Path, state: TournamentState | ArenaState, written: Sequence[str]) -> str:
    """The line printed once the exports (`written`, their names) are written."""
    if isinstance(state, ArenaState):
        progress = "finished" if state.results is not None else f"unfinished arena, {state.finished} encounters ended"
    else:
        progress = "finished" if state.results is not None else f"unfinished, {state.finished} of {state.total or 0} encounters ended"
    return f"{directory}: wrote {', '.join(sorted(written, key=_EXPORTS_ORDER.index))} ({progress})"


_EXPORTS_ORDER = [RESULTS_JSON, CROSSTABLE_CSV, ENCOUNTERS_NDJSON, GAMES_NDJSON, TOURNAMENT_TRF]


def main(argv: Sequence[str] | None = None, games: Mapping[str, Game] = GAMES) -> int:
    parser = argparse.ArgumentParser(prog=PROGRAM, description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "directory", metavar="DIR", type=Path, help=f"a tournament's directory, holding {EVENTS}; or an event log's, to list them"
    )
    options = parser.parse_args(argv)

    def warn(line: str) -> None:
        print(f"export: {line}", file=sys.stderr)

    tournaments = [] if (options.directory / EVENTS).exists() else tournaments_in(options.directory)
    if tournaments:
        print("\n".join(list_tournaments(tournaments, games)))
        return EXIT_DONE
    try:
        state, written = rebuild(options.directory, games, warn)
    except RebuildRefused as error:
        print(f"export: {error}", file=sys.stderr)
        return EXIT_REFUSED
    print(summary(options.directory, state, written))
    return EXIT_DONE


if __name__ == "__main__":
    sys.exit(main())
