"""The IPD's conversation in the wire form of the websocket IPD server's clients, as a pure state machine (docs/fgw.md).

Such a client sends raw moves, `C` or `B` (our "D"), one per text message,
and hears only its opponent's move of each round: `C`, `B` or `Forfeit`.
This machine translates between that and our JSON conversation
(docs/ipd-protocol.md section 4), for one connection, which plays one match:

    client -> us    the i-th text message of the connection is the reply
                    `[i, Move]` to round i (white space around it stripped,
                    as that server reads it). So a late move keeps its
                    round's number and is discarded as a late reply, never
                    counted in the next round. A move for the round after
                    the one asked last (the first move, sent unprompted
                    right after the upgrade) is held until its round is
                    asked; a move for a round later still is more than one
                    ahead: misbehaviour (MALFORMED). Any other text counts
                    as that round's message but answers nothing: the round
                    is forfeited when its time runs out (that server: "any
                    other choice forfeits the round").
    us -> client    `["move", k, Prev]` sends the opponent's move of round
                    k - 1 (nothing in round 1); `["match-over", Prev, ...]`
                    sends that of the last round, unless it was sent
                    already (an opponent put out in the middle of a round),
                    and closes the connection; `["kicked", ...]` closes it;
                    `["playing-as", ...]`, `["match", ...]` and
                    `["results", ...]` send nothing.

Nothing here does I/O: `incoming` takes a text message and gives the bytes
our JSON decoder is fed; `outgoing` takes one of our values and gives the
texts to send, whether to close after them, and the bytes of a held move
that its round's request releases.
"""

from __future__ import annotations

from Common.ipd.moves import COOPERATE, DEFECT
from Remote.channel import ProtocolViolation
from Remote.framing import ErrorKind
from Remote.websocket import Outgoing

FGW_COOPERATE, FGW_BETRAY, FGW_FORFEIT = "C", "B", "Forfeit"
_MOVES = {FGW_COOPERATE: COOPERATE, FGW_BETRAY: DEFECT}
"""A client's text, stripped, and the Move it stands for."""
_THEIRS = {COOPERATE: FGW_COOPERATE, DEFECT: FGW_BETRAY, None: FGW_FORFEIT}
"""A Recorded of ours and the text a client hears for it."""

MOVE, MATCH_OVER, KICKED = "move", "match-over", "kicked"


def reply_bytes(round_: int, move: str) -> bytes:
    """The reply `[round_, move]` as the bytes our JSON decoder is fed."""
    return b'[%d,"%s"]\n' % (round_, move.encode())


def client_move(text: str) -> str | None:
    """The Move a client's text message stands for (`C` or `B`, white space around it ignored); None for any other text."""
    return _MOVES.get(text.strip())


class FgwConversation:
    """A Dialect (Remote/websocket.py): one fgw connection's conversation, a move sent ahead held, the opponent told once."""

    def __init__(self) -> None:
        self.messages = 0
        """The text messages received so far: the next one is the reply to round `messages + 1`."""
        self.asked = 0
        """The last round asked (0: none yet)."""
        self.told = 0
        """The last round whose opponent's move the client has been sent."""
        self.holding = False
        self.held: str | None = None
        """The Move held for round `asked + 1` (None: a text that is no move) while `holding`."""

    def incoming(self, text: str) -> bytes:
        """The bytes our decoder is fed for the client's text message `text` (b"": none yet, or none at all)."""
        round_ = self.messages + 1
        if round_ > self.asked + 1:
            raise ProtocolViolation(
                f"it sent {text[:20]!r} for round {round_} while round {self.asked} was asked last: "
                "more than one move ahead (send one move, then wait for the opponent's)",
                ErrorKind.MALFORMED,
            )
        self.messages = round_
        move = client_move(text)
        if round_ == self.asked + 1:
            self.holding, self.held = True, move
            return b""
        return b"" if move is None else reply_bytes(round_, move)

    def outgoing(self, value: object) -> Outgoing:
        """What our value `value` (one message of the IPD's conversation, as JSON) becomes on this connection."""
        if type(value) is not list or not value:
            return Outgoing()
        tag = value[0]
        if tag == MOVE and len(value) == 3 and type(value[1]) is int:
            return self._move(value[1], value[2])
        if tag == MATCH_OVER and len(value) == 4 and type(value[3]) is int:
            return Outgoing(self._tell(value[3], value[1]), close=True)
        if tag == KICKED:
            return Outgoing(close=True)
        return Outgoing()

    def _move(self, round_: int, prev: object) -> Outgoing:
        texts = self._tell(round_ - 1, prev)
        self.asked = max(self.asked, round_)
        released = b""
        if self.holding and self.messages == round_:
            self.holding = False
            if self.held is not None:
                released = reply_bytes(round_, self.held)
        return Outgoing(texts, incoming=released)

    def _tell(self, round_: int, prev: object) -> tuple[str, ...]:
        """The opponent's move of `round_` (from `prev`, `[mine, theirs]`) if the client has not heard it yet."""
        if round_ <= self.told or type(prev) is not list or len(prev) != 2 or prev[1] not in _THEIRS:
            return ()
        self.told = round_
        return (_THEIRS[prev[1]],)
