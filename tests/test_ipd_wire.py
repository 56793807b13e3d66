"""The IPD's strict converter: round trips, and every leniency the contract names refused with a path."""

from __future__ import annotations

import re
from typing import Any

import ipd_strategies as ips
import pytest
from hypothesis import given
from hypothesis import strategies as st

from Common.ipd.messages import MatchOver, MatchStart, MoveReply, MoveRequest, PlayingAs, ServerMessage, TournamentResults
from Common.ipd.moves import Move, Prev, Recorded, Totals
from Common.ipd.names import Name, Token, is_name, is_token
from Common.ipd.outcomes import Irregular, MatchOutcome, Outcomes, Scored, Standing, Standings
from Common.ipd.wire import structure, structure_reply, unstructure
from Common.strict import StructureError

_PATH = re.compile(r" @ (\$(?:\[\d+\]|\.[^.\[;]+)*)(?=; |$)")


def rejection(data: Any, type_: Any) -> str:
    """The one-line message with which `data` is refused as a `type_`."""
    with pytest.raises(StructureError) as caught:
        structure(data, type_)
    message = str(caught.value)
    assert "\n" not in message
    return message


def paths(message: str) -> list[str]:
    return _PATH.findall(message)


MESSAGE_TYPES = [
    pytest.param(PlayingAs, ips.playing_as(), id="PlayingAs"),
    pytest.param(MatchStart, ips.match_starts(), id="MatchStart"),
    pytest.param(MoveRequest, ips.move_requests(), id="MoveRequest"),
    pytest.param(MoveReply, ips.move_replies(), id="MoveReply"),
    pytest.param(MatchOver, ips.match_overs(), id="MatchOver"),
    pytest.param(TournamentResults, ips.tournament_results(), id="TournamentResults"),
]

# ---------------------------------------------------------------------------
# Round trips


@pytest.mark.parametrize(("type_", "values"), MESSAGE_TYPES)
@ips.QUICK
@given(data=st.data())
def test_a_message_round_trips_through_the_contracts_json(type_: Any, values: Any, data: st.DataObject) -> None:
    message = data.draw(values)
    written = unstructure(message)
    assert written == ips.message_json(message)
    assert structure(written, type_) == message
    assert unstructure(structure(written, type_)) == written


@ips.QUICK
@given(ips.server_messages())
def test_a_server_message_is_told_apart_by_its_tag(message: Any) -> None:
    assert structure(ips.message_json(message), ServerMessage) == message


@ips.QUICK
@given(ips.outcomes())
def test_an_outcome_round_trips(outcome: MatchOutcome) -> None:
    assert unstructure(outcome) == ips.outcome_json(outcome)
    assert structure(unstructure(outcome), MatchOutcome) == outcome
    assert structure([unstructure(outcome)], Outcomes) == (outcome,)


@ips.QUICK
@given(ips.standings_values())
def test_a_standing_round_trips(standing: Standing) -> None:
    assert structure(unstructure(standing), Standing) == standing
    assert structure([unstructure(standing)], Standings) == (standing,)


@ips.QUICK
@given(st.one_of(ips.prevs(), st.none()), ips.totals(), ips.recordeds())
def test_the_leaves_round_trip(prev: Prev | None, totals: Totals, recorded: Recorded) -> None:
    assert structure(unstructure(prev), Prev | None) == prev
    assert structure(unstructure(totals), Totals) == totals
    assert structure(unstructure(recorded), Recorded) == recorded


@ips.QUICK
@given(ips.names(), ips.tokens())
def test_names_and_tokens_are_themselves(name: str, token: str) -> None:
    assert structure(name, Name) == name and is_name(name)
    assert structure(token, Token) == token and is_token(token)


@ips.QUICK
@given(ips.move_replies())
def test_the_fast_path_for_replies_agrees_with_the_converter(reply: MoveReply) -> None:
    assert structure_reply([reply.round, reply.move]) == reply == structure([reply.round, reply.move], MoveReply)


