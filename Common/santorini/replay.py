"""Replaying one recorded Santorini game through the rules: the end that its steps lead to.

A game's record (one line of the event log's `games.ndjson`) is

    {"encounter": 3, "game": 0, "players": ["alice", "bob"],
     "steps": [{"type": "placement", "player": "alice", "place": [0, 0], "ms": 4}, ...,
               {"type": "turn", "player": "alice", "action": ["alice1", "EAST", "PUT", "EAST", "PUT"], "ms": 12}, ...],
     "end": {"winner": "alice", "how": "height 3"}}

`players` lists the player who places first first; the steps are the
placements (first, second, first, second) and then the turns (first,
second, ...), each with its wire value in the form of `wire.py`. `replay`
plays them on an empty board and derives the end, without reading the
recorded one:

* a winning move ends it, "height 3", won by the mover;
* a give-up ends it, "gave up", won by the other player;
* a player due to move without a legal turn ends it, "no legal turn", won by
  the other player;
* steps that stop while the game goes on can only end by a misbehaviour (the
  referee records only legal steps): "misbehaved", no winner, and the
  culprit is the player whose placement or turn was due. The referee asks
  only that player during a game, so the culprit follows from the steps too.

A step the rules forbid, a step by the wrong player, a step after the end,
or a record of the wrong shape raises ValueError with one line naming the
step (`game 0 of encounter 3, step 5 (a turn of alice): ...`). A caller
compares the result with the recorded end: a wrong winner, a wrong `how` or
a wrong culprit shows as a difference.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from Common.santorini.actions import Action
from Common.santorini.board import WORKERS_PER_PLAYER, Board
from Common.santorini.geometry import Place
from Common.santorini.names import Name, Worker, is_name
from Common.santorini.rules import has_legal_turn, judge_turn, placement_error
from Common.santorini.wire import structure
from Common.strict import show

HEIGHT_3, GAVE_UP, NO_LEGAL_TURN, MISBEHAVED = "height 3", "gave up", "no legal turn", "misbehaved"
"""How a game ends: a game-end's `how`."""

PLACEMENT, TURN = "placement", "turn"
"""The types of a game's steps."""

PLACEMENTS = 2 * WORKERS_PER_PLAYER


def replay(line: Mapping[str, Any]) -> dict[str, Any]:
    """The end that the steps of the game record `line` lead to: `{"winner", "how"}`, plus `"culprit"` if misbehaved."""
    where = _where(line)
    players = _players(line, where)
    steps = line.get("steps")
    if type(steps) is not list:
        raise ValueError(f"{where}: expected a list of steps, got {show(steps)}")
    board = Board.empty()
    due = 0  # the index in `players` of the player whose step comes next
    ended: tuple[Name, str] | None = None  # the winner and how, once the game is over
    for number, step in enumerate(steps, 1):
        player = players[due]
        if ended is None and number > PLACEMENTS and not has_legal_turn(board, player):
            ended = (players[1 - due], NO_LEGAL_TURN)
        expected = PLACEMENT if number <= PLACEMENTS else TURN
        at = f"{where}, step {number} (a {expected} of {player})"
        if ended is not None:
            raise ValueError(f"{at}: the game was over ({ended[1]}, {ended[0]} won)")
        if expected == PLACEMENT:
            place = _value(step, PLACEMENT, player, "place", Place, at)
            error = placement_error(board, place)
            if error is not None:
                raise ValueError(f"{at}: illegal placement: {error}")
            board = board.with_worker(Worker(player, (number + 1) // 2), place)
        else:
            action = _value(step, TURN, player, "action", Action, at)
            verdict = judge_turn(board, player, action)
            if verdict.error is not None:
                raise ValueError(f"{at}: illegal action: {verdict.error}")
            if verdict.gives_up:
                ended = (players[1 - due], GAVE_UP)
            elif verdict.wins:
                ended = (player, HEIGHT_3)
            else:
                assert verdict.board is not None  # a legal turn that neither gives up nor wins leaves a board
                board = verdict.board
        due = 1 - due
    if ended is None and len(steps) >= PLACEMENTS and not has_legal_turn(board, players[due]):
        ended = (players[1 - due], NO_LEGAL_TURN)
    if ended is None:
        return {"winner": None, "how": MISBEHAVED, "culprit": players[due]}
    return {"winner": ended[0], "how": ended[1]}


def _where(line: Any) -> str:
    if not isinstance(line, Mapping):
        raise ValueError(f"expected a game record (a JSON object), got {show(line)}")
    return f"game {show(line.get('game'))} of encounter {show(line.get('encounter'))}"


def _players(line: Mapping[str, Any], where: str) -> tuple[Name, Name]:
    players = line.get("players")
    if type(players) is not list or len(players) != 2 or not all(map(is_name, players)) or players[0] == players[1]:
        raise ValueError(f"{where}: expected players [first, second], two different names, got {show(players)}")
    return Name(players[0]), Name(players[1])


def _value(step: Any, kind: str, player: Name, key: str, type_: Any, at: str) -> Any:
    """The wire value `key` of `step`, a `kind` of `player`, structured as `type_`; ValueError naming the step otherwise."""
    if not isinstance(step, Mapping) or step.get("type") != kind:
        raise ValueError(f"{at}: expected a {kind}, got {show(step, 60)}")
    if step.get("player") != player:
        raise ValueError(f"{at}: expected a {kind} of {player}, got one of {show(step.get('player'))}")
    ms = step.get("ms")
    if type(ms) is not int or ms < 0:
        raise ValueError(f'{at}: expected "ms", a whole number >= 0, got {show(ms)}')
    try:
        return structure(step.get(key), type_)
    except ValueError as error:
        raise ValueError(f"{at}: {key}: {error}") from None
