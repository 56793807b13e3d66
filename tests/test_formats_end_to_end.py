"""The formats end to end over TCP, every game of the registry: a Swiss, a knock-out and a gauntlet with an SPRT, killed and resumed.

Each scenario is played by real processes: xserver with an event log, and
one xclients process with every player. First uninterrupted, for its
Results, its results.json and what its log says (the Swiss's last round,
the bracket's winner, the SPRT's verdict). Then again, xserver killed
(SIGKILL, through `CRASH_VARIABLE`) right after an event drawn at random
among those from the first stage event on, and started again with
`"resume": true` and the same players' xclients: the Results printed, by
xserver and by xclients, and results.json's `format` and `ratings` are the
uninterrupted run's. The draw is seeded; every assertion message names the
seed, and `FORMATS_KILL_SEED=N` replays it.

The players of the Swiss and the knock-out are the game's honest built-in
kinds, in turn; the gauntlet's candidate and opponent are a strong and a
weak player of each game, which no Game says: `GAUNTLET_PLAYERS`, with the
short settings of each game, is this file's one per-game table (a game
without an entry fails, naming it). Every wait is bounded and waits for
something the programs do.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest

from Remote.event_log_reader import read_events
from Remote.event_log_writer import EVENTS_FILE
from Remote.exports import RESULTS_JSON
from Remote.game_description import Game
from Remote.game_registry import DEFAULT_GAME, GAMES
from Remote.loopback import Finished, ServerProcess
from Remote.xserver import CRASH_VARIABLE
from tests.game_conformance import kit_of
from tests.processes import start_xclients
from tests.raw_client import stop

LIMIT = 60.0
"""Seconds any one process may take before the test fails (a bound, not a measure)."""
WINDOW = 30.0
"""Seconds of sign-up; the window closes as soon as every player has signed up ("max players")."""
SEED_VARIABLE = "FORMATS_KILL_SEED"
"""Set it to replay the kill of a failed run: the seed its assertion message names."""
NAMES = ("ann", "bob", "cat", "dan", "eve", "fay", "gus", "hal", "ida", "jon", "kim", "lea", "max", "ned", "oli", "pam")
"""Sixteen names that every game's name rule allows, in sign-up order."""
SPRT = {"elo0": 0, "elo1": 200, "alpha": 0.1, "beta": 0.1}
GAUNTLET_CYCLES = 40


@attrs.frozen
class GameSettings:
    """What the scenarios need of one game that its Game does not say."""

    own: dict[str, Any]
    """The game's own keys for short encounters (a seed where it draws, so that two runs play alike)."""
    strong: tuple[str, str]
    """The gauntlet's candidate: a kind and a player file ("" the built-in one), which beats `weak` every time."""
    weak: tuple[str, str]
    """The gauntlet's opponent: plays by the rules, and loses to `strong` from either side."""


GAUNTLET_PLAYERS: dict[str, GameSettings] = {
    "santorini": GameSettings(own={"best of": 1}, strong=("good", ""), weak=("good", "Player/santorini/example_player.py")),
    "ipd": GameSettings(own={"seed": 7, "min rounds": 4, "max rounds": 6}, strong=("defector", ""), weak=("cooperator", "")),
    "fish": GameSettings(own={"rows": 4, "columns": 4, "seed": 7}, strong=("greedy", ""), weak=("greedy", "Player/fish/example_player.py")),
}
"""The one per-game table of this file: short settings, and a strong and a weak player for the SPRT to tell apart."""


def settings_of(game: Game) -> GameSettings:
    """The game's entry in GAUNTLET_PLAYERS; the test fails naming what is missing when it has none."""
    if game.name not in GAUNTLET_PLAYERS:
        pytest.fail(f'{__name__}: GAUNTLET_PLAYERS has no entry for the game "{game.name}": a new game fills one in', pytrace=False)
    return GAUNTLET_PLAYERS[game.name]


@attrs.frozen
class Scenario:
    """One event: its format and its players (entries of xclients' `"players"`)."""

    format: dict[str, Any]
    players: list[list[str]]


def honest_field(game: Game, count: int) -> list[list[str]]:
    """`count` players of the game's honest built-in kinds, taken in turn."""
    kinds = game.players.honest
    return [[kinds[number % len(kinds)], NAMES[number], ""] for number in range(count)]


def swiss(game: Game) -> Scenario:
    return Scenario({"kind": "swiss", "rounds": 4}, honest_field(game, 16))


def knock_out(game: Game) -> Scenario:
    return Scenario({"kind": "knock-out"}, honest_field(game, 9))


def gauntlet(game: Game) -> Scenario:
    settings = settings_of(game)
    (strong_kind, strong_file), (weak_kind, weak_file) = settings.strong, settings.weak
    players = [[strong_kind, "ann", strong_file], [weak_kind, "bob", weak_file]]
    return Scenario({"kind": "gauntlet", "candidates": ["ann"], "cycles": GAUNTLET_CYCLES, "sprt": SPRT}, players)


