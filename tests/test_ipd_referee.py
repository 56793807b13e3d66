"""The IPD's referee of one match, and the host's revision loop over its results, with scripted players."""

from __future__ import annotations

import ipd_strategies as ips
import pytest
import trio
import trio.testing
from hypothesis import given
from hypothesis import strategies as st
from ipd_doubles import HANG, RAISE, ScriptedPlayer

from Admin.encounter import Encounter, EncounterResult, Entrant, Misbehaviour
from Admin.ipd.referee import make_referee, too_many_forfeits
from Admin.ipd.tournament import results, revise
from Admin.safe_call import BROKEN, LATE, MALFORMED
from Common.ipd.chance import MatchKey, match_length
from Common.ipd.messages import MoveRequest
from Common.ipd.moves import Prev, Totals
from Common.ipd.names import Name
from Common.ipd.outcomes import Irregular, Misbehaved, Played, Scored
from Common.ipd.settings import IPDSettings
from Common.ipd.standings import irregular_outcome, tournament_results

A, B = Name("alice"), Name("bob")
SEED = 7
TIME_PER_CALL = 2.0


def entrants(first: ScriptedPlayer, second: ScriptedPlayer) -> tuple[Entrant, Entrant]:
    return Entrant(first.name, first), Entrant(second.name, second)


async def referee_match(
    first: ScriptedPlayer, second: ScriptedPlayer, settings: IPDSettings, encounter: Encounter = Encounter()
) -> EncounterResult:
    return await make_referee(settings, SEED, TIME_PER_CALL)(*entrants(first, second), encounter)


def requests(player: ScriptedPlayer) -> list[MoveRequest]:
    return [MoveRequest(round_, prev) for round_, prev in player.calls("move")]


# ---------------------------------------------------------------------------
# The referee plays the fold


@ips.QUICK
@given(ips.ipd_settings(most=40), ips.two_names(), st.integers(0, 3), st.integers(0, 2), ips.deciders(), ips.deciders())
def test_a_refereed_match_is_the_pure_fold_of_its_replies(
    settings: IPDSettings, pair: tuple[Name, Name], repetition: int, meeting: int, one: ips.Decider, other: ips.Decider
) -> None:
    key = MatchKey(SEED, repetition, *pair, meeting)
    expected = ips.play_match(settings, key, one, other)
    first, second = ScriptedPlayer(pair[0], one), ScriptedPlayer(pair[1], other)
    result = trio.run(
        referee_match, first, second, settings, Encounter(3, repetition, meeting), clock=trio.testing.MockClock(autojump_threshold=0)
    )
    assert requests(first) == list(expected.first_requests)
    assert requests(second) == list(expected.second_requests)
    assert first.calls("start_match") == [(pair[1],)] and second.calls("start_match") == [(pair[0],)]
    if isinstance(expected.played, Scored):
        assert result == EncounterResult(expected.played)
        over = [(o.prev, o.totals, o.rounds) for o in (expected.first_over, expected.second_over)]
        assert [first.calls("match_over"), second.calls("match_over")] == [[over[0]], [over[1]]]
    else:
        culprits = expected.played.culprits
        assert result.outcome == irregular_outcome(expected.played)
        assert [m.name for m in result.misbehaviours] == [name for name in pair if name in culprits]
        assert all(m.kind == LATE and "more than the" in m.reason for m in result.misbehaviours)
        for player in (first, second):
            assert bool(player.calls("match_over")) == (player.name not in culprits)


async def test_the_contracts_200_round_examples_through_the_referee(autojump_clock) -> None:
    settings = ips.fixed_length(200)
    defect = lambda round_, prev: "D"  # noqa: E731
    result = await referee_match(ScriptedPlayer(A), ScriptedPlayer(B, defect), settings)
    assert result == EncounterResult(Scored(A, B, 199, 204, 200))


async def test_the_encounter_keys_the_hidden_length(autojump_clock) -> None:
    settings = IPDSettings(min_rounds=1, end_probability=0.2, max_rounds=300)
    lengths = set()
    for repetition, meeting in [(0, 0), (1, 0), (0, 1), (2, 3)]:
        result = await referee_match(ScriptedPlayer(A), ScriptedPlayer(B), settings, Encounter(0, repetition, meeting))
        assert result.outcome.rounds == match_length(MatchKey(SEED, repetition, A, B, meeting), settings.horizon)
        lengths.add(result.outcome.rounds)
    assert len(lengths) > 1


# ---------------------------------------------------------------------------
# Both at once, round by round


async def test_both_players_are_asked_at_once(autojump_clock) -> None:
    """Each waits, in every round, until the other was asked too: a referee asking one after the other hangs here."""
    asked = {A: {}, B: {}}

    def waiting_for(me: Name, other: Name):
        async def move(round_: int, prev: Prev | None) -> str:
            asked[me].setdefault(round_, trio.Event()).set()
            await asked[other].setdefault(round_, trio.Event()).wait()
            return "C"

        return move

    first, second = ScriptedPlayer(A), ScriptedPlayer(B)
    first.move, second.move = waiting_for(A, B), waiting_for(B, A)
    result = await referee_match(first, second, ips.fixed_length(20))
    assert result == EncounterResult(Scored(A, B, 60, 60, 20))


