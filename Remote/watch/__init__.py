"""Watching a tournament live: a web page and an event stream on a port of their own, which never slow the games.

The host creates one WatchHub for the server's life, runs `serve_watch`
beside its tournaments, and calls `hub.attach(event_log, game)` as each
tournament starts. See README.md in this directory and docs/watch.md.
"""

from Remote.watch.hub import WatchHub
from Remote.watch.server import WatchListenError, serve_watch
from Remote.watch.settings import WATCH_KEY, WatchSettings, read_watch_settings, register_watch_settings

__all__ = ("WATCH_KEY", "WatchHub", "WatchListenError", "WatchSettings", "read_watch_settings", "register_watch_settings", "serve_watch")
