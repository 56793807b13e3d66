"""The one way the administrators call into a player: bounded, and never raising.

`safe_call` runs one call of a player's method under a time limit and
returns its answer or a Failure (`Common/participant.py`) that names the
reason: no answer in time, any exception of a local player (a bug), or an
answer that is not what the call `expect`s. A remote player's failure (a
broken connection, a message of the wrong shape) arrives already as a
Failure, made by its conversation where it happened, and is passed on
unchanged. `ask_all` makes one call of several players at once, each under
the same time limit. Nothing else in Admin catches a player's exceptions.
Cancellation from outside (the tournament being stopped) is not a failure
of the player and passes through.

A Failure keeps its kind on the way up, so that each game's referee decides
what a kind costs (Santorini puts the player out for any; the prisoner's
dilemma turns a late reply into a forfeited round):

* LATE: no answer within the time limit;
* MALFORMED: an answer of the wrong shape or type, or bytes that are not the
  protocol;
* BROKEN: a closed or broken connection, a local player's exception;
* ILLEGAL: a well-formed answer that the rules forbid (only referees say so);
* ABSENT: the player did not come back when its interrupted tournament
  resumed (Admin.absent).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, NamedTuple

import attrs
import trio

from Admin.time_limits import move_on_after, now
from Common.participant import ABSENT, BROKEN, FAILURE_KINDS, ILLEGAL, LATE, MALFORMED, Failure
from Common.strict import StructureError, shorten

__all__ = ["ABSENT", "BROKEN", "FAILURE_KINDS", "ILLEGAL", "LATE", "MALFORMED", "Asked", "Expect", "Failure", "ask_all", "safe_call"]


@attrs.frozen
class Expect:
    """What a call must answer: `accepts(answer)` is true, else the Failure says it is not a `name`."""

    name: str
    accepts: Callable[[Any], bool]

    @staticmethod
    @functools.cache
    def instance_of(kind: Any) -> Expect:
        """An answer that is an instance of the class `kind`, or of one of a union's (made once per `kind`)."""
        name = getattr(kind, "__name__", None) or " or ".join(member.__name__ for member in kind.__args__)
        return Expect(name, lambda answer: isinstance(answer, kind))


class Asked(NamedTuple):
    """One player's part of `ask_all`: the answer (or its Failure) and the seconds it took."""

    answer: Any
    seconds: float


_asked = functools.partial(tuple.__new__, Asked)
"""`Asked(answer, seconds)` of a tuple `(answer, seconds)`, without the Python call that a NamedTuple's constructor is."""


async def safe_call(
    method: Callable[..., Awaitable[Any]],
    *args: Any,
    time_limit: float,
    expect: Expect | Any = None,
) -> Any:
    """`await method(*args)`, or a Failure when it is late, raises, fails, or answers other than `expect`.

    `expect` is an Expect, a class or a union of classes, or None for calls whose answer is ignored.
    """
    name = getattr(method, "__name__", "call")
    with move_on_after(time_limit) as deadline:
        try:
            answer = await method(*args)
        except Exception as error:  # noqa: BLE001 - a local player's exception becomes a value here, where it happens
            kind = MALFORMED if isinstance(error, StructureError) else BROKEN
            return Failure(f"{name}: {type(error).__name__}: {error}", kind)
    if deadline.cancelled_caught:
        return _late(name, time_limit)
    return _checked(name, answer, expect)


async def ask_all(
    calls: Sequence[tuple[Any, str, tuple[Any, ...]]],
    time_limit: float,
    expect: Expect | Any = None,
) -> list[Asked]:
    """Make every `(player, method name, arguments)` call at once, each under `time_limit`; their Asked, in order.

    Remote players that can (`ask_together`) are all asked first and then
    read in one task, whichever answers first; otherwise each call runs in a
    task of its own, under `safe_call`.
    """
    if not calls:
        return []
    for player, _, _ in calls:
        if not hasattr(type(player), "ask_together"):
            break
    else:
        ended = await calls[0][0].ask_together(calls, time_limit)
        accepts = expect.accepts if type(expect) is Expect else None
        if accepts is not None and len(ended) == 2:  # a round of two, as the list below makes it for the usual answers
            (first, first_seconds, first_late), (second, second_seconds, second_late) = ended
            if not first_late and not second_late and accepts(first) and accepts(second):
                return [_asked((first, first_seconds)), _asked((second, second_seconds))]
        return [
            _asked((answer, seconds))  # Asked(_checked(method, answer, expect), seconds), for the usual answer
            if accepts is not None and not timed_out and accepts(answer)
            else Asked(_late(method, time_limit) if timed_out else _checked(method, answer, expect), seconds)
            for (answer, seconds, timed_out), (_, method, _) in zip(ended, calls, strict=True)
        ]
    asked: list[Asked] = [Asked(None, 0.0)] * len(calls)

    async def ask(index: int, player: Any, method: str, arguments: tuple[Any, ...]) -> None:
        started = now()
        answer = await safe_call(getattr(player, method), *arguments, time_limit=time_limit, expect=expect)
        asked[index] = Asked(answer, now() - started)

    async with trio.open_nursery() as nursery:
        for index, (player, method, arguments) in enumerate(calls):
            nursery.start_soon(ask, index, player, method, arguments)
    return asked


def _late(name: str, time_limit: float) -> Failure:
    return Failure(f"{name}: no answer within {time_limit:g} s", LATE)


def _checked(name: str, answer: Any, expect: Expect | Any) -> Any:
    """`answer`, or a MALFORMED Failure when it is not what `expect` accepts; a Failure stays as it is."""
    if expect is None or isinstance(answer, Failure):
        return answer
    if not isinstance(expect, Expect):
        expect = Expect.instance_of(expect)
    if expect.accepts(answer):
        return answer
    return Failure(f"{name}: answered {shorten(repr(answer), 60)}, which is not a {expect.name}", MALFORMED)
