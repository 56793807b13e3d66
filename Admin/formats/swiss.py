"""The Swiss format: R rounds, each pairing players of equal score who have not met yet, from the top score group down.

The rules, as this module applies them (deterministic: the same sign-up
order and the same results give the same stages; nothing is random):

* **Who is paired**: every player not out (a culprit of any earlier
  encounter is out too, whether or not the manager's `out` says so). The
  event ends (`next_stage` is None) after R rounds, when fewer than two
  players are left, or when no pairing without a repeat exists (see
  below).
* **Ranking for a round**: by score (a win 1, a draw 1/2, a loss 0, a bye
  1; an encounter whose `Played.score` is None counts 0 for both), then by
  sign-up order. Round 1 is this ranking too: everybody has 0, so the
  players are in sign-up order.
* **Score groups**: the players of one score, highest first. A group is
  paired top half against bottom half (in round 1 with 8 players: 0 v 4,
  1 v 5, 2 v 6, 3 v 7, as the Dutch system does). Players who float down
  from the group above come first in the next group and meet its
  highest players (the first floater the group's first, ...); the group's
  other players are then paired top half against bottom half. A player
  that cannot be paired in its group (an odd group, or only opponents it
  has met) floats down to the next group; a group pairs as many of its
  players as it can while the groups below can still be paired.
* **Never twice**: two players who have met (been paired, whatever the
  result) are never paired again; that is absolute. Within a group the
  pairing searches, in order, the opponents from the natural one (top half
  against bottom half) down the group, then back up towards the player
  (transpositions and exchanges), and backtracks into the groups above when a
  group below cannot be paired. Should that search take too long (a budget
  of steps in proportion to the field: in practice when the rounds are
  more than about a third of the field, and the groups are small and have
  met much), matchings take over (Edmonds' blossoms, by who may still meet
  whom): down the ranking, each player takes the first opponent in its
  order of preference (its own group from the natural opponent, then the
  nearest scores below) that still leaves the others a pairing. So a
  pairing without repeats is found whenever one exists, keeping to the
  score groups player by player rather than group by group. When no pairing
  without repeats exists at all (more rounds than the field allows, or
  the earlier rounds' pairings left none: the pairing looks at one round at
  a time), the event ends there, and the summary's `rounds played` says
  how many it had.
* **Who starts** (is listed first): the one of the two whose *balance*
  (encounters started minus encounters not started, counting every pairing
  whatever its result; a bye or a missed round changes nothing) is lower,
  rather than the one who started fewer, which would favour again a player
  who has sat out. Equal balances: the one
  that did not start its latest encounter, if exactly one of them did;
  otherwise the higher-ranked starts on the round's boards 1, 3, 5, ... and
  the lower-ranked on boards 2, 4, ... (the boards are the pairings in
  ranking order of their higher-ranked player; round 1: 0 v 4 with 0
  starting, 5 v 1 with 5 starting, ...). Balance is also a preference of the
  pairing: within a group an opponent whose balance is not the player's
  own (or 0 with 0) is tried before one whose is, so two players due to start
  meet only when the group leaves no other way. That is a preference, not
  a rule: a player's balance can reach 2 or more when the group gives it
  only opponents due to start like it (the tests check the rule of who
  starts, and measure the balances).
* **Byes**: with an odd number of players, the lowest-ranked player who has
  had no bye sits out and scores a win; if every player has had one, the
  one with the fewest byes, lowest-ranked first, gets another. A player is
  passed over for the bye when the others could not then be paired
  without a repeat.
* **Standings** (`summary`): a player put out for misbehaving (a culprit)
  below every player still in (`"out": true`; it keeps its score, as the
  pairings saw it, but is no longer in the event), then by score, then Buchholz (the sum of the
  final scores of the opponents met; a bye adds nothing; an opponent put
  out counts with the score it had when it went out, since it scores
  nothing after), then Sonneborn-Berger (the sum of the final scores of the
  opponents beaten, plus half those of the opponents drawn with), then the
  rating at the end (higher first; left out when there are none), then
  sign-up order. `rank` is the place in that order, from 1.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import chain, groupby
from typing import Any

import attrs

from Admin.formats.matching import pair_by_matching
from Admin.formats.stage import WIN, Stage, StageResult

BUDGET_PER_PLAYER = 200
BUDGET_BASE = 20_000
"""The score-group search's steps before the matching takes over: BUDGET_BASE + BUDGET_PER_PLAYER per player to pair."""

_FLOAT = -1
"""A search option: the player floats down to the next group instead of being paired in its own."""


def _positive(instance: object, attribute: attrs.Attribute, value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"swiss: rounds must be a positive whole number, got {value!r}")


