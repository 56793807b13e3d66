"""What the organiser reads while a tournament runs: one log line per event, and the standings at the end.

`TournamentLog` is the manager's Observer for xserver and `python -m Admin`
alike. It logs every renaming, every misbehaviour with its reason (the words
the culprit is sent), every finished encounter, and, when the tournament is
over, the standings table; a `status` callback is told the progress, for a
status line on a terminal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from Admin.encounter import EncounterResult
from Admin.observer import Observer

Name = str


def count(number: int, noun: str, plural: str | None = None) -> str:
    """`1 player`, `2 players`: a number with its noun in the right form."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


class TournamentLog(Observer):
    """Logs a tournament's events on `log`; tells `status` the progress.

    The game says how one outcome reads (`describe`) and draws the standings
    table from the Results and the players in sign-up order (`table`).
    """

    def __init__(
        self,
        log: logging.Logger,
        status: Callable[[str], None],
        describe: Callable[[Any], str],
        table: Callable[[Any, Sequence[Name]], str],
    ) -> None:
        self.log = log
        self.status = status
        self.describe = describe
        self.table = table
        self.names: list[Name] = []
        self.encounters = 0

    def started(self, names: Sequence[Name]) -> None:
        self.names = list(names)
        self.encounters = 0
        self.log.info("tournament of %s starts", count(len(names), "player"))

    def renamed(self, requested: Name, assigned: Name | None) -> None:
        if assigned is None:
            self.log.info("%s: name taken and cannot be extended; left out", requested)
        else:
            self.log.info("%s: name taken; plays as %s", requested, assigned)

    def misbehaved(self, name: Name, reason: str) -> None:
        self.log.info("%s misbehaved: %s", name, reason)

    def encounter_finished(self, result: EncounterResult | None, finished: int, total: int) -> None:
        if result is not None:
            self.encounters += 1
            self.log.info("%s", self.describe(result.outcome))
        self.status(f"encounters finished: {finished} of {total}")

    def finished(self, results: Any) -> None:
        """The tournament is over with `results`: log the standings table."""
        self.status("")
        self.log.info("standings after %s:\n%s", count(self.encounters, "encounter"), self.table(results, self.names))
