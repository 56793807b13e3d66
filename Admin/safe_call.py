"""The one way the administrators call into a player: bounded, and never raising.

`safe_call` runs one call of a player's method under a time limit and turns
everything that can go wrong into a Failure value that names the reason: no
answer in time, any exception (a local bug, a broken connection, a message of
the wrong shape), or an answer of the wrong type. Nothing else in Admin
catches a player's exceptions. Cancellation from outside (the tournament being
stopped) is not a failure of the player and passes through.

A Failure keeps its kind on the way up, so that each game's referee decides
what a kind costs (Santorini puts the player out for any; the prisoner's
dilemma turns a late reply into a forfeited round):

* LATE: no answer within the time limit;
* MALFORMED: an answer of the wrong shape or type, or bytes that are not the
  protocol (an exception whose class says `failure_kind = MALFORMED`, such as
  a StructureError);
* BROKEN: any other exception: a closed or broken connection, a local bug;
* ILLEGAL: a well-formed answer that the rules forbid (only referees say so);
* ABSENT: the player did not come back when its interrupted tournament
  resumed (Admin.absent).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import attrs
import trio

from Common.participant import ABSENT, BROKEN, FAILURE_KINDS, ILLEGAL, LATE, MALFORMED  # noqa: F401 - the kinds, for referees
from Common.strict import StructureError, shorten

T = TypeVar("T")



@attrs.frozen
class Failure:
    """A player misbehaved during one call; `reason` says how, for a person; `kind` is one of FAILURE_KINDS."""

    reason: str
    kind: str = attrs.field(default=BROKEN, validator=attrs.validators.in_(FAILURE_KINDS))


def _kind_of(error: Exception) -> str:
    if isinstance(error, StructureError):
        return MALFORMED
    kind = getattr(error, "failure_kind", BROKEN)
    return kind if kind in FAILURE_KINDS else BROKEN


async def safe_call(
    method: Callable[..., Awaitable[Any]],
    *args: Any,
    time_limit: float,
    expect: Any = None,
) -> Any:
    """`await method(*args)`, or a Failure when it is late, raises, or answers other than `expect`.

    `expect` is a type, a union of types, or None for calls whose answer is ignored.
    """
    name = getattr(method, "__name__", "call")
    with trio.move_on_after(time_limit) as deadline:
        try:
            answer = await method(*args)
        except Exception as error:  # noqa: BLE001 - turning these into values is this module's purpose
            return Failure(f"{name}: {type(error).__name__}: {error}", _kind_of(error))
    if deadline.cancelled_caught:
        return Failure(f"{name}: no answer within {time_limit:g} s", LATE)
    if expect is not None and not isinstance(answer, expect):
        return Failure(f"{name}: answered {shorten(repr(answer), 60)}, which is not a {_type_name(expect)}", MALFORMED)
    return answer


def _type_name(expect: Any) -> str:
    return getattr(expect, "__name__", None) or " or ".join(t.__name__ for t in expect.__args__)
