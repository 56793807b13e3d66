"""How long the Swiss format takes to pair a big field: `next_stage` for 10,000 players over 10 rounds, with random results.

Each round's results are drawn (seeded): a win, a loss or a draw, and now
and then (`--culprit-rate`) a culprit who is out from then on, so the field
turns odd and needs byes. Only `next_stage` is timed (it folds every
earlier round each time, as the manager asks it). Besides the seconds per
round it counts what the pairing had to do: pairings across score groups
(floaters), how many times the score-group search ran out of steps (and
the matching paired the round), and the balance of starts (started minus
not started) at the end. One JSON object on standard output:

    .venv/bin/python bench/swiss_pairing.py [--players 10000] [--rounds 10] [--seed 1] [--culprit-rate 0.001]
"""

from __future__ import annotations

import argparse
import random
import time
from typing import Any

from harness import emit

from Admin.formats import swiss as swiss_module
from Admin.formats.stage import DRAW, LOSS, WIN, Played, StageResult
from Admin.formats.swiss import History, Swiss


def measure(players: int, rounds: int, seed: int, culprit_rate: float) -> dict[str, Any]:
    rng = random.Random(seed)
    swiss = Swiss(rounds)
    stages: list[StageResult] = []
    out: frozenset[int] = frozenset()
    seconds: list[float] = []
    floaters: list[int] = []
    matchings = 0
    matching = swiss_module.pair_by_matching

    def counted_matching(*arguments: Any) -> Any:
        nonlocal matchings
        matchings += 1
        return matching(*arguments)

    swiss_module.pair_by_matching = counted_matching  # type: ignore[assignment]
    try:
        while True:
            scores = History.of(players, stages).scores
            started = time.perf_counter()
            stage = swiss.next_stage(players, out, stages)
            seconds.append(time.perf_counter() - started)
            if stage is None:
                break
            floaters.append(sum(scores[first] != scores[second] for first, second in stage.pairings))
            results = []
            for first, second in stage.pairings:
                if rng.random() < culprit_rate:
                    culprit = rng.choice((first, second))
                    results.append(Played(first, second, LOSS if culprit == first else WIN, frozenset({culprit})))
                else:
                    results.append(Played(first, second, rng.choice((WIN, LOSS, DRAW))))
            out = out.union(*(result.culprits for result in results))
            stages.append(StageResult(stage, tuple(results)))
    finally:
        swiss_module.pair_by_matching = matching
    history = History.of(players, stages)
    balances = [abs(history.balance(player)) for player in range(players)]
    return {
        "players": players,
        "rounds": rounds,
        "rounds played": len(stages),
        "seconds per round": [round(value, 3) for value in seconds[: len(stages)]],
        "slowest round s": round(max(seconds[: len(stages)]), 3),
        "total s": round(sum(seconds), 3),
        "pairings across score groups per round": floaters,
        "times the search ran out of steps": matchings,
        "out at the end": len(out),
        "byes": sum(len(result.stage.byes) for result in stages),
        "largest balance of starts": max(balances),
        "players with a balance of 2 or more": sum(balance >= 2 for balance in balances),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--players", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--culprit-rate", type=float, default=0.001)
    arguments = parser.parse_args()
    emit(measure(arguments.players, arguments.rounds, arguments.seed, arguments.culprit_rate))


if __name__ == "__main__":
    main()
