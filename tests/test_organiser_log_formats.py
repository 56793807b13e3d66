"""What the organiser reads of a format: the stage that runs, the format's standings, the SPRT's verdict, and the rating column."""

from __future__ import annotations

import logging

from Admin.organiser_log import OrganiserLog, rows_table, with_ratings


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def organiser_log() -> tuple[OrganiserLog, Lines, list[str]]:
    lines, statuses = Lines(), []
    log = logging.getLogger("test-organiser-log-formats")
    log.handlers, log.propagate, log.level = [lines], False, logging.INFO
    table = "rank  player  won\n   1  ann       2\n   2  bob       1"
    return OrganiserLog(log, statuses.append, str, lambda results, names: table, clock=lambda: 0.0), lines, statuses


RATINGS = [
    {"name": "ann", "rating": 120.5, "low": 20.0, "high": 221.0, "games": 3, "superiority": 0.9},
    {"name": "bob", "rating": -120.5, "low": -221.0, "high": -20.0, "games": 3, "superiority": None},
]


def test_a_stage_is_logged_with_its_byes_and_names_the_status_line():
    log, lines, statuses = organiser_log()
    log.started(["ann", "bob", "cat"])
    log.stage_started("Swiss round 2 of 3", 1, ["cat"])
    log.encounter_finished(None, 1, 3)
    assert lines.lines[-1] == "Swiss round 2 of 3: 1 encounter (bye: cat)"
    assert statuses[-1].startswith("Swiss round 2 of 3 · encounter 1 of 3")


def test_the_standings_table_gains_a_rating_column_with_its_interval():
    log, lines, _ = organiser_log()
    log.started(["ann", "bob"])
    log.summarised(RATINGS, None)
    log.finished(None)
    table = lines.lines[-1].split("\n")[1:]
    assert table[0].endswith("rating (95 % interval)")
    assert table[1].endswith("+120.5 (+20.0 .. +221.0)") and table[2].endswith("-120.5 (-221.0 .. -20.0)")


def test_without_ratings_the_standings_table_is_the_games_own():
    assert with_ratings("rank  player\n   1  ann", {}) == "rank  player\n   1  ann"


def test_a_formats_standings_and_an_sprts_verdict_are_logged():
    log, lines, _ = organiser_log()
    log.started(["ann", "bob"])
    standings = [{"player": 1, "rank": 1, "score": 2.5, "buchholz": 3.0}, {"player": 0, "rank": 2, "score": 0.5, "buchholz": 3.0}]
    sprt = {"llr": 2.96, "lower bound": -2.94, "upper bound": 2.94, "verdict": "H1", "elo": 150.25, "error": 60.5}
    log.summarised(RATINGS, {"kind": "swiss", "standings": standings, "sprt": sprt})
    assert lines.lines[1].split("\n") == [
        "swiss standings:",
        "rank  player  score  buchholz",
        "   1  bob       2.5         3",
        "   2  ann       0.5         3",
    ]
    assert lines.lines[2] == "SPRT: H1 accepted (LLR 2.96, bounds -2.94 .. 2.94); Elo: 150.2 +/- 60.5"


def test_a_row_without_a_rank_is_ranked_by_its_place_and_lists_are_left_out():
    table = rows_table([{"player": 0, "score": 1.0, "opponents": [{"player": 1}]}], ["ann"])
    assert table.split("\n") == ["rank  player  score", "   1  ann         1"]
