"""A format played in stages as the manager runs it: its stages so far, where they sit in the schedule, which have ended. Pure.

The StagePlan is the format's state, a fold of what the event log holds:
the stages asked for (each with the indices its pairings got in the
`Staged` schedule), how many encounters of the last stage have settled,
and each ended stage as the format sees it (`StageResult`, read once). The
manager asks it for the next stage once the last is over, logs what it
gets, and tells it each encounter that settles; a resumed event asks the
format for the logged stages again (`take_up`), checking each against the
log. Nothing here writes an event or reads a clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from Admin.formats.stage import Format, GroupPlayed, Played, Stage, StageResult
from Admin.schedule import Staged
from Common.participant import Name

EndedAs = Callable[[int], tuple[Played | None, GroupPlayed]]
"""An ended encounter, by its index, as a format sees it: as a Played if it has two players (else None), and as a table."""


def stage_result(stage: Stage, indices: range, played: EndedAs) -> StageResult:
    """The ended `stage`, whose pairings got `indices`, as the format sees it."""
    seen = [played(index) for index in indices]
    return StageResult(stage, tuple(pair for pair, _ in seen if pair is not None), tuple(group for _, group in seen))


class StagePlan:
    """The stages of `format` among `names` (sign-up order); `played(index)` is an ended encounter as the format sees it."""

    def __init__(self, format_: Format, names: Sequence[Name], played: EndedAs) -> None:
        self.format = format_
        self.names = list(names)
        self.played = played
        self.schedule = Staged()
        self.stages: list[tuple[Stage, range]] = []
        self._ended: list[StageResult] = []  # the first stages, ended, as the format sees them
        self._settled = 0  # how many encounters of the last stage have settled

    def next(self, out: frozenset[int]) -> Stage | None:
        """The format's next stage (every stage so far has ended), added to the schedule; None when the event is over."""
        stage = self.format.next_stage(len(self.names), out, self.results())
        if stage is not None:
            self._add(stage)
        return stage

    def _add(self, stage: Stage) -> range:
        indices = self.schedule.add(stage.pairings)
        self.stages.append((stage, indices))
        self._settled = 0
        return indices

    def results(self) -> list[StageResult]:
        """The stages so far, every one ended, each with its encounters as the format sees them; each stage is read once."""
        for stage, indices in self.stages[len(self._ended) :]:
            self._ended.append(stage_result(stage, indices, self.played))
        return list(self._ended)

    def settled(self, index: int) -> None:
        """The encounter at `index` has ended, is durable, and its players are free: it counts towards the end of its stage."""
        if self.stages and index in self.stages[-1][1]:
            self._settled += 1

    def over(self) -> bool:
        """Has every encounter of the last stage settled (True before the first stage)?"""
        return not self.stages or self._settled == len(self.stages[-1][1])

    def stage_event(self) -> dict[str, Any]:
        """The `stage` event of the last stage: its number, label, first index, pairings and byes by name."""
        stage, indices = self.stages[-1]
        pairings = [[self.names[player] for player in table] for table in stage.pairings]
        return {"stage": len(self.stages), "label": stage.label, "first": indices.start, "pairings": pairings, "byes": self.byes()}

    def byes(self) -> list[Name]:
        """The byes of the last stage, by name."""
        return [self.names[bye] for bye in self.stages[-1][0].byes]

    def take_up(self, ended: Mapping[int, tuple[Any, tuple[Name, ...]]], out: frozenset[Name], logged: Sequence[Mapping[str, Any]]) -> None:
        """Ask the format again for the `logged` stages of an interrupted run, whose `ended` encounters (wire outcome, culprits)
        and `out` players its log holds; ValueError, one line, when the format does not give them again.

        Who was out before a stage: the culprits of the stages before, and
        each player out outside any encounter (one that failed to take its
        new name or the start notice, perhaps only when a run resumed) from
        the first stage on that the log does not seat it in (pairings or
        byes) any more.
        """
        position = {name: number for number, name in enumerate(self.names)}
        culprits_of = {index: culprits for index, (_, culprits) in ended.items()}
        outside = {name for name in out if not any(name in culprits for culprits in culprits_of.values())}
        last_seated = {name: number for number, event in enumerate(logged) for name in _seated(event) if name in outside}
        out_now: set[int] = set()
        results: list[StageResult] = []
        while len(self.stages) < len(logged):
            number = len(self.stages)
            out_now |= {position[name] for name in outside if name in position and last_seated.get(name, -1) < number}
            stage = self.format.next_stage(len(self.names), frozenset(out_now), results)
            if stage is None:
                raise ValueError(f"the format has {len(self.stages)} stages, the log {len(logged)}")
            self._check(stage, logged[len(self.stages)])
            indices = self._add(stage)
            if not all(index in ended for index in indices):
                break
            results.append(stage_result(stage, indices, self.played))
            out_now |= {position[name] for index in indices for name in culprits_of[index] if name in position}
        if len(self.stages) < len(logged):
            raise ValueError(f"the log has stage {len(self.stages) + 1} before stage {len(self.stages)} ended")
        self._settled = sum(index in ended for index in self.stages[-1][1]) if self.stages else 0

    def _check(self, stage: Stage, logged: Mapping[str, Any]) -> None:
        pairings = [[self.names[player] for player in table] for table in stage.pairings]
        if pairings != logged["pairings"] or [self.names[bye] for bye in stage.byes] != logged["byes"]:
            raise ValueError(f"the log's stage {logged['stage']} is not the one its format gives from the outcomes before it")


def _seated(event: Mapping[str, Any]) -> list[Name]:
    """The players a logged `stage` event seats: those of its pairings, and its byes."""
    return [name for table in event["pairings"] for name in table] + list(event["byes"])
