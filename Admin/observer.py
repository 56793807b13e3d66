"""Who hears what happens in a tournament, besides its event log: logs and progress displays.

Observers are told synchronously, after the event log has the event on
disk; an observer that needs to wait must hand the work to a task of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from Admin.encounter import Encounter, EncounterResult
from Common.participant import Name


class Observer:
    """Hears what happens in a tournament, for logs and progress displays; every method may be left out."""

    def started(self, names: Sequence[Name]) -> None:
        """The tournament starts among `names`, the assigned names in sign-up order."""

    def resumed(self, ended: int, played: int) -> None:
        """Right after `started`, when the tournament resumes: `ended` encounters had ended, `played` of them played."""

    def renamed(self, requested: Name, assigned: Name | None) -> None:
        """A player asked for `requested` and plays as `assigned` (None: no name fits; it is left out)."""

    def misbehaved(self, name: Name, reason: str) -> None:
        """`name` misbehaved and is out of the tournament."""

    def encounter_finished(self, result: EncounterResult | None, finished: int, total: int) -> None:
        """One more encounter is over (None: not played, a player was out); `finished` of `total`."""

    def played(self, encounter: Encounter, first: Name, second: Name, result: EncounterResult) -> None:
        """The encounter at `encounter.index`, between `first` and `second`, was played to `result`."""

    def encounter_played(self, encounter: Encounter, players: Sequence[Name], result: EncounterResult) -> None:
        """The encounter at `encounter.index`, among `players` (two or more, in seat order), was played to `result`.

        What the manager calls; by default, an encounter of two players is `played`, and one of more is heard no further.
        """
        if len(players) == 2:
            self.played(encounter, players[0], players[1], result)

    def stage_started(self, label: str, encounters: int, byes: Sequence[Name]) -> None:
        """A stage of a format played in stages starts (`Swiss round 3 of 7`): its encounters, and who has a bye."""

    def summarised(self, ratings: Sequence[dict[str, Any]], summary: dict[str, Any] | None) -> None:
        """Before the Results: every player's rating (best first) and the format's summary (None: a plain schedule)."""

    def finished(self, results: Any) -> None:
        """The tournament is over: these are its Results, delivered to every player still in."""


@attrs.frozen
class Observers(Observer):
    """Several observers, each told everything in turn."""

    observers: tuple[Observer, ...]

    def started(self, names: Sequence[Name]) -> None:
        for observer in self.observers:
            observer.started(names)

    def resumed(self, ended: int, played: int) -> None:
        for observer in self.observers:
            observer.resumed(ended, played)

    def renamed(self, requested: Name, assigned: Name | None) -> None:
        for observer in self.observers:
            observer.renamed(requested, assigned)

    def misbehaved(self, name: Name, reason: str) -> None:
        for observer in self.observers:
            observer.misbehaved(name, reason)

    def encounter_finished(self, result: EncounterResult | None, finished: int, total: int) -> None:
        for observer in self.observers:
            observer.encounter_finished(result, finished, total)

    def played(self, encounter: Encounter, first: Name, second: Name, result: EncounterResult) -> None:
        for observer in self.observers:
            observer.played(encounter, first, second, result)

    def encounter_played(self, encounter: Encounter, players: Sequence[Name], result: EncounterResult) -> None:
        for observer in self.observers:
            observer.encounter_played(encounter, players, result)

    def stage_started(self, label: str, encounters: int, byes: Sequence[Name]) -> None:
        for observer in self.observers:
            observer.stage_started(label, encounters, byes)

    def summarised(self, ratings: Sequence[dict[str, Any]], summary: dict[str, Any] | None) -> None:
        for observer in self.observers:
            observer.summarised(ratings, summary)

    def finished(self, results: Any) -> None:
        for observer in self.observers:
            observer.finished(results)
