"""What the executables do at the command line: `--help`, `--version`, Ctrl-C, and xserver's status line.

Both read their configuration on standard input and take no arguments but
`-h`/`--help` (print the usage and exit 0) and `--version`. Any other
argument is refused in one line. Ctrl-C at any moment, before trio runs or
inside it, ends the program with one line and exit status 130, never with a
traceback. On a terminal, `StatusLine` keeps one line of progress under
the log.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from importlib import metadata

EXIT_STOPPED = 130
EXIT_USAGE = 2
DISTRIBUTION = "santorini-tournament"


def version() -> str:
    """The installed version of this project, or "unknown" when it runs uninstalled."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown"


def answer_arguments(program: str, arguments: list[str], usage: str) -> int | None:
    """Handle the command line: None to go on and read standard input, or the exit status to stop with."""
    if not arguments:
        return None
    if arguments == ["-h"] or arguments == ["--help"]:
        print(usage.strip())
        return 0
    if arguments == ["--version"]:
        print(f"{program} {version()}")
        return 0
    print(
        f"{program}: unexpected argument {arguments[0]!r}: the configuration is read on standard input (see {program} --help)",
        file=sys.stderr,
    )
    return EXIT_USAGE


def is_interrupt(error: BaseException) -> bool:
    """Whether `error` is Ctrl-C: a KeyboardInterrupt, or a group of nothing else (trio's nurseries wrap it)."""
    if isinstance(error, BaseExceptionGroup):
        return all(is_interrupt(inner) for inner in error.exceptions)
    return isinstance(error, KeyboardInterrupt)


def exit_status_of(program: str, main: Callable[[], int], before_exit: Callable[[], None] = lambda: None) -> int:
    """Run `main`; Ctrl-C at any moment gives one line on standard error and EXIT_STOPPED.

    `before_exit` runs once in every case, first, for instance to clear a status line.
    """
    try:
        status = main()
    except BaseException as error:
        if not is_interrupt(error):
            raise
        status = None
    finally:
        before_exit()
    if status is None:
        print(f"{program}: stopped", file=sys.stderr, flush=True)
        return EXIT_STOPPED
    return status


class StatusLine(logging.StreamHandler):
    """On a terminal, a status line under the log: each log record clears it and draws it again.

    Elsewhere (a file, a pipe) it logs plainly and shows no status.
    """

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self.on_terminal = stream.isatty()
        self.text = ""

    def show(self, text: str) -> None:
        if self.on_terminal:
            self.text = text
            self.stream.write(f"\r\033[K{text}")
            self.flush()

    def emit(self, record: logging.LogRecord) -> None:
        if self.on_terminal:
            self.stream.write("\r\033[K")
        super().emit(record)
        if self.on_terminal and self.text:
            self.stream.write(self.text)
            self.flush()
