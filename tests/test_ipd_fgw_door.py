"""The fgw door's judgement (Remote/ipd/fgw_door.py) and its match ids (Remote/ipd/fgw_matches.py)."""

from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from Common.ipd.names import is_name
from Common.strict import StructureError
from Remote.configuration import ServerConfiguration, read_server_configuration
from Remote.game_registry import GAMES
from Remote.ipd.fgw_door import Admitted, Refused, judge_request
from Remote.ipd.fgw_matches import MATCH_ID, FgwMatches, new_matches, players_with_several, read_records, records_text
from Remote.participants import Participants, parse_participants

ALICE_TOKEN = "jnGnWueNqxjqKJgiq9FeZXYVOkPjFPdj"
BOB_TOKEN = "Q2w3e4r5t6y7u8i9o0pAsDfGhJkLzXcV"
CAROL_TOKEN = "zz" * 16
PAIRINGS = [("alice", "bob"), ("carol", "dave")]


def participants() -> Participants:
    text = f"participant,token\nalice,{ALICE_TOKEN}\nbob,{BOB_TOKEN}\ncarol,{CAROL_TOKEN}\ndave,{'d' * 32}\n"
    return parse_participants(text, "participants.csv", is_name, "the rule")


def judge(matches: FgwMatches, path: str, name: str | None, token: str | None, played: set[str] | None = None) -> Admitted | Refused:
    query = {} if name is None else {"participant": [name]}
    return judge_request(path, query, token, "127.0.0.1", matches, participants(), played or set())


def test_a_participant_of_the_match_with_its_token_is_admitted_as_its_sign_up() -> None:
    matches = new_matches(PAIRINGS)
    first = matches.matches[0]
    verdict = judge(matches, f"/{first.match_id}", "bob", BOB_TOKEN)
    assert verdict == Admitted(["sign-up", "bob", BOB_TOKEN], first)


@pytest.mark.parametrize(
    "case",
    ["unknown match", "not in that match", "wrong token", "no token", "bad characters", "no participant", "two participants", "played"],
)
def test_every_other_request_is_refused_and_the_log_line_says_why_without_the_token(case: str) -> None:
    matches = new_matches(PAIRINGS)
    alices, carols = matches.matches[0].match_id, matches.matches[1].match_id
    path, name, played = f"/{alices}", "alice", set()
    token: str | None = ALICE_TOKEN
    query: dict[str, list[str]] | None = None
    if case == "unknown match":
        path = f"/{uuid.uuid4()}"
    elif case == "not in that match":
        path = f"/{carols}"
    elif case == "wrong token":
        token = BOB_TOKEN
    elif case == "no token":
        token = None
    elif case == "bad characters":
        path = f"/{alices}!"
    elif case == "no participant":
        query = {}
    elif case == "two participants":
        query = {"participant": ["alice", "bob"]}
    else:
        played = {alices}
    verdict = judge_request(path, {"participant": [name]} if query is None else query, token, "10.0.0.7", matches, participants(), played)
    assert isinstance(verdict, Refused)
    assert "10.0.0.7" in verdict.why
    for secret in (ALICE_TOKEN, BOB_TOKEN, CAROL_TOKEN):
        assert secret not in verdict.why
    if case == "unknown match":
        assert path[1:] not in verdict.why


@given(st.text(max_size=60), st.text(max_size=60))
def test_no_path_or_name_but_a_listed_ones_is_admitted(path: str, name: str) -> None:
    matches = new_matches(PAIRINGS)
    verdict = judge(matches, path, name, ALICE_TOKEN)
    assert isinstance(verdict, Refused) or (path[1:], name) == (matches.matches[0].match_id, "alice")


def test_match_ids_are_distinct_uuids_and_the_records_file_reads_back_the_same_matches() -> None:
    pairings = [("alice", "bob"), ("carol", "dave"), ("bob", "alice")]
    matches = new_matches(pairings)
    assert all(MATCH_ID.fullmatch(match.match_id) for match in matches)
    assert len({match.match_id for match in matches}) == 3
    text = records_text(matches)
    assert text.splitlines()[0] == f"{matches.matches[0].match_id},alice,bob"
    assert read_records(text, pairings) == matches
    assert matches.of("alice", "bob", 1) == matches.matches[2]  # the second listing of the pair: its second meeting


def test_a_records_file_of_other_pairings_is_refused_naming_its_line() -> None:
    text = records_text(new_matches(PAIRINGS))
    with pytest.raises(ValueError, match=r"tournament_records.txt line 2: carol vs dave, but the pairing listed there is carol vs erin"):
        read_records(text, [("alice", "bob"), ("carol", "erin")])
    with pytest.raises(ValueError, match="lists 2 matches, the configuration's pairings 1"):
        read_records(text, [("alice", "bob")])
    with pytest.raises(ValueError, match="line 1: expected uuid,A,B"):
        read_records("not-a-uuid,alice,bob\n", [("alice", "bob")])


def test_players_listed_in_several_pairings_are_named() -> None:
    assert players_with_several([("a", "b"), ("c", "a"), ("b", "d")]) == ["a", "b"]


def fgw_configuration(**keys: object) -> ServerConfiguration:
    config = {
        "game": "ipd",
        "min players": 2,
        "port": 0,
        "waiting for": 1,
        "repeat": 0,
        "participants": "participants.csv",
        "websocket": {"port": 0, "fgw": True},
        "format": {"kind": "pairings", "pairings": [["alice", "bob"]]},
        **keys,
    }
    return read_server_configuration(json.dumps(config), GAMES, "santorini")


def test_with_the_door_a_match_has_100_rounds_and_min_rounds_follows_max_rounds_unless_configured() -> None:
    rounds = [
        (settings.min_rounds, settings.max_rounds)
        for settings in (
            fgw_configuration().settings.game,
            fgw_configuration(**{"max rounds": 20}).settings.game,
            fgw_configuration(**{"min rounds": 50}).settings.game,
        )
    ]
    assert rounds == [(100, 100), (20, 20), (50, 100)]
    without = read_server_configuration(
        json.dumps({"game": "ipd", "min players": 2, "port": 0, "waiting for": 1, "repeat": 0}), GAMES, "ipd"
    )
    assert (without.settings.game.min_rounds, without.settings.game.max_rounds) == (1, 2000)  # the IPD's own defaults, without the door


def test_the_door_refuses_a_participant_in_two_pairings_naming_them() -> None:
    with pytest.raises(StructureError, match=r"listed more than once: bob @ \$\.format\.pairings"):
        fgw_configuration(format={"kind": "pairings", "pairings": [["alice", "bob"], ["bob", "carol"]]})
