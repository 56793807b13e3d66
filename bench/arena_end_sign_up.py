"""Shows a fault of the arena (issue 19) found by arena_faults.py: a sign-up while the arena sends its Results crashes xserver.

An IPD arena of 15 s with 1-round matches and an `"event log"`: `zed`
misbehaves in its first match (kicked, cooling down 600 s), signs up again
with a 1 kB receive buffer and never reads, so that sending it the Results
takes the server a while; `ann` and `bob` play. Once the server's log says
`the arena is over` (its `results` event is written), `dan` signs up. The
server then writes `dan`'s `arena-join` and `arena-leave`s for `ann` and
`bob` (told and closed) after the `results`, its own fold of the log
refuses them, and it exits 1 with a traceback; the log is left unreadable
by `rebuild_exports` and by `"resume": true`. Prints the exit status and
the log's lines from the end of the arena on (a fixed server exits 0).

Fixed since: after its Results an arena takes nobody and logs nothing
(`tests/test_event_log_arena.py` checks it), and each player's Results
hold its own encounters, so that the end is quick and `dan` may find the
server already gone; the script then says so.

    .venv/bin/python bench/arena_end_sign_up.py    # about 20 s
"""

from __future__ import annotations

import json
import shutil
import socket
import sys
import tempfile
import threading
import time

from harness import Server

ARENA = {"kind": "arena", "minutes": 0.25, "pairing": "first come", "cool down": 600}


def play(name: str, port: int, malformed: bool = False) -> None:
    """A client that cooperates in every round until the Results (or, `malformed`, answers its first move with "X")."""
    with socket.create_connection(("127.0.0.1", port)) as connection, connection.makefile("r") as lines:
        connection.sendall((json.dumps(name) + "\n").encode())
        for line in lines:
            message = json.loads(line)
            if message[0] == "move":
                connection.sendall((json.dumps([message[1], "X" if malformed else "C"]) + "\n").encode())
                if malformed:
                    return
            elif message[0] in ("results", "kicked"):
                return


def main() -> int:
    log_dir = tempfile.mkdtemp(prefix="arena-end-sign-up-")
    config = {"game": "ipd", "min players": 0, "waiting for": 1, "time per call": 30, "min rounds": 1, "max rounds": 1}
    server = Server({**config, "format": ARENA, "event log": log_dir})
    assert server.port is not None
    try:
        zed = threading.Thread(target=play, args=("zed", server.port, True))
        zed.start()
        time.sleep(0.5)
        players = [threading.Thread(target=play, args=(name, server.port)) for name in ("ann", "bob")]
        for player in players:
            player.start()
        zed.join()
        time.sleep(0.5)
        silent = socket.socket()
        silent.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
        silent.connect(("127.0.0.1", server.port))
        silent.sendall(b'"zed"\n')  # signs up again, cooling down, and never reads
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("the arena is over" in line for _, line in server.lines):
            time.sleep(0.05)
        time.sleep(0.5)
        try:
            with socket.create_connection(("127.0.0.1", server.port)) as late:
                late.sendall(b'"dan"\n')
                status = server.wait(90)
        except ConnectionRefusedError:  # the end was over before dan came: nothing to sign up to
            print("dan could not connect: the server had ended")
            status = server.wait(90)
        silent.close()
    finally:
        server.kill()
        shutil.rmtree(log_dir, ignore_errors=True)
    print(f"xserver exit status {status}")
    lines = [line for _, line in server.lines]
    over = next((index for index, line in enumerate(lines) if "the arena is over" in line), 0)
    print("\n".join(line for line in lines[over:] if "rank" not in line and not line.startswith("xserver:   ")))
    return 0 if status == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