SCENARIOS: dict[str, Callable[[Game], Scenario]] = {"swiss": swiss, "knock-out": knock_out, "gauntlet": gauntlet}


@attrs.frozen
class Run:
    """One xserver life and its xclients: what each printed, and the tournament's events and results.json (if it logged any)."""

    server: Finished
    clients: Finished
    events: list[dict[str, Any]]
    exported: dict[str, Any] | None


def server_configuration(game: Game, scenario: Scenario, log: Path) -> dict[str, Any]:
    count = len(scenario.players)
    window = {"min players": count, "max players": count, "waiting for": WINDOW, "repeat": 0, "time per call": 5}
    return window | {"game": game.name, "format": scenario.format, "event log": str(log), **settings_of(game).own}


def start_clients(game: Game, players: list[list[str]], port: int) -> subprocess.Popen:
    return start_xclients({"game": game.name, "players": players, "observers": [], "ip": "127.0.0.1", "port": port})


def run(
    game: Game, configuration: dict[str, Any], players: list[list[str]], monkeypatch: pytest.MonkeyPatch, crash_after: int | None = None
) -> Run:
    """xserver on `configuration` (killed right after event `crash_after`, if given), and xclients with `players`, both to their end."""
    with monkeypatch.context() as environment:
        if crash_after is not None:
            environment.setenv(CRASH_VARIABLE, str(crash_after))
        server = ServerProcess(configuration)
    try:
        clients = start_clients(game, players, server.port)
        try:
            output, log = clients.communicate(timeout=LIMIT)
        finally:
            if clients.poll() is None:
                clients.kill()
                clients.wait(LIMIT)
        served = server.finish(LIMIT)
    finally:
        stop(server)
    tournament = tournament_directory(Path(configuration["event log"]))
    events = read_events(tournament / EVENTS_FILE)[0]
    exported = json.loads((tournament / RESULTS_JSON).read_text()) if (tournament / RESULTS_JSON).exists() else None
    return Run(served, Finished(clients.returncode, output, log), events, exported)


def tournament_directory(log: Path) -> Path:
    """The one tournament of the event log `log`."""
    (tournament,) = [entry for entry in log.iterdir() if entry.is_dir()]
    return tournament