@attrs.frozen
class Swiss:
    """A Swiss event of `rounds` rounds (the module's docstring has the rules)."""

    rounds: int = attrs.field(validator=_positive)

    def expected_encounters(self, players: int) -> int:
        """Every round pairs all but a bye."""
        return self.rounds * (players // 2)

    def next_stage(self, players: int, out: frozenset[int], stages: Sequence[StageResult]) -> Stage | None:
        """The next round, or None after the last round, with fewer than two players left, or when no pairing without repeats exists."""
        if len(stages) >= self.rounds:
            return None
        history = History.of(players, stages, out)
        pairing = pair_round(history)
        if pairing is None:
            return None
        pairs, byes = pairing
        return Stage(pairings=pairs, label=f"Swiss round {len(stages) + 1} of {self.rounds}", byes=byes)

    def summary(self, players: int, stages: Sequence[StageResult], ratings: Sequence[float] | None) -> dict[str, Any]:
        """The standings with their tie-breaks, and how many of the rounds were played."""
        return {
            "kind": "swiss",
            "rounds": self.rounds,
            "rounds played": len(stages),
            "standings": standings(players, stages, ratings),
        }


@attrs.frozen
class PlayedSide:
    """One ended encounter from one player's side: the opponent, whether this player started, and its score (None: nobody scored)."""

    opponent: int
    started: bool
    score: float | None


@attrs.frozen
class History:
    """What the rounds so far say of each player (lists indexed by player): its encounters, byes, score, and who is out."""

    encounters: list[list[PlayedSide]]
    byes: list[int]
    scores: list[float]
    out: set[int]

    @classmethod
    def of(cls, players: int, stages: Sequence[StageResult], out: frozenset[int] = frozenset()) -> History:
        """The fold of `stages`; `out` adds to the culprits of their encounters."""
        history = cls([[] for _ in range(players)], [0] * players, [0.0] * players, set(out))
        for result in stages:
            for bye in result.stage.byes:
                history.byes[bye] += 1
                history.scores[bye] += WIN
            for played in result.played:
                for player, opponent in ((played.first, played.second), (played.second, played.first)):
                    score = played.score_of(player)
                    history.encounters[player].append(PlayedSide(opponent, player == played.first, score))
                    history.scores[player] += score or 0.0
                history.out.update(played.culprits)
        return history

    def balance(self, player: int) -> int:
        """Encounters started minus encounters not started."""
        return sum(1 if encounter.started else -1 for encounter in self.encounters[player])

    def met(self, player: int) -> set[int]:
        return {encounter.opponent for encounter in self.encounters[player]}


@attrs.frozen
class _Field:
    """The players to pair in one round, with what the pairing reads of each (by player)."""

    ranked: list[int]
    scores: list[float]
    met: list[set[int]]
    balances: list[int]


def pair_round(history: History) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...]] | None:
    """The next round's pairings (the starter first, in board order) and byes; None when it cannot have one."""
    players = len(history.scores)
    active = [player for player in range(players) if player not in history.out]
    if len(active) < 2:
        return None
    active.sort(key=lambda player: (-history.scores[player], player))
    met = [history.met(player) if player not in history.out else set() for player in range(players)]
    balances = [history.balance(player) for player in range(players)]
    field = _Field(active, history.scores, met, balances)
    place = {player: index for index, player in enumerate(active)}
    candidates: list[int | None] = [None]
    if len(active) % 2 == 1:
        candidates = [*sorted(active, key=lambda player: (history.byes[player], -place[player]))]
    for bye in candidates:
        ranked = [player for player in active if player != bye]
        pairs = pair(attrs.evolve(field, ranked=ranked))
        if pairs is not None:
            return _with_starters(pairs, ranked, history), (() if bye is None else (bye,))
    return None


def _with_starters(pairs: list[tuple[int, int]], ranked: list[int], history: History) -> tuple[tuple[int, int], ...]:
    """The pairs in board order (by their higher-ranked player), each with its starter first."""
    place = {player: index for index, player in enumerate(ranked)}
    boards = sorted((tuple(sorted(pair, key=place.__getitem__)) for pair in pairs), key=lambda pair: place[pair[0]])
    return tuple(_starter_first(higher, lower, board, history) for board, (higher, lower) in enumerate(boards))


def _starter_first(higher: int, lower: int, board: int, history: History) -> tuple[int, int]:
    higher_balance, lower_balance = history.balance(higher), history.balance(lower)
    if higher_balance != lower_balance:
        return (higher, lower) if higher_balance < lower_balance else (lower, higher)
    higher_started, lower_started = (_started_latest(history, player) for player in (higher, lower))
    if higher_started != lower_started:
        return (lower, higher) if higher_started else (higher, lower)
    return (higher, lower) if board % 2 == 0 else (lower, higher)


def _started_latest(history: History, player: int) -> bool:
    encounters = history.encounters[player]
    return bool(encounters) and encounters[-1].started


class _OutOfBudget(Exception):
    """The score-group search took more steps than its budget."""


class _Budget:
    def __init__(self, steps: int) -> None:
        self.left = steps

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise _OutOfBudget


def pair(field: _Field) -> list[tuple[int, int]] | None:
    """A pairing of all of `field.ranked` (an even number) in which nobody meets an opponent twice; None when none exists."""
    groups = [list(group) for _, group in groupby(field.ranked, key=lambda player: field.scores[player])]
    budget = _Budget(BUDGET_BASE + BUDGET_PER_PLAYER * len(field.ranked))
    try:
        return _pair_groups(groups, 0, [], field, budget, set())
    except _OutOfBudget:
        return pair_by_matching(field.ranked, field.met, field.scores)


