"""The standings table: counts that follow from the Results, a rank order a person expects, readable lines."""

import itertools

from hypothesis import given
from hypothesis import strategies as st

from Admin.revisions import revise
from Admin.two_player import revise_outcome
from Admin.schedule import RoundRobin
from Admin.two_player import standings, standings_table
from Common.santorini.results import EncounterOutcome as Outcome

NAMES = ["ann", "ben", "cat", "dan", "eve", "fay"]


@st.composite
def tournaments(draw):
    """Sign-up order and the revised Results of a round robin in which some players misbehave."""
    names = NAMES[: draw(st.integers(2, len(NAMES)))]
    played, out = [], set()
    for first, second in RoundRobin(len(names)):
        a, b = names[first], names[second]
        if a in out or b in out:
            continue
        winner, loser = draw(st.permutations([a, b]))
        irregular = draw(st.booleans()) and draw(st.booleans())
        played.append(Outcome(winner, loser, irregular))
        if irregular:
            out.add(loser)
    return names, tuple(revise([(outcome, [outcome.loser] if outcome.irregular else []) for outcome in played], revise_outcome))


@given(tournaments())
def test_the_counts_add_up_to_the_results(tournament):
    names, results = tournament
    table = standings(names, results)
    assert sorted(line.name for line in table) == sorted(names)
    assert sum(line.won for line in table) == len(results) == sum(line.lost + line.lost_irregularly for line in table)
    for line in table:
        assert line.won == sum(outcome.winner == line.name for outcome in results)
        assert line.lost_irregularly == sum(outcome.irregular and outcome.loser == line.name for outcome in results)


@given(tournaments())
def test_ranks_follow_encounters_won_and_equal_players_share_a_rank_in_sign_up_order(tournament):
    names, results = tournament
    table = standings(names, results)
    assert table[0].rank == 1
    for above, below in zip(table, table[1:]):
        assert above.won >= below.won
        merits = [(-line.won, line.lost_irregularly, line.lost) for line in (above, below)]
        assert merits[0] <= merits[1]
        assert (below.rank == above.rank) == (merits[0] == merits[1])
        if below.rank == above.rank:
            assert names.index(above.name) < names.index(below.name)
        else:
            assert below.rank == table.index(below) + 1


def test_a_player_that_misbehaved_ranks_below_one_with_as_many_wins():
    results = (Outcome("ann", "ben", True), Outcome("cat", "dan"))
    table = standings(["ann", "ben", "cat", "dan"], results)
    assert [(line.rank, line.name) for line in table] == [(1, "ann"), (1, "cat"), (3, "dan"), (4, "ben")]


def test_the_table_has_a_heading_and_one_aligned_line_per_player():
    results = (Outcome("ann", "ben"), Outcome("ann", "cat", True), Outcome("ben", "cat"))
    lines = standings_table(standings(["ann", "ben", "cat"], results)).splitlines()
    assert lines[0].split() == ["rank", "player", "won", "lost", "lost", "irregularly"]
    assert [line.split() for line in lines[1:]] == [["1", "ann", "2", "0", "0"], ["2", "ben", "1", "1", "0"], ["3", "cat", "0", "1", "1"]]
    assert len({len(line) for line in lines}) == 1  # every column aligned, the counts flush right


def test_a_hundred_players_give_a_hundred_and_one_lines():
    names = ["".join(letters) for letters in itertools.product("abcdefghij", repeat=2)]
    assert len(standings_table(standings(names, ())).splitlines()) == 101
