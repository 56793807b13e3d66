"""Ranks as an organiser reads them: players equal by every measure share a rank (1, 1, 3, 3), in both games.

The prisoner's dilemma's standings are read in the log's table and in
results.json's rows; Santorini's in the same two places. A score is written
with 6 decimals in the log and rounded to 6 decimals in the JSON.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from Common.ipd.messages import TournamentResults
from Common.ipd.outcomes import Scored
from Common.ipd.standings import shared_ranks, standings
from Common.santorini.results import EncounterOutcome
from Remote.game_registry import GAMES

IPD, SANTORINI = GAMES["ipd"], GAMES["santorini"]
ROSTER = ("ann", "bob", "cat", "dan")


def ipd_results(*outcomes: Scored) -> TournamentResults:
    return TournamentResults(outcomes, standings(outcomes, ROSTER, ()))


TIED = ipd_results(Scored("ann", "bob", 20, 20, 10), Scored("cat", "dan", 30, 30, 10))
"""Two drawn matches: cat and dan 3 points a round, ann and bob 2, nobody won a match."""


def table_rows(table: str) -> list[list[str]]:
    return [line.split() for line in table.splitlines()[1:]]


def test_ipd_players_with_equal_scores_and_wins_share_a_rank_in_the_log():
    assert table_rows(IPD.standings_table(TIED, ROSTER)) == [
        ["1", "cat", "3.000000", "1"],
        ["1", "dan", "3.000000", "1"],
        ["3", "ann", "2.000000", "1"],
        ["3", "bob", "2.000000", "1"],
    ]


def test_ipd_players_with_equal_scores_and_wins_share_a_rank_in_results_json():
    rows = IPD.standings_json(TIED, ROSTER)
    assert [(row["rank"], row["player"], row["score"]) for row in rows] == [
        (1, "cat", 3.0),
        (1, "dan", 3.0),
        (3, "ann", 2.0),
        (3, "bob", 2.0),
    ]


def test_an_ipd_player_with_the_same_score_but_more_matches_won_ranks_above():
    results = ipd_results(Scored("ann", "bob", 20, 20, 10), Scored("cat", "dan", 20, 10, 10))  # 2.0 each but dan; cat won
    rows = IPD.standings_json(results, ROSTER)
    assert [(row["rank"], row["player"], row["score"], row["won"]) for row in rows] == [
        (1, "cat", 2.0, 1),
        (2, "ann", 2.0, 0),
        (2, "bob", 2.0, 0),
        (4, "dan", 1.0, 0),
    ]


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), max_size=8))
def test_shared_ranks_are_competition_ranks_of_the_listed_order(keys):
    """1 for the first; equal neighbours share one; otherwise the place in the list (1, 2, 2, 4)."""
    keys = sorted(keys)
    ranks = shared_ranks(keys)
    for place, (key, rank) in enumerate(zip(keys, ranks, strict=True), start=1):
        assert rank == (ranks[place - 2] if place > 1 and keys[place - 2] == key else place)


def test_santorini_players_with_equal_records_share_a_rank_in_the_log_and_results_json():
    results = (EncounterOutcome("ann", "bob"), EncounterOutcome("cat", "dan"))
    assert [row[0] for row in table_rows(SANTORINI.standings_table(results, ROSTER))] == ["1", "1", "3", "3"]
    assert [row["rank"] for row in SANTORINI.standings_json(results, ROSTER)] == [1, 1, 3, 3]