async def test_nothing_of_the_next_round_starts_before_both_replies_are_settled(autojump_clock) -> None:
    log: list[tuple[str, Name, int]] = []

    def logged(player: ScriptedPlayer, delay: float):
        async def move(round_: int, prev: Prev | None) -> str:
            log.append(("asked", player.name, round_))
            await trio.sleep(delay)
            log.append(("answered", player.name, round_))
            return "C"

        return move

    first, second = ScriptedPlayer(A), ScriptedPlayer(B)
    first.move, second.move = logged(first, 0.9), logged(second, 0.0)
    await referee_match(first, second, ips.fixed_length(5))
    for round_ in range(1, 5):
        answers = [log.index(("answered", name, round_)) for name in (A, B)]
        asks = [log.index(("asked", name, round_ + 1)) for name in (A, B)]
        assert max(answers) < min(asks)


# ---------------------------------------------------------------------------
# Forfeits


async def test_a_late_reply_forfeits_the_round_and_the_match_goes_on(autojump_clock) -> None:
    first, second = ScriptedPlayer(A, script={2: HANG}), ScriptedPlayer(B)
    result = await referee_match(first, second, ips.fixed_length(4))
    # round 2: alice forfeits (S = 0), bob cooperated (R = 3); tit-for-tat answers a forfeit with "C"
    assert result == EncounterResult(Scored(A, B, 9, 12, 4))
    assert second.calls("move")[2] == (3, Prev("C", None))
    assert first.calls("move")[2] == (3, Prev(None, "C"))


@pytest.mark.parametrize("allowed", [0, 1, 3])
async def test_one_forfeit_more_than_allowed_puts_the_player_out_after_that_round(autojump_clock, allowed: int) -> None:
    late = dict.fromkeys(range(1, 100), HANG)
    first, second = ScriptedPlayer(A), ScriptedPlayer(B, script=late)
    result = await referee_match(first, second, ips.fixed_length(50, forfeits_allowed=allowed))
    reason = too_many_forfeits(allowed + 1, allowed)
    assert result == EncounterResult(Irregular(A, B), (Misbehaviour(B, reason, LATE),))
    assert len(second.calls("move")) == allowed + 1
    assert first.calls("match_over") == [(Prev("C", None), Totals(3 * (allowed + 1), 0), allowed + 1)]
    assert second.calls("match_over") == []  # a culprit hears nothing more from the referee


def test_the_reason_for_too_many_forfeits_says_so() -> None:
    assert too_many_forfeits(4, 3) == "move: 4 forfeits in one match, more than the 3 allowed"
    assert too_many_forfeits(1, 0) == "move: 1 forfeit in one match, more than the 0 allowed"


async def test_both_players_forfeiting_too_often_in_the_same_round_are_both_out(autojump_clock) -> None:
    late = dict.fromkeys(range(1, 10), HANG)
    result = await referee_match(ScriptedPlayer(A, script=late), ScriptedPlayer(B, script=late), ips.fixed_length(9))
    reason = too_many_forfeits(4, 3)
    assert result == EncounterResult(Irregular(A, B), (Misbehaviour(A, reason, LATE), Misbehaviour(B, reason, LATE)))


# ---------------------------------------------------------------------------
# Misbehaviour


@pytest.mark.parametrize(
    "answer, reason, kind",
    [
        (RAISE, "move: RuntimeError: scripted failure", BROKEN),
        ("B", "move: answered 'B', which is not a Move", MALFORMED),
        ("c", "move: answered 'c', which is not a Move", MALFORMED),
        (1, "move: answered 1, which is not a Move", MALFORMED),
        (None, "move: answered None, which is not a Move", MALFORMED),
        (["C"], "move: answered ['C'], which is not a Move", MALFORMED),
    ],
)
async def test_a_move_that_fails_otherwise_than_late_puts_the_player_out_at_once(answer: object, reason: str, kind: str) -> None:
    first, second = ScriptedPlayer(A, script={3: answer}), ScriptedPlayer(B)
    result = await referee_match(first, second, ips.fixed_length(10))
    assert result == EncounterResult(Irregular(B, A), (Misbehaviour(A, reason, kind),))
    assert len(first.calls("move")) == 3 and first.calls("match_over") == []
    assert second.calls("match_over") == [(Prev("C", "C"), Totals(6, 6), 2)]  # round 3 is not scored


async def test_two_players_misbehaving_in_the_same_round_are_both_out() -> None:
    result = await referee_match(ScriptedPlayer(A, script={1: "B"}), ScriptedPlayer(B, script={1: RAISE}), ips.fixed_length(10))
    assert result.outcome == Irregular(A, B)
    assert [(m.name, m.kind) for m in result.misbehaviours] == [(A, MALFORMED), (B, BROKEN)]


