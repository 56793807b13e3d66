"""How fast Remote.framing decodes: small messages one per feed, and one big value in chunks.

Run `.venv/bin/python bench/framing_speed.py`; prints one JSON object. Each
figure is the best of several repetitions, so it estimates what the code
costs rather than what a busy machine happened to do.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from Remote.framing import NEED_DATA, JSONStreamDecoder, encode

SERVER_LIMIT = 64 * 1024
CLIENT_LIMIT = 64 * 1024 * 1024
CHUNK = 64 * 1024

BOARD = [
    [0, 0, 0, 0, 0, 0],
    [0, "2alicewonder1", 0, 1, 0, 0],
    [0, 0, 1, 0, 2, 0],
    [0, 3, 0, 0, 0, "0bobthebuilder2"],
    [0, 0, 0, 4, 0, 1],
    ["1alicewonder2", 0, 0, 0, 0, "0bobthebuilder1"],
]
ACTION = ["alicewonderland1", "EAST", "SOUTH", "WEST", "NORTH"]


def best_seconds(run: Callable[[], None], repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def small_messages(value: object, count: int = 20_000) -> dict[str, float]:
    """Microseconds per message when every feed holds exactly one compact message."""
    message = encode(value)

    def run() -> None:
        decoder = JSONStreamDecoder(SERVER_LIMIT)
        for _ in range(count):
            decoder.feed(message)
            decoder.next_value()
            decoder.next_value()  # NEED_DATA, as a reading loop would ask

    return {"bytes": len(message), "us_per_message": round(best_seconds(run) / count * 1e6, 2)}


def pretty_messages(value: object, count: int = 20_000) -> dict[str, float]:
    """The same without the fast path: pretty-printed over several lines."""
    message = json.dumps(value, indent=2).encode() + b"\n"

    def run() -> None:
        decoder = JSONStreamDecoder(SERVER_LIMIT)
        for _ in range(count):
            decoder.feed(message)
            decoder.next_value()
            decoder.next_value()

    return {"bytes": len(message), "us_per_message": round(best_seconds(run) / count * 1e6, 2)}


def big_value(target_bytes: int = 10_000_000) -> dict[str, float]:
    """MB/s for one Results-like value (pairs of names) fed in 64 KiB chunks."""
    pair = ["alicewonderland", "bobthebuilder"]
    one = len(json.dumps(pair, separators=(",", ":"))) + 1
    data = encode([pair] * (target_bytes // one))
    chunks = [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)]

    def run() -> None:
        decoder = JSONStreamDecoder(CLIENT_LIMIT)
        for chunk in chunks:
            decoder.feed(chunk)
            value = decoder.next_value()
        assert value is not NEED_DATA

    seconds = best_seconds(run, repeat=3)
    return {"bytes": len(data), "MB_per_s": round(len(data) / seconds / 1e6, 1)}


def main() -> None:
    print(
        json.dumps(
            {
                "board_6x6": small_messages(BOARD),
                "action_5_strings": small_messages(ACTION),
                "board_6x6_pretty_printed": pretty_messages(BOARD),
                "results_10MB_in_64KiB_chunks": big_value(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
