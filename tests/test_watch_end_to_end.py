"""The watch endpoint of a real xserver with tokens: nothing it serves holds a token or an address.

xserver runs with "participants", "event log" and "watch" (and "watch
linger", so that the page outlives the tournament); xclients plays with
tokens. Then every route is fetched: the page, the event stream's snapshot,
results.json, crosstable.csv and a game's record; none holds a token or
the players' address, and the Results served are those printed.
"""

from __future__ import annotations

import http.client
import json
import re

from Remote.loopback import ServerProcess, run_clients
from tests.raw_client import stop, wait_for_log_sync
from tests.test_watch_stream import Stream, read_strictly

LIMIT = 60.0
TOKENS = {name: f"{name}-secret-{name}-token" for name in ("ann", "bob", "cat")}
PAGE = re.compile(r"the page is at http://[^:]+:(\d+)/")


def fetch(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=LIMIT)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def snapshot(port: int) -> bytes:
    """The event stream up to its first snapshot, read by a strict HTTP client: the headers and the frames so far."""
    stream = Stream()
    read_strictly(port, lambda frame: frame["event"] == "snapshot", stream)
    return (json.dumps(stream.headers) + json.dumps(stream.frames)).encode()


def test_no_route_serves_a_token_or_an_address(tmp_path):
    participants = tmp_path / "participants.csv"
    participants.write_text("participant,token\n" + "".join(f"{name},{token}\n" for name, token in TOKENS.items()))
    config = {
        "min players": 3,
        "waiting for": 6,
        "repeat": 0,
        "best of": 1,
        "participants": str(participants),
        "event log": str(tmp_path / "log"),
        "watch": {"port": 0},
        "watch linger": 30,
    }
    server = ServerProcess(config)
    try:
        port = int(PAGE.search(wait_for_log_sync(server, "the page is at")[0])[1])
        players = [["good", name, "", token] for name, token in TOKENS.items()]
        clients = run_clients({"players": players, "observers": []}, server.port, LIMIT)
        assert clients.status == 0
        wait_for_log_sync(server, "the page stays up")
        served = {path: fetch(port, path) for path in ("/", "/results.json", "/crosstable.csv", "/games/0/0.json")}
        served["/events"] = (200, snapshot(port))
    finally:
        stop(server)
    assert {path: status for path, (status, _) in served.items()} == dict.fromkeys(served, 200)
    for path, (_, body) in served.items():
        for secret in [*TOKENS.values(), "127.0.0.1"]:
            assert secret.encode() not in body, f"{path} holds {secret}"
    assert json.loads(served["/results.json"][1])["results"] == clients.json()
