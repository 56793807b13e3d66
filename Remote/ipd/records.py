"""The prisoner's dilemma's match records, written as files: one CSV per match, once, when it ends.

With `"records": DIR` in the configuration, every played match (irregular
ones too) leaves `DIR/<tournament>-<match index>.csv` in the websocket IPD
server's format (`Common/ipd/records.py` renders it); `<tournament>` is the
time the tournament started, `YYYYmmddHHMMSS`, with a counter after it when
one process starts more than one in a second. A file is written to a
temporary name and renamed, so a reader never sees half a record. Nothing
is written per round.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

from Admin.encounter import Encounter, EncounterResult
from Admin.observer import Observer
from Common.ipd.names import Name
from Common.ipd.records import record_file_name, render_record


class RecordWriter(Observer):
    """Writes the record of every played match into `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.tournament = 0
        self._started: set[int] = set()

    def started(self, names: Sequence[str]) -> None:
        stamp = int(time.strftime("%Y%m%d%H%M%S"))
        tournament = stamp * 100
        while tournament in self._started:
            tournament += 1
        self._started.add(tournament)
        self.tournament = tournament

    def played(self, encounter: Encounter, first: str, second: str, result: EncounterResult) -> None:
        if result.record is None:
            return
        culprits = [Name(misbehaviour.name) for misbehaviour in result.misbehaviours]
        text = render_record(Name(first), Name(second), result.record, culprits)
        path = self.directory / record_file_name(self.tournament, encounter.index)
        temporary = path.with_name(f".{path.name}.part")
        temporary.write_text(text)
        os.replace(temporary, path)
