"""The executables as processes, run to their end the way a user runs them: `python -m Admin` and xserver.

Each is bounded in time: a hang fails the test instead of stalling the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from typing import Any

from Remote.loopback import PROJECT_ROOT

ADMIN_TIME_LIMIT = 120.0
"""Seconds a local tournament may take before the test fails (a bound, not a measure)."""
XSERVER_TIME_LIMIT = 60.0
"""Seconds xserver may take before the test fails (a bound, not a measure)."""


def run_admin(configuration: dict[str, Any] | str) -> subprocess.CompletedProcess:
    """Run `python -m Admin`, a local tournament, on `configuration` (a dict, or JSON text as given); its status and output."""
    return _run("Admin", configuration, ADMIN_TIME_LIMIT)


def run_xserver(configuration: dict[str, Any] | str, environment: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run xserver on `configuration` (a dict, or JSON text as given) until it exits, with `environment` added to this
    process's (a crash after the k-th event, say); its status and output."""
    return _run("Remote.xserver", configuration, XSERVER_TIME_LIMIT, environment)


def start_xclients(configuration: dict[str, Any]) -> subprocess.Popen:
    """Start xclients (`python -m Remote.client`) on `configuration`; the caller waits for it (its output is piped)."""
    with tempfile.TemporaryFile("w+") as stdin:
        stdin.write(json.dumps(configuration))
        stdin.seek(0)
        return subprocess.Popen(
            [sys.executable, "-m", "Remote.client"],
            cwd=PROJECT_ROOT,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


def _run(
    module: str, configuration: dict[str, Any] | str, time_limit: float, environment: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    text = configuration if isinstance(configuration, str) else json.dumps(configuration)
    command = [sys.executable, "-m", module]
    variables = {**os.environ, **environment} if environment else None
    return subprocess.run(command, cwd=PROJECT_ROOT, input=text, capture_output=True, text=True, timeout=time_limit, env=variables)
