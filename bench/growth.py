"""Figure 5, cost growth: a round robin's duration against its player count, with a fitted exponent.

The duration is the server's own (end of sign-up to Results) of the median
run for 10, 20, 50 and 100 fast clients (figure 1's runs); the exponent k is
the slope of the least-squares line through (log players, log seconds), so
seconds grow like players^k. A round robin has n(n-1)/2 series, so k near 2
means each series costs the same however many players there are; above 2,
something grows with the crowd. Run `.venv/bin/python bench/growth.py`.
"""

from __future__ import annotations

import sys
from typing import Any

from harness import fitted_exponent, run_main
from throughput import PLAYER_COUNTS, median_run, run_tournaments


def measure(runs: dict[int, list[dict[str, Any]]] | None = None) -> dict[str, Any]:
    runs = runs or run_tournaments()
    middle = {players: median_run(runs[players]) for players in PLAYER_COUNTS}
    points = [(players, middle[players]["seconds"]) for players in PLAYER_COUNTS]
    series_points = [(middle[players]["series"], middle[players]["seconds"]) for players in PLAYER_COUNTS]
    return {
        "figure": "cost growth",
        "seconds by players": {str(players): seconds for players, seconds in points},
        "ms per series by players": {
            str(players): round(1000 * middle[players]["seconds"] / middle[players]["series"], 3) for players in PLAYER_COUNTS
        },
        "exponent against players": round(fitted_exponent(points), 3),
        "exponent against series": round(fitted_exponent(series_points), 3),
    }


if __name__ == "__main__":
    sys.exit(run_main(measure))
