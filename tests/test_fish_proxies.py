"""Fish's proxies on both sides of the wire (docs/fish-protocol.md section 4), over in-memory streams, and its client's
pure conversation."""

from __future__ import annotations

import json

import pytest
import trio
import trio.testing

from Admin.encounter import Encounter, Entrant
from Admin.fish.referee import Referee
from Admin.safe_call import BROKEN, MALFORMED
from Common.fish.board import Board
from Common.fish.geometry import Action, Position
from Common.fish.results import Results
from Common.fish.state import Color, State
from Player.fish.greedy import Greedy
from Player.fish.local import LocalPlayer
from Remote.channel import MessageChannel
from Remote.client_conversation import ConversationEnded, Hear, Opening, ResultsArrived, Send
from Remote.client_errors import ServerMisbehaved, WrongGame
from Remote.fish.client_conversation import FishConversation, recognises_server_message
from Remote.fish.remote_player import RemotePlayer
from Remote.fish.server_proxy import ServerProxy
from Remote.ipd.client_conversation import recognises_server_message as ipd_recognises
from Remote.santorini.client_conversation import recognises_server_message as santorini_recognises
from tests.failures import assert_failure

LIMIT = 1 << 16
BOARD = [[1, 3, 4, 5], [5, 4, 3, 5], [3, 5, 5, 4], [2, 4, 2, 5]]
"""The board of the protocol's whole conversation (section 4)."""
THREE = (Color.RED, Color.WHITE, Color.BROWN)


def remote_player_and_client(name: str | None = "ann"):
    server_end, client_end = trio.testing.memory_stream_pair()
    return RemotePlayer(MessageChannel(server_end, LIMIT), name=name), client_end


async def read_json(stream):
    return json.loads(await stream.receive_some(LIMIT))


def opening_state() -> State:
    return State.start(Board(BOARD), THREE)


# --- the server's RemotePlayer ---------------------------------------------------------


@pytest.mark.parametrize(
    "method, arguments, message",
    [
        ("tournament_starting", (), ["start", [True]]),
        ("assigned_color", (Color.WHITE,), ["playing-as", ["white"]]),
        ("other_colors", ((Color.RED, Color.BROWN),), ["playing-with", [["red", "brown"]]]),
    ],
)
async def test_a_call_that_asks_for_nothing_is_sent_as_the_protocol_writes_it_and_takes_void_padded_or_not(method, arguments, message):
    for reply in (b'"void"\n', b" " * 2040 + b'"void"', b'\n  "void"  \n'):
        player, client = remote_player_and_client()
        await client.send_all(reply)
        assert await getattr(player, method)(*arguments) is None
        assert await read_json(client) == message


@pytest.mark.parametrize("reply", [b"null\n", b'"Void"', b"true\n", b"[]", b'"void" "void"'])
async def test_anything_but_void_exactly_is_misbehaving(reply):
    player, client = remote_player_and_client()
    await client.send_all(reply)
    with trio.fail_after(5):
        failure = await player.assigned_color(Color.RED)
    assert failure.kind == MALFORMED and failure.reason.startswith("assigned_color: ")


async def test_setup_sends_the_state_and_returns_the_position_it_answers():
    player, client = remote_player_and_client()
    await client.send_all(b"[0,\n 3]")
    assert await player.place(opening_state()) == Position(0, 3)
    assert await read_json(client) == [
        "setup",
        [{"players": [{"color": color.value, "score": 0, "places": []} for color in THREE], "board": BOARD}],
    ]


async def test_take_turn_sends_the_state_and_the_actions_and_returns_the_action():
    player, client = remote_player_and_client()
    state = opening_state().with_penguin(Position(0, 3))
    await client.send_all(b"[[0,3],[1,3]]")
    action = await player.move(state, (Action(Position(2, 1), Position(3, 1)), "skip"))
    assert action == Action(Position(0, 3), Position(1, 3))
    sent = await read_json(client)
    assert sent[0] == "take-turn" and sent[1][1] == [[[2, 1], [3, 1]], "skip"]


async def test_a_reply_that_is_not_a_position_fails_in_the_words_of_the_protocol_and_the_kick_notice_follows():
    player, client = remote_player_and_client()
    await client.send_all(b"[1, 2, 3]")
    assert_failure(await player.place(opening_state()), "place", "StructureError", "expected a position", MALFORMED)
    await read_json(client)
    assert_failure(await player.tournament_starting(), "tournament_starting", "ChannelError", "out of play", BROKEN)
    await player.kicked("place: expected a position")
    assert await read_json(client) == ["kicked", "place: expected a position"]


async def test_the_renaming_sends_nothing_and_end_says_true_exactly_for_a_winner_under_its_new_name():
    player, client = remote_player_and_client("ann")
    await player.playing_as("anna")
    await client.send_all(b'"void"')
    await player.end_of_tournament(Results(("bob", "anna"), ("cat",)))
    assert await read_json(client) == ["end", [True]]
    assert await client.receive_some(LIMIT) == b""  # closed after end
    loser, stream = remote_player_and_client("ann")
    await stream.send_all(b'"void"')
    await loser.end_of_tournament(Results(("anna",), ()))
    assert await read_json(stream) == ["end", [False]]


# --- both proxies: a whole game ---------------------------------------------------------


