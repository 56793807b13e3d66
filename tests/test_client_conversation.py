"""The client's conversation as a pure state machine, both games: driven by hypothesis with any interleaving against a simple model.

A Driver plays the trio shell's part without trio: it feeds the server's
messages to the Conversation, keeps the calls the player must hear in a
queue, makes them one at a time when the test says the player moves on, and
records what would be sent. Each server message in the pools is tagged with
what it means in the protocol's grammar; the models (a few states: in a
series, what is owed, what the player has not finished) say what must
happen, and the test compares.
"""

from __future__ import annotations

from typing import Any

import pytest
import trio
import trio.testing
from hypothesis import given, settings
from hypothesis import strategies as st

from Common.ipd.names import Name as IpdName
from Common.santorini.actions import GiveUp
from Common.santorini.geometry import Place
from Common.santorini.names import Name as SantoriniName
from Common.santorini.wire import unstructure
from Remote.channel import MessageChannel
from Remote.client import opening
from Remote.client_conversation import (
    NO_ANSWER,
    Abandoned,
    Call,
    Conversation,
    ConversationEnded,
    Failed,
    Hear,
    ResultsArrived,
    Send,
)
from Remote.client_errors import ServerMisbehaved, SignUpRefused, StrategyFailed, WrongGame
from Remote.game_registry import GAMES
from Remote.ipd.client_conversation import STAND_IN, IpdConversation
from tests.test_layout import LAYERS, ROOT, every_import

IMPURE = {"trio", "socket", "select", "time", "asyncio", "threading", "logging", "os", "sys"}
PURE_REMOTE = {"Remote.client_conversation", "Remote.client_errors"}
PROPERTY = settings(max_examples=300, deadline=None)
LONG_REASON = "take_turn: " + "x" * 300
BOARD = [["0alice1", 0, 0, 0, 0, "0bob1"], [0] * 6, [0] * 6, [0] * 6, [0] * 6, ["0alice2", 0, 0, 0, 0, "0bob2"]]
IPD_RESULTS = ["results", [["alice", "bob", 3, 3, 1]], [["alice", 3.0, 1], ["bob", 3.0, 1]]]


class Driver:
    """The shell's part, without trio: the queue of calls, the call running, what is sent, how it ended."""

    def __init__(self, conversation: Conversation) -> None:
        self.conversation = conversation
        self.queue: list[Call] = []
        self.running: Call | None = None
        self.cancelled = False
        self.sent: list[Any] = []
        self.end: ConversationEnded | ResultsArrived | Failed | None = None
        self.reading = True
        self.heard: list[Call] = []

    @property
    def over(self) -> bool:
        """Nothing more happens: an end that stops both tasks (not the Results, which the player still hears)."""
        return isinstance(self.end, ConversationEnded | Failed)

    def server_sends(self, message: Any) -> list:
        if self.over or not self.reading:
            return []
        events = self.conversation.receive(message)
        for event in events:
            if isinstance(event, Hear):
                self.queue.append(event.call)
            elif isinstance(event, Abandoned):
                if event.call is self.running:
                    self.cancelled = True
            elif isinstance(event, ResultsArrived):
                self.end, self.reading = event, False
                if event.hear:
                    assert event.call is not None
                    self.queue.append(event.call)
            else:
                self.end, self.reading = event, False
        return events

    def player_moves(self, answer: Any) -> None:
        """The player task's next step: start the next call, or finish the one running with `answer` (an exception: it raised)."""
        if self.over:
            return
        if self.running is None:
            if not self.queue:
                return
            call = self.queue.pop(0)
            instead = self.conversation.skip(call)
            if instead is not None:
                self._send(instead)
                return
            self.conversation.started(call)
            self.running, self.cancelled = call, False
            self.heard.append(call)
            return
        call, self.running = self.running, None
        if isinstance(answer, Exception) and not self.cancelled:
            self._fail(self.conversation.raised(call, f"{call.method} raised {answer}"))
            return
        if self.cancelled and isinstance(answer, Exception):
            answer = NO_ANSWER
        outcome = self.conversation.finished(call, answer)
        if isinstance(outcome, Failed):
            self._fail(outcome)
        else:
            self._send(outcome)

    def drain(self, answer_for) -> None:
        """The player hears everything still queued, answering well."""
        for _ in range(1000):
            if self.over or (self.running is None and not self.queue):
                return
            self.player_moves(answer_for(self.running) if self.running else None)

    def _send(self, send: Send) -> None:
        self.sent.extend(send.values)

    def _fail(self, failed: Failed) -> None:
        self.sent.extend(failed.values)
        self.end, self.reading = failed, False


