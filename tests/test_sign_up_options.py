"""A sign-up's options, `["sign-up", Name, Token, {"opponent": Other}]`: read strictly on both sides, the token never shown.

The options object has the keys "opponent" (a Name of the game's rule) and
"room" (a string: the room to play in on a server with rooms, refused on one
without); any other key is refused
with the nearest known one. On a server with participants a four-element
sign-up is judged like a three-element one (the same `["refused", REFUSAL]`
for any fault, the log naming the fault without the token); on a server
without participants `["sign-up", Name, null, Options]` signs up a bare name
with options. The desk runs in this process on memory streams; xclients'
configuration and its proxies send what the entry asks for.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
import trio
import trio.testing
from hypothesis import given
from hypothesis import strategies as st

from Admin.naming import NameRegistry
from Common.sign_up_options import NO_OPTIONS, SignUpOptions, read_sign_up_options
from Common.strict import TOKEN_HIDDEN, StructureError, show
from Remote.channel import MessageChannel
from Remote.client import sign_ups_of
from Remote.configuration import read_client_configuration
from Remote.doorway import Nameless
from Remote.game_registry import GAMES
from Remote.participants import parse_participants
from Remote.signup import BARE_NAMES_ONLY, REFUSAL, SignedUp, SignUpDesk
from Remote.websocket import WebSocketChannel
from tests.raw_client import compact

FISH = GAMES["fish"].players
"""Fish's names (1 to 12 ASCII letters) are the rule these tests read options by."""
ALICE, BOB = "alice_" + "a1" * 12, "bob-" + "B2" * 15
TOKEN_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
PIECE = 6
"""No piece of a token this long may appear in a log line or a refusal."""

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)
fish_names = st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=12)
options = st.builds(SignUpOptions, st.none() | fish_names, st.none() | st.text(min_size=1, max_size=64))


def read(value: Any) -> SignUpOptions:
    return read_sign_up_options(value, FISH.is_name, FISH.name_rule)


def is_valid_options(value: Any) -> bool:
    try:
        read(value)
    except ValueError:
        return False
    return True


def pieces(token: str) -> set[str]:
    return {token[start : start + PIECE] for start in range(len(token) - PIECE + 1)}


# --- the strict reading --------------------------------------------------------------


@given(options)
def test_options_read_back_from_their_json_as_they_were(asked: SignUpOptions) -> None:
    assert read(json.loads(json.dumps(asked.to_json()))) == asked


@given(json_values.filter(lambda value: type(value) is not dict))
def test_a_value_that_is_not_an_object_is_refused_as_such(value: Any) -> None:
    with pytest.raises(ValueError) as refused:
        read(value)
    assert str(refused.value).startswith("its options must be a JSON object, got ")


@given(st.dictionaries(st.text(max_size=10), json_values, min_size=1, max_size=4))
def test_an_object_is_taken_only_with_known_keys_a_name_and_a_room_string(value: dict) -> None:
    valid = (
        set(value) <= {"opponent", "room"}
        and ("opponent" not in value or FISH.is_name(value["opponent"]))
        and ("room" not in value or (type(value["room"]) is str and 1 <= len(value["room"]) <= 64))
    )
    assert is_valid_options(value) == valid


@pytest.mark.parametrize(
    "value, words",
    [
        ({"oponent": "bob"}, 'its options: unknown key "oponent"; did you mean "opponent"?'),
        ({"Opponent": "bob"}, 'its options: unknown key "Opponent"; did you mean "opponent"?'),
        ({"rooms": "x"}, 'its options: unknown key "rooms"; did you mean "room"?'),
        ({"a": 1, "b": 2, "c": 3, "d": 4}, 'its options: unknown key "a", "b", "c" (and 1 more)'),
        ({"opponent": "bob7"}, 'its options\' "opponent" must be a name of 1 to 12 ASCII letters, got "bob7"'),
        ({"opponent": None}, "got null"),
        ({"opponent": ["bob"]}, 'got ["bob"]'),
        ({"room": ""}, 'its options\' "room" must be a string of 1 to 64 characters, got ""'),
        (None, "its options must be a JSON object, got null"),
        ("bob", 'its options must be a JSON object, got "bob"'),
    ],
)
def test_a_bad_options_object_is_refused_in_one_line_that_says_what_and_where(value: Any, words: str) -> None:
    with pytest.raises(ValueError) as refused:
        read(value)
    assert words in str(refused.value) and "\n" not in str(refused.value)


