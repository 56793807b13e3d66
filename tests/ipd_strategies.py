"""Hypothesis strategies for the data definitions of Common/ipd, one per definition, and a match without a referee.

Values come in two forms: Common.ipd values (for round trips, scoring and
folds) and the JSON a peer would send, written here by hand rather than by
Common.ipd.wire. `round_robins()` makes whole tournaments of random scores,
for the revisions and the Standings. `play_match` drives the Match fold
with two functions that settle replies, so that the scoring examples and
the strategies are tested without threads or clocks.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
from hypothesis import settings
from hypothesis import strategies as st

from Common.ipd.chance import Horizon, MatchKey
from Common.ipd.match import Match, RoundResult
from Common.ipd.messages import MatchOver, MatchStart, MoveReply, MoveRequest, PlayingAs, TournamentResults
from Common.ipd.moves import MOVES, PREVS, RECORDED, Prev, Totals
from Common.ipd.names import MAX_NAME_LENGTH, MAX_TOKEN_LENGTH, MIN_TOKEN_LENGTH, NAME_CHARACTERS, Name
from Common.ipd.outcomes import Irregular, Misbehaved, Scored, Standing
from Common.ipd.scoring import Payoffs
from Common.ipd.settings import IPDSettings
from Player.ipd.strategy import Strategy

QUICK = settings(max_examples=40, deadline=None)
"""For properties of cheap values: enough examples to vary every part, and the whole suite stays fast."""

# ---------------------------------------------------------------------------
# Names and tokens


def names() -> st.SearchStrategy[Name]:
    """Names of every length and character, with the longest allowed (36) drawn often."""
    return st.one_of(
        st.text(NAME_CHARACTERS, min_size=1, max_size=6),
        st.text(NAME_CHARACTERS, min_size=1, max_size=MAX_NAME_LENGTH),
        st.text(NAME_CHARACTERS, min_size=MAX_NAME_LENGTH, max_size=MAX_NAME_LENGTH),
    ).map(Name)


def two_names() -> st.SearchStrategy[tuple[Name, Name]]:
    """The two players of a match, different from each other."""
    return st.lists(names(), min_size=2, max_size=2, unique=True).map(tuple)


def tokens() -> st.SearchStrategy[str]:
    return st.text(NAME_CHARACTERS, min_size=MIN_TOKEN_LENGTH, max_size=MAX_TOKEN_LENGTH)


# ---------------------------------------------------------------------------
# Moves and what players are told


def moves() -> st.SearchStrategy[str]:
    return st.sampled_from(MOVES)


def recordeds() -> st.SearchStrategy[str | None]:
    return st.sampled_from(RECORDED)


def prevs() -> st.SearchStrategy[Prev]:
    return st.sampled_from(list(PREVS.values()))


def totals() -> st.SearchStrategy[Totals]:
    return st.builds(Totals, st.integers(-(10**6), 10**7), st.integers(-(10**6), 10**7))


# ---------------------------------------------------------------------------
# Outcomes and standings


def scoreds(players: st.SearchStrategy[tuple[Name, Name]] | None = None) -> st.SearchStrategy[Scored]:
    return st.builds(
        lambda pair, a, b, rounds: Scored(*pair, a, b, rounds),
        players if players is not None else two_names(),
        st.integers(-1000, 10**4),
        st.integers(-1000, 10**4),
        st.integers(1, 2000),
    )


def irregulars() -> st.SearchStrategy[Irregular]:
    return two_names().map(lambda pair: Irregular(*pair))


def outcomes() -> st.SearchStrategy[Scored | Irregular]:
    return st.one_of(scoreds(), irregulars())


def standings_values() -> st.SearchStrategy[Standing]:
    return st.builds(Standing, names(), st.floats(-100, 100, allow_nan=False).map(lambda x: round(x, 6)), st.integers(0, 500))


# ---------------------------------------------------------------------------
# Messages


def playing_as() -> st.SearchStrategy[PlayingAs]:
    return st.builds(PlayingAs, names())


def match_starts() -> st.SearchStrategy[MatchStart]:
    return st.builds(MatchStart, names())


def round_numbers() -> st.SearchStrategy[int]:
    return st.one_of(st.integers(1, 3), st.integers(1, 10**9))


def move_requests() -> st.SearchStrategy[MoveRequest]:
    return st.one_of(
        st.just(MoveRequest(1, None)),
        st.builds(MoveRequest, round_numbers().filter(lambda k: k > 1), prevs()),
    )


def move_replies() -> st.SearchStrategy[MoveReply]:
    return st.builds(MoveReply, round_numbers(), moves())


def match_overs() -> st.SearchStrategy[MatchOver]:
    return st.one_of(
        st.builds(lambda t: MatchOver(None, t, 0), totals()),
        st.builds(MatchOver, prevs(), totals(), st.integers(1, 10**6)),
    )


def tournament_results() -> st.SearchStrategy[TournamentResults]:
    return st.builds(
        TournamentResults,
        st.lists(outcomes(), max_size=8).map(tuple),
        st.lists(standings_values(), max_size=6).map(tuple),
    )


def server_messages() -> st.SearchStrategy:
    return st.one_of(playing_as(), match_starts(), move_requests(), match_overs(), tournament_results())


# ---------------------------------------------------------------------------
# JSON as a peer sends it (written by hand, not by Common.ipd.wire)


def prev_json(prev: Prev | None) -> list | None:
    return None if prev is None else [prev.mine, prev.theirs]


def outcome_json(outcome: Scored | Irregular) -> list:
    if isinstance(outcome, Irregular):
        return [outcome.first, outcome.second, "irregular"]
    return [outcome.first, outcome.second, outcome.first_score, outcome.second_score, outcome.rounds]


def message_json(message: object) -> list:
    """The JSON of any message of Common.ipd.messages, as the contract writes it."""
    match message:
        case PlayingAs(name):
            return ["playing-as", name]
        case MatchStart(opponent):
            return ["match", opponent]
        case MoveRequest(k, prev):
            return ["move", k, prev_json(prev)]
        case MoveReply(k, move):
            return [k, move]
        case MatchOver(prev, Totals(mine, theirs), rounds):
            return ["match-over", prev_json(prev), [mine, theirs], rounds]
        case TournamentResults(outcomes_, standings_):
            return ["results", [outcome_json(o) for o in outcomes_], [[s.name, s.score, s.matches] for s in standings_]]
    raise TypeError(f"not a message: {message!r}")


def json_values() -> st.SearchStrategy:
    """Any JSON value (no NaN or infinities), with wire-like strings and small numbers mixed in."""
    wire_words = st.sampled_from(
        ["C", "D", "c", "d", "B", "CD", "", "irregular", "move", "match", "match-over", "results", "playing-as", "alice", "Bob_2", "1", "é"]
    )
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-2, 7),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=6),
        wire_words,
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(st.lists(inner, max_size=6), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
        max_leaves=16,
    )


# ---------------------------------------------------------------------------
# Settings and the randomness of matches


@st.composite
def payoffs(draw: st.DrawFn) -> Payoffs:
    """Any payoffs with T > R > P > S and 2R > T + S, negative ones included."""
    sucker = draw(st.integers(-20, 20))
    punishment = sucker + draw(st.integers(1, 20))
    reward = punishment + draw(st.integers(1, 20))
    temptation = reward + draw(st.integers(1, reward - sucker - 1))
    return Payoffs(reward, sucker, temptation, punishment)


@st.composite
def horizons(draw: st.DrawFn, most: int = 300) -> Horizon:
    max_rounds = draw(st.integers(1, most))
    min_rounds = draw(st.integers(1, max_rounds))
    end_probability = draw(st.one_of(st.sampled_from([0.0, 1.0, 0.5, 0.00346]), st.floats(0, 1)))
    return Horizon(min_rounds, end_probability, max_rounds)


def match_keys(players: st.SearchStrategy[tuple[Name, Name]] | None = None) -> st.SearchStrategy[MatchKey]:
    return st.builds(
        lambda seed, repetition, pair, meeting: MatchKey(seed, repetition, *pair, meeting),
        st.one_of(st.integers(0, 10), st.integers(0, 2**64)),
        st.integers(0, 3),
        players if players is not None else two_names(),
        st.integers(0, 2),
    )


@st.composite
def ipd_settings(draw: st.DrawFn, most: int = 60) -> IPDSettings:
    horizon = draw(horizons(most))
    return IPDSettings(
        payoffs=draw(payoffs()),
        min_rounds=horizon.min_rounds,
        end_probability=horizon.end_probability,
        max_rounds=horizon.max_rounds,
        seed=draw(st.integers(0, 2**32)),
        noise=draw(st.sampled_from([0.0, 0.1, 0.5, 1.0])),
        forfeits_allowed=draw(st.integers(0, 4)),
    )


# ---------------------------------------------------------------------------
# Whole tournaments


@attrs.frozen
class RoundRobin:
    """Players in sign-up order and a Scored outcome for every pairing of a round robin, in schedule order."""

    players: tuple[Name, ...]
    matches: tuple[Scored, ...]


@st.composite
def round_robins(draw: st.DrawFn, most_players: int = 6, repetitions: int = 2) -> RoundRobin:
    players = tuple(draw(st.lists(names(), min_size=2, max_size=most_players, unique=True)))
    matches = []
    for _ in range(draw(st.integers(1, repetitions))):
        for i, first in enumerate(players):
            for second in players[i + 1 :]:
                rounds = draw(st.integers(1, 5))
                first_score, second_score = draw(st.integers(0, 5 * rounds)), draw(st.integers(0, 5 * rounds))
                matches.append(Scored(first, second, first_score, second_score, rounds))
    return RoundRobin(players, tuple(matches))


# ---------------------------------------------------------------------------
# Playing a match without a referee (a pure adapter: no threads, no clocks)

Decider = Callable[[int, Prev | None], str | None]
"""What settles a player's reply in a round, given the round and its Prev: a Move, or None for a forfeit."""


