"""`Common.strict.show`, the one way a participant's value is shown, never shows a sign-up's token.

A participant's value reaches reasons, the log, the event log, the exports
and the watch page only through `show`. A sign-up `["sign-up", Name, Token]`
(its options shown, if it has them: `["sign-up", Name, Token, Options]`; or
a token that follows a "sign-up" string anywhere, or the text of a
sign-up cut short) is shown with every token replaced, before the text is
cut to its limit: not even six characters of a token appear, whatever the
nesting and the limit, down to the shortest name and token the rules allow.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from Common.participant import SIGN_UP
from Common.strict import TOKEN_HIDDEN, show
from Remote.game_registry import GAMES
from Remote.loopback import ServerProcess
from tests.raw_client import stop, wait_for_log_sync

TOKEN_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
SHORTEST_TOKEN = "KXVKHFq3_-Zr8mWp"
LIMIT = 60.0
PAGE = re.compile(r"the page is at http://[^:]+:(\d+)/")
PIECE = 6
"""No piece of a token this long may appear in what `show` prints."""

tokens = st.text(TOKEN_CHARACTERS, min_size=16, max_size=128)
names = st.one_of(
    st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=64),
    st.text(TOKEN_CHARACTERS, min_size=1, max_size=36),
).filter(lambda name: any(game.players.is_name(name) for game in GAMES.values()))
others = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


def pieces(token: str) -> set[str]:
    return {token[start : start + PIECE] for start in range(len(token) - PIECE + 1)}


def shapes(name: str, token: str) -> dict[str, Any]:
    """The ways a client can send its token where the server shows a value."""
    sign_up = [SIGN_UP, name, token]
    text = json.dumps(sign_up)
    return {
        "tagged": sign_up,
        "twice": [sign_up, sign_up],
        "after a sign-up string": ["hello", SIGN_UP, name, token],
        "under a sign-up key": {SIGN_UP: token},
        "a token of another type": [SIGN_UP, name, [token]],
        "with its options": [SIGN_UP, name, token, {"opponent": name}],
        "its token in its options too": [SIGN_UP, name, token, {"opponent": token, "room": [name, token]}],
        "its token as a key of its options": [SIGN_UP, name, token, {token: name}],
        "options in the token's place": [SIGN_UP, name, {"opponent": token}],
        "the text of a sign-up with options": json.dumps([SIGN_UP, name, token, {"opponent": name}]),
        "the text of a sign-up": text,
        **{f"the text cut after {cut}": text[:cut] for cut in range(text.index(token) + 1, len(text))},
    }


HOLE = "\x00the value\x00"


@st.composite
def wrappers(draw: st.DrawFn) -> Any:
    """Other JSON values with a HOLE somewhere inside, 0 to 3 levels down."""
    value: Any = HOLE
    for _ in range(draw(st.integers(0, 3))):
        if draw(st.booleans()):
            value = [*draw(st.lists(others, max_size=2)), value, *draw(st.lists(others, max_size=2))]
        else:
            value = {**draw(st.dictionaries(st.text(max_size=6), others, max_size=2)), draw(st.text(max_size=6)): value}
    return value


def filled(wrapper: Any, value: Any) -> Any:
    if wrapper == HOLE:
        return value
    if type(wrapper) is list:
        return [filled(element, value) for element in wrapper]
    if type(wrapper) is dict:
        return {key: filled(element, value) for key, element in wrapper.items()}
    return wrapper


@given(name=names, token=tokens, data=st.data(), limit=st.integers(4, 400))
@example(name="h", token=SHORTEST_TOKEN, data=None, limit=40)
@example(name="honc", token=SHORTEST_TOKEN, data=None, limit=40)
@example(name="h", token=SHORTEST_TOKEN, data=None, limit=400)
def test_no_piece_of_a_token_is_ever_shown(name: str, token: str, data: st.DataObject | None, limit: int) -> None:
    every = shapes(name, token)
    drawn = every if data is None else dict([data.draw(st.sampled_from(list(every.items())), label="shape")])
    for shape, value in drawn.items():
        wrapper = HOLE if data is None else data.draw(wrappers(), label="around it")
        shown = show(filled(wrapper, value), limit)
        assert len(shown) <= limit
        # A piece that the value holds elsewhere (in the name, say) is not the token's to hide.
        elsewhere = json.dumps([wrapper, SIGN_UP, name, "hello", TOKEN_HIDDEN], ensure_ascii=False)
        leaked = {piece for piece in pieces(token) if piece in shown and piece not in elsewhere}
        assert not leaked, (shape, shown)


def test_the_shortest_sign_up_twice_shows_its_name_and_hides_its_token() -> None:
    assert show([SIGN_UP, "h", SHORTEST_TOKEN]) == f'["sign-up", "h", "{TOKEN_HIDDEN}"]'


def test_a_sign_up_with_options_shows_them_and_hides_its_token() -> None:
    assert show([SIGN_UP, "h", SHORTEST_TOKEN, {"opponent": "bob"}], 200) == f'["sign-up", "h", "{TOKEN_HIDDEN}", {{"opponent": "bob"}}]'


def test_the_text_of_a_sign_up_cut_inside_its_token_hides_what_there_is_of_it() -> None:
    text = json.dumps([SIGN_UP, "honc", SHORTEST_TOKEN])[:27]
    assert show(text, 200) == json.dumps(f'["sign-up", "honc", "{TOKEN_HIDDEN}')


def test_a_value_without_a_sign_up_is_shown_as_before() -> None:
    long_name = "a" * 40
    assert show(["alice", long_name, {"x": 1.5}], 200) == json.dumps(["alice", long_name, {"x": 1.5}])
    assert show("x" * 50) == '"' + "x" * 36 + "..."


def read_event_stream(port: int, received: list[bytes], until: bytes | None = None) -> None:
    """The bytes of the watch page's event stream, until the server closes it (or `until` has come)."""
    with socket.create_connection(("127.0.0.1", port), timeout=LIMIT) as connection:
        connection.sendall(b"GET /events HTTP/1.1\r\nhost: test\r\n\r\n")
        while data := connection.recv(1 << 16):
            received.append(data)
            if until is not None and re.search(until, b"".join(received)):
                return


