"""The knock-out: single elimination over a seeded bracket, one stage per round. Pure and game-free.

The rules:

* **Seeds**: `seeding` lists the players from the top seed down (for
  instance by their rating in an earlier event); without it the seeds are
  the sign-up order (player 0 is seed 1).
* **Bracket**: the standard one, of the power of two P at or above the
  number of players n. Seed 1 meets seed P, seed 2 seed P - 1 and so on,
  and the slots are placed so that the better seed of every match would
  meet the better seeds of the other half only as late as it can: seeds 1
  and 2 only in the final, 1 to 4 only from the semi-finals (for P = 8,
  top to bottom: 1-8, 4-5, 2-7, 3-6). The seeds above n are empty slots,
  so the top P - n seeds have a bye in round 1 (`Stage.byes`).
* **Rounds**: log2 P rounds, one stage each, labelled `knock-out round 2 of
  4 (semi-finals)`; the last three are the quarter-finals, the
  semi-finals and the final. In every pairing the better seed is listed
  first (so it starts).
* **Who advances** from an encounter: a culprit never does; of the players
  that are no culprit, the winner does, and on a draw (the IPD draws on
  equal totals) the better seed does. When nobody scored (`score` None)
  and nobody is a culprit, the encounter was not played because a player
  was out: the one not out advances (neither out: the better seed). When nobody can advance (both
  misbehaved, or both out) the slot stays empty.
* **Walkovers**: a player whose opponent's slot is empty, or whose opponent
  is out (in `out` when its round is asked for), is not paired: it has a
  bye in that round and advances. A player in `out` is never paired. A
  round may so be a stage of byes only (no pairings), or even of nothing
  when every player left in it is out: the stages are the record of who
  was out when (the summary is not told).
* **The end**: after the final: the player who advanced from it wins (none
  when nobody did), or earlier when nobody is left in the bracket at all.
  A lone player left in the bracket walks over, round after round, up to
  the final. Without misbehaviour the event has exactly n - 1 encounters;
  a field of one is a final of one walkover.
* **Standings**: the winner first, then by the round a player left in, the
  later the better (a player leaves in the round it lost, was not paired
  because it was out, or could not reach); players who left in the same
  round share their rank (competition ranking: a full bracket of 8 ranks 1,
  2, 3, 3, 5, 5, 5, 5), listed among themselves by seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from Admin.formats.stage import Played, Stage, StageResult

Entry = int | None
"""A slot of a round of the bracket: the player in it, or None when it is empty (no player, or nobody advanced to it)."""


def bracket_order(size: int) -> list[int]:
    """The seed positions (0 the top seed) of a bracket of `size` slots (a power of two), top to bottom; slots 2k and 2k + 1 meet."""
    order = [0]
    while len(order) < size:
        doubled = 2 * len(order)
        order = [position for seed in order for position in (seed, doubled - 1 - seed)]
    return order


def rounds_for(players: int) -> int:
    """How many rounds a bracket for `players` players has: log2 of the power of two at or above it (1 for one player, 0 for none)."""
    return max((players - 1).bit_length(), 1) if players else 0


def round_label(number: int, rounds: int) -> str:
    """`knock-out round 3 of 4 (semi-finals)`."""
    names = {rounds: "final", rounds - 1: "semi-finals", rounds - 2: "quarter-finals"}
    return f"knock-out round {number} of {rounds} ({names[number]})" if number in names else f"knock-out round {number} of {rounds}"


@attrs.frozen
class Match:
    """One match of a round as the fold reads it: its two slots, the encounter it was (if any), and who advanced from it."""

    slots: tuple[Entry, Entry]
    played: Played | None
    advancer: Entry

    def as_json(self) -> dict[str, Any] | None:
        if self.played is not None:
            return {"players": [self.played.first, self.played.second], "winner": self.advancer, "score": self.played.score}
        if self.advancer is not None:
            return {"bye": self.advancer}
        return None


@attrs.frozen
class Bracket:
    """The knock-out so far: its seeds, the matches of every ended round, and the slots of the round to come."""

    seeds: tuple[int, ...]
    rounds: int
    history: tuple[tuple[Match, ...], ...]
    slots: tuple[Entry, ...]
    out: frozenset[int]
    _positions: dict[int, int] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_positions", {player: position for position, player in enumerate(self.seeds)})

    def seed_of(self, player: int) -> int:
        """The player's seed position (0 the top seed)."""
        return self._positions[player]

    def is_over(self) -> bool:
        """After the final, or when nobody is left in the bracket."""
        return len(self.slots) <= 1 or all(player is None for player in self.slots)

    def winner(self) -> int | None:
        """The player who advanced from the final, unless out; None before the end."""
        if len(self.slots) == 1 and self.slots[0] is not None and self.slots[0] not in self.out:
            return self.slots[0]
        return None


