"""The IPD's "fgw" door of the WebSocket listener: the websocket IPD server's clients play in our tournament unchanged.

`"websocket": {"port": P, "fgw": true}` (docs/fgw.md). `configure` checks
the configuration for it and gives it its defaults; `fgw_door` makes the
Door (Remote/websocket.py) from xserver's configuration and participants:
it gives every listed pairing its match id (Remote/ipd/fgw_matches.py),
logs `match <uuid>: alice vs bob` for each and writes
`tournament_records.txt` in the event log's directory, then judges each
upgrade request (Remote/ipd/fgw_door.py): a refusal is HTTP 400 with one
text, its reason in the log; an admitted request is its participant's
sign-up, spoken in that server's wire form (Remote/ipd/fgw_dialect.py).
`record_writers` writes each match's file in that server's format
(Remote/ipd/fgw_records.py) into `tournaments/` beside the event log.

Match ids and resuming: with `"resume": true` the ids are read back from
the event log's `tournament_records.txt` (which must list the configured
pairings), and a match whose file is in `tournaments/` is over: the door
refuses it. A fresh event makes new ids and writes the file anew. Without
an event log the ids are only logged, and no match file is written.

One pairing a participant: a participant opens one connection per match
id, and a connection plays one match here, so a participant listed in more
than one pairing is refused with the configuration.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from Admin.formats.settings import PAIRINGS
from Admin.observer import Observer
from Common.strict import StructureError
from Remote.ipd.fgw_dialect import FgwConversation
from Remote.ipd.fgw_door import REFUSAL, Admitted, judge_request
from Remote.ipd.fgw_matches import RECORDS_FILE, FgwMatches, new_matches, players_with_several, read_records, records_text
from Remote.ipd.fgw_records import TOURNAMENTS_DIRECTORY, FgwRecordWriter, played_ids
from Remote.participants import Participants
from Remote.websocket import Door, DoorVerdict, Handshake

log = logging.getLogger("xserver")

FGW = "fgw"
DEFAULT_ROUNDS = 100
"""With the fgw door, a match has this many rounds unless configured (that server's `n_rounds`)."""


def opened(config: Any) -> bool:
    """Whether xserver's configuration opens the fgw door."""
    return config.websocket is not None and FGW in config.websocket.doors


def configure(config: Any, game_keys: Mapping[str, Any]) -> Any:
    """xserver's configuration checked for the fgw door, with its defaults; StructureError, one line naming the key.

    The door needs "participants" (that server's participants.csv) and the
    listed pairings (`"format": {"kind": "pairings", ...}`), each
    participant in one pairing, and one tournament ("repeat": 0). A match
    has "max rounds" rounds, 100 unless configured, and "min rounds" is
    "max rounds" unless configured: a fixed length, as that server's.
    """
    if not opened(config):
        return config
    if config.participants is None:
        raise StructureError('"fgw": true needs "participants", the participants file (that server\'s participants.csv) @ $.websocket.fgw')
    if config.event_format.kind != PAIRINGS:
        raise StructureError(
            f'"fgw": true needs "format": {{"kind": "pairings", "pairings": [[A, B], ...]}}, got a {config.event_format.kind} @ $.format'
        )
    several = players_with_several(config.event_format.pairings)
    if several:
        raise StructureError(
            f'"fgw": true plays one pairing a participant (one connection, one match); '
            f"listed more than once: {', '.join(several[:5])} @ $.format.pairings"
        )
    if config.repeat:
        raise StructureError('"fgw": true plays one tournament (a match id is played once): expected "repeat": 0 @ $.repeat')
    settings = config.settings
    max_rounds = game_keys.get("max rounds", DEFAULT_ROUNDS)
    min_rounds = game_keys.get("min rounds", max_rounds)
    try:
        game = attrs.evolve(settings.game, min_rounds=min_rounds, max_rounds=max_rounds)
    except ValueError as error:
        raise StructureError(f'{error} (with "fgw": true, "max rounds" is {DEFAULT_ROUNDS} unless configured) @ $.min rounds') from None
    directory = None if config.event_log is None else Path(config.event_log)
    return attrs.evolve(config, settings=attrs.evolve(settings, game=game, fgw=FgwEvent(directory)))


@attrs.define(eq=False)
class FgwEvent:
    """The fgw door's matches for one event (known once the door is made), and the ids of those played (their files written)."""

    directory: Path | None
    """Where the event log is (tournament_records.txt and tournaments/ go there); None: nowhere."""
    matches: FgwMatches | None = None
    played: set[str] = attrs.field(factory=set)


def prepare_event(config: Any) -> FgwEvent:
    """The event of `config`'s fgw door with its matches: new ids, or those of the event log (resuming); logged, and written down."""
    event: FgwEvent = config.settings.fgw
    pairings = config.event_format.pairings
    directory = event.directory
    records = None if directory is None else directory / RECORDS_FILE
    if config.resume and directory is not None and records is not None and records.exists():
        try:
            event.matches = read_records(records.read_text(encoding="utf-8"), pairings, str(records))
        except (OSError, ValueError) as error:
            raise StructureError(f"fgw: cannot resume with the match ids of {records}: {error}") from None
        event.played = played_ids(directory / TOURNAMENTS_DIRECTORY)
        log.info("fgw: the match ids of %s (resumed); %d of %d matches are over", records, len(event.played), len(event.matches))
    else:
        event.matches, event.played = new_matches(pairings), set()
        if records is not None:
            records.parent.mkdir(parents=True, exist_ok=True)
            records.write_text(records_text(event.matches), encoding="utf-8")
            log.info("fgw: the match ids are in %s", records)
    for match in event.matches:
        log.info("match %s: %s vs %s", match.match_id, match.first, match.second)
    return event


def fgw_door(config: Any, participants: Participants | None) -> Door:
    """The fgw door of xserver's configuration: `GET /<match-id>?participant=<name>` with `Authorization: <token>`."""
    assert participants is not None, "configure checks that the fgw door has participants"
    event = prepare_event(config)
    matches = event.matches
    assert matches is not None  # prepared

    def door(handshake: Handshake) -> DoorVerdict:
        verdict = judge_request(
            handshake.path, handshake.query, handshake.authorization, handshake.address, matches, participants, event.played
        )
        if not isinstance(verdict, Admitted):
            log.info("%s", verdict.why)
            return DoorVerdict.refuse(REFUSAL, 400)
        log.info("fgw: %s asks for match %s", verdict.sign_up[1], verdict.match.match_id)
        return DoorVerdict.open(sign_up=verdict.sign_up, dialect=FgwConversation())

    return door


def record_writers(event: FgwEvent | None) -> list[Observer]:
    """The writer of the fgw door's match files (files only with an event log; the ids played always), for an event with the door."""
    if event is None or event.matches is None:
        return []
    directory = None if event.directory is None else event.directory / TOURNAMENTS_DIRECTORY
    return [FgwRecordWriter(directory, event.matches, event.played)]