@given(st.text(TOKEN_CHARACTERS, min_size=16, max_size=128), st.sampled_from(["key", "opponent", "room", "value"]))
def test_a_refusal_of_options_never_shows_a_run_long_enough_to_be_a_token(token: str, where: str) -> None:
    value = {token: 1} if where == "key" else {where: [token]} if where == "value" else {where: token * 2}
    refusal = ""
    if not is_valid_options(value):
        with pytest.raises(ValueError) as refused:
            read(value)
        refusal = str(refused.value)
    assert not {piece for piece in pieces(token) if piece in refusal and piece not in '"opponent" "room"'}


def test_the_empty_object_asks_for_nothing() -> None:
    assert read({}) == NO_OPTIONS and NO_OPTIONS.to_json() == {}


def test_a_four_element_sign_up_shows_its_options_and_hides_its_token() -> None:
    shown = show(["sign-up", "alice", ALICE, {"opponent": "bob", "colour": ALICE}], 200)
    assert shown == f'["sign-up", "alice", "{TOKEN_HIDDEN}", {{"opponent": "bob", "colour": "{TOKEN_HIDDEN}"}}]'
    assert show(["sign-up", "alice", {"opponent": "bob"}], 200) == f'["sign-up", "alice", "{TOKEN_HIDDEN}"]'


# --- the desk --------------------------------------------------------------------------


def participants_desk() -> SignUpDesk:
    participants = parse_participants(f"participant,token\nalice,{ALICE}\nbob,{BOB}\n", "participants.csv", FISH.is_name, FISH.name_rule)
    return SignUpDesk([], 1 << 16, NameRegistry(12), FISH.is_name, name_rule=FISH.name_rule, participants=participants)


def bare_desk() -> SignUpDesk:
    return SignUpDesk([], 1 << 16, NameRegistry(12), FISH.is_name, name_rule=FISH.name_rule)


async def first_message(desk: SignUpDesk, message: Any) -> tuple[SignedUp | None, Any]:
    """Send `message` as a connection's first; whom it signed up, or (None and) what the refused connection was told."""
    client, server = trio.testing.memory_stream_pair()
    await client.send_all(compact(message))
    channel = MessageChannel(server, 1 << 16)
    await desk.doorway.read_first_message(channel, Nameless(), "192.0.2.1")
    if desk.signed_up and desk.signed_up[-1].channel is channel:
        return desk.signed_up[-1], None
    received = bytearray()
    while chunk := await client.receive_some():
        received += chunk
    return None, json.loads(received) if received else None


async def test_a_participant_signs_up_with_its_options_and_a_three_element_sign_up_still_works() -> None:
    desk = participants_desk()
    alice, _ = await first_message(desk, ["sign-up", "alice", ALICE, {"opponent": "bob"}])
    bob, _ = await first_message(desk, ["sign-up", "bob", BOB])
    assert alice is not None and alice.name == "alice" and alice.options == SignUpOptions(opponent="bob")
    assert bob is not None and bob.options == NO_OPTIONS