@ips.QUICK
@given(ips.json_values())
def test_any_json_value_is_a_reply_or_refused_in_one_line(data: Any) -> None:
    try:
        reply = structure_reply(data)
    except StructureError as error:
        assert "\n" not in str(error)
        with pytest.raises(StructureError):
            structure(data, MoveReply)
    else:
        assert unstructure(reply) == data


@ips.QUICK
@given(ips.json_values())
def test_any_json_value_is_a_server_message_or_refused_in_one_line(data: Any) -> None:
    try:
        message = structure(data, ServerMessage)
    except StructureError as error:
        assert "\n" not in str(error)
    else:
        assert unstructure(message) == data


# ---------------------------------------------------------------------------
# Moves: exactly "C" or "D"

NOT_MOVES = ["c", "d", "B", 1, 0, True, False, ["C"], "CD", "", " C", "C\n", None, {"move": "C"}, 1.0, "Ｃ"]  # noqa: RUF001 (the fullwidth C, U+FF23, is the point: a look-alike)


@pytest.mark.parametrize("bad", NOT_MOVES, ids=repr)
def test_a_move_is_exactly_c_or_d(bad: Any) -> None:
    assert paths(rejection(bad, Move)) == ["$"]
    assert paths(rejection([3, bad], MoveReply)) == ["$[1]"]
    with pytest.raises(StructureError):
        structure_reply([3, bad])


@pytest.mark.parametrize("bad", [b for b in NOT_MOVES if b is not None], ids=repr)
def test_a_recorded_move_is_c_d_or_null(bad: Any) -> None:
    assert paths(rejection(bad, Recorded)) == ["$"]
    assert paths(rejection(["move", 2, ["C", bad]], MoveRequest)) == ["$[2][1]"]
    assert paths(rejection(["match-over", [bad, "D"], [0, 5], 1], MatchOver)) == ["$[1][0]"]


def test_a_forfeited_move_is_null_in_a_prev() -> None:
    assert structure(["move", 7, [None, "D"]], MoveRequest) == MoveRequest(7, Prev(None, "D"))
    assert structure(["match-over", [None, None], [0, 0], 1], MatchOver) == MatchOver(Prev(None, None), Totals(0, 0), 1)


# ---------------------------------------------------------------------------
# Round numbers and shapes


@pytest.mark.parametrize("bad", ["1", "3", 3.0, True, 0, -1, None, [3]], ids=repr)
def test_a_round_number_is_a_whole_number_from_1(bad: Any) -> None:
    assert paths(rejection([bad, "C"], MoveReply)) == ["$[0]"]
    assert paths(rejection(["move", bad, ["C", "C"]], MoveRequest)) == ["$[1]"]
    with pytest.raises(StructureError):
        structure_reply([bad, "C"])


@pytest.mark.parametrize("bad", [[3, "C", "C"], [3], [], [3, "C", None], "3C", {"round": 3, "move": "C"}, None, 3], ids=repr)
def test_a_reply_is_a_round_and_a_move_and_nothing_else(bad: Any) -> None:
    assert paths(rejection(bad, MoveReply)) == ["$"]
    with pytest.raises(StructureError):
        structure_reply(bad)


def test_a_reply_can_be_for_any_round() -> None:
    # Whether the round is the current one is the referee's business, not the converter's.
    assert structure([10**12, "D"], MoveReply) == MoveReply(10**12, "D")