class Recording(Greedy):
    """Greedy, remembering every call it hears."""

    def __init__(self) -> None:
        self.heard: list[str] = []

    def tournament_starting(self) -> None:
        self.heard.append("tournament_starting")

    def assigned_color(self, color):
        self.heard.append(f"assigned_color {color.value}")

    def other_colors(self, colors):
        self.heard.append("other_colors " + " ".join(color.value for color in colors))

    def end_of_tournament(self, results):
        self.heard.append(f"end_of_tournament {list(results.winners)}")


async def test_a_game_through_both_proxies_ends_as_the_same_game_of_local_players():
    names = ("ann", "bob", "cat")
    referee = Referee(lambda index: Board(BOARD), time_per_call=10)
    local = [Entrant(name, LocalPlayer(name, Greedy())) for name in names]
    expected = await referee(local, Encounter())
    strategies = {name: Recording() for name in names}
    with trio.fail_after(30):
        async with trio.open_nursery() as nursery:
            remotes, proxies = [], {}
            for name in names:
                server_end, client_end = trio.testing.memory_stream_pair()
                remotes.append(Entrant(name, RemotePlayer(MessageChannel(server_end, LIMIT), name=name)))
                proxies[name] = ServerProxy(MessageChannel(client_end, LIMIT), LocalPlayer(name, strategies[name]), name)
                nursery.start_soon(proxies[name].play)
            for entrant in remotes:
                assert await entrant.player.tournament_starting() is None
            result = await referee(remotes, Encounter())
            winners = Results(result.outcome.winners, ())
            for entrant in remotes:
                await entrant.player.end_of_tournament(winners)
    assert result == expected and result.outcome.winners == ("bob",)
    assert strategies["ann"].heard[:3] == ["tournament_starting", "assigned_color red", "other_colors white brown"]
    assert strategies["bob"].heard[-1] == "end_of_tournament ['bob']" and strategies["ann"].heard[-1] == "end_of_tournament []"
    assert [proxies[name].won for name in names] == [False, True, False]


# --- the client's conversation, pure ---------------------------------------------------


def test_each_call_is_heard_and_answered_void_a_position_or_an_action():
    conversation = FishConversation("ann")
    (heard,) = conversation.receive(["start", [True]])
    assert isinstance(heard, Hear) and heard.call.method == "tournament_starting" and heard.call.arguments == ()
    assert conversation.finished(heard.call, None) == Send(("void",))
    (heard,) = conversation.receive(["playing-with", [["white", "brown"]]])
    assert heard.call.arguments == ((Color.WHITE, Color.BROWN),)
    assert conversation.finished(heard.call, None) == Send(("void",))
    (heard,) = conversation.receive(["setup", [{"players": [{"color": "red", "score": 0, "places": []}], "board": BOARD}]])
    assert conversation.finished(heard.call, Position(0, 3)) == Send(([0, 3],))
    (results,) = conversation.receive(["end", [True]])
    assert isinstance(results, ResultsArrived) and results.results == Results(("ann",), ()) and conversation.won is True
    assert results.call is not None and conversation.finished(results.call, None) == Send(("void",))


def test_a_call_while_an_answer_is_due_means_the_server_moved_on():
    conversation = FishConversation("ann")
    conversation.receive(["playing-as", ["red"]])
    (ended,) = conversation.receive(["playing-with", [["white"]]])
    assert isinstance(ended, ConversationEnded) and "moved on" in (ended.note or "")


@pytest.mark.parametrize("message", [["start", []], ["playing-as", ["green"]], ["setup", [{}]], "ann", ["take-turn", [1]]])
def test_a_malformed_message_ends_the_conversation_as_the_servers_fault(message):
    (ended,) = FishConversation("ann").receive(message)
    assert isinstance(ended, ConversationEnded) and isinstance(ended.failure, ServerMisbehaved)


def test_an_answer_of_the_wrong_type_is_the_players_fault_and_nothing_is_sent():
    conversation = FishConversation("ann")
    (heard,) = conversation.receive(["setup", [{"players": [{"color": "red", "score": 0, "places": []}], "board": BOARD}]])
    failed = conversation.finished(heard.call, "nowhere")
    assert not isinstance(failed, Send) and "place returned 'nowhere', not a Position" in str(failed.failure)


def test_the_first_message_of_a_fish_server_is_fishs_alone_and_those_of_the_other_games_are_not_fishs():
    assert recognises_server_message(["start", [True]])
    assert not ipd_recognises(["start", [True]]) and not santorini_recognises(["start", [True]])
    for other in (["playing-as", "alicea"], ["move", 1, None], "bob", [], [["alice", "bob", "irregular"]]):
        assert not recognises_server_message(other), other


def test_a_client_of_another_game_hears_which_game_a_fish_server_runs_and_a_fish_client_the_other_way_round():
    opening = Opening(ipd_recognises, [(recognises_server_message, 'this server seems to run Fish: add "game": "fish"')])
    with pytest.raises(WrongGame, match="Fish"):
        opening.check(["start", [True]])
    fish = FishConversation("ann", opening=Opening(recognises_server_message, [(ipd_recognises, "the prisoner's dilemma")]))
    (ended,) = fish.receive(["playing-as", "anna"])
    assert isinstance(ended, ConversationEnded) and isinstance(ended.failure, WrongGame)
