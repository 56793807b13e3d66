"""The participants file read strictly, and sign-ups judged by name and token, per address and name."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from Common.ipd.names import is_name as ipd_name
from Common.santorini.names import is_name as santorini_name
from Remote.participants import MAX_FAILURES, Participants, ParticipantsError, is_token, parse_participants, read_participants

ALICE, BOB = "A" * 16 + "alice-token_0001", "B" * 20 + "bob"
HERE, THERE = "10.0.0.1", "10.0.0.2"


def participants(text: str, is_name=santorini_name) -> Participants:
    return parse_participants(text, "people.csv", is_name, "the rule")


def sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


TOKENS = f"participant,token\nalice,{ALICE}\nbob,{BOB}\n"


def test_a_file_of_tokens_keeps_only_their_digests():
    read = participants(TOKENS)
    assert set(read.digests) == {"alice", "bob"}
    assert read.digests["alice"] == hashlib.sha256(ALICE.encode()).digest()
    assert ALICE not in repr(read) and ALICE.encode() not in b"".join(read.digests.values())


def test_a_file_of_digests_reads_as_the_same_participants():
    hashed = participants(f"participant,sha256\nalice,{sha(ALICE)}\nbob,{sha(BOB).upper()}\n")
    assert hashed.digests == participants(TOKENS).digests


def test_crlf_lines_a_byte_order_mark_and_blank_lines_are_fine(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(b"\xef\xbb\xbfparticipant,token\r\nalice," + ALICE.encode() + b"\r\n\r\n")
    assert set(read_participants(path, santorini_name, "rule").digests) == {"alice"}


def test_the_ipd_name_rule_takes_capitals_that_santorini_refuses():
    text = f"participant,token\nAlice_1,{ALICE}\n"
    assert set(participants(text, ipd_name).digests) == {"Alice_1"}
    with pytest.raises(ParticipantsError, match="line 2: 'Alice_1' is not a name of this game"):
        participants(text)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "line 1: expected the header participant,token or participant,sha256, got nothing"),
        (f"alice,{ALICE}\n", "line 1: expected the header"),
        (f"participant,secret\nalice,{ALICE}\n", "line 1: expected the header"),
        (f"participant,token\nalice,{ALICE},x\n", "line 2: expected 2 fields"),
        (f"participant,token\nalice,{ALICE}\nbob\n", "line 3: expected 2 fields"),
        (f"participant,token\nalice,{ALICE}\nalice,{BOB}\n", "line 3: alice is a participant already"),
        ("participant,token\nalice,\n", "line 2: alice has an empty token; `python -m Remote.tokens FILE` fills"),
        ("participant,token\nalice,short\n", "line 2: the token of alice is not 16 to 128 letters, digits, '_' or '-'"),
        (f"participant,token\nalice,{'x' * 129}\n", "line 2: the token of alice is not 16 to 128"),
        (f"participant,token\nalice,{ALICE[:-1]}!\n", "line 2: the token of alice is not 16 to 128"),
        (f"participant,sha256\nalice,{sha(ALICE)[:-1]}\n", "line 2: the sha256 of alice is not 64 hexadecimal digits"),
        (f"participant,sha256\nalice,{ALICE}\n", "line 2: the sha256 of alice is not"),
        (f"participant,token\nAlice,{ALICE}\n", "line 2: 'Alice' is not a name of this game"),
        (f'participant,token\n"alice,{ALICE}\n', "not CSV"),
    ],
)
def test_a_bad_file_is_refused_in_one_line_naming_the_line_and_never_the_token(text, message):
    with pytest.raises(ParticipantsError, match=message) as refused:
        participants(text)
    shown = str(refused.value)
    assert shown.startswith("people.csv line ") and "\n" not in shown
    assert ALICE not in shown and ALICE[:-1] not in shown and BOB not in shown


def test_a_missing_file_is_refused_in_one_line(tmp_path):
    with pytest.raises(ParticipantsError, match=r"cannot read the participants file .*missing\.csv"):
        read_participants(tmp_path / "missing.csv", santorini_name, "rule")


def test_the_right_token_signs_up_its_participant():
    assert participants(TOKENS).judge(["sign-up", "alice", ALICE], HERE).name == "alice"


@pytest.mark.parametrize(
    "message, refusal",
    [
        ("alice", 'the sign-up of "alice" from 10.0.0.1 was refused: a bare name'),
        (["sign-up", "alice", BOB], 'the sign-up of "alice" from 10.0.0.1 was refused: a wrong token'),
        (["sign-up", "alice", ALICE[:-1] + "x"], '"alice" from 10.0.0.1 was refused: a wrong token'),
        (["sign-up", "carl", ALICE], 'the sign-up of "carl" from 10.0.0.1 was refused: not a participant'),
        (["sign-up", "alice", "short"], '"alice" from 10.0.0.1 was refused: a string of 5 characters that is not a token'),
        (["sign-up", "alice", ALICE + "!"], "that is not a token"),
        (["sign-up", "alice", 5], '"alice" from 10.0.0.1 was refused: a number that is not a token'),
        (["signup", "alice", ALICE], '"alice" from 10.0.0.1 was refused: a list of 3 elements, not ["sign-up", Name, Token]'),
        (["sign-up", "alice", ALICE, {}, ALICE], "a list of 5 elements"),
        (["sign-up", "alice", ALICE, "bob"], 'its options must be a JSON object, got "bob"'),
        (["sign-up", "alice", ALICE, ALICE], "its options hold its token (not shown)"),
        (["sign-up", "alice", ALICE, {"opponent": ALICE}], "its options hold its token (not shown)"),
        (["sign-up", "alice"], "a list of 2 elements"),
        ({"sign-up": ALICE}, "the sign-up of no name from 10.0.0.1 was refused: an object"),
        (None, "null"),
        (ALICE, "the sign-up of a name shaped like a token (not shown: 32 characters) from 10.0.0.1 was refused: a bare name"),
        (["sign-up", ALICE, BOB], "a name shaped like a token (not shown: 32 characters) from 10.0.0.1 was refused: not a"),
    ],
)
def test_every_other_first_message_is_refused_naming_name_and_address_without_showing_a_token(message, refusal):
    verdict = participants(TOKENS).judge(message, HERE)
    assert verdict.name is None and refusal in verdict.refusal
    assert ALICE not in verdict.refusal and BOB not in verdict.refusal and ALICE[:-1] not in verdict.refusal


@given(st.text(min_size=16, max_size=200))
def test_no_refusal_ever_shows_the_token_it_was_sent(token):
    verdict = participants(TOKENS).judge(["sign-up", "alice", token], HERE)
    assert verdict.name is None or token == ALICE
    assert verdict.refusal is None or token not in verdict.refusal


@given(st.from_regex(r"[A-Za-z0-9_-]{16,128}", fullmatch=True))
def test_a_token_sent_where_the_name_belongs_is_never_shown(token):
    for message in (token, ["sign-up", token, ALICE], ["signup", token, ALICE], ["sign-up", token]):
        refusal = participants(TOKENS).judge(message, HERE).refusal
        assert token not in refusal and "from 10.0.0.1 was refused" in refusal


def test_five_failures_lock_that_name_out_from_that_address_only_until_the_next_window():
    read = participants(TOKENS)
    refusals = [read.judge(["sign-up", "alice", BOB], HERE).refusal for _ in range(MAX_FAILURES)]
    assert "refused at once until the window closes" in refusals[-1]
    assert all("refused at once" not in refusal for refusal in refusals[:-1])
    assert "refused at once" in read.judge(["sign-up", "alice", ALICE], HERE).refusal
    assert read.judge(["sign-up", "alice", ALICE], THERE).name == "alice"  # another address
    assert read.judge(["sign-up", "bob", BOB], HERE).name == "bob"  # another name behind the same address
    read.new_window()
    assert read.judge(["sign-up", "alice", ALICE], HERE).name == "alice"


def test_bare_names_count_as_failures_of_that_participant():
    read = participants(TOKENS)
    for _ in range(MAX_FAILURES):
        read.judge("alice", HERE)
    assert "refused at once" in read.judge(["sign-up", "alice", ALICE], HERE).refusal
    assert "refused at once" in read.judge("alice", HERE).refusal


def test_unknown_names_and_shapeless_values_lock_nobody_out():
    read = participants(TOKENS)
    for _ in range(10 * MAX_FAILURES):
        read.judge(["sign-up", "carl", ALICE], HERE)
        read.judge(["signup", "alice", ALICE], HERE)
        read.judge("carl", HERE)
    assert read.judge(["sign-up", "alice", ALICE], HERE).name == "alice"


@given(st.text(max_size=140) | st.from_regex(r"[A-Za-z0-9_-]{10,135}", fullmatch=True))
def test_a_token_is_16_to_128_letters_digits_underscores_or_hyphens(value):
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
    assert is_token(value) == (16 <= len(value) <= 128 and set(value) <= allowed)


@pytest.mark.parametrize("is_name", [santorini_name, ipd_name], ids=["santorini names", "ipd names"])
@pytest.mark.parametrize("token", [ALICE, "Q" * 16, "a1" * 64], ids=["a token", "the shortest", "the longest"])
def test_a_row_with_its_columns_swapped_is_refused_without_showing_the_token(is_name, token):
    """The organiser put the token where the name goes: the line says so, and shows no piece of the token."""
    with pytest.raises(ParticipantsError) as refused:
        parse_participants(f"participant,token\n{token},alice\n", "people.csv", is_name, "the rule")
    shown = str(refused.value)
    assert "line 2" in shown and "\n" not in shown
    assert not any(token[at : at + 6] in shown for at in range(len(token) - 5))