@st.composite
def deciders(draw: st.DrawFn) -> Decider:
    """Replies by round: a cycle of moves and forfeits (None) drawn once."""
    cycle = draw(st.lists(st.sampled_from(["C", "D", "C", "D", None]), min_size=1, max_size=7))
    return lambda round_, prev: cycle[(round_ - 1) % len(cycle)]


def deciding(strategy: Strategy, me: Name) -> Decider:
    """The Decider that asks `strategy` (playing as `me`) for each move."""
    return lambda round_, prev: strategy.move(me, round_, prev)


@attrs.frozen
class PlayedMatch:
    """A match played by `play_match`: how it ended, every round, and every request each player received."""

    played: Scored | Misbehaved
    rounds: tuple[RoundResult, ...]
    first_requests: tuple[MoveRequest, ...]
    second_requests: tuple[MoveRequest, ...]
    first_over: MatchOver
    second_over: MatchOver


def play_match(settings: IPDSettings, key: MatchKey, first: Decider, second: Decider) -> PlayedMatch:
    """Play the match of `key` with the Match fold, settling each round with the two Deciders."""
    match = Match(settings, key)
    rounds, first_requests, second_requests = [], [], []
    while not match.over:
        first_request, second_request = match.request(key.first), match.request(key.second)
        first_requests.append(first_request)
        second_requests.append(second_request)
        rounds.append(match.settle(first(first_request.round, first_request.prev), second(second_request.round, second_request.prev)))
    return PlayedMatch(
        match.played(),
        tuple(rounds),
        tuple(first_requests),
        tuple(second_requests),
        match.match_over(key.first),
        match.match_over(key.second),
    )


def play_strategies(settings: IPDSettings, key: MatchKey, first: Strategy, second: Strategy) -> PlayedMatch:
    """Play the match of `key` between two strategies, telling them of its start and end as a player would."""
    first.start_match(key.first, key.second)
    second.start_match(key.second, key.first)
    played = play_match(settings, key, deciding(first, key.first), deciding(second, key.second))
    for strategy, me, over in [(first, key.first, played.first_over), (second, key.second, played.second_over)]:
        strategy.match_over(me, over.prev, over.totals, over.rounds)
    return played


def fixed_length(rounds: int, **changes: object) -> IPDSettings:
    """Settings whose matches all last `rounds` rounds, without noise."""
    return IPDSettings(min_rounds=rounds, max_rounds=rounds, seed=0, **changes)