def what_ended(end: Any) -> str | None:
    """The end of a conversation in the models' words."""
    if end is None:
        return None
    if isinstance(end, ResultsArrived):
        return "results heard" if end.hear else "results abandoned"
    if isinstance(end, Failed):
        return "strategy failed"
    failure = end.failure
    if failure is None:
        return "kicked" if " was kicked by the server: " in (end.note or "") else "moved on"
    return {SignUpRefused: "refused", WrongGame: "wrong game", ServerMisbehaved: "misbehaved"}[type(failure)]


# --- game-free: what ends a conversation, for every game ------------------------------------------


def conversation_of(game: str, token: str | None = None) -> Conversation:
    """The Conversation that xclients' proxy for a player of `game` called alice drives, with the Opening xclients gives it."""
    channel = MessageChannel(trio.testing.memory_stream_pair()[0], 1 << 16)
    proxy = GAMES[game].client_proxy(channel, None, "alice", opening=opening(GAMES[game]), token=token)
    return proxy.conversation


@pytest.mark.parametrize("game", list(GAMES))
def test_the_conversation_is_pure_no_trio_no_io_no_clock(game):
    for path in (ROOT / "Remote" / "client_conversation.py", ROOT / "Remote" / game / "client_conversation.py"):
        assert path.exists(), f"{game}: its client-side Conversation belongs in Remote/{game}/client_conversation.py"
        imported = every_import(path)
        assert not imported & IMPURE, f"{path.name} imports {imported & IMPURE}"
        ours = {module for module in imported if module.split(".")[0] in LAYERS}
        assert all(module.startswith("Common.") or module in PURE_REMOTE for module in ours), ours


@pytest.mark.parametrize("game", list(GAMES))
def test_the_sign_up_is_the_bare_name_or_the_tagged_form_with_the_token(game):
    assert conversation_of(game).sign_up() == "alice"
    assert conversation_of(game, token="s3cret-token-0123456789").sign_up() == ["sign-up", "alice", "s3cret-token-0123456789"]


@pytest.mark.parametrize("game", list(GAMES))
@given(reason=st.text(max_size=400))
@settings(max_examples=50, deadline=None)
def test_a_kick_notice_with_any_text_ends_the_conversation_with_the_reason_cut_to_200_characters(game, reason):
    conversation = conversation_of(game)
    (event,) = conversation.receive(["kicked", reason])
    assert event.failure is None and event.note.startswith("alice was kicked by the server: ")
    assert len(event.note) - len("alice was kicked by the server: ") <= 200
    assert conversation.kicked_because == reason
    with pytest.raises(RuntimeError):
        conversation.receive(["kicked", reason])


@pytest.mark.parametrize("game", list(GAMES))
@given(text=st.text(max_size=400))
@settings(max_examples=50, deadline=None)
def test_a_refusal_ends_the_conversation_with_the_servers_words_in_one_line(game, text):
    (event,) = conversation_of(game).receive(["refused", text])
    assert isinstance(event.failure, SignUpRefused)
    said = str(event.failure)
    assert "\n" not in said and len(said) <= 200 and said == said.strip()


@pytest.mark.parametrize("game", list(GAMES))
def test_a_close_while_the_player_is_busy_says_that_the_player_is_abandoned(game):
    conversation = conversation_of(game)
    conversation.started(Call("playing_as", ("alice",)))
    assert conversation.closed("the server ended the connection (closed)").note == (
        "alice: the server ended the connection (closed) while playing_as was not done; the player is abandoned"
    )
    assert isinstance(conversation_of(game).broke("not JSON").failure, ServerMisbehaved)


def test_a_santorini_kick_notice_longer_than_200_characters_is_a_kick_notice_as_in_the_ipd():
    (event,) = conversation_of("santorini").receive(["kicked", LONG_REASON])
    assert event.failure is None and event.note == f"alice was kicked by the server: {LONG_REASON[:197]}..."


def game_free_end(meaning: str, settled: bool) -> str | None:
    """How the messages every game treats alike end a conversation (the models' common part); None for the game's own."""
    if meaning == "other game":
        return "misbehaved" if settled else "wrong game"
    return {"refused": "refused", "kicked": "kicked", "junk": "misbehaved"}.get(meaning)


# --- Santorini against its model -----------------------------------------------------------------