@pytest.mark.parametrize(
    "options, logged",
    [
        ({"oponent": "bob"}, 'unknown key "oponent"; did you mean "opponent"?'),
        ({"opponent": "b0b"}, "must be a name of 1 to 12 ASCII letters"),
        ({"room": "cup"}, 'its options ask for the room "cup", and this server has no rooms'),
        ({"opponent": ALICE}, "its options hold its token (not shown)"),
        ([], "its options must be a JSON object, got []"),
    ],
)
async def test_a_participant_with_bad_options_hears_the_one_refusal_and_the_log_says_why(caplog, options: Any, logged: str) -> None:
    caplog.set_level(logging.INFO)
    desk = participants_desk()
    signed, told = await first_message(desk, ["sign-up", "alice", ALICE, options])
    desk.flush_log()
    assert signed is None and told == ["refused", REFUSAL]
    assert logged in caplog.text and 'the sign-up of "alice" from 192.0.2.1 was refused' in caplog.text
    assert not {piece for piece in pieces(ALICE) if piece in caplog.text}


async def test_bad_options_with_a_right_token_are_not_failures_that_lock_the_participant_out() -> None:
    desk = participants_desk()
    for _ in range(10):
        await first_message(desk, ["sign-up", "alice", ALICE, {"oponent": "bob"}])
    signed, _ = await first_message(desk, ["sign-up", "alice", ALICE, {"opponent": "bob"}])
    assert signed is not None


@given(options=json_values, token=st.text(TOKEN_CHARACTERS, min_size=16, max_size=128), right=st.booleans())
def test_no_four_element_sign_up_shows_its_token_in_a_log_line_or_a_refusal(options: Any, token: str, right: bool) -> None:
    """Whatever the options, right token or wrong: the log and the refusal hold no piece of the token."""
    handler = _Collect()
    logger = logging.getLogger("Remote")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        participants = parse_participants(f"participant,token\nalice,{token if right else ALICE}\n", "p.csv", FISH.is_name, FISH.name_rule)
        desk = SignUpDesk([], 1 << 16, NameRegistry(12), FISH.is_name, name_rule=FISH.name_rule, participants=participants)
        signed, told = trio.run(first_message, desk, ["sign-up", "alice", token, options])
        desk.flush_log()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert (signed is not None) == (right and is_valid_options(options) and token not in json.dumps(options))
    assert told in (None, ["refused", REFUSAL])
    leaked = {piece for piece in pieces(token) if any(piece in line for line in handler.lines)}
    assert not leaked, handler.lines


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


async def test_without_participants_a_tokenless_tagged_sign_up_brings_its_options() -> None:
    desk = bare_desk()
    alice, _ = await first_message(desk, ["sign-up", "alice", None, {"opponent": "bob"}])
    plain, _ = await first_message(desk, ["sign-up", "carl", None])
    bare, _ = await first_message(desk, "dora")
    assert alice is not None and alice.options == SignUpOptions(opponent="bob")
    assert plain is not None and plain.name == "carl" and plain.options == NO_OPTIONS
    assert bare is not None and bare.name == "dora" and bare.options == NO_OPTIONS


@pytest.mark.parametrize(
    "message, told",
    [
        (["sign-up", "alice", ALICE, {"opponent": "bob"}], ["refused", BARE_NAMES_ONLY]),
        (
            ["sign-up", "alice", None, {"oponent": "bob"}],
            ["refused", 'sign-up refused: its options: unknown key "oponent"; did you mean "opponent"?'],
        ),
        (
            ["sign-up", "alice", None, {"room": "cup"}],
            ["refused", 'sign-up refused: its options ask for the room "cup", and this server has no rooms'],
        ),
        (["sign-up", "al1ce", None, {}], ["refused", 'sign-up refused: its name must be a name of 1 to 12 ASCII letters, got "al1ce"']),
        ("al1ce", None),
    ],
)
async def test_without_participants_a_refused_tagged_sign_up_is_told_why_in_one_line(message: Any, told: Any) -> None:
    signed, heard = await first_message(bare_desk(), message)
    assert signed is None and heard == told


