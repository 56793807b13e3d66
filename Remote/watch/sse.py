"""The Server-Sent Events wire: the bytes of each kind of frame on `GET /events`. Pure.

    retry: 2000                               once, first: how long a browser waits before it reconnects

    event: snapshot                           the state up to event S (Remote/watch/snapshot.py)
    id: S
    data: {"type": "snapshot", ...}

    id: 57                                    one log event, its line as the log holds it
    data: {"seq": 57, "type": "encounter-end", ...}
    data: {"words": {"ann": "won", "bob": "lost"}}     only after an encounter's end or a revision (a game seating
                                                       more than two adds "places": [[name, place, score], ...];
                                                       an arena's end adds "ratings": each player's row after it)

    event: standings                          the standings as of event seq (no id: it is derived)
    data: {"seq": 57, "rows": [...]}

    : keep-alive                              a comment, after 15 s of silence

    event: over                               last, when the stream ends because the event is over (its Results
    data: {"seq": 90}                         are in): the page closes its stream instead of reconnecting

A JSON line never holds a newline, so each value is one `data:` line.
"""

from __future__ import annotations

import json
from typing import Any

RETRY_MS = 2000
PREAMBLE = b"retry: %d\n\n" % RETRY_MS
KEEP_ALIVE = b": keep-alive\n\n"


def http_chunk(data: bytes) -> bytes:
    """`data` as one chunk of an HTTP/1.1 chunked body: framed once, the same bytes for every watcher."""
    return b"%x\r\n%s\r\n" % (len(data), data)


KEEP_ALIVE_CHUNK = http_chunk(KEEP_ALIVE)


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def event_frame(
    seq: int,
    line: bytes,
    words: dict[str, str] | None = None,
    with_words: bool = False,
    places: Any = None,
    with_places: bool = False,
    ratings: Any = None,
    with_ratings: bool = False,
) -> bytes:
    """One log event: `line` is its JSON as the log wrote it (UTF-8); `with_words` adds the encounter's crosstable words,
    `with_places` its players' places and scores, and `with_ratings` (an arena's) its players' ratings after it."""
    frame = b"id: %d\ndata: %s\n" % (seq, line)
    if with_words:
        more = {"words": words} | ({"places": places} if with_places else {}) | ({"ratings": ratings} if with_ratings else {})
        frame += b"data: %s\n" % _json(more)
    return frame + b"\n"


def snapshot_frame(snapshot: dict[str, Any]) -> bytes:
    return b"event: snapshot\nid: %d\ndata: %s\n\n" % (snapshot["seq"], _json(snapshot))


def standings_frame(standings: dict[str, Any] | None) -> bytes:
    return b"event: standings\ndata: %s\n\n" % _json(standings)


def over_frame(seq: int) -> bytes:
    """The event is over (its last event is `seq`): the stream ends, and a page that reconnected would learn nothing."""
    return b"event: over\ndata: %s\n\n" % _json({"seq": seq})
