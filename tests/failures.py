"""What the tests of the proxies check of a call that failed: it answered a Failure of a kind, with words that say why.

A remote player's call never raises for the player's fault: it answers a
Failure whose reason is `"<call>: <Word>: <what happened>"`, the words of the
log, the event log and the kick notice.
"""

from __future__ import annotations

import re
from typing import Any

from Common.participant import Failure


def assert_failure(answer: Any, call: str, word: str, pattern: str, kind: str) -> None:
    """`answer` is a Failure of `kind` whose reason is `call: word: ...` with `pattern` found in what follows."""
    assert isinstance(answer, Failure), f"expected a Failure, got {answer!r}"
    assert answer.kind == kind, answer
    prefix = f"{call}: {word}: "
    assert answer.reason.startswith(prefix), answer.reason
    assert re.search(pattern, answer.reason[len(prefix) :]), answer.reason
