"""`python -m Remote.export DIR`: rebuild a tournament's exports from its event log.

DIR is one tournament's directory of an `"event log"` (the one holding
`events.ndjson`), of a finished tournament, an unfinished one, or one
whose server was killed. The command folds the events and writes
results.json, crosstable.csv and games.ndjson beside them, exactly as the
server writes them after each encounter's end (`Remote/exports.py`). A
torn last line (the server died while writing it) is dropped, and one line
on standard error says so. Anything else wrong is one line on standard
error naming what and where (a line's number), and nothing is written.
Exit status: 0 written, 2 refused.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from Admin.tournament_state import TournamentState
from Remote.event_reading import EventLogError, read_log
from Remote.exports import CROSSTABLE_CSV, GAMES_NDJSON, RESULTS_JSON, ExportError, write_exports
from Remote.game import Game
from Remote.games import GAMES

PROGRAM = "python -m Remote.export"
EVENTS = "events.ndjson"
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
                  from the row player's side, then the totals
  {GAMES_NDJSON}    one line per game, with every step needed to replay it

The log of a server that was killed works too: a torn last line is dropped
(one line on standard error says so). Exit status: 0 written; 2 refused,
with one line naming what is wrong (a missing directory, a bad line of the
log and its number, a game this program does not know)."""


class Refused(Exception):
    """The command cannot go on; the message is its one line."""


def rebuild(directory: Path, games: Mapping[str, Game], warn=lambda line: None) -> TournamentState:
    """Fold `directory`'s event log and write its exports; Refused with one line if it cannot."""
    if not directory.is_dir():
        raise Refused(f"{directory}: no such directory")
    path = directory / EVENTS
    if not path.is_file():
        raise Refused(f"{directory}: no {EVENTS} in it: not a tournament's directory of an event log")
    try:
        state, game, torn = read_log(path, games)
    except EventLogError as error:
        raise Refused(f"{path}: {error}") from None
    except OSError as error:
        raise Refused(f"{path}: {error.strerror or error}") from None
    if torn:
        warn(f"{path}: dropped a torn last line (line {state.last_seq + 1}): the server stopped while writing it")
    if game is None:
        raise Refused(f"{path}: no start event: nothing to export")
    try:
        write_exports(directory, state, game)
    except ExportError as error:
        raise Refused(f"{path}: {error}") from None
    except OSError as error:
        raise Refused(f"{directory}: cannot write the exports: {error.strerror or error}") from None
    return state


def summary(directory: Path, state: TournamentState) -> str:
    """The line printed once the exports are written."""
    progress = "finished" if state.results is not None else f"unfinished, {state.finished} of {state.total or 0} encounters ended"
    return f"{directory}: wrote {RESULTS_JSON}, {CROSSTABLE_CSV}, {GAMES_NDJSON} ({progress})"


def main(argv: Sequence[str] | None = None, games: Mapping[str, Game] = GAMES) -> int:
    parser = argparse.ArgumentParser(prog=PROGRAM, description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", metavar="DIR", type=Path, help=f"a tournament's directory, holding {EVENTS}")
    options = parser.parse_args(argv)

    def warn(line: str) -> None:
        print(f"export: {line}", file=sys.stderr)

    try:
        state = rebuild(options.directory, games, warn)
    except Refused as error:
        print(f"export: {error}", file=sys.stderr)
        return EXIT_REFUSED
    print(summary(options.directory, state))
    return EXIT_DONE


if __name__ == "__main__":
    sys.exit(main())
