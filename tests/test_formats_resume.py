"""Every format in every game of the registry: an event stopped after any event resumes to the Results of the uninterrupted run.

The conformance kit's resume check (tests/game_conformance.py) with the
kit's five house players (honest, misbehaving, silent, slow, breaking
late) and each format's example (tests/format_examples.py): the stages a
resumed event asks its format for again are those its log announced, so
its Results, and the log's fold, are the uninterrupted run's. Stopped
after every STRIDE-th event and each of the last ones (the summary, the
Results): every event of the ten events of five kinds and two games would
take six minutes; the plain round robin's own check stops after every one.
"""

from __future__ import annotations

import pytest

from Admin.formats.settings import read_format
from Remote.game_registry import GAMES
from tests import game_conformance as kit
from tests.format_examples import example_format, format_kinds

STRIDE = 3


@pytest.mark.parametrize("kind", format_kinds())
@pytest.mark.parametrize("game", sorted(GAMES))
async def test_an_event_of_every_format_stopped_after_any_event_resumes_to_the_results_of_the_uninterrupted_run(game, kind, tmp_path):
    example = example_format(kind)
    expected_types = frozenset({"stage", "summary"} if read_format(example).staged else {"summary"})
    await kit.check_resume_after_any_event(GAMES[game], tmp_path, more={"format": example}, expected_types=expected_types, stride=STRIDE)
