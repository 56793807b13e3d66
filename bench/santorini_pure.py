"""The pure work of a Santorini call, in one process: no sockets, no trio, µs per call by area.

First it plays many games between three kinds of client, in every pairing:
the load generator's chooser (`load_generator.py`, the clients of the
server benchmarks), the good strategy (`Player/santorini/strategic.py`) and
a player that takes a random legal turn (seeded). It records each call the
server makes: the Placement or Board it sends, the text of the reply, who
answers. Then it replays every recorded call, area by area, with the code
the server runs for it:

* `request`: the request's value, as the server's RemotePlayer makes it
  (`_place_worker_request`, `_take_turn_request`: the Placement or the Board
  as JSON values);
* `request json`: that value as the bytes of a message (`Remote.framing.encode`);
* `reply json`: the reply's bytes back to a JSON value (`Remote.framing.JSONStreamDecoder`);
* `convert`: that value read by the RemotePlayer's reader, the strict converter;
* `rules`: what the referee does with the answer: for a placement
  `placement_error` and `Board.with_worker`, for a turn `has_legal_turn`
  before it and `judge_turn` after;
* `events`: the referee's game event of the call (`_GameEvents`), as the
  server makes one for its event log.

Each area's pass over all recorded calls is timed `--repeats` times, the
areas taking turns, and the median is printed as µs per call (and `total`,
their sum; `ours` leaves out the two json areas, which are the channel's).
One JSON object on standard output:

    .venv/bin/python bench/santorini_pure.py [--games 240] [--repeats 15] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import load_generator

from Admin.santorini import referee
from Common.santorini.actions import GiveUp, Placement
from Common.santorini.board import WORKERS_PER_PLAYER, Board, WorkerPlace
from Common.santorini.geometry import PLACES
from Common.santorini.names import Name, Worker
from Common.santorini.rules import has_legal_turn, judge_turn, legal_actions, placement_error
from Common.santorini.wire import action_to_json, board_to_json
from Player.santorini import strategic
from Remote.framing import JSONStreamDecoder, encode
from Remote.santorini.remote_player import RemotePlayer

MAX_MESSAGE_BYTES = 1 << 20
TURN_LIMIT = 400
"""Turns after which a game is left unfinished (a random player may wander for long)."""


@attrs.frozen
class Call:
    """One call of the server to a player: the Placement or Board sent, the reply's text, who answers."""

    player: Name
    argument: Any  # a Placement (tuple) or a Board
    reply: bytes
    number: int = 0  # for a placement: the worker's number
    board: Board | None = None  # for a placement: the board the referee holds


class Chooser:
    """A client's way of answering: `place(placement)` a Place, `turn(me, board)` an Action, both as JSON values."""

    def __init__(self, place: Callable[[Placement], Any], turn: Callable[[Name, Board], Any]) -> None:
        self.place, self.turn = place, turn


def _first_legal() -> Chooser:
    return Chooser(
        lambda placement: load_generator.choose_place([[str(wp.worker), wp.place.x, wp.place.y] for wp in placement]),
        lambda me, board: load_generator.choose_action(board_to_json(board), me),
    )


def _good() -> Chooser:
    def place(placement: Placement) -> Any:
        chosen = strategic.choose_place(placement)
        return [chosen.x, chosen.y]

    return Chooser(place, lambda me, board: action_to_json(strategic.choose_action(me, board)))


def _random(rng: random.Random) -> Chooser:
    def place(placement: Placement) -> Any:
        taken = {wp.place for wp in placement}
        chosen = rng.choice([place for place in PLACES if place not in taken])
        return [chosen.x, chosen.y]

    def turn(me: Name, board: Board) -> Any:
        actions = list(legal_actions(board, me))
        return action_to_json(rng.choice(actions) if actions else GiveUp(me))

    return Chooser(place, turn)


def _reply(value: Any) -> bytes:
    return (json.dumps(value) + "\n").encode()


def play(first: tuple[Name, Chooser], second: tuple[Name, Chooser]) -> Iterator[Call]:
    """The calls of one game of `first` against `second`, the referee's way (placements, then turns)."""
    board = Board.empty()
    placed: list[WorkerPlace] = []
    for number in range(1, WORKERS_PER_PLAYER + 1):
        for name, chooser in (first, second):
            reply = chooser.place(tuple(placed))
            yield Call(name, tuple(placed), _reply(reply), number, board)
            place = PLACES[reply[1] * 6 + reply[0]]
            placed.append(WorkerPlace(Worker(name, number), place))
            board = board.with_worker(Worker(name, number), place)
    mover, waiting = first, second
    for _ in range(TURN_LIMIT):
        if not has_legal_turn(board, mover[0]):
            return
        reply = mover[1].turn(mover[0], board)
        yield Call(mover[0], board, _reply(reply))
        verdict = judge_turn(board, mover[0], _read(Call(mover[0], board, b""), reply))
        assert verdict.error is None, verdict.error
        if verdict.board is None:
            return
        board = verdict.board
        mover, waiting = waiting, mover