def _pair_groups(
    groups: list[list[int]],
    index: int,
    floaters: list[int],
    field: _Field,
    budget: _Budget,
    failed: set[tuple[int, tuple[int, ...]]],
) -> list[tuple[int, int]] | None:
    """Pairs for groups[index:] with `floaters` coming down into groups[index]; None when there are none (searched exhaustively)."""
    key = (index, tuple(floaters))
    if key in failed:
        return None
    members = floaters + groups[index]
    last = index == len(groups) - 1
    wants = [len(members) // 2] if last else range(len(members) // 2, -1, -1)
    for want in wants:
        for pairs, floating in _group_pairings(members, len(floaters), want, field, budget):
            if last:
                return pairs
            rest = _pair_groups(groups, index + 1, floating, field, budget, failed)
            if rest is not None:
                return pairs + rest
    failed.add(key)
    return None


def _group_pairings(
    members: list[int], floaters: int, want: int, field: _Field, budget: _Budget
) -> Iterator[tuple[list[tuple[int, int]], list[int]]]:
    """Every way to pair exactly `want` pairs among `members` (the rest float down), best first, each as (pairs, floating).

    A depth-first search: the highest member not yet decided takes, in
    turn, each opponent it may meet (`_opponents`), or floats. The search
    keeps its own stack: a group can hold thousands of players.
    """
    size = len(members)
    spare = size - 2 * want
    rest_pairs = max(want - floaters, 0)
    taken = [False] * size
    pairs: list[tuple[int, int]] = []
    floating: list[int] = []

    def natural(i: int) -> int:
        return floaters + i if i < floaters else i + rest_pairs

    def options(i: int) -> Iterator[int]:
        if len(pairs) < want:
            yield from _opponents(members, i, natural(i), taken, field, budget)
        if len(floating) < spare:
            yield _FLOAT

    frames: list[list[Any]] = []  # [member index, its options, the option applied or None]
    next_free = 0
    while True:
        while next_free < size and taken[next_free]:
            next_free += 1
        if next_free < size:
            frames.append([next_free, options(next_free), None])
        else:
            yield [(members[a], members[b]) for a, b in pairs], [members[a] for a in floating]
        while frames:
            frame = frames[-1]
            i, its_options, applied = frame
            if applied is not None:
                taken[i] = False
                if applied == _FLOAT:
                    floating.pop()
                else:
                    taken[applied] = False
                    pairs.pop()
            option = next(its_options, None)
            frame[2] = option
            if option is None:
                frames.pop()
                continue
            taken[i] = True
            if option == _FLOAT:
                floating.append(i)
            else:
                taken[option] = True
                pairs.append((i, option))
            next_free = i + 1
            break
        else:
            return


def _opponents(members: list[int], i: int, natural: int, taken: list[bool], field: _Field, budget: _Budget) -> Iterator[int]:
    """The members member i may meet, best first: from its natural opponent down the group, then back up towards i.

    Those whose balance differs from i's (or both 0) come first, the others
    after, each part in that order.
    """
    size = len(members)
    start = min(max(natural, i + 1), size - 1)
    if start <= i:
        return
    player = members[i]
    met = field.met[player]
    balance = field.balances[player]
    passes = [None] if balance == 0 else [False, True]
    for same_balance in passes:
        for j in chain(range(start, size), range(start - 1, i, -1)):
            budget.spend()
            if taken[j]:
                continue
            opponent = members[j]
            if opponent in met:
                continue
            if same_balance is not None and (field.balances[opponent] == balance) != same_balance:
                continue
            yield j


def standings(players: int, stages: Sequence[StageResult], ratings: Sequence[float] | None) -> list[dict[str, Any]]:
    """Every player's line, best first: score, Buchholz, Sonneborn-Berger, byes, and its rank."""
    history = History.of(players, stages)
    scores = history.scores
    lines = []
    for player in range(players):
        encounters = history.encounters[player]
        buchholz = sum(scores[encounter.opponent] for encounter in encounters)
        sonneborn_berger = sum((encounter.score or 0.0) * scores[encounter.opponent] for encounter in encounters)
        lines.append(
            {
                "player": player,
                "score": scores[player],
                "buchholz": buchholz,
                "sonneborn-berger": sonneborn_berger,
                "byes": history.byes[player],
                "out": player in history.out,
            }
        )

    def order(line: dict[str, Any]) -> tuple[float, ...]:
        rating = ratings[line["player"]] if ratings is not None else 0.0
        return (line["out"], -line["score"], -line["buchholz"], -line["sonneborn-berger"], -rating, line["player"])

    lines.sort(key=order)
    return [
        {"player": line["player"], "rank": rank, **{k: v for k, v in line.items() if k != "player"}} for rank, line in enumerate(lines, 1)
    ]
