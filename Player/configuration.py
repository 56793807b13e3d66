"""How a configuration names a local player, `[Kind, Name, PathString]`, and an observer, `[Name, PathString]`.

Kind is one of the game's kinds (Santorini: "good", "breaker", "infinite");
PathString names a Python file that defines the player, or is "" for the
built-in player of the Kind. The same entry appears in `python -m Admin`, in
xserver's "house players" and in xclients' "players". Game-free: the game's
GamePlayers says which kinds and names there are.

Only xclients' entries may carry a fourth element, the participant's Token
(`[Kind, Name, PathString, Token]`, a SignUpEntry): the secret the organiser
handed out, with which the player signs up; and a fifth, the sign-up's
Options (`[Kind, Name, PathString, Token, Options]`, Common.sign_up_options:
`{"opponent": Name}` asks an arena for that opponent), where the Token may be
`null` for a server without participants. House players and `python -m
Admin`'s players never sign up over the wire, so a fourth element there is an
error. A Token's rule is the same for every game (`is_token`); a message
about a bad one never shows it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import cattrs

from Common.participant import TOKEN_RULE, Participant, is_token
from Common.sign_up_options import NO_OPTIONS, SignUpOptions, read_sign_up_options
from Common.strict import array, elements, show, string
from Player.game_players import GamePlayers
from Player.loader import PlayerLoadError, make_local_player


@attrs.frozen
class LocalPlayerEntry:
    """A local player to create: its kind, its name, and the file that defines it ("" for built-in)."""

    kind: str
    name: str
    path: str

    def create(self, players: GamePlayers) -> Participant:
        """The player this entry describes; PlayerLoadError if its file cannot be loaded."""
        return make_local_player(self.kind, self.name, self.path, players)


@attrs.frozen
class SignUpEntry(LocalPlayerEntry):
    """An xclients player: a LocalPlayerEntry, the Token it signs up with (None: none), and what its sign-up asks for.

    No token and no options: it signs up with its bare name.
    """

    token: str | None = attrs.field(default=None, repr=False)
    options: SignUpOptions = NO_OPTIONS


def create_players(entries: Sequence[LocalPlayerEntry], key: str, players: GamePlayers) -> list[tuple[str, Participant]]:
    """The players of `entries`, listed under `key` in a configuration; PlayerLoadError names the entry."""
    created = []
    for index, entry in enumerate(entries):
        try:
            created.append((entry.name, entry.create(players)))
        except PlayerLoadError as error:
            raise PlayerLoadError(f"{error} @ $.{key}[{index}]") from None
    return created


@attrs.frozen
class ObserverEntry:
    """An observer to create: its name and the file that defines it. Validated, unused for now."""

    name: str
    path: str


def _path(value: Any) -> str:
    return string(value, 'a path string ("" for a built-in player)')


def _token(value: Any) -> str:
    if is_token(value):
        return value
    what = f"a string of {len(value)} characters (not shown: it is a secret)" if type(value) is str else f"a JSON {_json_type(value)}"
    raise ValueError(f"expected a token of {TOKEN_RULE}, got {what}")


def _token_or_null(value: Any) -> str | None:
    """Before the options, a token, or null: the server has no participants (the sign-up is `["sign-up", Name, null, Options]`)."""
    return None if value is None else _token(value)


def _json_type(value: Any) -> str:
    names = {bool: "boolean", int: "number", float: "number", list: "array", dict: "object", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def register_entries(converter: cattrs.Converter, players: GamePlayers) -> None:
    """Teach `converter` to structure LocalPlayerEntry and ObserverEntry from their JSON arrays, for the game of `players`."""

    def kind(value: Any) -> str:
        if not players.is_kind(value):
            raise ValueError(
                f'expected a kind of {players.game}, one of {players.kind_list()} (the "game" key chooses the game), got {show(value)}'
            )
        return value

    def name(value: Any) -> str:
        if not players.is_name(value):
            raise ValueError(f"expected a name of {players.name_rule}, got {show(value)}")
        return value

    def player_entry(value: Any, _: type = LocalPlayerEntry) -> LocalPlayerEntry:
        if type(value) is list and len(value) == 4:
            raise ValueError("expected a player [kind, name, path] of 3 elements, got 4: only xclients' players take a token")
        parts = array(value, "a player [kind, name, path]", range(3, 4))
        return LocalPlayerEntry(*elements(parts, [kind, name, _path], LocalPlayerEntry))

    def options(value: Any) -> SignUpOptions:
        return read_sign_up_options(value, players.is_name, players.name_rule)

    def sign_up_entry(value: Any, _: type = SignUpEntry) -> SignUpEntry:
        parts = array(value, "a player [kind, name, path], [kind, name, path, token] or [kind, name, path, token, options]", range(3, 6))
        token = _token if len(parts) == 4 else _token_or_null
        return SignUpEntry(*elements(parts, [kind, name, _path, token, options][: len(parts)], SignUpEntry))

    def observer_entry(value: Any, _: type = ObserverEntry) -> ObserverEntry:
        parts = array(value, "an observer [name, path]", range(2, 3))
        return ObserverEntry(*elements(parts, [name, _path], ObserverEntry))

    converter.register_structure_hook(LocalPlayerEntry, player_entry)
    converter.register_structure_hook(SignUpEntry, sign_up_entry)
    converter.register_structure_hook(ObserverEntry, observer_entry)
