"""What the organiser reads while a tournament runs: one log line per event, and the standings at the end.

`OrganiserLog` is the manager's Observer for xserver and `python -m Admin`
alike. It logs every renaming, every misbehaviour with its reason (the words
the culprit is sent), every finished encounter with its series' score and
the progress (`bob beat ann 2–1 · encounter 312 of 780 · 40 % · about 45 s
left`), and, when the tournament is over, the standings table; a `status`
callback is told the progress, for a status line on a terminal.

The estimate (`seconds_left`, pure) is the time this run has taken per
encounter ended in it, times the encounters still to end: a resumed
tournament counts on from the encounters it had ended, at the pace of the
encounters it ends now. For the first ESTIMATE_AFTER encounters of a run it
says `estimating`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import trio

from Admin.encounter import EncounterResult
from Admin.observer import Observer
from Common.participant import Name

ESTIMATE_AFTER = 3
"""Encounters a run ends before its estimate of the time left: until then it says `estimating`."""


def count(number: int, noun: str, plural: str | None = None) -> str:
    """`1 player`, `2 players`: a number with its noun in the right form."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def seconds_left(done: int, total: int, before: int, elapsed: float) -> float | None:
    """The seconds until all `total` encounters have ended, `done` having ended (`before` of them in an earlier run)
    and this run having taken `elapsed` seconds; None while this run has ended fewer than ESTIMATE_AFTER."""
    if done >= total:
        return 0.0
    if done - before < ESTIMATE_AFTER:
        return None
    return elapsed / (done - before) * (total - done)


def duration(seconds: float) -> str:
    """`45 s`, `9 min`, `1 h 39 min`: a duration as a person reads an estimate of it."""
    if round(seconds) < 60:
        return f"{round(seconds)} s"
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def progress_text(done: int, total: int, before: int, elapsed: float) -> str:
    """`encounter 312 of 780 · 40 % · about 45 s left` (see `seconds_left`; the percentage reaches 100 only at the end)."""
    left = seconds_left(done, total, before, elapsed)
    estimate = "estimating" if left is None else "0 s left" if done >= total else f"about {duration(left)} left"
    return f"encounter {done} of {total} · {done * 100 // max(total, 1)} % · {estimate}"


class OrganiserLog(Observer):
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
        clock: Callable[[], float] = trio.current_time,
    ) -> None:
        self.log = log
        self.status = status
        self.describe = describe
        self.table = table
        self.clock = clock
        self.names: list[Name] = []
        self.stage = ""  # the label of the stage that runs, for the status line ("" for a plain schedule)
        self.ratings: dict[Name, dict[str, Any]] = {}  # the ratings rows by name, once the summary has them
        self.encounters = 0
        self.ended_before = 0
        self.since = 0.0

    def started(self, names: Sequence[Name]) -> None:
        self.names = list(names)
        self.encounters = 0
        self.ended_before = 0
        self.since = self.clock()
        self.log.info("tournament of %s starts", count(len(names), "player"))

    def resumed(self, ended: int, played: int) -> None:
        self.ended_before = ended
        self.encounters = played

    def renamed(self, requested: Name, assigned: Name | None) -> None:
        if assigned is None:
            self.log.info("%s: name taken and cannot be extended; left out", requested)
        else:
            self.log.info("%s: name taken; plays as %s", requested, assigned)

    def misbehaved(self, name: Name, reason: str) -> None:
        self.log.info("%s misbehaved: %s", name, reason)

    def stage_started(self, label: str, encounters: int, byes: Sequence[Name]) -> None:
        self.stage = label
        bye = f" (bye: {', '.join(byes)})" if byes else ""
        self.log.info("%s: %s%s", label, count(encounters, "encounter"), bye)

    def summarised(self, ratings: Sequence[dict[str, Any]], summary: dict[str, Any] | None) -> None:
        for key in ("standings", "candidates"):  # a Swiss's or a knock-out's standings, a gauntlet's candidates
            if summary is not None and summary.get(key):
                self.log.info("%s %s:\n%s", summary.get("kind", "format"), key, rows_table(summary[key], self.names))
        if summary is not None and "sprt" in summary:
            sprt = summary["sprt"]
            verdict, bounds = sprt_verdict(sprt["verdict"]), (sprt["lower bound"], sprt["upper bound"])
            elo = "unbounded" if sprt.get("elo") is None else f"{sprt['elo']:.1f} +/- {sprt['error']:.1f}"
            self.log.info("SPRT: %s (LLR %.2f, bounds %.2f .. %.2f); Elo: %s", verdict, sprt["llr"], *bounds, elo)
        self.ratings = {row["name"]: row for row in ratings}

    def encounter_finished(self, result: EncounterResult | None, finished: int, total: int) -> None:
        progress = progress_text(finished, total, self.ended_before, self.clock() - self.since)
        if self.stage:
            progress = f"{self.stage} · {progress}"
        if result is not None:
            self.encounters += 1
            score = "" if result.score is None else " {}–{}".format(*result.score)
            self.log.info("%s%s · %s", self.describe(result.outcome), score, progress)
        self.status(progress)

    def finished(self, results: Any) -> None:
        """The tournament is over with `results`: log the standings table."""
        self.status("")
        table = with_ratings(self.table(results, self.names), self.ratings)
        self.log.info("standings after %s:\n%s", count(self.encounters, "encounter"), table)