@pytest.mark.parametrize(
    ("data", "type_", "path"),
    [
        (["move", 1, None, None], MoveRequest, "$"),
        (["move", 1], MoveRequest, "$"),
        (["match", "bob", "alice"], MatchStart, "$"),
        (["playing-as"], PlayingAs, "$"),
        (["match-over", ["C", "C"], [3, 3], 1, 0], MatchOver, "$"),
        (["results", [], [], []], TournamentResults, "$"),
        (["move", 2, ["C", "C", "C"]], MoveRequest, "$[2]"),
        (["move", 2, ["C"]], MoveRequest, "$[2]"),
        (["match-over", ["C", "C"], [3, 3, 3], 1], MatchOver, "$[2]"),
        (["results", [["a", "b", 1, 2, 3, 4]], []], TournamentResults, "$[1][0]"),
        (["results", [], [["a", 1.5, 2, 0]]], TournamentResults, "$[2][0]"),
    ],
)
def test_an_extra_or_missing_element_is_refused(data: Any, type_: Any, path: str) -> None:
    assert paths(rejection(data, type_)) == [path]


@pytest.mark.parametrize(
    ("data", "type_"),
    [
        (["Move", 1, None], MoveRequest),
        (["match_over", None, [0, 0], 0], MatchOver),
        (["MATCH", "bob"], MatchStart),
        (["result", [], []], TournamentResults),
        ([["playing-as"], "bob"], PlayingAs),
    ],
)
def test_a_message_has_its_tag(data: Any, type_: Any) -> None:
    assert paths(rejection(data, type_)) == ["$[0]"]


@pytest.mark.parametrize("data", [["hello"], [], "move", None, [1, "C"], [None, 1]], ids=repr)
def test_a_server_message_has_a_known_tag(data: Any) -> None:
    message = rejection(data, ServerMessage)
    assert paths(message) == ["$"]
    assert '"match-over"' in message


def test_round_1_has_no_previous_round_and_every_later_round_has_one() -> None:
    assert structure(["move", 1, None], MoveRequest) == MoveRequest(1, None)
    assert paths(rejection(["move", 1, ["C", "C"]], MoveRequest)) == ["$"]
    assert paths(rejection(["move", 2, None], MoveRequest)) == ["$"]


def test_a_match_over_has_a_last_round_exactly_when_it_had_rounds() -> None:
    assert structure(["match-over", None, [0, 0], 0], MatchOver) == MatchOver(None, Totals(0, 0), 0)
    assert paths(rejection(["match-over", None, [0, 0], 3], MatchOver)) == ["$"]
    assert paths(rejection(["match-over", ["C", "C"], [3, 3], 0], MatchOver)) == ["$"]
    assert paths(rejection(["match-over", ["C", "C"], [3, 3], -1], MatchOver)) == ["$[3]"]


@pytest.mark.parametrize("bad", [1.0, "3", True, None], ids=repr)
def test_totals_are_whole_numbers(bad: Any) -> None:
    assert paths(rejection(["match-over", ["C", "D"], [bad, 5], 1], MatchOver)) == ["$[2][0]"]


# ---------------------------------------------------------------------------
# Names, tokens, outcomes, standings

BAD_NAMES = ["", "a" * 37, "a b", "alice!", "é", "ａlice", "alice\n", "al.ice", 7, None, ["alice"]]  # noqa: RUF001 (a fullwidth a, U+FF41: a look-alike name)


@pytest.mark.parametrize("bad", BAD_NAMES, ids=repr)
def test_a_name_is_1_to_36_letters_digits_underscores_or_dashes(bad: Any) -> None:
    assert not is_name(bad)
    assert paths(rejection(bad, Name)) == ["$"]
    assert paths(rejection(["match", bad], MatchStart)) == ["$[1]"]
    assert paths(rejection(["playing-as", bad], PlayingAs)) == ["$[1]"]
    assert paths(rejection([bad, "bob", 1, 2, 3], MatchOutcome)) == ["$[0]"]
    assert paths(rejection(["results", [], [[bad, 1.0, 1]]], TournamentResults)) == ["$[2][0][0]"]


def test_a_name_may_hold_capitals_digits_underscores_and_dashes() -> None:
    for good in ["A", "Bob_2", "team-7", "0", "_", "-", "x" * 36]:
        assert structure(good, Name) == good


