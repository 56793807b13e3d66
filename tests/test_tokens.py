"""The organiser's token generator (`python -m Remote.tokens`) as a real process, its folds, and where tokens may go.

The generator fills only empty tokens, with distinct secrets of at least 128
bits in the allowed alphabet; it keeps the others byte for byte, writes a
digest file whose digests match, prints no token, and refuses a bad file in
one line naming its line. A house player (xserver) or a player of `python
-m Admin` takes no token: they never sign up over the wire.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from Common.participant import is_token
from Common.strict import StructureError
from Remote.configuration import read_local_configuration, read_server_configuration
from Remote.game_registry import DEFAULT_GAME, GAMES
from Remote.loopback import PROJECT_ROOT, ServerProcess, run_clients
from Remote.tokens import HEADER, BadFile, Row, csv_text, fill, read_participants
from tests.game_conformance import kit_of

GENERATOR = [sys.executable, "-m", "Remote.tokens"]
LIMIT = 30.0
ALPHABET = re.compile(r"[A-Za-z0-9_-]+")
KEPT = {"bob": "bob-s_OWN-token-1234567890", "dan": "D" * 128}
"""Tokens the organiser wrote by hand: the generator must keep them as they are."""


def generate(*arguments: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*GENERATOR, *map(str, arguments)], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=LIMIT, stdin=subprocess.DEVNULL
    )


def participants_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "participants.csv"
    path.write_bytes(text.encode())
    return path


def rows_of(path: Path) -> list[tuple[str, str]]:
    lines = path.read_text().splitlines()
    return [tuple(line.split(",")) for line in lines[1:]]


def assert_no_token_in(finished: subprocess.CompletedProcess, tokens) -> None:
    for token in tokens:
        assert token not in finished.stdout and token not in finished.stderr


def test_it_fills_only_the_empty_tokens_with_distinct_long_secrets_and_keeps_the_others_byte_for_byte(tmp_path):
    path = participants_file(tmp_path, f"participant,token\nalice,\nbob,{KEPT['bob']}\ncat,\ndan,{KEPT['dan']}\neve,\n")
    finished = generate(path)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout == "filled 3 empty tokens of 5 participants\n" and finished.stderr == ""
    assert path.read_text().splitlines()[0] == "participant,token"
    tokens = dict(rows_of(path))
    assert list(tokens) == ["alice", "bob", "cat", "dan", "eve"]
    assert tokens["bob"] == KEPT["bob"] and tokens["dan"] == KEPT["dan"]
    fresh = [tokens[name] for name in ("alice", "cat", "eve")]
    assert len(set(fresh)) == 3 and not set(fresh) & set(KEPT.values())
    for token in fresh:
        assert ALPHABET.fullmatch(token) and is_token(token)
        assert len(token) * math.log2(64) >= 128  # each character of the alphabet carries 6 bits
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert_no_token_in(finished, tokens.values())
    assert [p.name for p in tmp_path.iterdir()] == ["participants.csv"]  # no temporary file left behind


def test_a_second_run_changes_nothing_and_a_new_row_gets_a_token_of_its_own(tmp_path):
    path = participants_file(tmp_path, "participant,token\nalice,\nbob,\n")
    assert generate(path).returncode == 0
    first = path.read_bytes()
    again = generate(path)
    assert again.returncode == 0 and again.stdout == f"filled 0 empty tokens of 2 participants; {path} is unchanged\n"
    assert path.read_bytes() == first
    path.write_bytes(first + b"cat,\n")
    assert generate(path).stdout == "filled 1 empty token of 3 participants\n"
    tokens = dict(rows_of(path))
    assert path.read_bytes().startswith(first) and len(set(tokens.values())) == 3


def test_the_digest_file_holds_the_sha256_of_every_token_and_no_token(tmp_path):
    path = participants_file(tmp_path, f"participant,token\nalice,\nbob,{KEPT['bob']}\n")
    digests = tmp_path / "digests.csv"
    finished = generate(path, "--digests", digests)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout == "filled 1 empty token of 2 participants; wrote digests for 2\n"
    tokens = dict(rows_of(path))
    lines = digests.read_text().splitlines()
    assert lines[0] == "participant,sha256"
    assert dict(line.split(",") for line in lines[1:]) == {
        name: hashlib.sha256(token.encode()).hexdigest() for name, token in tokens.items()
    }
    assert not any(token in digests.read_text() for token in tokens.values())
    assert_no_token_in(finished, tokens.values())


TOKEN = "s3cret_token-that-is-long-enough"


@pytest.mark.parametrize(
    "text, said",
    [
        ("", "empty file: expected the header participant,token on line 1"),
        ("alice,\nbob,\n", "line 1: expected the header participant,token"),
        ("participant,sha256\nalice,00\n", "line 1: a digest file (participant,sha256) holds no tokens to fill"),
        (f"participant,token\nalice,\nbob,{TOKEN}\nalice,\n", "line 4: participant 'alice' again (first on line 2)"),
        (
            "participant,token\nalice,\nbob,short\n",
            "line 3: the token of 'bob' must be 16 to 128 letters, digits, "
            "'_' or '-' or empty, got 5 characters (not shown: it is a secret)",
        ),
        (f"participant,token\nbob,{TOKEN} \n", "line 2: the token of 'bob' must be"),
        (f"participant,token\nbob,{'x' * 129}\n", "line 2: the token of 'bob' must be"),
        (f"participant,token\nalice,\n\nbob,{TOKEN},extra\n", "line 4: expected 2 fields, participant,token; got 3"),
        (f"participant,token\n{TOKEN}\n", "line 2: expected 2 fields, participant,token; got 1"),
        ("participant,token\nal ice,\n", "line 2: the participant's name must be"),
    ],
    ids=["empty", "no header", "digest file", "duplicate", "short token", "space", "long token", "three fields", "one field", "bad name"],
)
def test_a_bad_file_is_refused_in_one_line_naming_its_line_and_nothing_is_written(tmp_path, text, said):
    path = participants_file(tmp_path, text)
    digests = tmp_path / "digests.csv"
    finished = generate(path, "--digests", digests)
    assert finished.returncode == 2
    assert finished.stdout == ""
    assert finished.stderr.startswith(f"tokens: {path}")
    assert said in finished.stderr and finished.stderr.count("\n") == 1, finished.stderr
    assert path.read_bytes() == text.encode() and not digests.exists()
    assert_no_token_in(finished, [TOKEN, "short", "x" * 129])


def test_a_missing_file_and_a_digest_file_that_is_the_participants_file_are_refused_in_one_line(tmp_path):
    missing = generate(tmp_path / "nowhere.csv")
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "No such file" in missing.stderr
    path = participants_file(tmp_path, "participant,token\nalice,\n")
    same = generate(path, "--digests", path)
    assert same.returncode == 2 and same.stderr == f"tokens: {path}: the digest file cannot be the participants file\n"
    assert path.read_text() == "participant,token\nalice,\n"


def test_help_says_what_it_reads_writes_and_prints():
    finished = generate("--help")
    assert finished.returncode == 0 and finished.stderr == ""
    for words in (
        "participant,token",
        "--digests",
        "participant,sha256",
        "0600",
        "[Kind, Name, PathString, Token]",
        "Nothing secret is printed",
        "exit status",
    ):
        assert words in finished.stdout, words
    assert generate().returncode == 2  # no file named: argparse's usage line


# --- the folds ------------------------------------------------------------------------------------

names = st.lists(st.from_regex(r"[a-z][a-z0-9_-]{0,10}", fullmatch=True), unique=True, max_size=12)
kept_tokens = st.one_of(st.just(""), st.from_regex(r"[A-Za-z0-9_-]{16,40}", fullmatch=True))


@given(names.flatmap(lambda ns: st.tuples(st.just(ns), st.lists(kept_tokens, min_size=len(ns), max_size=len(ns)))))
def test_filling_keeps_every_row_but_the_empty_tokens_and_fills_those_with_valid_tokens_none_repeated(drawn):
    participants, tokens = drawn
    text = csv_text(HEADER, list(zip(participants, tokens, strict=True)))
    rows = read_participants(text, "p.csv")
    filled, count = fill(rows)
    assert count == tokens.count("")
    assert [row.participant for row in filled] == participants
    for before, after in zip(rows, filled, strict=True):
        assert after.token == before.token if before.token else is_token(after.token) and after.token not in tokens
    fresh = [after.token for before, after in zip(rows, filled, strict=True) if not before.token]
    assert len(set(fresh)) == len(fresh)
    assert read_participants(csv_text(HEADER, [(r.participant, r.token) for r in filled]), "p.csv") == [
        Row(r.participant, r.token, index + 2) for index, r in enumerate(filled)
    ]


def test_a_bad_token_message_never_holds_the_token():
    with pytest.raises(BadFile) as refused:
        read_participants(f"participant,token\nann,{TOKEN}!\n", "p.csv")
    assert TOKEN not in str(refused.value) and "line 2" in str(refused.value)


# --- where a token may not go ---------------------------------------------------------------------


def test_a_house_player_takes_no_token_it_never_signs_up_over_the_wire():
    config = {
        "min players": 2,
        "port": 0,
        "waiting for": 1,
        "repeat": 0,
        "house players": [["good", "ann", ""], ["good", "alice", "", TOKEN]],
    }
    with pytest.raises(StructureError) as refused:
        read_server_configuration(json.dumps(config), GAMES, DEFAULT_GAME)
    assert str(refused.value) == (
        "expected a player [kind, name, path] of 3 elements, got 4: only xclients' players take a token @ $.house players[1]"
    )
    assert TOKEN not in str(refused.value)


def test_a_player_of_a_local_tournament_takes_no_token():
    config = {"players": [["good", "alice", "", TOKEN]], "observers": []}
    with pytest.raises(StructureError, match=r"only xclients' players take a token @ \$\.players\[0\]"):
        read_local_configuration(json.dumps(config), GAMES, DEFAULT_GAME)


# --- the organiser's whole path: generate, serve the digests, play with the tokens ----------------


@pytest.mark.parametrize(
    "game, served_file",
    [(game, "digests.csv") for game in GAMES] + [(DEFAULT_GAME, "participants.csv")],
    ids=[*GAMES, f"{DEFAULT_GAME} with the tokens file"],
)
def test_generated_tokens_let_xclients_play_on_an_xserver_given_their_digests_or_the_tokens_file(tmp_path, game, served_file):
    kit = kit_of(GAMES[game])
    kinds, names = (kit.honest, kit.honest), kit.names
    participants = participants_file(tmp_path, "participant,token\n" + "".join(f"{name},\n" for name in names))
    digests = tmp_path / "digests.csv"
    generated = generate(participants, "--digests", digests)
    assert generated.returncode == 0, generated.stderr
    tokens = dict(rows_of(participants))
    server_config = {"game": game, "min players": 2, "waiting for": 3, "repeat": 0, "participants": str(tmp_path / served_file)}
    server_config |= kit.own
    server = ServerProcess(server_config)
    try:
        players = [[kind, name, "", tokens[name]] for kind, name in zip(kinds, names, strict=True)]
        clients = run_clients({"game": game, "players": players, "observers": []}, server.port, LIMIT)
        served = server.finish(LIMIT)
    finally:
        if server.process.poll() is None:
            server.process.kill()
    assert clients.status == 0 and served.status == 0, (clients.log, served.log)
    assert json.loads(served.output) not in ([], None, [[], []])
    (played,) = [line for line in served.log.splitlines() if " · encounter 1 of 1 · " in line]
    assert all(name in played for name in names)  # both signed up with their tokens and played the one encounter
    assert clients.json() not in ([], None)
    for token in tokens.values():
        assert token not in served.output + served.log + clients.output + clients.log


@pytest.mark.parametrize("text", ["participant,token\n{token},ann\n", "participant,token\n{token},\n{token},\n"], ids=["swapped", "twice"])
def test_a_token_in_the_name_column_is_never_shown(text):
    """A row with its columns swapped (or a token pasted as a name twice): refused naming the line, no piece of the token."""
    with pytest.raises(BadFile) as refused:
        read_participants(text.format(token=TOKEN), "p.csv")
    shown = str(refused.value)
    assert "line 2" in shown or "line 3" in shown
    assert not any(TOKEN[at : at + 6] in shown for at in range(len(TOKEN) - 5))
