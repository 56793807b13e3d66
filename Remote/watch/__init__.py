"""Watching a tournament live: a web page and an event stream on a port of their own, which never slow the games.

The host creates one WatchHub for each room's life (a server without rooms
is one room named None), runs `serve_watch` with the WatchedRoom of each
beside their events, and calls `hub.attach(event_log, game)` as each of a
room's tournaments starts. See README.md in this directory and docs/watch.md.
"""

from Remote.watch.hub import WatchHub
from Remote.watch.server import WatchedRoom, WatchListenError, serve_watch
from Remote.watch.settings import WATCH_KEY, WatchSettings, read_watch_settings, register_watch_settings

__all__ = (
    "WATCH_KEY",
    "WatchHub",
    "WatchListenError",
    "WatchSettings",
    "WatchedRoom",
    "read_watch_settings",
    "register_watch_settings",
    "serve_watch",
)
