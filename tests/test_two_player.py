"""The two-player win/loss outcome (Admin/two_player.py), on an outcome class of the test's own (any game like Santorini).

Properties of the revision and of its folds (Admin/revisions.py) over
round robins in which some players misbehave, and of the standings and
the exports' words that follow from the Results.
"""

from __future__ import annotations

import itertools

import attrs
from hypothesis import given
from hypothesis import strategies as st

from Admin import two_player
from Admin.revisions import revise, revised_by_index
from Admin.schedule import RoundRobin

NAMES = ["ann", "ben", "cat", "dan", "eve", "fay"]


@attrs.frozen
class Outcome:
    """A game of the test's own: `winner` beat `loser`; `irregular` when the loser misbehaved."""

    winner: str
    loser: str
    irregular: bool = False


@st.composite
def tournaments(draw):
    """Sign-up order, and each played encounter of a round robin with its culprits (a player out plays no more)."""
    names = NAMES[: draw(st.integers(2, len(NAMES)))]
    played, out = [], set()
    for first, second in RoundRobin(len(names)):
        a, b = names[first], names[second]
        if a in out or b in out:
            continue
        winner, loser = draw(st.permutations([a, b]))
        irregular = draw(st.booleans()) and draw(st.booleans())
        played.append((Outcome(winner, loser, irregular), [loser] if irregular else []))
        if irregular:
            out.add(loser)
    return names, played


def revised(tournament):
    """Sign-up order and the Results of a tournament: its outcomes after the revisions."""
    names, played = tournament
    return names, tuple(revise(played, two_player.revise_outcome))


def culprits_of(played) -> set[str]:
    return {culprit for _, culprits in played for culprit in culprits}


@given(st.sampled_from(NAMES), st.sampled_from(NAMES), st.booleans(), st.sampled_from(NAMES), st.frozensets(st.sampled_from(NAMES)))
def test_only_a_win_of_the_cheat_is_revised_to_its_losers_or_deleted(winner, loser, irregular, cheat, before):
    earlier = Outcome(winner, loser, irregular)
    revised = two_player.revise_outcome(earlier, cheat, before)
    if winner != cheat:
        assert revised is earlier
    elif loser in before:
        assert revised is None
    else:
        assert revised == Outcome(loser, cheat, irregular=False) and type(revised) is Outcome


@given(tournaments())
def test_after_the_revisions_no_culprit_wins_and_an_encounter_goes_only_when_both_misbehaved(tournament):
    _, played = tournament
    culprits = culprits_of(played)
    results = revise(played, two_player.revise_outcome)
    assert not any(outcome.winner in culprits for outcome in results)
    kept = {frozenset((outcome.winner, outcome.loser)) for outcome in results}
    assert len(kept) == len(results)
    for outcome, _ in played:
        pair = frozenset((outcome.winner, outcome.loser))
        assert (pair in kept) == (not pair <= culprits)
        if not pair & culprits:
            assert outcome in results


@given(tournaments())
def test_both_folds_of_the_revisions_agree(tournament):
    _, played = tournament
    by_index = revised_by_index(dict(enumerate(played)), two_player.revise_outcome)
    assert [outcome for _, outcome in sorted(by_index.items()) if outcome is not None] == revise(played, two_player.revise_outcome)


@given(tournaments())
def test_the_standings_count_the_results_and_the_crosstables_words_total_them(tournament):
    names, played = tournament
    results = two_player.results(revise(played, two_player.revise_outcome), names, culprits_of(played))
    rows = two_player.standings_json(results, names)
    assert sorted(row["player"] for row in rows) == sorted(names)
    assert sum(row["won"] for row in rows) == len(results) == sum(row["lost"] + row["irregular"] for row in rows)
    words: dict[str, list[str]] = {name: [] for name in names}
    for outcome in results:
        for name, word in two_player.sides(outcome).items():
            words[name].append(word)
    for row in rows:
        assert [row[key] for key in ("won", "lost", "irregular")] == [
            sum(word.split()[0] == key for word in words[row["player"]]) for key in ("won", "lost", "irregular")
        ]
    assert rows[0]["rank"] == 1 and all(a["rank"] <= b["rank"] for a, b in itertools.pairwise(rows))


@given(tournaments())
def test_the_standings_table_has_a_line_per_player_after_its_heading(tournament):
    names, played = tournament
    lines = two_player.table(revise(played, two_player.revise_outcome), names).splitlines()
    assert lines[0].split()[:3] == ["rank", "player", "won"] and len(lines) == len(names) + 1
    assert {line.split()[1] for line in lines[1:]} == set(names)


def test_an_irregular_outcome_has_no_score_and_a_played_one_scores_from_each_side():
    ends = [{"winner": "ann"}, {"winner": "bob"}, {"winner": "ann"}]
    assert two_player.sides(Outcome("ann", "bob"), ends) == {"ann": "won 2–1", "bob": "lost 1–2"}
    assert two_player.sides(Outcome("ann", "bob", irregular=True), ends) == {"ann": "won", "bob": "irregular"}
    assert two_player.sides(Outcome("ann", "bob")) == {"ann": "won", "bob": "lost"}
    assert two_player.describe(Outcome("ann", "bob", irregular=True)) == "ann beat bob (irregular)"


# ---------------------------------------------------------------------------
# The standings: a rank order a person expects, readable lines


@given(tournaments())
def test_the_counts_add_up_to_the_results(tournament):
    names, results = revised(tournament)
    table = two_player.standings(names, results)
    assert sorted(line.name for line in table) == sorted(names)
    assert sum(line.won for line in table) == len(results) == sum(line.lost + line.lost_irregularly for line in table)
    for line in table:
        assert line.won == sum(outcome.winner == line.name for outcome in results)
        assert line.lost_irregularly == sum(outcome.irregular and outcome.loser == line.name for outcome in results)


@given(tournaments())
def test_ranks_follow_encounters_won_and_equal_players_share_a_rank_in_sign_up_order(tournament):
    names, results = revised(tournament)
    table = two_player.standings(names, results)
    assert table[0].rank == 1
    for above, below in itertools.pairwise(table):
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
    table = two_player.standings(["ann", "ben", "cat", "dan"], results)
    assert [(line.rank, line.name) for line in table] == [(1, "ann"), (1, "cat"), (3, "dan"), (4, "ben")]


def test_the_table_has_a_heading_and_one_aligned_line_per_player():
    results = (Outcome("ann", "ben"), Outcome("ann", "cat", True), Outcome("ben", "cat"))
    lines = two_player.standings_table(two_player.standings(["ann", "ben", "cat"], results)).splitlines()
    assert lines[0].split() == ["rank", "player", "won", "lost", "lost", "irregularly"]
    assert [line.split() for line in lines[1:]] == [["1", "ann", "2", "0", "0"], ["2", "ben", "1", "1", "0"], ["3", "cat", "0", "1", "1"]]
    assert len({len(line) for line in lines}) == 1  # every column aligned, the counts flush right


def test_a_hundred_players_give_a_hundred_and_one_lines():
    names = ["".join(letters) for letters in itertools.product("abcdefghij", repeat=2)]
    assert len(two_player.standings_table(two_player.standings(names, ())).splitlines()) == 101