SANTORINI_MESSAGES = [
    ("bob", "name"),
    (["playing-as", "alicea"], "renaming"),
    ([], "empty"),
    ([["bob1", 3, 2]], "placement"),
    ([["alice1", 0, 0], ["bob1", 3, 2]], "placement"),
    (BOARD, "board"),
    ([["bob", "alice", "irregular"]], "results"),
    (["kicked", "take_turn: no answer within 2 s"], "kicked"),
    (["kicked", LONG_REASON], "kicked"),
    (["kicked", 5], "junk"),
    (["refused", "sign-up refused:\n unknown participant"], "refused"),
    (["match", "bob"], "other game"),
    (["move", 1, None], "other game"),
    (5, "junk"),
    ([1, 2], "junk"),
]
GOOD = {"place_worker": Place(0, 0), "take_turn": GiveUp(SantoriniName("alice"))}


class SantoriniModel:
    """Santorini's grammar in a few states: in a series, the answer owed, the calls not finished, the opening settled."""

    def __init__(self) -> None:
        self.series, self.owed, self.unfinished, self.settled = False, None, 0, False

    def expect(self, meaning: str) -> tuple[str, str]:
        """("hear", method) or ("end", how) for a message that means `meaning`."""
        if (end := game_free_end(meaning, self.settled)) is not None:
            return ("end", end)
        if meaning in ("name", "empty", "placement", "board", "results"):
            self.settled = True
        if meaning == "results" or (meaning == "empty" and not self.series):
            return ("end", "results abandoned" if self.unfinished else "results heard")
        if self.owed is not None:
            return ("end", "moved on")
        method = {
            "name": "start_encounter",
            "renaming": "playing_as",
            "empty": "place_worker",
            "placement": "place_worker",
            "board": "take_turn",
        }[meaning]
        self.series = self.series or meaning == "name"
        self.owed = method if method in GOOD else None
        self.unfinished += 1
        return ("hear", method)


santorini_steps = st.lists(
    st.one_of(
        st.tuples(st.just("server"), st.sampled_from(SANTORINI_MESSAGES)),
        st.tuples(st.just("player"), st.sampled_from(["good", "good", "good", "wrong type", "raises"])),
    ),
    max_size=40,
)


def santorini_answer(call: Call | None, how: str) -> Any:
    if call is None or how == "good":
        return GOOD.get(call.method) if call else None
    return "nowhere" if how == "wrong type" else ValueError("no idea")


@PROPERTY
@given(santorini_steps)
def test_santorini_any_interleaving_of_server_messages_and_answers_follows_the_model(steps):
    driver, model = Driver(conversation_of("santorini")), SantoriniModel()
    expected_sent: list[Any] = []
    expected_end = None
    for step, what in steps:
        if step == "server":
            if driver.over or not driver.reading:
                continue
            message, meaning = what
            kind, detail = model.expect(meaning)
            events = driver.server_sends(message)
            if kind == "hear":
                assert [type(event) for event in events] == [Hear] and events[0].call.method == detail
            else:
                expected_end = detail
                assert what_ended(driver.end) == detail, (message, events)
        else:
            running = driver.running
            if driver.over or running is None:
                driver.player_moves(None)  # nothing happens, or the next call starts
                continue
            driver.player_moves(santorini_answer(running, what))
            if driver.over:
                expected_end = "strategy failed"
                assert isinstance(driver.end.failure, StrategyFailed)
                continue
            model.unfinished -= 1
            if running.method in GOOD:
                model.owed = None
                expected_sent.append(unstructure(GOOD[running.method]))
    assert driver.sent == expected_sent  # one value per answer owed, in order, nothing after a failure
    assert what_ended(driver.end) == expected_end
    if expected_end == "results heard":
        driver.drain(lambda call: GOOD.get(call.method))
        assert driver.heard[-1].method == "end_of_tournament"
        assert driver.conversation.outstanding == 0 and driver.conversation.busy is None


# --- the IPD against its model --------------------------------------------------------------------

IPD_MESSAGES = [
    (["playing-as", "alice1"], "renaming"),
    (["match", "bob"], "match"),
    (["move", 1, None], "move"),
    (["move", 2, ["C", "D"]], "move"),
    (["move", 3, ["D", "D"]], "move"),
    (["match-over", ["C", "C"], [3, 3], 2], "match-over"),
    (IPD_RESULTS, "results"),
    (["kicked", "move: 4 forfeits in one match, more than the 3 allowed"], "kicked"),
    (["kicked", 5], "junk"),
    (["refused", "sign-up refused"], "refused"),
    ("bob", "other game"),
    ([], "other game"),
    (["move", "1", None], "junk"),
    (5, "junk"),
]