@pytest.mark.parametrize("bad", ["a" * 15, "a" * 129, "a" * 20 + "!", "", 12345678901234567890], ids=repr)
def test_a_token_is_16_to_128_characters_and_is_never_shown(bad: Any) -> None:
    message = rejection(bad, Token)
    assert paths(message) == ["$"]
    if bad:
        assert str(bad) not in message


def test_a_token_of_16_or_128_characters_is_a_token() -> None:
    assert structure("A" * 16, Token) == "A" * 16
    assert structure("z-_9" * 32, Token) == "z-_9" * 32


@pytest.mark.parametrize("third", ["Irregular", "", True, 1, None, ["irregular"]], ids=repr)
def test_a_three_element_outcome_ends_in_irregular(third: Any) -> None:
    assert paths(rejection(["alice", "bob", third], MatchOutcome)) == ["$[2]"]


@pytest.mark.parametrize("bad", [["alice", "bob"], ["alice", "bob", 1, 2], ["alice", "bob", 1, 2, 3, 4], ["alice"], []], ids=repr)
def test_an_outcome_has_3_or_5_elements(bad: Any) -> None:
    assert paths(rejection(bad, MatchOutcome)) == ["$"]


@pytest.mark.parametrize(
    ("bad", "path"),
    [
        (["alice", "bob", 1.0, 2, 3], "$[2]"),
        (["alice", "bob", 1, "2", 3], "$[3]"),
        (["alice", "bob", 1, 2, 0], "$[4]"),
        (["alice", "bob", 1, 2, True], "$[4]"),
    ],
)
def test_scores_and_rounds_are_whole_numbers(bad: Any, path: str) -> None:
    assert paths(rejection(bad, MatchOutcome)) == [path]


def test_an_outcome_names_two_different_players() -> None:
    assert paths(rejection(["alice", "alice", 3, 3, 1], MatchOutcome)) == ["$"]
    assert paths(rejection(["alice", "alice", "irregular"], MatchOutcome)) == ["$"]


def test_names_are_case_sensitive() -> None:
    assert structure(["alice", "Alice", "irregular"], MatchOutcome) == Irregular(Name("alice"), Name("Alice"))


@pytest.mark.parametrize(
    ("bad", "path"),
    [
        (["alice", "1.5", 2], "$[1]"),
        (["alice", True, 2], "$[1]"),
        (["alice", None, 2], "$[1]"),
        (["alice", 1.5, 2.0], "$[2]"),
        (["alice", 1.5, -1], "$[2]"),
        (["alice", 1.5], "$"),
    ],
)
def test_a_standing_is_a_name_a_number_and_a_count(bad: Any, path: str) -> None:
    assert paths(rejection(bad, Standing)) == [path]


def test_a_whole_score_is_a_score() -> None:
    assert structure(["alice", 3, 2], Standing) == Standing(Name("alice"), 3.0, 2)


def test_a_score_too_large_to_be_finite_is_refused() -> None:
    assert paths(rejection(["alice", float("inf"), 2], Standing)) == ["$[1]"]


def test_every_problem_is_reported_with_its_own_path() -> None:
    message = rejection(["results", [["a", "b", 1, 2, 0], ["a", "a", "irregular"]], [["c", "x", 1]]], TournamentResults)
    assert paths(message) == ["$[1][0][4]", "$[1][1]", "$[2][0][1]"]


def test_the_results_message_reads_as_the_contract_writes_it() -> None:
    data = ["results", [["alice", "bob", 199, 204, 200], ["alice", "carl", "irregular"]], [["bob", 1.02, 1], ["alice", 0.995, 1]]]
    assert structure(data, TournamentResults) == TournamentResults(
        (Scored(Name("alice"), Name("bob"), 199, 204, 200), Irregular(Name("alice"), Name("carl"))),
        (Standing(Name("bob"), 1.02, 1), Standing(Name("alice"), 0.995, 1)),
    )
