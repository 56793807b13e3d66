"""Every format in every game of the registry: an event stopped after any event resumes to the Results of the uninterrupted run.

The conformance kit's resume check (tests/game_conformance.py) with the
kit's five house players (honest, misbehaving, silent, slow, breaking
late) and each format's example (tests/format_examples.py): the stages a
resumed event asks its format for again are those its log announced, so
its Results, and the log's fold, are the uninterrupted run's. Stopped
after every STRIDE-th event from the pair's own offset, and each of the
last ones (the summary, the Results): STRIDE is the number of pairs of a
game and a format, so that between them the pairs stop at every distance
from the start; every event of every pair would take many minutes of CI's
twenty; the plain tournament's own check (tests/test_conformance.py) stops
after every fourth one.
"""

from __future__ import annotations

import json

import pytest

from Admin.formats.settings import read_format
from Remote.event_log_writer import EVENTS_FILE
from Remote.game_registry import GAMES
from Remote.xserver import CRASH_VARIABLE
from tests import game_conformance as kit
from tests.format_examples import example_format, format_kinds
from tests.game_conformance import kit_of
from tests.house_server import events_of
from tests.processes import run_xserver

PAIRS = [(game, kind) for game in sorted(GAMES) for kind in format_kinds()]
"""Every game of the registry with every format."""
STRIDE = len(PAIRS)
"""Each pair's event is stopped after every STRIDE-th event from its own offset (its place among PAIRS), and after each of
its last events: between them, the pairs stop at every distance from the start."""


@pytest.mark.parametrize(("game", "kind"), PAIRS)
async def test_an_event_of_every_format_stopped_after_any_event_resumes_to_the_results_of_the_uninterrupted_run(game, kind, tmp_path):
    example = example_format(kind)
    expected_types = frozenset({"stage", "summary"} if read_format(example).staged else {"summary"})
    offset = PAIRS.index((game, kind))
    await kit.check_resume_after_any_event(
        GAMES[game], tmp_path, more={"format": example}, expected_types=expected_types, stride=STRIDE, offset=offset
    )


@pytest.mark.parametrize("game", sorted(GAMES))
def test_a_resumed_event_whose_logged_stage_its_format_does_not_give_is_refused_in_one_line(game, tmp_path):
    """A stage edited by hand (two players swapped between pairings) before any of its encounters started: the fold
    cannot tell, the format can; xserver refuses to resume in one line, status 2, and writes nothing."""
    kit = kit_of(GAMES[game])
    house = [[kit.honest, name, ""] for name in ("ann", "bob", "cat", "dan", "eve", "fay")]
    config = {"game": game, "min players": 6, "port": 0, "host": "127.0.0.1", "waiting for": 0.01, "repeat": 0}
    config |= {"house players": house, "event log": str(tmp_path / "log"), "format": {"kind": "swiss", "rounds": 3}, **kit.own}
    reference = run_xserver(config | {"event log": str(tmp_path / "reference")})
    assert reference.returncode == 0, reference.stderr
    second_stage = [event for event in events_of(tmp_path / "reference") if event["type"] == "stage"][1]
    killed = run_xserver(config, {CRASH_VARIABLE: str(second_stage["seq"])})
    assert killed.returncode != 0
    (tournament,) = [entry for entry in (tmp_path / "log").iterdir() if entry.is_dir()]
    lines = (tournament / EVENTS_FILE).read_text().splitlines()
    stage = json.loads(lines[-1])
    assert stage["type"] == "stage" and stage["stage"] == 2
    (a, b), (c, d) = stage["pairings"][:2]
    stage["pairings"][:2] = [[a, d], [c, b]]
    lines[-1] = json.dumps(stage, separators=(",", ":"))
    (tournament / EVENTS_FILE).write_text("\n".join(lines) + "\n")
    refused = run_xserver(config | {"resume": True})
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        f"xserver: event log: cannot resume tournament {tournament.name}: the log's stage 2 is not the one its format gives "
        "from the outcomes before it"
    ]
    assert len((tournament / EVENTS_FILE).read_text().splitlines()) == len(lines)
