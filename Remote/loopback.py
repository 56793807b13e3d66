"""A whole tournament on this machine: xserver and xclients as processes on 127.0.0.1.

The demo (`make demo`, `python -m Remote.loopback SERVER.json CLIENTS.json`)
and the end-to-end tests use it. The server's configuration gets port 0, so
the operating system picks a free port; the port is read from the server's
`listening on` log line and given to the clients (a WebSocket listener's, from
its `WebSocket players connect to` line). Every wait is bounded.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

import attrs

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LISTENING = re.compile(r"listening on [^ ]*:(\d+) ")
WEBSOCKET_LISTENING = re.compile(r"WebSocket players connect to ws://[^ ]*:(\d+)/")
START_TIME_LIMIT = 30.0


@attrs.frozen
class Finished:
    """What a finished process printed, and its exit status."""

    status: int
    output: str
    log: str

    def json(self) -> object:
        return json.loads(self.output)


class ServerProcess:
    """An xserver process on 127.0.0.1 and a free port; its log is collected (and echoed if `echo`).

    `preexec_fn` runs in the new process before xserver starts (tests set its limits with it); `environment` is added
    to this process's (a test's crash after the k-th event, say); `port`, if not 0, is the one to listen on (clients started
    before the server then connect as soon as it listens).
    """

    def __init__(
        self,
        config: dict,
        echo: bool = False,
        preexec_fn: Callable[[], None] | None = None,
        environment: Mapping[str, str] | None = None,
        port: int = 0,
    ) -> None:
        config = {**config, "port": port, "host": "127.0.0.1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "Remote.xserver"],
            cwd=PROJECT_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=preexec_fn,
            env=None if environment is None else {**os.environ, **environment},
        )
        assert self.process.stdin and self.process.stdout and self.process.stderr  # all three are pipes
        self.process.stdin.write(json.dumps(config))
        self.process.stdin.close()
        stdout, self._stderr = self.process.stdout, self.process.stderr
        self.log_lines: list[str] = []
        self._found_port: int | None = None
        self.websocket_port: int | None = None
        """The WebSocket listener's port, if the configuration has `"websocket"` (its line comes before `listening on`)."""
        self._listening = threading.Event()
        self._echo = echo
        self._output: list[str] = []
        self._readers = [
            threading.Thread(target=self._read_log, daemon=True),
            threading.Thread(target=lambda: self._output.append(stdout.read()), daemon=True),
        ]
        for reader in self._readers:
            reader.start()
        if not self._listening.wait(START_TIME_LIMIT) or self._found_port is None:
            self.process.kill()
            raise RuntimeError(f"xserver did not start listening: {''.join(self.log_lines)}")
        self.port: int = self._found_port

    def _read_log(self) -> None:
        for line in self._stderr:
            self.log_lines.append(line)
            if self._echo:
                print(line, end="", file=sys.stderr, flush=True)
            websocket = WEBSOCKET_LISTENING.search(line)
            if websocket and self.websocket_port is None:
                self.websocket_port = int(websocket[1])
            match = LISTENING.search(line)
            if match and self._found_port is None:
                self._found_port = int(match[1])
                self._listening.set()
        self._listening.set()

    def finish(self, time_limit: float) -> Finished:
        """Wait for the server to exit by itself (subprocess.TimeoutExpired after `time_limit`)."""
        self.process.wait(timeout=time_limit)
        for reader in self._readers:
            reader.join(time_limit)
        return Finished(self.process.returncode, "".join(self._output), "".join(self.log_lines))


def run_clients(config: dict, port: int, time_limit: float, echo: bool = False) -> Finished:
    """Run xclients against 127.0.0.1:`port` until it exits (a WebSocket listener's port with `"transport": "websocket"`)."""
    config = {**config, "ip": "127.0.0.1", "port": port}
    finished = subprocess.run(
        [sys.executable, "-m", "Remote.client"],
        cwd=PROJECT_ROOT,
        input=json.dumps(config),
        capture_output=True,
        text=True,
        timeout=time_limit,
    )
    if echo:
        print(finished.stderr, end="", file=sys.stderr, flush=True)
    return Finished(finished.returncode, finished.stdout, finished.stderr)


def main() -> int:
    """Run the tournament of the two configuration files named on the command line; print both outputs."""
    server_file, clients_file = sys.argv[1:3]
    server_config = json.loads(Path(server_file).read_text())
    server = ServerProcess(server_config, echo=True)
    clients_config = json.loads(Path(clients_file).read_text())
    port = server.port
    if clients_config.get("transport") == "websocket" and server.websocket_port is not None:
        port = server.websocket_port
    clients = run_clients(clients_config, port, time_limit=600, echo=True)
    server_done = server.finish(time_limit=600)
    print(f"xserver printed:  {server_done.output.strip()}  (exit {server_done.status})")
    print(f"xclients printed: {clients.output.strip()}  (exit {clients.status})")
    return max(server_done.status, clients.status)


if __name__ == "__main__":
    sys.exit(main())