def sign_up_twice_in_one_write(port: int, name: str, token: str) -> None:
    """A client that sends its tagged sign-up twice in one write, then reads until it is closed."""
    with socket.create_connection(("127.0.0.1", port), timeout=LIMIT) as connection:
        connection.sendall(json.dumps([SIGN_UP, name, token]).encode() * 2)
        while connection.recv(1 << 16):
            pass


@pytest.mark.parametrize("game", GAMES.values(), ids=GAMES.keys())
def test_a_client_that_signs_up_twice_at_once_is_kicked_and_its_token_is_nowhere(tmp_path, game) -> None:
    name, token = "h", SHORTEST_TOKEN
    participants = tmp_path / "participants.csv"
    participants.write_text(f"participant,token\n{name},{token}\n")
    kind = next(iter(game.players.kinds))
    config = {
        "game": game.name,
        "min players": 3,
        "waiting for": 4,
        "repeat": 0,
        "participants": str(participants),
        "house players": [[kind, "ann", ""], [kind, "bob", ""]],
        "event log": str(tmp_path / "log"),
        "watch": {"port": 0},
        "watch linger": LIMIT,
    }
    stream: list[bytes] = []
    snapshot: list[bytes] = []
    server = ServerProcess(config)
    try:
        port = int(PAGE.search(wait_for_log_sync(server, "the page is at")[0])[1])
        watcher = threading.Thread(target=read_event_stream, args=(port, stream))
        watcher.start()
        sign_up_twice_in_one_write(server.port, name, token)
        wait_for_log_sync(server, "the page stays up", time_limit=LIMIT)
        read_event_stream(port, snapshot, until=rb"event: snapshot\nid: \d+\ndata: .*\n\n")
    finally:
        stop(server)
        watcher.join(LIMIT)
    finished = server.finish(LIMIT)
    tournament = next(path for path in (tmp_path / "log").iterdir() if path.is_dir())
    seen = {
        "stderr": finished.log,
        "events.ndjson": (tournament / "events.ndjson").read_text(),
        "results.json": (tournament / "results.json").read_text(),
        "the event stream": b"".join(stream).decode(),
        "its snapshot at the end": b"".join(snapshot).decode(),
        "stdout": finished.output,
    }
    assert json.loads(finished.output)
    for where, text in seen.items():
        if where != "stdout":
            assert "UnexpectedMessage" in text and "sign-up" in text, f"{where} does not tell the kick"
        leaked = {piece for piece in pieces(token) if piece in text}
        assert not leaked, f"{where} shows {leaked}"
