"""Encounters of more than two players in the game-free host: a toy game of up to four a game, the course's knock-out.

The toy game: each player seated is asked for a move; its score is a
seeded hash of the encounter and its name, 0 to 2 (so ties are common);
the highest score among those who did not fail wins (ties: all). A
journal folds every event as the manager writes it and checks the fold's
Progress against the manager's; a tournament stopped after any event and
resumed from its log's fold reaches the Results of the uninterrupted run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import attrs
import pytest
import trio
from trio.testing import MockClock

from Admin.encounter import Encounter, EncounterResult, Entrant, Misbehaviour
from Admin.event_log import EventLog, Resumption
from Admin.formats.settings import read_format
from Admin.manager import TournamentManager, TournamentRules
from Admin.safe_call import Failure, safe_call
from Admin.tournament_state import EventError, TournamentState, fold
from Common.participant import Participant
from Remote.game_description import with_format

SEED = 18
NAMES = ["ann", "bob", "cat", "dan", "eve", "fay", "gus", "hal", "ivy", "jon"]
"""Ten players: round 1 is 4 + 4 + 2; dan fails the start notice, so 9 play: 4 + 3 + 2."""


@attrs.frozen
class Outcome:
    """One toy game: its players in seat order, each one's score (None: it failed), the winners in seat order."""

    players: tuple[str, ...]
    scores: tuple[int | None, ...]
    winners: tuple[str, ...]


def to_json(value: Any) -> Any:
    if isinstance(value, Outcome):
        return {"players": list(value.players), "scores": list(value.scores), "winners": list(value.winners)}
    return value  # the Results are JSON already


def from_json(value: Any) -> Outcome:
    return Outcome(tuple(value["players"]), tuple(value["scores"]), tuple(value["winners"]))


def score(outcome: Outcome, name: str) -> float | None:
    if not outcome.winners:
        return None
    return 1 / len(outcome.winners) if name in outcome.winners else 0.0


def results(outcomes: Sequence[Outcome], names: Sequence[str], out: Any) -> dict[str, list[str]]:
    """The winners (still in, and among the winners of every game they played) and the culprits, in sign-up order."""
    lost = {name for outcome in outcomes for name in outcome.players if name not in outcome.winners}
    return {
        "winners": [name for name in names if name not in lost and name not in out],
        "culprits": [name for name in names if name in out],
    }


RULES = TournamentRules(
    revise=lambda outcome, culprit, before: outcome,
    results=results,
    max_name_length=12,
    to_json=to_json,
    from_json=from_json,
    score=score,
    announce_start=True,
    results_notice_counts=True,
)


class ToyPlayer(Participant):
    """Answers every call; remembers what it heard."""

    def __init__(self) -> None:
        self.heard: list[tuple[str, Any]] = []

    async def playing_as(self, name: str) -> None:
        self.heard.append(("playing_as", name))

    async def tournament_starting(self) -> None:
        self.heard.append(("tournament_starting", None))

    async def move(self, encounter: int) -> int:
        self.heard.append(("move", encounter))
        return encounter

    async def end_of_tournament(self, results: Any) -> None:
        self.heard.append(("end_of_tournament", results))


class Breaker(ToyPlayer):
    async def move(self, encounter: int) -> int:
        raise RuntimeError("no move")


class LateStarter(ToyPlayer):
    async def tournament_starting(self) -> None:
        await trio.sleep(10)


class SoreLoser(ToyPlayer):
    async def end_of_tournament(self, results: Any) -> None:
        raise RuntimeError("will not hear it")


KINDS = {"bob": Breaker, "dan": LateStarter, "ivy": SoreLoser}


def toy_players() -> list[tuple[str, ToyPlayer]]:
    return [(name, KINDS.get(name, ToyPlayer)()) for name in NAMES]


async def toy_referee(entrants: Sequence[Entrant], encounter: Encounter) -> EncounterResult:
    """One toy game among `entrants` in seat order (see the module)."""
    scores: list[int | None] = []
    failed = []
    for entrant in entrants:
        answer = await safe_call(entrant.player.move, encounter.index, time_limit=1)
        if isinstance(answer, Failure):
            failed.append(Misbehaviour(entrant.name, answer.reason, answer.kind))
            scores.append(None)
        else:
            digest = hashlib.sha256(f"{SEED}:{encounter.index}:{entrant.name}".encode()).digest()
            scores.append(digest[0] % 3)
    await trio.sleep(0.001 * (encounter.index % 3))  # encounters end out of order
    best = max((mine for mine in scores if mine is not None), default=None)
    winners = tuple(e.name for e, mine in zip(entrants, scores, strict=True) if mine is not None and mine == best)
    return EncounterResult(Outcome(tuple(e.name for e in entrants), tuple(scores), winners), tuple(failed))