def of_type(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """The events of type `kind`, in order."""
    return [event for event in events if event["type"] == kind]


def check_the_event(kind: str, scenario: Scenario, played: Run, said: str) -> None:
    """What a user notices of a finished event of `kind`: its stages, its summary in results.json and in the log, every player rated.

    `played` is the uninterrupted run, or the resumed one (its log then holds the events from before the kill too).
    """
    names = [name for _, name, _ in scenario.players]
    exported = played.exported
    assert exported is not None and exported["finished"], said
    assert sorted(row["name"] for row in exported["ratings"]) == sorted(names), f"every player who signed up is rated; {said}"
    stages = of_type(played.events, "stage")
    ended = of_type(played.events, "encounter-end")
    if kind == "swiss":
        assert [stage["label"] for stage in stages] == [f"Swiss round {number} of 4" for number in range(1, 5)], said
        pairs = [frozenset(pair) for stage in stages for pair in stage["pairings"]]
        assert len(pairs) == 32 and len(set(pairs)) == 32, f"a pair met twice in the Swiss; {said}"
        for stage in stages:
            assert sorted(name for pair in stage["pairings"] for name in pair) == sorted(names), f"{stage}; {said}"
        assert exported["format"]["kind"] == "swiss" and "swiss standings:" in played.server.log, said
    elif kind == "knock-out":
        assert len(ended) == 8 and len({event["encounter"] for event in ended}) == 8, f"9 players, 8 encounters; {said}"
        first_round = stages[0]
        assert first_round["label"] == "knock-out round 1 of 4" and sorted(first_round["byes"]) == sorted(names[:7]), (
            f"byes for the top seeds; {said}"
        )
        assert first_round["pairings"] == [[names[7], names[8]]], said
        assert stages[-1]["label"] == "knock-out round 4 of 4 (final)", said
        winner = exported["players"][exported["format"]["winner"]]["assigned"]
        assert winner in stages[-1]["pairings"][0], f"the winner {winner} did not play the final; {said}"
        table = played.server.log.split("knock-out standings:\n", 1)[1].splitlines()
        assert table[1].split()[:2] == ["1", winner], f"the log's table names the winner first; {said}"
    else:
        sprt = exported["format"]["sprt"]
        assert sprt["verdict"] == "H1", f"the strong candidate was not told apart: {sprt}; {said}"
        assert len(ended) < GAUNTLET_CYCLES and sprt["pairs"] < GAUNTLET_CYCLES // 2, f"the SPRT did not stop early; {said}"
        assert len(ended) == 2 * sprt["pairs"] == 2 * len(stages), said
        assert "SPRT: H1 accepted (LLR " in played.server.log, said


def stage_lines(played: Run) -> list[str]:
    """The log line each stage event should have: `Swiss round 2 of 4: 8 encounters`, with its byes."""
    lines = []
    for stage in of_type(played.events, "stage"):
        count = len(stage["pairings"])
        bye = f" (bye: {', '.join(stage['byes'])})" if stage["byes"] else ""
        lines.append(f"{stage['label']}: {count} encounter{'' if count == 1 else 's'}{bye}")
    return lines


def without_times(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events without their seq and time, which differ between two runs of one event."""
    return [{key: value for key, value in event.items() if key not in ("seq", "t")} for event in events]


def kill_seed() -> int:
    """The seed of the kill's draw: FORMATS_KILL_SEED's, or a fresh one."""
    given = os.environ.get(SEED_VARIABLE)
    return int(given) if given else random.SystemRandom().randrange(2**32)


@pytest.mark.parametrize("kind", list(SCENARIOS))
@pytest.mark.parametrize("game", sorted(GAMES))
def test_an_event_killed_after_a_random_event_resumes_to_the_uninterrupted_results(game, kind, tmp_path, monkeypatch):
    scenario = SCENARIOS[kind](GAMES[game])
    reference = run(GAMES[game], server_configuration(GAMES[game], scenario, tmp_path / "reference"), scenario.players, monkeypatch)
    assert (reference.server.status, reference.clients.status) == (0, 0), reference.server.log + reference.clients.log
    expected = reference.server.json()
    assert reference.clients.json() == kit_of(GAMES[game]).received(expected), "xclients prints the Results xserver printed"
    check_the_event(kind, scenario, reference, f"{game} {kind}, uninterrupted")
    assert all(line in reference.server.log for line in stage_lines(reference)), reference.server.log

    seed = kill_seed()
    events = reference.events
    first_stage = of_type(events, "stage")[0]["seq"]
    crash_after = random.Random(seed).randint(first_stage, len(events) - 1)
    said = f"{game} {kind} killed after event {crash_after} of {len(events)}; replay: {SEED_VARIABLE}={seed}"
    logged = server_configuration(GAMES[game], scenario, tmp_path / "killed")
    killed = run(GAMES[game], logged, scenario.players, monkeypatch, crash_after=crash_after)
    assert killed.server.status == -signal.SIGKILL and killed.server.output == "", said
    assert len(killed.events) == crash_after, said
    said = f"{said} (a {killed.events[-1]['type']} event)"

    resumed = run(GAMES[game], {**logged, "resume": True, "resume wait": WINDOW}, scenario.players, monkeypatch)
    assert (resumed.server.status, resumed.clients.status) == (0, 0), f"{said}\n{resumed.server.log}{resumed.clients.log}"
    assert "resuming tournament" in resumed.server.log, said
    assert resumed.server.json() == expected, said
    assert resumed.clients.json() == reference.clients.json(), said
    assert resumed.exported is not None and reference.exported is not None
    assert resumed.exported["format"] == reference.exported["format"], said
    assert resumed.exported["ratings"] == reference.exported["ratings"], said
    assert without_times(of_type(resumed.events, "stage")) == without_times(of_type(reference.events, "stage")), said
    check_the_event(kind, scenario, resumed, said)
    asked_again = [
        line for line, stage in zip(stage_lines(resumed), of_type(resumed.events, "stage"), strict=True) if stage["seq"] > crash_after
    ]
    assert all(line in resumed.server.log for line in asked_again), f"the stages asked after the resume are logged; {said}"


def test_a_swiss_resumed_in_its_last_round_names_the_round_on_every_encounter_line(tmp_path, monkeypatch):
    game = GAMES[DEFAULT_GAME]
    scenario = swiss(game)
    reference = run(game, server_configuration(game, scenario, tmp_path / "reference"), scenario.players, monkeypatch)
    last_round = of_type(reference.events, "stage")[-1]
    logged = server_configuration(game, scenario, tmp_path / "killed")
    # Every stage ends before the next is asked for, so the last round's stage event has the same seq in every run.
    killed = run(game, logged, scenario.players, monkeypatch, crash_after=last_round["seq"] + 1)
    assert of_type(killed.events, "stage")[-1]["label"] == "Swiss round 4 of 4" and killed.events[-1]["type"] == "encounter-start"
    resumed = run(game, {**logged, "resume": True, "resume wait": WINDOW}, scenario.players, monkeypatch)
    assert resumed.server.status == 0 and resumed.server.json() == reference.server.json()
    encounter_lines = [line for line in resumed.server.log.splitlines() if " · encounter " in line]
    assert len(encounter_lines) == 8
    assert all(" · Swiss round 4 of 4 · " in line for line in encounter_lines), "\n".join(encounter_lines)
