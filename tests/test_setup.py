"""The first `make demo` or `make test` on a fresh clone: one line about the setup, no wall of warnings."""

from __future__ import annotations

import shutil
import subprocess

from Remote.loopback import PROJECT_ROOT

SETUP_TIME_LIMIT = 600
SHIPPED = ["Makefile", "setup.cfg", "pyproject.toml", "README.md", "Common", "Admin", "Player", "Remote"]


def test_setting_up_the_virtual_environment_prints_one_line_and_keeps_the_installers_chatter_in_a_log(tmp_path):
    for name in SHIPPED:
        source = PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    finished = subprocess.run(
        ["make", "--no-print-directory", "-s", "venv"], cwd=tmp_path, capture_output=True, text=True, timeout=SETUP_TIME_LIMIT
    )
    assert finished.returncode == 0, (tmp_path / ".venv" / "install.log").read_text()
    assert finished.stdout == ""
    assert finished.stderr.splitlines() == ["setting up the virtual environment in .venv (once; the log: .venv/install.log)"]
    assert "Successfully installed" in (tmp_path / ".venv" / "install.log").read_text()
    again = subprocess.run(["make", "--no-print-directory", "-s", "venv"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")