async def test_a_tournament_takes_a_named_opponent_and_ignores_it_saying_so_once(caplog) -> None:
    caplog.set_level(logging.INFO)
    desk = bare_desk()
    await first_message(desk, ["sign-up", "alice", None, {"opponent": "bob"}])
    await first_message(desk, ["sign-up", "bob", None, {"opponent": "alice"}])
    assert [entry.name for entry in desk.signed_up] == ["alice", "bob"]
    said = [record.getMessage() for record in caplog.records if "only an arena pairs named opponents" in record.getMessage()]
    assert len(said) == 1 and said[0].startswith("alice asked for bob as its opponent")
    arena = bare_desk()
    arena.takes_opponents = True
    caplog.clear()
    await first_message(arena, ["sign-up", "alice", None, {"opponent": "bob"}])
    assert "only an arena" not in caplog.text


# --- xclients ----------------------------------------------------------------------------


def client_configuration(players: list) -> Any:
    text = json.dumps({"game": "fish", "players": players, "ip": "127.0.0.1", "port": 1})
    return read_client_configuration(text, GAMES, "santorini")


def test_an_xclients_player_may_ask_for_an_opponent_with_or_without_a_token() -> None:
    config = client_configuration(
        [
            ["greedy", "alice", "", ALICE, {"opponent": "bob"}],
            ["greedy", "bob", "", None, {"opponent": "alice"}],
            ["greedy", "carl", "", BOB],
            ["greedy", "dora", ""],
        ]
    )
    assert sign_ups_of(config, [None] * 4) == [
        {"token": ALICE, "options": {"opponent": "bob"}},
        {"options": {"opponent": "alice"}},
        {"token": BOB},
        {},
    ]


@pytest.mark.parametrize(
    "entry, words",
    [
        (["greedy", "alice", "", None, {"oponent": "bob"}], 'unknown key "oponent"; did you mean "opponent"? @ $.players[0][4]'),
        (["greedy", "alice", "", None, {"opponent": "b0b"}], "must be a name of 1 to 12 ASCII letters"),
        (["greedy", "alice", "", None, "bob"], 'its options must be a JSON object, got "bob" @ $.players[0][4]'),
        (["greedy", "alice", "", None], "expected a token of"),
        (["greedy", "alice", "", ALICE, {}, {}], "of 3 to 5 elements, got 6"),
    ],
)
def test_an_xclients_player_with_bad_options_is_a_configuration_error(entry: list, words: str) -> None:
    with pytest.raises(StructureError) as error:
        client_configuration([entry])
    assert words in str(error.value) and ALICE not in str(error.value)


@pytest.mark.parametrize("game", list(GAMES))
@pytest.mark.parametrize(
    "asks, sent",
    [
        ({"options": {"opponent": "bob"}}, ["sign-up", "alice", None, {"opponent": "bob"}]),
        ({"token": ALICE, "options": {"opponent": "bob"}}, ["sign-up", "alice", ALICE, {"opponent": "bob"}]),
        ({"token": ALICE}, ["sign-up", "alice", ALICE]),
        ({}, "alice"),
    ],
)
async def test_each_game_s_proxy_sends_the_sign_up_its_entry_asks_for(game: str, asks: dict, sent: Any) -> None:
    client, server = trio.testing.memory_stream_pair()
    proxy = GAMES[game].client_proxy(MessageChannel(client, 1 << 16), None, "alice", **asks)
    await proxy.sign_up()
    assert json.loads(await server.receive_some()) == sent


async def test_over_websocket_the_authorization_header_fills_in_a_null_token_before_the_options() -> None:
    desk = participants_desk()
    client_stream, server_stream = trio.testing.memory_stream_pair()
    channel = WebSocketChannel.server(server_stream, 1 << 16)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(desk.doorway.read_first_message, channel, Nameless(), "192.0.2.1")
        client = await WebSocketChannel.connect(client_stream, "test", 1 << 16, headers=[(b"Authorization", ALICE.encode())])
        await client.send(["sign-up", "alice", None, {"opponent": "bob"}])
    assert [(entry.name, entry.options) for entry in desk.signed_up] == [("alice", SignUpOptions(opponent="bob"))]