class FoldingJournal(EventLog):
    """Folds every event as it is written (after `events`, a log's first events) and checks the fold against the manager."""

    def __init__(self, events: Sequence[dict[str, Any]] = ()) -> None:
        self.events = [dict(event) for event in events]
        self.state = fold(self.events)
        self.manager: TournamentManager | None = None
        self.compared = 0

    def write(self, event: dict[str, Any]) -> None:
        self.events.append(json.loads(json.dumps({"seq": len(self.events) + 1, "t": 0.0, **event})))
        self.state.apply(self.events[-1])
        if self.manager is not None and self.manager._current is not None and self.state.roster is not None:
            assert self.manager.progress() == self.state.progress(), f"after event {len(self.events)} ({event['type']})"
            self.compared += 1


def manager_of(journal: FoldingJournal, concurrent: bool = True) -> TournamentManager:
    rules, staged = with_format(RULES, read_format({"kind": "knock-out", "players per game": 4}))
    manager = TournamentManager(
        None, rules, time_per_call=1, concurrent=concurrent, event_log=journal, event_format=staged, group_referee=toy_referee
    )
    journal.manager = manager
    return manager


async def play(concurrent: bool = True) -> tuple[Any, FoldingJournal, list[tuple[str, ToyPlayer]]]:
    journal = FoldingJournal()
    players = toy_players()
    with trio.fail_after(30):
        outcome = await manager_of(journal, concurrent).run(players)
    return outcome, journal, players


@pytest.fixture(scope="module")
def uninterrupted() -> tuple[Any, FoldingJournal, list[tuple[str, ToyPlayer]]]:
    return trio.run(play, clock=MockClock(autojump_threshold=0))


def test_tables_of_up_to_four_are_seated_from_the_front_and_logged_with_all_their_players(uninterrupted):
    _, journal, _ = uninterrupted
    stages = journal.state.stages
    assert stages[0]["pairings"] == [["ann", "bob", "cat", "eve"], ["fay", "gus", "hal"], ["ivy", "jon"]]
    starts = [event["players"] for event in journal.events if event["type"] == "encounter-start"]
    assert sorted(starts[:3]) == sorted(stages[0]["pairings"])
    assert journal.compared > 10


def test_a_failing_player_is_a_culprit_of_its_table_and_the_others_play_on(uninterrupted):
    _, journal, _ = uninterrupted
    (first_end,) = [event for event in journal.events if event["type"] == "encounter-end" and event["encounter"] == 0]
    assert first_end["culprits"] == ["bob"] and first_end["outcome"]["scores"][1] is None
    assert "bob" not in first_end["outcome"]["winners"] and first_end["outcome"]["winners"]


def test_every_player_still_in_hears_the_start_before_any_encounter_and_one_that_fails_it_is_out(uninterrupted):
    _, journal, players = uninterrupted
    types = [event["type"] for event in journal.events]
    (late,) = [event for event in journal.events if event["type"] == "misbehaviour" and event["name"] == "dan"]
    assert late["encounter"] is None and late["kind"] == "late"
    assert journal.events.index(late) < types.index("stage") < types.index("encounter-start")
    for name, player in players:
        if name != "dan":
            assert player.heard[0] == ("tournament_starting", None), name
    assert all("dan" not in pairing for stage in journal.state.stages for pairing in stage["pairings"])


def test_a_player_that_fails_to_take_the_results_misbehaves_after_them_and_changes_nothing(uninterrupted):
    outcome, journal, _ = uninterrupted
    assert journal.events[-1]["type"] == "misbehaviour" and journal.events[-1]["name"] == "ivy"
    assert journal.events[-1]["encounter"] is None
    assert journal.events[-2]["type"] == "results" and journal.events[-2]["results"] == outcome
    assert "ivy" in journal.state.out and journal.state.results == {"results": outcome, "output": outcome}


