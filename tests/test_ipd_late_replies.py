"""Late IPD replies never count in another match: what a connection owes is kept across matches and discarded first.

Over memory streams (the time limit runs on the autojump clock, nothing else
depends on time), and as a property of the ledger of owed replies against a
client that answers in order, in time, late or never.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from Admin.safe_call import LATE, MALFORMED, Failure
from Common.ipd.moves import Prev, Totals
from Common.ipd.names import Name
from Remote.ipd.owed import ANSWER, LATE_COPY, OwedReplies
from tests.test_ipd_remote_player import forfeit, move_with_reply, remote_and_client


async def _late_in_round_1_of_a_match_against_bob(player, client) -> None:
    await player.start_match(Name("bob"))
    assert await client.receive() == ["match", "bob"]
    await forfeit(player, client, 1, None)
    await player.match_over(Prev(None, "C"), Totals(0, 3), 1)
    assert await client.receive() == ["match-over", [None, "C"], [0, 3], 1]
    await player.start_match(Name("carl"))
    assert await client.receive() == ["match", "carl"]


async def test_a_late_reply_arriving_in_round_1_of_the_next_match_is_discarded_there(autojump_clock) -> None:
    player, client = remote_and_client()
    await _late_in_round_1_of_a_match_against_bob(player, client)
    # round 1 against carl is asked; the late [1, "D"] of bob's match arrives first, then the real answer
    assert await move_with_reply(player, client, 1, None, [1, "D"], [1, "C"]) == "C"
    assert player.forfeited_rounds == ()


async def test_a_late_reply_alone_in_round_1_of_the_next_match_leaves_that_round_forfeited(autojump_clock) -> None:
    player, client = remote_and_client()
    await _late_in_round_1_of_a_match_against_bob(player, client)
    failure = await move_with_reply(player, client, 1, None, [1, "D"])  # bob's match's move, not carl's
    assert failure == Failure("move: no answer within 1 s", LATE)
    assert player.forfeited_rounds == (1,)  # carl's round 1, which may still come
    assert await move_with_reply(player, client, 2, Prev(None, "C"), [1, "C"], [2, "C"]) == "C"


async def test_each_match_forfeited_in_round_1_owes_one_copy_all_discarded_before_the_answer(autojump_clock) -> None:
    player, client = remote_and_client()
    for opponent in ("bob", "carl"):  # round 1 forfeited in two matches
        await player.start_match(Name(opponent))
        await client.receive()
        await forfeit(player, client, 1, None)
        await player.match_over(Prev(None, "C"), Totals(0, 3), 1)
        await client.receive()
    assert player.forfeited_rounds == (1, 1)
    await player.start_match(Name("dora"))
    await client.receive()
    assert await move_with_reply(player, client, 1, None, [1, "D"], [1, "D"], [1, "C"]) == "C"
    failure = await move_with_reply(player, client, 2, Prev("C", "C"), [1, "C"])
    assert failure.kind == MALFORMED and "round 1 awaits no reply" in failure.reason


async def test_an_answer_in_time_settles_what_was_owed_before_it(autojump_clock) -> None:
    player, client = remote_and_client()
    await forfeit(player, client, 4, Prev("C", "C"))
    assert await move_with_reply(player, client, 5, Prev(None, "C"), [5, "D"]) == "D"
    assert player.forfeited_rounds == ()  # the copy for round 4 would have come before: it never will
    failure = await move_with_reply(player, client, 6, Prev("D", "C"), [4, "C"])
    assert failure.kind == MALFORMED and "round 4 awaits no reply" in failure.reason


# ---------------------------------------------------------------------------
# The ledger, against every client that answers in order


@st.composite
def conversations(draw) -> tuple[list[int], list[int | None]]:
    """Requests (their round numbers, matches one after another) and when each reply arrives.

    `arrivals[i]` is the request during which reply i arrives (i: in time; a
    later one: late; len(requests): after the last request), or None: never
    sent. TCP keeps order: the replies that are sent arrive in the order of
    their requests.
    """
    lengths = draw(st.lists(st.integers(1, 4), min_size=1, max_size=5))
    rounds = [k for length in lengths for k in range(1, length + 1)]
    arrivals: list[int | None] = []
    earliest = 0
    for i in range(len(rounds)):
        if draw(st.booleans()) and draw(st.booleans()):
            arrivals.append(None)
            continue
        arrival = draw(st.integers(max(i, earliest), len(rounds)))
        arrivals.append(arrival)
        earliest = arrival
    return rounds, arrivals


def _replay(rounds: list[int], arrivals: list[int | None]) -> dict[int, int]:
    """Which reply answered which request, as the ledger decides; every other reply is a discarded late copy."""
    owed = OwedReplies()
    answered: dict[int, int] = {}
    for window in range(len(rounds) + 1):
        asked = rounds[window] if window < len(rounds) else None
        for reply, arrival in enumerate(arrivals):
            if arrival != window:
                continue
            verdict = owed.take(rounds[reply], asked)
            assert verdict in (ANSWER, LATE_COPY), f"reply {reply} for round {rounds[reply]} refused"
            if verdict == ANSWER:
                answered[window] = reply
        if asked is not None and window not in answered:
            owed.forfeit(asked)
    return answered


@given(conversations())
def test_a_reply_only_ever_counts_for_its_own_request(conversation) -> None:
    rounds, arrivals = conversation
    for request, reply in _replay(rounds, arrivals).items():
        assert reply == request


@given(conversations())
def test_a_client_that_answers_every_request_has_every_timely_answer_counted(conversation) -> None:
    rounds, arrivals = conversation
    sent = [len(rounds) if arrival is None else arrival for arrival in arrivals]  # the dropped ones, sent at the end
    sent = [max(sent[: i + 1]) for i in range(len(sent))]  # still in order
    answered = _replay(rounds, sent)
    assert answered == {i: i for i, arrival in enumerate(sent) if arrival == i}
