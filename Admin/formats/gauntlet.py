"""The gauntlet: each candidate against every other player, cycle after cycle, optionally stopped by a sequential test. Pure and game-free.

The rules:

* The *opponents* are the players who are not candidates, in sign-up
  order; candidates do not meet each other.
* **Without an SPRT**: one stage holds every pairing, cycle by cycle; in
  each cycle, candidate by candidate (in the order given), the candidate
  against each opponent. The candidate is listed first (so it starts) in
  the even cycles (the first is cycle 0) and the opponent in the odd ones:
  two cycles give every candidate one start against each opponent. A
  player already out when the stage is asked for is not paired; a player
  who misbehaves during the stage is out, and the manager does not play
  its remaining encounters (they end unplayed, score None).
* **With an SPRT** (one candidate and one opponent only, an even number of
  cycles): the encounters come in *pairs*, one stage each, the candidate
  starting the first of a pair and the opponent the second. After every
  pair the log-likelihood ratio is taken over the complete pairs
  (`sprt.llr_pentanomial`, each pair counted by the candidate's points
  out of 2); the next pair is asked for only while it is strictly between
  the bounds, neither player is out, and fewer than cycles / 2 pairs were
  played. The verdict: H1 when it reached the upper bound, H0 the lower,
  neither when the cycles ran out first (or a player was out). A pair
  that a misbehaviour cut short (an encounter with score None) is left out
  of the test, not of the table.
* Labels: `gauntlet: 10 cycles` for the one stage; with an SPRT
  `SPRT pair 12: LLR 1.23 (-2.94, 2.94)`, the LLR after the pairs before it.
* The summary: per candidate, its points, wins, draws and losses against
  each opponent and in all, with the Elo difference those show
  (`sprt.elo_trinomial`); with an SPRT its verdict, the LLR and its
  bounds, the settings, the pentanomial counts and the Elo they show.
  Encounters nobody scored count nowhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from Admin.formats.sprt import SPRTSettings, SPRTVerdict, elo_pentanomial, elo_trinomial, llr_pentanomial
from Admin.formats.stage import Stage, StageResult


@attrs.frozen
class SPRTState:
    """The sequential test after some pairs: the counts of the complete pairs (index: the candidate's points x 2), the LLR, the verdict."""

    pairs: tuple[int, int, int, int, int]
    llr: float
    verdict: SPRTVerdict


def _positive_cycles(_instance: object, _attribute: attrs.Attribute, value: int) -> None:
    if value < 1:
        raise ValueError(f'gauntlet: "cycles" must be a positive whole number, got {value!r}')


def _distinct_candidates(_instance: object, _attribute: attrs.Attribute, value: tuple[int, ...]) -> None:
    if not value or len(set(value)) != len(value) or min(value) < 0:
        raise ValueError(f"gauntlet: the candidates must be one or more distinct players, got {list(value)}")


@attrs.frozen
class Gauntlet:
    """Each of `candidates` against every other player `cycles` times; `sprt`: the test that may stop a one-against-one match early."""

    candidates: tuple[int, ...] = attrs.field(validator=_distinct_candidates)
    cycles: int = attrs.field(validator=_positive_cycles)
    sprt: SPRTSettings | None = None

    def __attrs_post_init__(self) -> None:
        if self.sprt is not None and len(self.candidates) != 1:
            raise ValueError(f"gauntlet: an SPRT needs exactly one candidate, got {len(self.candidates)}")
        if self.sprt is not None and self.cycles % 2:
            raise ValueError(f"gauntlet: with an SPRT the encounters come in pairs, so the cycles must be even, got {self.cycles}")

    def opponents(self, players: int) -> list[int]:
        """The players who are not candidates, in sign-up order; an error a person reads when the roster does not fit."""
        if max(self.candidates) >= players:
            raise ValueError(f"gauntlet: candidate {max(self.candidates)} is not among the {players} players (0 to {players - 1})")
        opponents = [player for player in range(players) if player not in self.candidates]
        if self.sprt is not None and len(opponents) != 1:
            raise ValueError(f"gauntlet: an SPRT needs exactly one opponent for its candidate, got {len(opponents)}")
        return opponents

    def expected_encounters(self, players: int) -> int:
        """Every pairing; with an SPRT, the most it may play."""
        return self.cycles * len(self.candidates) * len(self.opponents(players))

    def next_stage(self, players: int, out: frozenset[int], stages: Sequence[StageResult]) -> Stage | None:
        opponents = self.opponents(players)
        if self.sprt is None:
            if stages:
                return None
            pairings = tuple(
                (candidate, opponent) if cycle % 2 == 0 else (opponent, candidate)
                for cycle in range(self.cycles)
                for candidate in self.candidates
                for opponent in opponents
                if candidate not in out and opponent not in out
            )
            return Stage(pairings, f"gauntlet: {self.cycles} cycles") if pairings else None
        candidate, opponent = self.candidates[0], opponents[0]
        state = self.sprt_state(stages)
        if candidate in out or opponent in out or state.verdict != "neither" or len(stages) >= self.cycles // 2:
            return None
        label = f"SPRT pair {len(stages) + 1}: LLR {state.llr:.2f} ({self.sprt.lower_bound:.2f}, {self.sprt.upper_bound:.2f})"
        return Stage(((candidate, opponent), (opponent, candidate)), label)

    def sprt_state(self, stages: Sequence[StageResult]) -> SPRTState:
        """The test over the stages' complete pairs (every stage a pair of the candidate's encounters)."""
        assert self.sprt is not None
        candidate = self.candidates[0]
        counts = [0] * 5
        for result in stages:
            scores = [played.score_of(candidate) for played in result.played]
            if len(scores) == 2 and None not in scores:
                counts[round(2 * sum(score for score in scores if score is not None))] += 1
        llr = llr_pentanomial(counts, self.sprt.elo0, self.sprt.elo1)
        return SPRTState((counts[0], counts[1], counts[2], counts[3], counts[4]), llr, self.sprt.verdict(llr))

    def summary(self, players: int, stages: Sequence[StageResult], ratings: Sequence[float] | None) -> dict[str, Any]:
        """Per candidate its results against each opponent and in all; with an SPRT the test's outcome. `ratings` play no part."""
        opponents = self.opponents(players)
        tallies = {(candidate, opponent): [0, 0, 0] for candidate in self.candidates for opponent in opponents}
        for result in stages:
            for played in result.played:
                for candidate, opponent in ((played.first, played.second), (played.second, played.first)):
                    score = played.score_of(candidate)
                    if (candidate, opponent) in tallies and score is not None:
                        tallies[candidate, opponent][_column(score)] += 1
        table = []
        for candidate in self.candidates:
            rows = [_row(opponent, *tallies[candidate, opponent]) for opponent in opponents]
            wins, draws, losses = (sum(tallies[candidate, opponent][column] for opponent in opponents) for column in range(3))
            table.append({**_row(candidate, wins, draws, losses), "opponents": rows})
        summary: dict[str, Any] = {"kind": "gauntlet", "cycles": self.cycles, "candidates": table}
        if self.sprt is not None:
            state = self.sprt_state(stages)
            summary["sprt"] = {
                "llr": state.llr,
                "lower bound": self.sprt.lower_bound,
                "upper bound": self.sprt.upper_bound,
                "verdict": state.verdict,
                **self.sprt.as_json(),
                "pairs": len(stages),
                "pentanomial": list(state.pairs),
                **elo_pentanomial(state.pairs).as_json(),
            }
        return summary


def _column(score: float) -> int:
    """0 for a win, 1 a draw, 2 a loss."""
    return 0 if score == 1.0 else 1 if score == 0.5 else 2


def _row(player: int, wins: int, draws: int, losses: int) -> dict[str, Any]:
    return {
        "player": player,
        "score": wins + draws / 2,
        "wins": wins,
        "draws": draws,
        "losses": losses,
        **elo_trinomial(wins, draws, losses).as_json(),
    }