def sprt_verdict(verdict: str) -> str:
    """An SPRT's verdict in words."""
    return {"H0": "H0 accepted", "H1": "H1 accepted"}.get(verdict, "neither hypothesis accepted")


def with_ratings(table: str, ratings: dict[Name, dict[str, Any]]) -> str:
    """The game's standings `table` (a heading, then a line per player, its name the second word) with a rating column:
    the rating on the Elo scale and its 95 % interval (Admin/ratings.py), blank for a player with none."""
    if not ratings:
        return table
    heading, *lines = table.split("\n")
    cells = [_rating_cell(ratings.get(line.split()[1]) if len(line.split()) > 1 else None) for line in lines]
    width = max(len(line) for line in [heading, *lines])
    column = max([len(RATING_HEADING), *map(len, cells)])
    rows = [f"{heading.ljust(width)}  {RATING_HEADING.rjust(column)}"]
    rows += [f"{line.ljust(width)}  {cell.rjust(column)}".rstrip() for line, cell in zip(lines, cells, strict=True)]
    return "\n".join(rows)


RATING_HEADING = "rating (95 % interval)"


def _rating_cell(row: dict[str, Any] | None) -> str:
    if row is None or row["rating"] is None:
        return ""
    return f"{row['rating']:+.1f} ({row['low']:+.1f} .. {row['high']:+.1f})"


def rows_table(rows: Sequence[dict[str, Any]], names: Sequence[Name]) -> str:
    """A format's standings rows (`{"player": index, "rank": 1, ...}`, best first) as aligned lines under a heading:
    the rank, the player by name, then the rows' other keys as columns."""
    keys = [key for key in rows[0] if key not in ("player", "rank") and not isinstance(rows[0][key], list | dict)]
    table = [["rank", "player", *keys]]
    for position, row in enumerate(rows, 1):
        player = row.get("player")
        name = names[player] if isinstance(player, int) and 0 <= player < len(names) else str(player)
        table.append([str(row.get("rank", position)), name, *(_cell(row.get(key)) for key in keys)])
    widths = [max(len(line[column]) for line in table) for column in range(len(table[0]))]
    lines = []
    for line in table:
        cells = [line[0].rjust(widths[0]), line[1].ljust(widths[1])]
        cells += [cell.rjust(width) for cell, width in zip(line[2:], widths[2:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _cell(value: Any) -> str:
    """A value of a format's standings row as a table shows it: numbers without needless decimals."""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)
