"""The paired test directories (spec section 9): xserver and xclients print the expected outputs.

For every N with a `server-tests/N-in.json`, xserver runs with that
configuration (on 127.0.0.1 and a free port) and xclients with
`client-tests/N-in.json` against it; each must print its `N-out.json`, compared
as JSON values, and exit with status 0.

Most of a pair's time is its sign-up window, so the pairs run three at a time,
the longest windows first, each pair on its own free port; each test waits
for its own pair.
"""

from __future__ import annotations

import json
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from Remote.loopback import PROJECT_ROOT, Finished, ServerProcess, run_clients
from tests.raw_client import stop

LIMIT = 120.0
AT_ONCE = 3
SERVER_TESTS = PROJECT_ROOT / "server-tests"
CLIENT_TESTS = PROJECT_ROOT / "client-tests"


def numbers() -> list[str]:
    found = [path.name.removesuffix("-in.json") for path in SERVER_TESTS.glob("*-in.json")]
    found.sort(key=lambda n: (len(n), n))
    assert found, f"no tests in {SERVER_TESTS}"
    return found


def read(path: Path) -> object:
    return json.loads(path.read_text())


def run_pair(n: str) -> tuple[Finished, Finished]:
    """xserver with server-tests/N-in.json, then xclients with client-tests/N-in.json against it."""
    server = ServerProcess(read(SERVER_TESTS / f"{n}-in.json"))
    try:
        clients = run_clients(read(CLIENT_TESTS / f"{n}-in.json"), server.port, time_limit=LIMIT)
        return server.finish(LIMIT), clients
    finally:
        stop(server)


def window(n: str) -> float:
    config = read(SERVER_TESTS / f"{n}-in.json")
    return config.get("waiting for", 0) if isinstance(config, dict) else 0


@pytest.fixture(scope="module")
def pairs():
    """Every pair, running or run: N -> Future of (xserver finished, xclients finished)."""
    with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
        futures: dict[str, Future] = {n: pool.submit(run_pair, n) for n in sorted(numbers(), key=window, reverse=True)}
        yield futures
        for future in futures.values():
            future.cancel()


@pytest.mark.parametrize("n", numbers())
def test_xserver_and_xclients_print_the_expected_outputs(n, pairs):
    served, clients = pairs[n].result(timeout=LIMIT * 3)
    assert (served.status, clients.status) == (0, 0), served.log + clients.log
    assert json.loads(served.output) == read(SERVER_TESTS / f"{n}-out.json"), served.log
    assert json.loads(clients.output) == read(CLIENT_TESTS / f"{n}-out.json"), clients.log