def test_the_summary_names_the_winners_of_the_results_and_the_ratings_count_each_table_as_pairs(uninterrupted):
    outcome, journal, _ = uninterrupted
    summary = journal.state.summary
    assert summary is not None
    assert [NAMES[player] for player in summary["format"]["winners"]] == outcome["winners"] != []
    games = {row["name"]: row["games"] for row in summary["ratings"]}
    assert games["cat"] >= 2  # cat's first game was of four, bob failing: two others rated against it
    assert games["dan"] == 0


async def test_concurrent_and_sequential_runs_give_the_same_results_and_messages(autojump_clock):
    concurrent, _, concurrent_players = await play(concurrent=True)
    sequential, _, sequential_players = await play(concurrent=False)
    assert concurrent == sequential
    assert [player.heard for _, player in concurrent_players] == [player.heard for _, player in sequential_players]


def resumption_of(events: Sequence[dict[str, Any]]) -> tuple[TournamentState, Resumption]:
    """What `"resume": true` reads from a log that ends with `events` (Remote/resume.py): the fold, unfinished encounters forgotten."""
    state = fold(events)
    state.forget_unfinished()
    return state, Resumption(state.progress(), (), state.revised_so_far(), tuple(state.stages))


async def test_a_group_knock_out_stopped_after_any_event_resumes_to_the_results_of_the_uninterrupted_run(autojump_clock):
    expected, journal, _ = await play()
    events = journal.events
    resumed = 0
    for stop in range(1, len(events)):
        state, resumption = resumption_of(events[:stop])
        if state.roster is None or state.results is not None:
            continue  # a fresh tournament, or nothing left but to print the Results
        again = FoldingJournal(events[:stop])
        again.write({"type": "resume", "returned": [name for name in state.roster if name not in state.out], "absent": []})
        players = dict(toy_players())
        with trio.fail_after(30):
            outcome = await manager_of(again).run([(name, players[name]) for name in state.roster], resumption)
        assert outcome == expected, f"stopped after event {stop} ({events[stop - 1]['type']})"
        assert again.state.summary == journal.state.summary, stop
        resumed += 1
    assert resumed > 10


async def resume(events: Sequence[dict[str, Any]], players: dict[str, ToyPlayer]) -> tuple[Any, FoldingJournal]:
    """The tournament whose log is `events`, resumed with `players` by name, to its end."""
    state, resumption = resumption_of(events)
    assert state.roster is not None
    again = FoldingJournal(events)
    again.write({"type": "resume", "returned": [name for name in state.roster if name not in state.out], "absent": []})
    with trio.fail_after(30):
        outcome = await manager_of(again).run([(name, players[name]) for name in state.roster], resumption)
    return outcome, again


async def test_a_player_that_fails_the_start_notice_of_a_resumed_run_is_out_and_its_log_resumes_again(autojump_clock):
    _, journal, _ = await play()
    stop = next(number for number, event in enumerate(journal.events, start=1) if event["type"] == "encounter-end")
    outcome, resumed = await resume(journal.events[:stop], dict(toy_players()) | {"jon": LateStarter()})
    (late,) = [event for event in resumed.events if event["type"] == "misbehaviour" and event["name"] == "jon"]
    assert late["encounter"] is None and resumed.events.index(late) > stop
    assert "jon" not in outcome["winners"] and "jon" in outcome["culprits"]
    cut = resumed.events.index(late) + 1  # stopped again, right after it: its first stage seated jon, who is out now
    again, _ = await resume(resumed.events[:cut], dict(toy_players()))
    assert again == outcome


def test_the_fold_refuses_a_table_of_one_and_a_misbehaviour_in_an_encounter_after_the_results(uninterrupted):
    _, journal, _ = uninterrupted
    start = next(number for number, event in enumerate(journal.events) if event["type"] == "encounter-start")
    alone = fold(journal.events[:start])
    with pytest.raises(EventError, match="expected a list of two or more names, got 1"):
        alone.apply(journal.events[start] | {"players": ["ann"]})
    ended = fold(journal.events[:-1])
    with pytest.raises(EventError, match="after the Results"):
        ended.apply(journal.events[-1] | {"encounter": 0})
    with pytest.raises(EventError, match="nothing but misbehaviour or stop may follow"):
        ended.apply({"seq": ended.last_seq + 1, "t": 0.0, "type": "summary", "ratings": [], "format": None})
