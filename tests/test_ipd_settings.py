"""The IPD's configuration keys: defaults, every check, and one-line errors that name the key."""

from __future__ import annotations

import re
from typing import Any

import ipd_strategies as ips
import pytest
from hypothesis import given

from Common.ipd.scoring import Payoffs
from Common.ipd.settings import SETTINGS_KEYS, IPDSettings, read_settings, register_settings
from Common.strict import StructureError, strict_converter
from Common.strict import structure as structure_with

_PATH = re.compile(r" @ (\$(?:\[\d+\]|\.[^.\[;]+)*)(?=; |$)")


def refusal(data: Any) -> tuple[str, list[str]]:
    """The one-line message with which `data` is refused, and the paths it names."""
    with pytest.raises(StructureError) as caught:
        read_settings(data)
    message = str(caught.value)
    assert "\n" not in message
    return message, _PATH.findall(message)


def test_no_key_gives_the_contracts_defaults() -> None:
    settings = read_settings({})
    assert settings == IPDSettings()
    assert settings.payoffs == Payoffs(reward=3, sucker=0, temptation=5, punishment=1)
    assert (settings.min_rounds, settings.end_probability, settings.max_rounds) == (1, 0.00346, 2000)
    assert settings.seed is None and settings.pairings is None
    assert (settings.noise, settings.time_per_move, settings.forfeits_allowed, settings.repetitions) == (0, 1, 3, 1)


def test_every_key_is_read() -> None:
    data = {
        "payoffs": {"R": 4, "S": -1, "T": 6, "P": 0},
        "min rounds": 200,
        "end probability": 0.5,
        "max rounds": 200,
        "seed": 12345678901234567890,
        "noise": 1,
        "time per move": 0.25,
        "forfeits allowed": 0,
        "repetitions": 3,
        "pairings": [["alice", "Bob"], ["Bob", "alice"], ["alice", "Bob"]],
    }
    assert set(data) == SETTINGS_KEYS
    assert read_settings(data) == IPDSettings(
        payoffs=Payoffs(4, -1, 6, 0),
        min_rounds=200,
        end_probability=0.5,
        max_rounds=200,
        seed=12345678901234567890,
        noise=1.0,
        time_per_move=0.25,
        forfeits_allowed=0,
        repetitions=3,
        pairings=(("alice", "Bob"), ("Bob", "alice"), ("alice", "Bob")),
    )


def test_numbers_are_kept_as_floats_where_the_key_is_a_number() -> None:
    settings = read_settings({"noise": 0, "end probability": 1, "time per move": 2})
    assert type(settings.noise) is float and type(settings.end_probability) is float
    assert type(settings.time_per_move) is float


@ips.QUICK
@given(ips.payoffs())
def test_any_prisoners_dilemma_is_accepted(payoffs: Payoffs) -> None:
    data = {"R": payoffs.reward, "S": payoffs.sucker, "T": payoffs.temptation, "P": payoffs.punishment}
    assert read_settings({"payoffs": data}).payoffs == payoffs


@pytest.mark.parametrize(
    ("payoffs", "fails"),
    [
        ({"R": 3, "S": 0, "T": 3, "P": 1}, "T > R > P > S"),
        ({"R": 3, "S": 0, "T": 5, "P": 3}, "T > R > P > S"),
        ({"R": 3, "S": 1, "T": 5, "P": 1}, "T > R > P > S"),
        ({"R": 1, "S": 0, "T": 5, "P": 3}, "T > R > P > S"),
        ({"R": 3, "S": 0, "T": 6, "P": 1}, "2R > T + S"),
        ({"R": 3, "S": 0, "T": 7, "P": 1}, "2R > T + S"),
    ],
)
def test_payoffs_that_are_no_prisoners_dilemma_are_refused_naming_the_key(payoffs: dict, fails: str) -> None:
    message, paths = refusal({"payoffs": payoffs})
    assert paths == ["$.payoffs"]
    assert f"{fails} fails" in message
    with pytest.raises(ValueError):
        Payoffs(payoffs["R"], payoffs["S"], payoffs["T"], payoffs["P"])


