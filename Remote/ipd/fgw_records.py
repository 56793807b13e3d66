"""The fgw door's match files: `tournaments/<match-id>.csv` in the websocket IPD server's own format, one per match.

    # 2026-12-07T16:02:20+0000       when the tournament started (that server: when the match was created)
    # Participants: [alice,bob]      the two players, the first listed first
    alice,bob
    C,B                              one line per round scored: each one's move (B: our "D"), or Forfeit
    # COMPLETED                      no newline after it; `# IRREGULAR <name>` when <name> misbehaved

`fgw_csv` renders one without I/O; `FgwRecordWriter`, an observer of the
tournament, writes each when its match ends (to a temporary name, then
renamed) in the directory `tournaments/` beside the event log, and adds its
id to the matches played, which the door refuses from then on. A match is
played when its file exists, so a resumed event refuses the matches played
before it stopped, as that server refuses a match whose file says
`# COMPLETED`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, MutableSet, Sequence
from pathlib import Path

from Admin.encounter import Encounter, EncounterResult
from Admin.observer import Observer
from Common.ipd.moves import COOPERATE, DEFECT, Recorded
from Remote.ipd.fgw_matches import MATCH_ID, FgwMatches

TOURNAMENTS_DIRECTORY = "tournaments"
COMPLETED = "# COMPLETED"
IRREGULAR = "# IRREGULAR"
_CELL = {COOPERATE: "C", DEFECT: "B", None: "Forfeit"}


def iso_time(seconds: float) -> str:
    """`seconds` since the epoch as that server writes a match's time: `2026-12-07T16:02:20+0000`, local time."""
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(seconds))


def fgw_csv(when: str, first: str, second: str, rounds: Iterable[tuple[Recorded, Recorded]], culprits: Sequence[str] = ()) -> str:
    """A match's file: its time `when`, its players, its rounds as scored, and how it ended (`culprits`: who misbehaved)."""
    lines = [f"# {when}", f"# Participants: [{first},{second}]", f"{first},{second}"]
    lines.extend(f"{_CELL[a]},{_CELL[b]}" for a, b in rounds)
    lines.append(f"{IRREGULAR} {' '.join(culprits)}" if culprits else COMPLETED)
    return "\n".join(lines)


def played_ids(directory: Path) -> set[str]:
    """The ids of the matches whose file is in `directory` (none if it does not exist)."""
    if not directory.is_dir():
        return set()
    return {path.stem for path in directory.glob("*.csv") if MATCH_ID.fullmatch(path.stem)}


class FgwRecordWriter(Observer):
    """Notes each listed match's id in `played` when it ends, and writes its file into `directory` (None: nowhere)."""

    def __init__(self, directory: Path | None, matches: FgwMatches, played: MutableSet[str]) -> None:
        self.directory = directory
        self.matches = matches
        self.played_ids = played
        self.when = iso_time(time.time())

    def started(self, names: Sequence[str]) -> None:
        self.when = iso_time(time.time())

    def played(self, encounter: Encounter, first: str, second: str, result: EncounterResult) -> None:
        match = self.matches.of(first, second, encounter.meeting)
        if match is None or result.record is None:
            return
        self.played_ids.add(match.match_id)
        if self.directory is None:
            return
        text = fgw_csv(self.when, first, second, result.record, [misbehaviour.name for misbehaviour in result.misbehaviours])
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{match.match_id}.csv"
        temporary = path.with_name(f".{path.name}.part")
        temporary.write_text(text)
        os.replace(temporary, path)
