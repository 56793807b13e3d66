"""What the tournament manager writes its events to, and what it needs to go on with an interrupted tournament.

The EventLog is the manager's side of the event log (Remote/event_log_writer.py
writes the file; docs/event-log.md lists the events); the Resumption is
what the log says had happened, folded (Admin/tournament_state.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from Admin.tournament_state import Progress
from Common.participant import Name


class EventLog:
    """Where the manager writes the events of a tournament (the event log); this one writes nowhere."""

    tournament: str | None = None
    """The tournament's id (its log's directory name), if it has one."""

    def write(self, event: dict[str, Any]) -> None:
        """Append `event` (`type` and its fields; the writer adds `seq` and `t`); never waits."""

    async def durable(self) -> None:
        """Return once every event written so far is safely stored."""


@attrs.frozen
class Resumption:
    """How an interrupted tournament goes on: what its log says had happened, and who must hear their name again."""

    progress: Progress
    """Folded from the log: outcomes in wire form."""
    renamed: tuple[Name, ...] = ()
    """Players that came back and play under another name than they asked for: they hear `playing_as` again."""
    revised: Mapping[int, Any] = attrs.field(factory=dict)
    """The revised outcomes the log holds (wire form), by schedule index: a revision it lacks is written again."""
    stages: tuple[Mapping[str, Any], ...] = ()
    """The stage events the log holds (without their envelope), for a format played in stages: those the format is asked for again."""
