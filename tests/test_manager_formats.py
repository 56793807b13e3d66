"""The manager runs a format played in stages: each stage once its last has ended, whatever order its encounters end in.

A scripted referee (the player signed up earlier wins) and a journal that
folds every event and checks it against the manager's state, as
tests/test_event_log.py's does; here the journal also makes an encounter's
end durable late when asked, as the file's writer can (its fsync runs off
the loop), so that an encounter that ended later is durable sooner.
"""

from __future__ import annotations

import json

import attrs
import pytest
import trio

from Admin.encounter import EncounterResult
from Admin.event_log import EventLog
from Admin.formats.settings import read_format
from Admin.manager import THREADED_FIT, TournamentManager
from Admin.tournament_state import TournamentState
from Admin.two_player import rules as two_player_rules
from Remote.game_description import with_format
from tests.export_logs import Quiet
from tests.format_examples import example_format, format_kinds

NAMES = ["ann", "bob", "cat", "dan", "eve", "fay", "gus"]


@attrs.frozen
class Outcome:
    """A win of a game-free two-player game: `winner` beat `loser`."""

    winner: str
    loser: str
    irregular: bool = False


def to_json(value):
    """An outcome, or the Results (the outcomes), in wire form."""
    return [to_json(outcome) for outcome in value] if isinstance(value, tuple) else [value.winner, value.loser]


RULES = attrs.evolve(two_player_rules(max_name_length=16), to_json=to_json, from_json=lambda value: Outcome(*value))


class LateDurability(EventLog):
    """Folds every event (the fold refuses an encounter that starts twice); the first end of each pair of ends is durable
    only after the second one is, if a second one comes soon."""

    def __init__(self) -> None:
        self.state = TournamentState()
        self.events: list[dict] = []
        self.ends = 0
        self.second_end = trio.Event()

    def write(self, event: dict) -> None:
        event = json.loads(json.dumps({"seq": len(self.events) + 1, "t": 0.0, **event}))
        self.events.append(event)
        self.state.apply(event)
        if event["type"] == "encounter-end":
            self.ends += 1
            if self.ends % 2 == 0:
                self.second_end.set()

    async def durable(self) -> None:
        if self.events[-1]["type"] == "encounter-end" and self.ends % 2 == 1:
            with trio.move_on_after(0.05):  # no second end may come while this one is not durable: a player's next waits
                await self.second_end.wait()
                await trio.sleep(0.01)  # the second end is durable first
            self.second_end = trio.Event()


async def earlier_signed_up_wins(first, second, encounter):
    await trio.sleep(0.001 * (encounter.index % 3))
    winner, loser = sorted((first.name, second.name), key=NAMES.index)
    return EncounterResult(Outcome(winner, loser))


async def play(kind: str, concurrent: bool) -> LateDurability:
    rules, staged = with_format(RULES, read_format(example_format(kind)))
    journal = LateDurability()
    manager = TournamentManager(
        earlier_signed_up_wins, rules, time_per_call=1, concurrent=concurrent, event_log=journal, event_format=staged
    )
    with trio.fail_after(20):
        await manager.run([(name, Quiet()) for name in NAMES])
    return journal


@pytest.mark.parametrize("kind", format_kinds())
async def test_a_stage_starts_once_every_encounter_of_the_last_is_durable_and_none_starts_twice(kind):
    journal = await play(kind, concurrent=True)
    state = journal.state
    assert state.results is not None and state.finished == state.total
    started = [event["encounter"] for event in journal.events if event["type"] == "encounter-start"]
    assert len(started) == len(set(started)) == state.total


@pytest.mark.parametrize("kind", format_kinds())
async def test_concurrent_and_sequential_runs_log_the_same_stages_and_results(kind):
    concurrent, sequential = await play(kind, concurrent=True), await play(kind, concurrent=False)
    assert concurrent.state.stages == sequential.state.stages
    assert concurrent.state.summary == sequential.state.summary
    assert concurrent.state.results == sequential.state.results


async def test_a_field_large_enough_to_be_rated_in_a_worker_thread_gets_every_players_rating():
    names = [f"p{number}" for number in range(THREADED_FIT)]

    async def first_listed_wins(first, second, encounter):
        return EncounterResult(Outcome(first.name, second.name))

    rules, staged = with_format(RULES, read_format({"kind": "swiss", "rounds": 1}))
    journal = LateDurability()
    manager = TournamentManager(first_listed_wins, rules, time_per_call=1, event_log=journal)
    manager.event_format = staged
    with trio.fail_after(60):
        await manager.run([(name, Quiet()) for name in names])
    assert journal.state.summary is not None
    rows = journal.state.summary["ratings"]
    assert sorted(row["name"] for row in rows) == sorted(names) and all(row["games"] == 1 for row in rows)
    assert rows[0]["rating"] > 0 > rows[-1]["rating"]