class IpdModel:
    """The IPD's grammar in a few states: the round due, the opening settled; and the server's ledger of rounds owed a reply."""

    def __init__(self) -> None:
        self.due: int | None = None
        """Where the round due is in `owed`, if one is."""
        self.settled = False
        self.owed: list[int] = []
        """Every round asked whose reply the server still expects, in the order asked."""
        self.forfeited = 0

    def expect(self, message: Any, meaning: str) -> tuple[str, str]:
        if (end := game_free_end(meaning, self.settled)) is not None:
            return ("end", end)
        self.settled = self.settled or meaning != "renaming"
        if self.due is not None:
            self.forfeited += 1
            if meaning == "results":
                del self.owed[self.due]  # nothing is owed once the Results came
        self.due = None
        if meaning == "results":
            return ("end", "results heard")
        if meaning == "move":
            self.due = len(self.owed)
            self.owed.append(message[1])
        return ("hear", {"renaming": "playing_as", "match": "start_match", "move": "move", "match-over": "match_over"}[meaning])


ipd_steps = st.lists(
    st.one_of(
        st.tuples(st.just("server"), st.sampled_from(IPD_MESSAGES)),
        st.tuples(st.just("player"), st.sampled_from(["C", "D", "C", "wrong type", "raises"])),
    ),
    max_size=40,
)


@PROPERTY
@given(ipd_steps)
def test_ipd_any_interleaving_of_server_messages_and_answers_follows_the_model_and_every_round_asked_gets_one_reply_in_order(steps):
    driver, model = Driver(conversation_of("ipd")), IpdModel()
    expected_end, due_call = None, None
    for step, what in steps:
        if step == "server":
            if driver.over or not driver.reading:
                continue
            message, meaning = what
            kind, detail = model.expect(message, meaning)
            events = driver.server_sends(message)
            heard = [event.call.method for event in events if isinstance(event, Hear)]
            if meaning == "move" and heard:
                due_call = events[-1].call
            if kind == "hear":
                assert heard == [detail]
            else:
                expected_end = detail
                assert heard == [] and what_ended(driver.end) == detail, (message, events)
        else:
            answer = {"wrong type": 5, "raises": ValueError("no idea")}.get(what, what)
            running = driver.running
            driver.player_moves(answer)
            if running is not None and running is due_call and not driver.over:
                model.due = None  # answered in time
            if isinstance(driver.end, Failed):
                expected_end = "strategy failed"
    assert what_ended(driver.end) == expected_end
    assert driver.conversation.abandoned_rounds == model.forfeited
    replies = [value for value in driver.sent if value[0] != "error"]
    assert all(type(value[0]) is int and value[1] in ("C", "D") for value in replies)
    asked = model.owed
    assert [round_ for round_, _ in replies] == asked[: len(replies)]  # in the order asked, never one that is not owed
    if not driver.over:  # the player goes on: every round asked gets its one reply
        driver.drain(lambda call: "D" if call.method == "move" else None)
        replies = [value for value in driver.sent if value[0] != "error"]
        assert [round_ for round_, _ in replies] == asked
        assert driver.conversation.outstanding == 0 and driver.conversation.busy is None
    if isinstance(driver.end, Failed):
        assert driver.sent[-1] == ["error", str(driver.end.failure)]


def test_ipd_a_move_abandoned_while_queued_is_never_made_and_its_stand_in_goes_in_its_place():
    driver = Driver(conversation_of("ipd"))
    driver.server_sends(["move", 1, None])
    events = driver.server_sends(["move", 2, [None, "C"]])
    assert isinstance(events[0], Abandoned) and events[0].note == (
        "alice: the server moved on before the move for round 1 was answered: forfeited"
    )
    driver.drain(lambda call: "D")
    assert [call.arguments[0] for call in driver.heard] == [2]
    assert driver.sent == [[1, STAND_IN], [2, "D"]]


def test_ipd_a_flooder_writes_its_replies_ahead_at_its_first_move_only():
    conversation = IpdConversation(IpdName("alice"), replies_ahead=3)
    (hear,) = conversation.receive(["move", 4, ["C", "C"]])
    conversation.started(hear.call)
    send = conversation.finished(hear.call, "D")
    assert send == Send(([4, "D"], [5, "C"], [6, "C"]), "alice: flooding: 2 replies ahead of round 4, in one write")
    (hear,) = conversation.receive(["move", 5, ["D", "C"]])
    assert conversation.finished(hear.call, "C") == Send(([5, "C"],))
