"""The course's knock-out (Fish, spec section 4): rounds of games of up to k players from the front of the list. Pure, game-free.

The rules, for k players a game (k >= 3; a knock-out of 2 is the seeded
bracket of `Admin/formats/knock_out.py`):

* **The field**: the players in sign-up order; every round keeps that
  order among those left (a player out is never seated).
* **A round** (`games_of`): with more than k players, games of k from the
  front of the list; when the rest cannot make a game of at least 2 (a
  rest of one), one game of k is taken back and its k players and the one
  left over play a game of k - 1 and a game of 2 (for k = 4: 5 -> 3+2,
  6 -> 4+2, 7 -> 4+3, 9 -> 4+3+2, 10 -> 4+4+2). With 2 to k players, one
  final game. Each game's winners go to the next round: all its tied
  winners, never a culprit (GroupPlayed.winners). A game that was not
  played (a player was out before it) sends on its players that are not out.
* **The end** (`Ending`): after a round of one game (its winners win);
  when a round leaves fewer than 2 players (they win: one, or nobody);
  when a round's winners are the same players as the previous round's
  (they win). The reference compares with something else there and plays
  on forever when every game ties; here every round after the first
  either ends the event or has fewer players than the round before, so
  the event ends after at most n rounds.
* **No game at all**: a field of fewer than 2 players (nobody else signed
  up, or everyone else was out before the start) is one stage of byes:
  they win without playing.
* **Standings**: the winners (or, while the event runs, those still in)
  first, then by the round a player left in, the later the better,
  sharing the rank within a round (competition ranking), in sign-up order
  among themselves; a player never seated (out before the start) comes last.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from Admin.formats.stage import GroupPlayed, Stage, StageResult

FINAL, FEWER_THAN_TWO, SAME_WINNERS, NO_GAME = "one game", "fewer than 2 left", "same winners twice", "no game"
"""How the event ended, in the summary's words."""


def games_of(players: int, size: int) -> list[int]:
    """The sizes of a round's games for `players` players and games of at most `size` (see the module), front to back."""
    if players < 2:
        return []
    if players <= size:
        return [players]
    full, rest = divmod(players, size)
    if rest == 0:
        return [size] * full
    if rest >= 2:
        return [size] * full + [rest]
    return [size] * (full - 1) + [size - 1, 2]  # a rest of one: a game of `size` taken back, size + 1 = (size - 1) + 2


def tables_of(field: Sequence[int], size: int) -> tuple[tuple[int, ...], ...]:
    """The field (in order) cut into a round's games, from the front."""
    tables, start = [], 0
    for count in games_of(len(field), size):
        tables.append(tuple(field[start : start + count]))
        start += count
    return tuple(tables)


def advancing(groups: Sequence[GroupPlayed], out: frozenset[int]) -> tuple[int, ...]:
    """Who goes on from a round's games, in sign-up order: every game's winners; from a game not played, its players not out."""
    going: set[int] = set()
    for group in groups:
        going |= set(group.winners) if group.played else set(group.players) - out
    return tuple(sorted(going - out))


@attrs.frozen
class Ending:
    """Where the rounds so far lead: the next round's field, or the end with its winners and how it came."""

    field: tuple[int, ...]
    """Who plays the next round (sign-up order); the winners once `how` is set."""
    how: str | None = None
    """None while the event goes on; else FINAL, FEWER_THAN_TWO, SAME_WINNERS or NO_GAME."""


def ending(players: int, out: frozenset[int], stages: Sequence[StageResult]) -> Ending:
    """The state after the ended `stages` among `players` (sign-up order), with `out` out of the event."""
    if not stages:
        field = tuple(player for player in range(players) if player not in out)
        return Ending(field) if len(field) >= 2 else Ending(field, NO_GAME)
    last = stages[-1]
    if not last.stage.pairings:  # the stage of byes of a field too small to play
        return Ending(last.stage.byes, NO_GAME)
    winners = advancing(last.groups, out)
    if len(last.stage.pairings) == 1:
        return Ending(winners, FINAL)
    if len(winners) < 2:
        return Ending(winners, FEWER_THAN_TWO)
    if len(stages) >= 2 and set(winners) == set(advancing(stages[-2].groups, out)):
        return Ending(winners, SAME_WINNERS)
    return Ending(winners)


@attrs.frozen
class CourseKnockOut:
    """The course's knock-out with games of at most `players_per_game` (3 or more) players; the rules: see the module."""

    players_per_game: int = 4

    def expected_encounters(self, players: int) -> int:
        """The games if every game has one winner and nobody drops out."""
        total, field = 0, players
        while field >= 2:
            games = len(games_of(field, self.players_per_game))
            total += games
            if games == 1:
                break
            field = games
        return total

    def next_stage(self, players: int, out: frozenset[int], stages: Sequence[StageResult]) -> Stage | None:
        state = ending(players, out, stages)
        if state.how == NO_GAME and not stages:
            return Stage((), "knock-out: too few players for a game", state.field)
        if state.how is not None:
            return None
        tables = tables_of(state.field, self.players_per_game)
        number = len(stages) + 1
        label = f"knock-out round {number} (final)" if len(tables) == 1 else f"knock-out round {number} ({len(tables)} games)"
        return Stage(tables, label)

    def summary(self, players: int, stages: Sequence[StageResult], ratings: Sequence[float] | None) -> dict[str, Any]:
        """The winners, how the event ended, its rounds game by game, and the standings (see the module); no ratings.

        Who is out is read from the stages (the culprits); an event still
        running has no winners and no end yet (`"end": null`).
        """
        culprits = frozenset(culprit for result in stages for group in result.groups for culprit in group.culprits)
        state = ending(players, culprits, stages)
        winners = list(state.field) if state.how is not None else []
        rounds = [[_game_json(group) for group in result.groups] for result in stages if result.stage.pairings]
        left_in: dict[int, int] = {}
        for number, result in enumerate((result for result in stages if result.stage.pairings), start=1):
            going = set(advancing(result.groups, culprits))
            for group in result.groups:
                for player in group.players:
                    if player not in going:
                        left_in[player] = number
        seated = {player for result in stages for group in result.groups for player in group.players} | set(winners)

        def order(player: int) -> int:
            """Lower is better: still in (or a winner), then the later round left in, then never seated."""
            if player not in seated:
                return 0
            return -left_in[player] if player in left_in else -(len(rounds) + 1)

        ranked = sorted(range(players), key=lambda player: (order(player), player))
        standings: list[dict[str, Any]] = []
        for position, player in enumerate(ranked):
            tied = position > 0 and order(ranked[position - 1]) == order(player)
            rank = standings[-1]["rank"] if tied else position + 1
            standings.append({"player": player, "rank": rank, "eliminated in round": left_in.get(player)})
        return {
            "kind": "knock-out",
            "players per game": self.players_per_game,
            "winners": winners,
            "end": state.how,
            "rounds": rounds,
            "standings": standings,
        }


def _game_json(group: GroupPlayed) -> dict[str, Any]:
    """One game of a round in the summary: its players (seat order), winners and culprits."""
    return {"players": list(group.players), "winners": list(group.winners), "culprits": sorted(group.culprits)}
