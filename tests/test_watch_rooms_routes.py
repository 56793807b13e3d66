"""The routes of a server with rooms, pure: a room's routes are today's under `/rooms/R/`, and its pages link within the room."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from Remote.watch import routes
from Remote.watch.routes import ROOM_NAME, STATIC, InRoom, NoRoute, Redirect, RoomsJson, Static, room_page, route

room_names = st.from_regex(ROOM_NAME, fullmatch=True)
TARGETS = [
    b"/",
    b"/index.html",
    b"/play",
    b"/watch.js",
    b"/watch.css",
    b"/play.css",
    b"/view.js?game=x",
    b"/play-view.css",
    b"/play.json",
    b"/events",
    b"/events?run=2&after=17",
    b"/events?after=x",
    b"/results.json",
    b"/crosstable.csv",
    b"/games.ndjson",
    b"/games/3/0.json",
    b"/games/03/0.json",
    b"/nothing",
    b"/rooms.js",
    b"/static/watch.js",
]
"""Targets of a page: every route of today, and some that are none."""
targets = st.sampled_from(TARGETS) | st.binary(max_size=40).map(lambda raw: b"/" + raw)
methods = st.sampled_from([b"GET", b"HEAD", b"POST"])


@given(methods, room_names, targets)
def test_a_rooms_route_is_the_route_of_today_in_that_room(method, name, target):
    inside = route(method, b"/rooms/" + name.encode() + target, rooms=True)
    today = route(method, target)
    assert inside == (today if isinstance(today, NoRoute) else InRoom(name, today))


@given(methods, st.binary(max_size=80).map(lambda raw: b"/" + raw))
def test_a_server_with_rooms_serves_at_its_top_only_the_list_its_files_and_the_rooms(method, target):
    served = route(method, target, rooms=True)
    if isinstance(served, InRoom):
        assert ROOM_NAME.fullmatch(served.room) and target.startswith(b"/rooms/" + served.room.encode() + b"/")
    elif isinstance(served, Static):
        assert served.name in ("rooms.html", "rooms.js", "rooms.css", "watch.css")
    else:
        assert isinstance(served, (RoomsJson, Redirect, NoRoute))


@given(methods, st.sampled_from(TARGETS) | st.binary(max_size=80).map(lambda raw: b"/" + raw))
def test_a_server_without_rooms_knows_nothing_of_rooms(method, target):
    served = route(method, target)
    assert not isinstance(served, (InRoom, RoomsJson, Redirect))
    assert not (isinstance(served, Static) and served.name.startswith("rooms."))


@given(st.sampled_from(["index.html", "play.html"]), room_names)
def test_a_rooms_page_is_todays_with_its_links_relative_and_its_room_named(page, name):
    served = room_page(page, name)
    assert re.search(rb'="/', served) is None, "no link leaves the room"
    marked = b'<body data-room="%s">' % html.escape(name).encode()
    assert served.count(marked) == 1
    assert served.replace(marked, b"<body>").replace(b'="./', b'="/') == STATIC[page]


def test_no_script_asks_for_the_data_of_a_page_by_an_absolute_path():
    """The scripts ask relative to the page, so that a room's page asks its room's routes."""
    for name, kind in routes.TYPES.items():
        if kind.startswith("text/javascript"):
            text = STATIC[name].decode()
            found = re.findall(r"[\"'`]/(?:events|games/|view\.|play\.json|play-view|results\.json|crosstable|rooms\.json)", text)
            assert not found, f"{name} asks {found}"