def _advancer(played: Played, out: frozenset[int], better: int) -> int | None:
    """Who advances from an ended encounter (the module's rules); `better` is the better seed of its two players."""
    players = [player for player in (played.first, played.second) if player not in played.culprits]
    if played.score is None:
        players = [player for player in players if player not in out]
    if len(players) < 2:
        return players[0] if players else None
    winner = played.winner()
    return better if winner is None else winner


@attrs.frozen
class KnockOut:
    """Single elimination; `seeding`: the players from the top seed down (None: sign-up order). The rules: see the module."""

    seeding: tuple[int, ...] | None = None

    def seeds(self, players: int) -> tuple[int, ...]:
        """The players from the top seed down."""
        if self.seeding is None:
            return tuple(range(players))
        if sorted(self.seeding) != list(range(players)):
            raise ValueError(
                f"knock-out: the seeding must name each of the {players} players (0 to {players - 1}) once, got {list(self.seeding)}"
            )
        return tuple(self.seeding)

    def expected_encounters(self, players: int) -> int:
        return max(players - 1, 0)

    def bracket(self, players: int, out: frozenset[int], stages: Sequence[StageResult]) -> Bracket:
        """The fold of the ended rounds: each match's encounter is found by its players, its byes in its stage.

        A player in a slot whose round neither paired it nor gave it a bye was
        out when the round was asked for: it counts as out from then on, so
        the summary (which is not told who is out) knows it too.
        """
        seeds = self.seeds(players)
        seed_of = {player: position for position, player in enumerate(seeds)}
        rounds = rounds_for(players)
        slots: tuple[Entry, ...] = tuple(seeds[position] if position < players else None for position in bracket_order(2**rounds))
        history: list[tuple[Match, ...]] = []
        gone = set(out)
        for result in stages[:rounds]:
            by_player = {player: played for played in result.played for player in (played.first, played.second)}
            matches = []
            for pair in zip(slots[::2], slots[1::2], strict=True):
                present = [player for player in pair if player is not None]
                played = next((by_player[player] for player in present if player in by_player), None)
                if played is not None:
                    better = min(played.first, played.second, key=seed_of.__getitem__)
                    advancer = _advancer(played, frozenset(gone), better)
                else:
                    advancer = next((player for player in present if player in result.stage.byes), None)
                    gone.update(player for player in present if player != advancer)
                matches.append(Match(pair, played, advancer))
            history.append(tuple(matches))
            slots = tuple(match.advancer for match in matches)
        return Bracket(seeds, rounds, tuple(history), slots, frozenset(gone))

    def next_stage(self, players: int, out: frozenset[int], stages: Sequence[StageResult]) -> Stage | None:
        bracket = self.bracket(players, out, stages)
        if bracket.is_over():
            return None
        pairings: list[tuple[int, int]] = []
        byes: list[int] = []
        for pair in zip(bracket.slots[::2], bracket.slots[1::2], strict=True):
            standing = sorted((player for player in pair if player is not None and player not in out), key=bracket.seed_of)
            if len(standing) == 2:
                pairings.append((standing[0], standing[1]))
            elif standing:
                byes.append(standing[0])
        return Stage(tuple(pairings), round_label(len(bracket.history) + 1, bracket.rounds), tuple(byes))

    def summary(self, players: int, stages: Sequence[StageResult], ratings: Sequence[float] | None) -> dict[str, Any]:
        """The winner, the bracket round by round (encounters and byes), and the standings (see the module); `ratings` play no part.

        Who is out is read from the stages: the culprits, and the players a
        round left unpaired (see `bracket`).
        """
        culprits = frozenset(culprit for result in stages for played in result.played for culprit in played.culprits)
        bracket = self.bracket(players, culprits, stages)
        winner = bracket.winner()
        left_in: dict[int, int] = {}
        for number, matches in enumerate(bracket.history, start=1):
            for match in matches:
                for player in match.slots:
                    if player is not None and player != match.advancer:
                        left_in[player] = number
        if bracket.is_over():
            for player in bracket.slots:
                if player is not None and player != winner:
                    left_in[player] = len(bracket.history)

        def order(player: int) -> tuple[int, int]:
            return (-left_in.get(player, bracket.rounds + 2), bracket.seed_of(player))

        ranked = sorted(bracket.seeds, key=order)
        standings: list[dict[str, Any]] = []
        for position, player in enumerate(ranked):
            tied = position > 0 and order(ranked[position - 1])[0] == order(player)[0]
            rank = standings[-1]["rank"] if tied else position + 1
            standings.append({"player": player, "rank": rank, "eliminated in round": left_in.get(player)})
        return {
            "kind": "knock-out",
            "winner": winner,
            "rounds": bracket.rounds,
            "bracket": [[shown for match in matches if (shown := match.as_json()) is not None] for matches in bracket.history],
            "standings": standings,
        }
