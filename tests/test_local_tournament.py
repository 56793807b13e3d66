"""Local players in the shared referee and manager, and `python -m Admin` as a user runs it."""

import json
import re
import subprocess
from pathlib import Path

import pytest

from Admin.encounter import Entrant
from Admin.manager import TournamentManager
from Admin.santorini.referee import RULES, Referee
from Common.santorini.names import Name
from Player.santorini.local import LocalPlayer
from Player.santorini.misbehaving import IllegalAction, MalformedPlacement, NeverPlaces, NeverTakesTurn, OccupiedPlacement, Raising
from Player.santorini.strategic import GoodStrategy
from tests.processes import run_admin

PROJECT = Path(__file__).resolve().parent.parent
TIME_PER_CALL = 0.5


def local(name, strategy):
    return LocalPlayer(Name(name), strategy)


@pytest.mark.parametrize(
    "strategy, reason",
    [
        (OccupiedPlacement, "illegal placement: square"),
        (MalformedPlacement, "answered 'nowhere', which is not a Place"),
        (lambda: IllegalAction(1), "illegal action: worker good"),
        (lambda: IllegalAction(3), "illegal action: worker good"),
        (lambda: Raising("placement"), "place_worker: DeliberateFailure"),
        (lambda: Raising("turn"), "take_turn: DeliberateFailure"),
        (NeverPlaces, "place_worker: no answer within 0.5 s"),
        (NeverTakesTurn, "take_turn: no answer within 0.5 s"),
    ],
)
async def test_each_misbehaving_player_loses_to_a_good_one_irregularly_for_its_reason(strategy, reason):
    cheat = strategy()
    try:
        result = await Referee(time_per_call=TIME_PER_CALL)(
            Entrant(Name("good"), local("good", GoodStrategy())), Entrant(Name("cheat"), local("cheat", cheat))
        )
    finally:
        getattr(cheat, "release", lambda: None)()
    assert (result.outcome.winner, result.outcome.loser, result.outcome.irregular) == ("good", "cheat", True)
    assert reason in result.misbehaviours[0].reason


async def test_good_infinite_at_placement_and_infinite_at_turn_give_the_specified_results():
    infplace, infturn = NeverPlaces(), NeverTakesTurn()
    players = [("matthias", GoodStrategy()), ("infplace", infplace), ("infturn", infturn)]
    manager = TournamentManager(Referee(time_per_call=TIME_PER_CALL), RULES, time_per_call=TIME_PER_CALL)
    try:
        results = await manager.run([(Name(name), local(name, strategy)) for name, strategy in players])
    finally:
        infplace.release()
        infturn.release()
    assert [[o.winner, o.loser, "irregular"] if o.irregular else [o.winner, o.loser] for o in results] == [
        ["matthias", "infplace", "irregular"],
        ["matthias", "infturn", "irregular"],
    ]


@pytest.fixture(scope="module")
def sample_tournament() -> subprocess.CompletedProcess:
    """`python -m Admin` run once on the sample configuration that the README points to."""
    return run_admin((PROJECT / "Admin" / "sample-tournament.json").read_text())


def test_python_m_admin_runs_a_local_tournament_and_prints_the_results_as_one_line(sample_tournament):
    finished = sample_tournament
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.count("\n") == 1
    results = json.loads(finished.stdout)
    assert ["matthias", "bob", "irregular"] in results and ["matthias", "carol", "irregular"] in results
    assert all(outcome[1] not in ("bob", "carol") or len(outcome) == 3 for outcome in results)


def test_python_m_admin_says_why_each_player_misbehaved_and_ends_with_the_standings(sample_tournament):
    log = sample_tournament.stderr.splitlines()
    assert "python -m Admin: bob misbehaved: illegal action: worker matthias1 belongs to matthias, not bob" in log
    assert "python -m Admin: carol misbehaved: place_worker: no answer within 2 s" in log
    table = log[log.index("python -m Admin: standings after 8 encounters:") + 1 :]
    assert table[0].split() == ["rank", "player", "won", "lost", "lost", "irregularly", "rating", "(95", "%", "interval)"]
    assert [line.split()[1] for line in table[1:]] == ["aliceaaaa", "matthias", "alice", "dave", "bob", "carol"]
    assert table[-1].split()[:5] == ["5", "carol", "0", "0", "1"]
    assert all(re.fullmatch(r"[+-]\d+\.\d \([+-]\d+\.\d \.\. [+-]\d+\.\d\)", line[-25:].strip()) for line in table[1:]), table


@pytest.mark.parametrize(
    "configuration, key",
    [
        ('{"players": [], "observers": [], "colour": 1}', 'unknown key "colour"'),
        ('{"players": [["good", "Alice", ""]], "observers": []}', "$.players[0][1]"),
        ('{"players": [["great", "alice", ""]], "observers": []}', "$.players[0][0]"),
        ('{"players": [["good", "alice", "no/such/file.py"]], "observers": []}', "no/such/file.py"),
        ('{"players": [], "observers": [], "best of": 2}', "$.best of"),
        ('{"players": [], "observers": {}}', "$.observers"),
        ("[", "not JSON"),
    ],
)
def test_python_m_admin_refuses_a_bad_configuration_with_one_line_naming_what_is_wrong(configuration, key):
    finished = run_admin(configuration)
    assert finished.returncode == 2
    assert finished.stdout == ""
    assert finished.stderr.count("\n") == 1 and key in finished.stderr
    assert "Traceback" not in finished.stderr