@pytest.mark.parametrize("forfeits_before, both_out", [(3, True), (2, False)])
async def test_a_forfeit_in_the_round_the_other_misbehaves_still_counts(autojump_clock, forfeits_before: int, both_out: bool) -> None:
    rounds = forfeits_before + 1
    first = ScriptedPlayer(A, script=dict.fromkeys(range(1, rounds + 1), HANG))
    second = ScriptedPlayer(B, script={rounds: RAISE})
    result = await referee_match(first, second, ips.fixed_length(10))
    assert [m.name for m in result.misbehaviours] == ([A, B] if both_out else [B])
    assert result.outcome == Irregular(A, B)  # both out: in schedule order; bob alone: bob second


@pytest.mark.parametrize("how, kind", [(RAISE, BROKEN), (HANG, LATE)])
async def test_a_player_that_does_not_take_the_start_of_the_match_is_out_before_any_round(autojump_clock, how: str, kind: str) -> None:
    first, second = ScriptedPlayer(A), ScriptedPlayer(B, fail_when_told={"start_match": how})
    result = await referee_match(first, second, ips.fixed_length(10))
    assert result.outcome == Irregular(A, B) and [(m.name, m.kind) for m in result.misbehaviours] == [(B, kind)]
    assert first.calls("move") == [] and second.calls("move") == []
    assert first.calls("match_over") == [(None, Totals(0, 0), 0)]
    if how == HANG:
        assert result.misbehaviours[0].reason == f"start_match: no answer within {TIME_PER_CALL:g} s"


async def test_a_player_that_does_not_take_the_end_of_the_match_is_out_and_the_match_irregular(autojump_clock) -> None:
    first, second = ScriptedPlayer(A, fail_when_told={"match_over": HANG}), ScriptedPlayer(B)
    result = await referee_match(first, second, ips.fixed_length(10))
    assert result == EncounterResult(Irregular(B, A), (Misbehaviour(A, f"match_over: no answer within {TIME_PER_CALL:g} s", LATE),))
    assert len(second.calls("match_over")) == 1


# ---------------------------------------------------------------------------
# The host's revision loop, game-free, over the referee's results


def game_free_loop(encounters: list[EncounterResult], roster: list[Name]):
    """What the host does with the referee's results: revise one outcome at a time, then ask for the Results."""
    outcomes: list = []
    misbehaved: set[Name] = set()
    for result in encounters:
        for culprit in (m.name for m in result.misbehaviours):
            before = frozenset(misbehaved)
            outcomes = [revised for earlier in outcomes if (revised := revise(earlier, culprit, before)) is not None]
            misbehaved.add(culprit)
        outcomes.append(result.outcome)
    return results(outcomes, roster, misbehaved)


def as_encounter_result(played: Played) -> EncounterResult:
    """What the referee returns for a match that ended as `played`."""
    if isinstance(played, Scored):
        return EncounterResult(played)
    culprits = [name for name in played.players if name in played.culprits]
    return EncounterResult(irregular_outcome(played), tuple(Misbehaviour(name, "scripted", LATE) for name in culprits))


@st.composite
def tournaments(draw: st.DrawFn) -> tuple[ips.RoundRobin, list[Played]]:
    """A round robin in which some players misbehave at some match (one or both of its players).

    Later matches of a culprit are not played.
    """
    robin = draw(ips.round_robins())
    out: set[Name] = set()
    played: list[Played] = []
    for match in robin.matches:
        if out & set(match.players):
            continue
        culprits = frozenset(draw(st.sets(st.sampled_from(match.players), max_size=2)) if draw(st.integers(0, 3)) == 0 else ())
        played.append(Misbehaved(match.first, match.second, culprits) if culprits else match)
        out |= culprits
    return robin, played


@ips.QUICK
@given(tournaments())
def test_the_game_free_revision_loop_gives_the_standings_of_the_ipds_own_revisions(case: tuple[ips.RoundRobin, list[Played]]) -> None:
    robin, played = case
    outcomes, table = tournament_results(played, robin.players)
    got = game_free_loop([as_encounter_result(p) for p in played], list(robin.players))
    assert got.outcomes == outcomes and got.standings == table


def test_one_revision_after_a_culprit() -> None:
    C = Name("carl")
    assert revise(Scored(A, B, 5, 0, 1), B, frozenset()) == Irregular(A, B)
    assert revise(Scored(B, A, 5, 0, 1), B, frozenset()) == Irregular(A, B)
    assert revise(Scored(A, C, 5, 0, 1), B, frozenset()) == Scored(A, C, 5, 0, 1)
    assert revise(Irregular(A, C), A, frozenset({C})) is None  # carl misbehaved before: deleted
    assert revise(Irregular(B, A), B, frozenset({A})) is None  # both culprits of one match, alice first


async def test_the_referee_keeps_the_moves_of_every_scored_round_for_the_records(autojump_clock) -> None:
    defect = lambda round_, prev: "D"  # noqa: E731
    result = await referee_match(ScriptedPlayer(A), ScriptedPlayer(B, defect), ips.fixed_length(5))
    assert list(result.record) == [("C", "D")] + [("D", "D")] * 4
