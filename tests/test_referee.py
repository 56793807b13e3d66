"""The referee of one series: who wins, when the series ends, and how misbehaviour ends it."""

import pytest

from Admin.encounter import Entrant
from Admin.santorini.referee import Referee
from Common.santorini.results import EncounterOutcome
from Common.santorini.rules import has_legal_turn
from tests.doubles import GIVE_UP, HANG, ILLEGAL, RAISE, WRONG_TYPE, ScriptedPlayer


class CheckedPlayer(ScriptedPlayer):
    """Fails the test if the referee asks it for a turn it cannot take."""

    async def take_turn(self, board):
        assert has_legal_turn(board, self.name), "asked for a turn with no legal turn"
        return await super().take_turn(board)


def entrants(*players):
    return [Entrant(player.name, player) for player in players]


def games_started_by(player):
    return sum(1 for placement in player.calls("place_worker") if len(placement) == 0)


def games_played(*players):
    return sum(games_started_by(player) for player in players)


async def test_each_player_first_hears_its_opponents_name():
    alice, bob = CheckedPlayer("alice"), CheckedPlayer("bob")
    await Referee()(*entrants(alice, bob))
    assert alice.heard[0] == ("start_encounter", "bob")
    assert bob.heard[0] == ("start_encounter", "alice")


@pytest.mark.parametrize("best_of, games", [(1, 1), (3, 2), (5, 3), (7, 4)])
async def test_a_series_ends_as_soon_as_one_player_has_won_more_than_half(best_of, games):
    winner, quitter = CheckedPlayer("winner"), CheckedPlayer("quitter", how=GIVE_UP)
    result = await Referee(best_of=best_of)(*entrants(winner, quitter))
    assert result.outcome == EncounterOutcome("winner", "quitter")
    assert result.misbehaviours == ()
    assert games_played(winner, quitter) == games


async def test_the_first_player_alternates_from_game_to_game_starting_with_the_first_listed():
    starters = []

    class Starter(CheckedPlayer):
        async def place_worker(self, placement):
            if not placement:
                starters.append(self.name)
            return await super().place_worker(placement)

    alice, bob = Starter("alice"), Starter("bob", how=GIVE_UP)
    await Referee(best_of=7)(*entrants(alice, bob))
    assert starters == ["alice", "bob", "alice", "bob"]


async def test_placements_list_workers_in_placing_order_under_their_true_names():
    alice, bob = CheckedPlayer("alice"), CheckedPlayer("bob")
    await Referee(best_of=1)(*entrants(alice, bob))
    last_placement_bob_saw = bob.calls("place_worker")[1]
    assert [str(wp.worker) for wp in last_placement_bob_saw] == ["alice1", "bob1", "alice2"]


async def test_a_player_is_never_asked_for_a_turn_it_cannot_take_and_every_game_ends():
    alice, bob = CheckedPlayer("alice"), CheckedPlayer("bob")
    result = await Referee(best_of=9)(*entrants(alice, bob))
    assert not result.outcome.irregular


@pytest.mark.parametrize(
    "misbehaviour, reason, kind",
    [
        ({"at_placement": 1, "how": RAISE}, "RuntimeError: scripted failure", "broken"),
        ({"at_placement": 2, "how": ILLEGAL}, "illegal placement: square [0, 0] is occupied", "illegal"),
        ({"at_placement": 1, "how": WRONG_TYPE}, "answered 'nowhere', which is not a Place", "malformed"),
        ({"at_placement": 1, "how": HANG}, "no answer within 2 s", "late"),
        ({"at_turn": 1, "how": RAISE}, "RuntimeError: scripted failure", "broken"),
        ({"at_turn": 1, "how": ILLEGAL}, "illegal action: worker alice1 belongs to alice, not bob", "illegal"),
        ({"at_turn": 3, "how": WRONG_TYPE}, "answered 'nowhere', which is not a GiveUp or WinningMove or MoveAndBuild", "malformed"),
        ({"at_turn": 2, "how": HANG}, "no answer within 2 s", "late"),
    ],
)
async def test_a_misbehaving_player_loses_the_series_irregularly_at_once(misbehaviour, reason, kind, autojump_clock):
    alice, bob = CheckedPlayer("alice"), CheckedPlayer("bob", **misbehaviour)
    result = await Referee()(*entrants(alice, bob))
    assert result.outcome == EncounterOutcome("alice", "bob", irregular=True)
    (culprit,) = result.misbehaviours
    assert culprit.name == "bob" and reason in culprit.reason and culprit.kind == kind
    turns_after_failure = bob.turns - (misbehaviour.get("at_turn") or bob.turns)
    assert turns_after_failure == 0 and games_played(alice, bob) == 1


async def test_giving_up_in_someone_elses_name_is_misbehaviour():
    class Impostor(CheckedPlayer):
        async def take_turn(self, board):
            from Common.santorini.actions import GiveUp

            return GiveUp("alice")

    result = await Referee()(*entrants(CheckedPlayer("alice"), Impostor("bob")))
    assert result.outcome == EncounterOutcome("alice", "bob", irregular=True)
    assert "gave up in the name of alice" in result.misbehaviours[0].reason


async def test_a_player_that_fails_to_hear_its_opponent_loses_irregularly():
    alice, bob = CheckedPlayer("alice", fail_when_told={"start_encounter"}), CheckedPlayer("bob")
    result = await Referee()(*entrants(alice, bob))
    assert result.outcome == EncounterOutcome("bob", "alice", irregular=True)
    assert "start_encounter" in result.misbehaviours[0].reason
