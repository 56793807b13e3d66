"""The strict converter between JSON values and the IPD's wire types.

`structure(data, Type)` turns a decoded JSON value into a value of a wire
type or raises StructureError with one line naming the offending value by
its path (`$[2][0]`); `unstructure(value)` is the inverse. Nothing is
coerced: a move is exactly "C" or "D" (not "c", "B", 1, true, ["C"] or
"CD"), a round number is a JSON integer (not "3", not 3.0, not true), and
an array has exactly the elements its message names.

The wire types are Name, Token, Move, Recorded, Prev (and `Prev | None`),
Totals, Scored, Irregular, MatchOutcome, Outcomes, Standing, Standings, the
messages of `messages.py`, and ServerMessage (any of the server's
messages, told apart by its tag).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, overload

import cattrs

from Common.ipd.messages import (
    REASON_LIMIT,
    ErrorReport,
    MatchOver,
    MatchStart,
    MoveReply,
    MoveRequest,
    PlayingAs,
    ServerMessage,
    TournamentResults,
)
from Common.ipd.moves import PREVS, Move, Prev, Recorded, Totals, is_move
from Common.ipd.names import NAME_RULE, Name, Token, is_name, is_token
from Common.ipd.outcomes import Irregular, MatchOutcome, Outcomes, Scored, Standing, Standings
from Common.strict import array, each, elements, finite_number, is_type, show, strict_converter, value_hook, whole_number
from Common.strict import structure as structure_with

T = TypeVar("T")

IRREGULAR = "irregular"
PLAYING_AS = "playing-as"
MATCH = "match"
MOVE = "move"
MATCH_OVER = "match-over"
RESULTS = "results"
ERROR = "error"

# ---------------------------------------------------------------------------
# Structuring the leaves


def name(value: Any) -> Name:
    """`value` as a Name; ValueError saying what is wrong otherwise."""
    if not is_name(value):
        raise ValueError(f"expected a name of {NAME_RULE}, got {show(value)}")
    return value


def token(value: Any) -> Token:
    """`value` as a Token; ValueError that never shows the value otherwise (it may be someone's secret)."""
    if not is_token(value):
        raise ValueError("expected a token of 16 to 128 letters, digits, '_' or '-'")
    return value


def move(value: Any) -> Move:
    """`value` if it is exactly "C" or "D"; ValueError otherwise."""
    if not is_move(value):
        raise ValueError(f'expected a move, "C" or "D", got {show(value)}')
    return value


def recorded(value: Any) -> Recorded:
    """`value` if it is "C", "D" or null; ValueError otherwise."""
    if value is None:
        return None
    if not is_move(value):
        raise ValueError(f'expected a recorded move, "C", "D" or null, got {show(value)}')
    return value


def round_number(value: Any) -> int:
    return whole_number(value, 1)


def _tag(tag: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value != tag or type(value) is not str:
            raise ValueError(f'expected "{tag}", got {show(value)}')
        return value

    return check


# ---------------------------------------------------------------------------
# Structuring the compound types


def _prev(value: Any, _: type = Prev) -> Prev:
    mine, theirs = elements(array(value, "a previous round [mine, theirs]", range(2, 3)), [recorded, recorded], Prev)
    return PREVS[(mine, theirs)]


def _prev_or_none(value: Any, _: Any = None) -> Prev | None:
    return None if value is None else _prev(value)


def _totals(value: Any, _: type = Totals) -> Totals:
    mine, theirs = elements(array(value, "totals [mine, theirs]", range(2, 3)), [whole_number, whole_number], Totals)
    return Totals(mine, theirs)


def _different(first: Name, second: Name) -> None:
    if first == second:
        raise ValueError(f"a match needs two different players, got {first} twice")


def _irregular(value: Any, _: type = Irregular) -> Irregular:
    first, second, _the_tag = elements(
        array(value, 'an irregular outcome [A, B, "irregular"]', range(3, 4)), [name, name, _tag(IRREGULAR)], Irregular
    )
    _different(first, second)
    return Irregular(first, second)


def _scored(value: Any, _: type = Scored) -> Scored:
    parts = array(value, "a scored outcome [A, B, scoreA, scoreB, rounds]", range(5, 6))
    first, second, first_score, second_score, rounds = elements(parts, [name, name, whole_number, whole_number, round_number], Scored)
    _different(first, second)
    return Scored(first, second, first_score, second_score, rounds)


def _outcome(value: Any, _: Any = MatchOutcome) -> MatchOutcome:
    parts = array(value, 'an outcome [A, B, scoreA, scoreB, rounds] or [A, B, "irregular"]', range(3, 6, 2))
    return _irregular(parts) if len(parts) == 3 else _scored(parts)


def _outcomes(value: Any, _: Any = Outcomes) -> Outcomes:
    return tuple(each(array(value, "a list of outcomes"), _outcome, MatchOutcome))


def _score(value: Any) -> float:
    return float(finite_number(value))


def _standing(value: Any, _: type = Standing) -> Standing:
    parts = array(value, "a standing [name, score, matches]", range(3, 4))
    player, score, matches = elements(parts, [name, _score, lambda v: whole_number(v, 0)], Standing)
    return Standing(player, score, matches)


def _standings(value: Any, _: Any = Standings) -> Standings:
    return tuple(each(array(value, "a list of standings"), _standing, Standing))


def _playing_as(value: Any, _: type = PlayingAs) -> PlayingAs:
    parts = array(value, f'["{PLAYING_AS}", name]', range(2, 3))
    return PlayingAs(elements(parts, [_tag(PLAYING_AS), name], PlayingAs)[1])


def _match_start(value: Any, _: type = MatchStart) -> MatchStart:
    parts = array(value, f'["{MATCH}", opponent]', range(2, 3))
    return MatchStart(elements(parts, [_tag(MATCH), name], MatchStart)[1])


def _move_request(value: Any, _: type = MoveRequest) -> MoveRequest:
    parts = array(value, f'["{MOVE}", round, prev]', range(3, 4))
    _, round_, prev = elements(parts, [_tag(MOVE), round_number, _prev_or_none], MoveRequest)
    if (prev is None) != (round_ == 1):
        raise ValueError(f"round {round_} comes with {'no previous round' if round_ == 1 else 'its previous round'}, got {show(parts[2])}")
    return MoveRequest(round_, prev)


def _move_reply(value: Any, _: type = MoveReply) -> MoveReply:
    round_, chosen = elements(array(value, "a reply [round, move]", range(2, 3)), [round_number, move], MoveReply)
    return MoveReply(round_, chosen)


def _reason(value: Any) -> str:
    if type(value) is not str:
        raise ValueError(f"expected a reason (a string), got {show(value)}")
    if len(value) > REASON_LIMIT:
        raise ValueError(f"expected a reason of at most {REASON_LIMIT} characters, got {len(value)}")
    return value


def _error_report(value: Any, _: type = ErrorReport) -> ErrorReport:
    parts = array(value, f'["{ERROR}", reason]', range(2, 3))
    return ErrorReport(elements(parts, [_tag(ERROR), _reason], ErrorReport)[1])


def is_error_report(value: Any) -> bool:
    """Whether `value` is tagged as an ErrorReport, `["error", ...]` (well formed or not: `structure` says)."""
    return type(value) is list and len(value) > 0 and value[0] == ERROR


def _match_over(value: Any, _: type = MatchOver) -> MatchOver:
    parts = array(value, f'["{MATCH_OVER}", prev, totals, rounds]', range(4, 5))
    _, prev, totals, rounds = elements(parts, [_tag(MATCH_OVER), _prev_or_none, _totals, lambda v: whole_number(v, 0)], MatchOver)
    if (prev is None) != (rounds == 0):
        expected = "no previous round" if rounds == 0 else "its last round"
        raise ValueError(f"a match of {rounds} rounds ends with {expected}, got {show(parts[1])}")
    return MatchOver(prev, totals, rounds)


def _tournament_results(value: Any, _: type = TournamentResults) -> TournamentResults:
    parts = array(value, f'["{RESULTS}", outcomes, standings]', range(3, 4))
    _, outcomes, standings = elements(parts, [_tag(RESULTS), _outcomes, _standings], TournamentResults)
    return TournamentResults(outcomes, standings)


_BY_TAG: dict[str, Callable[[Any], ServerMessage]] = {
    PLAYING_AS: _playing_as,
    MATCH: _match_start,
    MOVE: _move_request,
    MATCH_OVER: _match_over,
    RESULTS: _tournament_results,
}


def _server_message(value: Any, _: Any = ServerMessage) -> ServerMessage:
    tag = value[0] if type(value) is list and value else None
    structure_message = _BY_TAG.get(tag) if type(tag) is str else None
    if structure_message is None:
        tags = ", ".join(f'"{t}"' for t in _BY_TAG)
        raise ValueError(f"expected a message tagged {tags}, got {show(value)}")
    return structure_message(value)


# ---------------------------------------------------------------------------
# Unstructuring


def _prev_to_json(prev: Prev | None) -> list[Recorded] | None:
    return None if prev is None else [prev.mine, prev.theirs]


def _unstructure_hooks() -> dict[type, Callable[[Any], Any]]:
    return {
        Prev: _prev_to_json,
        Totals: lambda totals: [totals.mine, totals.theirs],
        Scored: lambda s: [s.first, s.second, s.first_score, s.second_score, s.rounds],
        Irregular: lambda i: [i.first, i.second, IRREGULAR],
        Standing: lambda s: [s.name, s.score, s.matches],
        PlayingAs: lambda message: [PLAYING_AS, message.name],
        MatchStart: lambda message: [MATCH, message.opponent],
        MoveRequest: lambda message: [MOVE, message.round, _prev_to_json(message.prev)],
        MoveReply: lambda message: [message.round, message.move],
        ErrorReport: lambda message: [ERROR, message.reason],
        MatchOver: lambda message: [MATCH_OVER, _prev_to_json(message.prev), [message.totals.mine, message.totals.theirs], message.rounds],
        TournamentResults: lambda message: [
            RESULTS,
            [unstructure(o) for o in message.outcomes],
            [unstructure(s) for s in message.standings],
        ],
    }


# ---------------------------------------------------------------------------
# The converter


def _wire_converter() -> cattrs.Converter:
    converter = strict_converter()
    for cls, structure_hook in [
        (Prev, _prev),
        (Totals, _totals),
        (Scored, _scored),
        (Irregular, _irregular),
        (Standing, _standing),
        (PlayingAs, _playing_as),
        (MatchStart, _match_start),
        (MoveRequest, _move_request),
        (MoveReply, _move_reply),
        (ErrorReport, _error_report),
        (MatchOver, _match_over),
        (TournamentResults, _tournament_results),
    ]:
        converter.register_structure_hook(cls, structure_hook)
    for new_type, leaf in [(Name, name), (Token, token)]:
        converter.register_structure_hook(new_type, value_hook(leaf))
    for alias, alias_hook in [
        (Move, value_hook(move)),
        (Recorded, value_hook(recorded)),
        (Prev | None, _prev_or_none),
        (MatchOutcome, _outcome),
        (Outcomes, _outcomes),
        (Standings, _standings),
        (ServerMessage, _server_message),
    ]:
        converter.register_structure_hook_func(is_type(alias), alias_hook)
    for cls, unstructure_hook in _unstructure_hooks().items():
        converter.register_unstructure_hook(cls, unstructure_hook)
    return converter


WIRE = _wire_converter()


@overload
def structure(data: Any, type_: type[T]) -> T: ...
@overload
def structure(data: Any, type_: Any) -> Any: ...
def structure(data: Any, type_: Any) -> Any:
    """`data` as a value of the wire type `type_`, or StructureError naming what is wrong and where."""
    return structure_with(data, type_, WIRE)


def structure_reply(data: Any) -> MoveReply:
    """`data` as a MoveReply (StructureError otherwise), with a fast path for good replies: one per player and round."""
    if type(data) is list and len(data) == 2:
        round_, chosen = data
        if type(round_) is int and round_ >= 1 and type(chosen) is str and (chosen == "C" or chosen == "D"):
            return MoveReply(round_, chosen)  # type: ignore[arg-type]  # "C" or "D", as checked
    return structure_with(data, MoveReply, WIRE)


_ROUND_1_REQUEST = MoveRequest(1, None)


def structure_server_message(data: Any) -> ServerMessage:
    """`data` as one of the server's messages (StructureError otherwise), with a fast path for move requests.

    It agrees with `structure(data, ServerMessage)`; the client calls it for every message it receives.
    """
    if type(data) is list and len(data) == 3 and data[0] == MOVE:
        _, round_, prev = data
        if type(round_) is int and round_ >= 1:
            if prev is None:
                if round_ == 1:
                    return _ROUND_1_REQUEST
            elif round_ > 1 and type(prev) is list and len(prev) == 2:
                scored = PREVS.get((prev[0], prev[1])) if _is_recorded_text(prev[0]) and _is_recorded_text(prev[1]) else None
                if scored is not None:
                    return MoveRequest(round_, scored)
    return structure_with(data, ServerMessage, WIRE)


def _is_recorded_text(value: Any) -> bool:
    return value is None or (type(value) is str and (value == "C" or value == "D"))


def unstructure(value: Any) -> Any:
    """`value` as plain JSON data (lists, strings, numbers, null)."""
    if isinstance(value, tuple):
        return [unstructure(element) for element in value]
    return WIRE.unstructure(value)