_NO_CONNECTION: RemotePlayer = RemotePlayer.__new__(RemotePlayer)
"""A RemotePlayer without a channel: enough for its request plans, which use none."""


def record(games: int, seed: int) -> list[Call]:
    """The calls of `games` games, the three kinds of client taking turns in every pairing."""
    rng = random.Random(seed)
    kinds = {"first": lambda: _first_legal(), "good": lambda: _good(), "random": lambda: _random(rng)}
    pairings = [(a, b) for a in kinds for b in kinds]
    calls: list[Call] = []
    for game in range(games):
        a, b = pairings[game % len(pairings)]
        calls.extend(play((Name("alice"), kinds[a]()), (Name("bob"), kinds[b]())))
    return calls


# ---------------------------------------------------------------------------
# The areas: each replays every call


def _plan(call: Call) -> Any:
    if isinstance(call.argument, Board):
        return RemotePlayer._take_turn_request(_NO_CONNECTION, call.argument)
    return RemotePlayer._place_worker_request(_NO_CONNECTION, call.argument)


def _read(call: Call, value: Any) -> Any:
    read = _plan(call).read
    assert read is not None
    return read(value)


def area_request(calls: list[Call], _: list[Any]) -> None:
    for call in calls:
        _plan(call)


def area_request_json(calls: list[Call], prepared: list[Any]) -> None:
    for plan, _, _ in prepared:
        encode(plan.message)


def area_reply_json(calls: list[Call], _: list[Any]) -> None:
    for call in calls:
        decoder = JSONStreamDecoder(MAX_MESSAGE_BYTES)
        decoder.feed(call.reply)
        decoder.next_value()


def area_convert(calls: list[Call], prepared: list[Any]) -> None:
    for plan, value, _ in prepared:
        plan.read(value)


def area_rules(calls: list[Call], prepared: list[Any]) -> None:
    for call, (_, _, answer) in zip(calls, prepared, strict=True):
        if isinstance(call.argument, Board):
            has_legal_turn(call.argument, call.player)
            verdict = judge_turn(call.argument, call.player, answer)
            assert verdict.error is None
        else:
            assert call.board is not None and placement_error(call.board, answer) is None
            worker = WorkerPlace(Worker(call.player, call.number), answer)
            call.board.with_worker(worker.worker, answer)


def area_events(calls: list[Call], prepared: list[Any]) -> None:
    noted: list[dict] = []
    events = referee._GameEvents(noted.append, 3, 0)
    for call, (_, _, answer) in zip(calls, prepared, strict=True):
        if isinstance(call.argument, Board):
            events.turn(call.player, answer, 0.012)
        else:
            events.placement(call.player, answer, 0.004)
    noted.clear()


AREAS: dict[str, Callable[[list[Call], list[Any]], None]] = {
    "request": area_request,
    "request json": area_request_json,
    "reply json": area_reply_json,
    "convert": area_convert,
    "rules": area_rules,
    "events": area_events,
}


def prepare(calls: list[Call]) -> list[Any]:
    """Per call: its plan, the reply's JSON value, and the answer read from it (outside the timed areas)."""
    prepared = []
    for call in calls:
        plan = _plan(call)
        value = json.loads(call.reply)
        prepared.append((plan, value, _read(call, value)))
    return prepared


def measure(calls: list[Call], repeats: int) -> dict[str, float]:
    """The median µs per call of each area over `repeats` passes, the areas taking turns."""
    prepared = prepare(calls)
    seconds: dict[str, list[float]] = {area: [] for area in AREAS}
    for _ in range(repeats):
        for area, run in AREAS.items():
            started = time.perf_counter()
            run(calls, prepared)
            seconds[area].append(time.perf_counter() - started)
    per_call = {area: statistics.median(times) * 1e6 / len(calls) for area, times in seconds.items()}
    return per_call


def describe(calls: list[Call]) -> dict[str, Any]:
    turns = [call for call in calls if isinstance(call.argument, Board)]
    kinds: dict[str, int] = {}
    for call in turns:
        answer = json.loads(call.reply)
        kind = "give up" if type(answer) is str else "winning move" if len(answer) == 3 else "move and build"
        kinds[kind] = kinds.get(kind, 0) + 1
    return {"calls": len(calls), "placements": len(calls) - len(turns), "turns": len(turns), "answers": kinds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--games", type=int, default=240)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    calls = record(arguments.games, arguments.seed)
    per_call = measure(calls, arguments.repeats)
    figures = {area: round(us, 2) for area, us in per_call.items()}
    figures["total"] = round(sum(per_call.values()), 2)
    figures["ours"] = round(sum(us for area, us in per_call.items() if "json" not in area), 2)
    print(
        json.dumps({"µs per call": figures, "games": arguments.games, "repeats": arguments.repeats, **describe(calls)}, ensure_ascii=False)
    )


if __name__ == "__main__":
    main()