@pytest.mark.parametrize(
    ("payoffs", "path"),
    [
        ({"R": 3, "S": 0, "T": 5}, "$.payoffs.P"),
        ({"R": 3.0, "S": 0, "T": 5, "P": 1}, "$.payoffs.R"),
        ({"R": 3, "S": "0", "T": 5, "P": 1}, "$.payoffs.S"),
        ({"R": 3, "S": 0, "T": True, "P": 1}, "$.payoffs.T"),
        ({"R": 3, "S": 0, "T": 5, "P": 1, "Q": 2}, "$.payoffs"),
        ({"r": 3, "S": 0, "T": 5, "P": 1}, "$.payoffs.R"),
        ([3, 0, 5, 1], "$.payoffs"),
    ],
)
def test_payoffs_are_an_object_of_four_whole_numbers(payoffs: Any, path: str) -> None:
    _, paths = refusal({"payoffs": payoffs})
    assert path in paths


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("min rounds", 0),
        ("min rounds", 1.0),
        ("min rounds", "1"),
        ("max rounds", 0),
        ("max rounds", True),
        ("end probability", 1.5),
        ("end probability", -0.1),
        ("end probability", "0.5"),
        ("seed", -1),
        ("seed", 1.5),
        ("seed", None),
        ("seed", "42"),
        ("noise", 2),
        ("noise", -0.5),
        ("noise", True),
        ("time per move", 0),
        ("time per move", -1),
        ("time per move", 1e400),
        ("time per move", "1"),
        ("forfeits allowed", -1),
        ("forfeits allowed", 3.0),
        ("repetitions", 0),
        ("repetitions", False),
        ("pairings", "alice,bob"),
        ("pairings", None),
        ("pairings", {"alice": "bob"}),
    ],
)
def test_a_bad_value_is_refused_naming_its_key(key: str, value: Any) -> None:
    message, paths = refusal({key: value})
    assert paths == [f"$.{key}"]
    assert message.endswith(f"@ $.{key}")


def test_min_rounds_above_max_rounds_is_refused_naming_min_rounds() -> None:
    message, paths = refusal({"min rounds": 10, "max rounds": 9})
    assert paths == ["$.min rounds"]
    assert '"max rounds" (9)' in message
    _, paths = refusal({"min rounds": 2001})
    assert paths == ["$.min rounds"]
    with pytest.raises(ValueError):
        IPDSettings(min_rounds=10, max_rounds=9)


def test_min_rounds_equal_to_max_rounds_is_a_fixed_length() -> None:
    settings = read_settings({"min rounds": 200, "max rounds": 200})
    assert settings.horizon.min_rounds == settings.horizon.max_rounds == 200


@pytest.mark.parametrize(
    ("pairings", "path"),
    [
        ([["alice", "alice"]], "$.pairings[0]"),
        ([["alice", "bob"], ["bob"]], "$.pairings[1]"),
        ([["alice", "bob", "carl"]], "$.pairings[0]"),
        ([["alice", "bob"], ["bob", "no one"]], "$.pairings[1][1]"),
        (["alice"], "$.pairings[0]"),
    ],
)
def test_a_pairing_names_two_different_players(pairings: Any, path: str) -> None:
    _, paths = refusal({"pairings": pairings})
    assert paths == [path]


def test_self_play_is_refused_in_so_many_words() -> None:
    message, _ = refusal({"pairings": [["alice", "alice"]]})
    assert "no self-play" in message


@pytest.mark.parametrize("key", ["best of", "colour", "Noise", "min_rounds"])
def test_a_key_that_is_not_the_ipds_is_refused_by_name(key: str) -> None:
    message, paths = refusal({key: 1})
    assert paths == ["$"]
    assert f'unknown key "{key}"' in message


def test_every_problem_is_reported_with_its_key() -> None:
    _, paths = refusal({"noise": 2, "repetitions": 0, "seed": "x"})
    assert sorted(paths) == ["$.noise", "$.repetitions", "$.seed"]


def test_the_keys_register_on_any_strict_converter() -> None:
    converter = strict_converter()
    register_settings(converter)
    assert structure_with({"noise": 0.5}, IPDSettings, converter) == IPDSettings(noise=0.5)
    with pytest.raises(StructureError, match=r"@ \$\.min rounds$"):
        structure_with({"min rounds": 3, "max rounds": 2}, IPDSettings, converter)


@ips.QUICK
@given(ips.ipd_settings())
def test_settings_read_back_from_their_keys(settings: IPDSettings) -> None:
    p = settings.payoffs
    data = {
        "payoffs": {"R": p.reward, "S": p.sucker, "T": p.temptation, "P": p.punishment},
        "min rounds": settings.min_rounds,
        "end probability": settings.end_probability,
        "max rounds": settings.max_rounds,
        "seed": settings.seed,
        "noise": settings.noise,
        "forfeits allowed": settings.forfeits_allowed,
    }
    assert read_settings(data) == settings
