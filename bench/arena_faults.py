"""The arena's faults under load (issue 19): clients that come and go and misbehave (`--churn`), and a server killed and resumed (`--kill`).

Both run one real xserver with `"format": {"kind": "arena", "minutes": M,
"pairing": "first come", "cool down": C}` and an `"event log"`, and one
bench/arena_clients.py process with the whole crowd, each client of a
strategy of known order. The figures print as JSON, one object per game.

**Churn** (`--churn`): every minute a tenth of the clients close their
connection at random, waiting or in a match, and as many sign up (new, or
returning under their name); `--misbehaving` of them (2 %) answer with a
malformed value now and then, are kicked, cool down, come back, and are put
out for good at their third misbehaviour. The figures:

* **nobody is seated with a player that has left**, checked two ways, each
  encounter-start of the event log against (a) the log itself: every player
  seated must be in the queue then (an `arena-join` since its last
  `encounter-end` or `arena-leave`, none of which since); (b) the clients'
  own clock: a player is *seated after it left* when its latest session
  under that name that connected before the encounter-start's `t` had
  closed more than `GRACE` s before it (the server's `t` and the clients'
  stamps are both the machine's Unix clock; `GRACE` allows for the close
  travelling to the server). Both counts must be 0; the seats within the
  grace (a close racing the pairing) are counted beside, with the latest;
* **encounters per minute** in each tenth of the arena (the log's
  encounter-ends with an outcome) and the last tenth against the first;
* **memory**: the server's RSS once the first crowd signed up, at the
  arena's end, their ratio, and in each tenth;
* **ratings**: each group's mean μ - 3σ, μ and encounters from the
  `results.json` the arena writes beside its event log; the groups' order
  expected (from matches of the strategies simulated here: the share of
  points, a win 1, a draw ½, against the crowd's mix) and found;
* **misbehaviour**: misbehaviours by kind and by group (a rule-abiding
  client that leaves in a match misbehaves too: its connection broke in an
  encounter), the cool-downs, and who is out for good.

**Kill and resume** (`--kill`): halfway through the arena the server gets
SIGKILL; xserver starts again at once on the same port with `"resume":
true`, while `python -m Remote.rebuild_exports` folds a copy of the log as
the kill left it to the ratings and counts of that moment (the *before*);
the clients reconnect by themselves (every 0.25 s, for at most
`--reconnect-for` s) and the arena goes on to its end. Compared:

* the fold of the log up to the `resume` event against the before (each
  player's μ, σ and encounters; the played, running and misbehaviour
  counts, who is out for good);
* what the resumed server itself says: its `resume` event's absent players
  (those waiting or playing before), one `encounter-end` without outcome per
  encounter running at the kill, the number of its first new encounter, the
  `rating` (μ - 3σ, its own ratings' float) of every player's first
  `arena-join` after the resume against the before's, exactly; its `summary`
  at the end (its ratings in memory) against the fold of the whole log, and
  its count of encounters against the log's.

    .venv/bin/python bench/arena_faults.py [--churn] [--kill] [--games ipd santorini] [--minutes 2]
        [--ipd-clients 300] [--santorini-clients 100] [--rounds 100] [--keep]

Neither `--churn` nor `--kill`: both. About `minutes` + 1 minute per game and
kind; not part of `make bench`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from arena_clients import groups_of, ipd_match, santorini_place, santorini_turn
from harness import PROJECT_ROOT, BenchError, MachineLoad, ProcessSampler, Server, end, run_main, run_stamp
from santorini_pure import TURN_LIMIT, Chooser, play

from Common.santorini.names import Name
from Common.santorini.wire import board_to_json, placement_to_json
from Remote.event_log_reader import read_arena_events, read_events
from Remote.game_registry import GAMES

CLIENTS = PROJECT_ROOT / "bench" / "arena_clients.py"
GRACE = 0.05
"""Seconds a close may take to reach the server: a seat this soon after a close is a race, counted apart."""
SLICES = 10
IPD_PAYOFFS = {"R": 3, "S": 0, "T": 5, "P": 1}
"""The IPD's payoffs (docs/ipd-protocol.md, the server's defaults)."""
CHURN_STOPS_BEFORE_THE_END = 3.0
"""Seconds before the arena's end after which nobody signs up: a sign-up while the arena sends its Results crashes
xserver today (bench/README.md; `--churn-to-the-end` shows it)."""
RESUME_TIME_LIMIT = 900.0
"""Seconds the resumed server may take to read its log and listen (a 1,000-client IPD arena's log is large)."""
SIMULATED = 40
"""Matches simulated per pair of strategies (each seat order) for the expected order."""


# ---------------------------------------------------------------------------
# Pure: the expected order, the log's checks


def expected_order(game: str, rounds: int, seed: int = 1) -> tuple[list[str], dict[str, float]]:
    """The rule-abiding groups best first, by their share of points (win 1, draw ½) against an even mix of all groups
    (each pair of different groups simulated, both seat orders; a group against itself ½)."""
    rng = random.Random(seed)
    groups = groups_of(game)
    points: dict[str, float] = dict.fromkeys(groups, 0.0)
    for first in groups:
        for second in groups:
            for _ in range(SIMULATED):
                if first == second:  # a group against itself scores ½ on average, whoever sits first
                    points[first] += 0.5
                    continue
                a, b = _simulated(game, first, second, rounds, rng)
                points[first] += 1.0 if a > b else 0.5 if a == b else 0.0
    share = {group: round(points[group] / (SIMULATED * len(groups)), 3) for group in groups}
    return sorted(groups, key=lambda group: -share[group]), share


def _simulated(game: str, first: str, second: str, rounds: int, rng: random.Random) -> tuple[float, float]:
    if game == "ipd":
        return ipd_match(first, second, rounds, rng, IPD_PAYOFFS)

    def chooser(strategy: str) -> Chooser:
        return Chooser(
            lambda placement: santorini_place(strategy, placement_to_json(placement), rng),
            lambda me, board: santorini_turn(strategy, board_to_json(board), str(me), rng),
        )

    calls = list(play((Name("alice"), chooser(first)), (Name("bob"), chooser(second))))
    if len(calls) >= TURN_LIMIT:
        return 0, 0
    return (1, 0) if calls[-1].player == "alice" else (0, 1)  # the last to move won (moved up, or left the other none)


def seated_from_the_queue(events: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every seat of the log whose player was not waiting in the queue then, as `encounter N: name`."""
    waiting: set[str] = set()
    wrong = []
    for event in events:
        kind = event["type"]
        if kind == "arena-join":
            waiting.add(event["name"])
        elif kind == "arena-leave":
            waiting.discard(event["name"])
        elif kind == "encounter-start":
            for name in event["players"]:
                if name not in waiting:
                    wrong.append(f"encounter {event['encounter']}: {name}")
                waiting.discard(name)
    return wrong


def seated_after_closing(events: Sequence[Mapping[str, Any]], members: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The seats of players whose connection had closed before the encounter started, on the clients' clock.

    A player's session is its latest one under that name that connected
    before the start; closed more than GRACE s before it: seated after it left.
    """
    sessions: dict[str, list[tuple[float, float | None]]] = {}
    for member in members:
        for session in member["sessions"]:
            if session["connected"] is not None:
                sessions.setdefault(session["name"], []).append((session["connected"], session["closed"]))
    late, racing, latest = [], 0, 0.0
    for event in events:
        if event["type"] != "encounter-start":
            continue
        for name in event["players"]:
            before = [session for session in sessions.get(name, []) if session[0] <= event["t"]]
            if not before:
                continue
            closed = max(before)[1]
            if closed is not None and closed < event["t"]:
                if event["t"] - closed > GRACE:
                    late.append(f"encounter {event['encounter']}: {name} {event['t'] - closed:.3f} s after its close")
                else:
                    racing += 1
                    latest = max(latest, event["t"] - closed)
    return {"after leaving": late, "within the grace": racing, "latest within the grace ms": round(1000 * latest, 1)}


def tenths(events: Sequence[Mapping[str, Any]], opened: float, length: float) -> list[int]:
    """Encounters ended with an outcome in each tenth of the arena's `length` s from `opened` (the log's clock)."""
    counts = [0] * SLICES
    for event in events:
        if event["type"] == "encounter-end" and event["outcome"] is not None and opened <= event["t"] < opened + length:
            counts[int((event["t"] - opened) / length * SLICES)] += 1
    return counts


def group_ratings(standings: Sequence[Mapping[str, Any]], group_of: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Each group's players, mean μ - 3σ, mean μ and mean encounters, from the leaderboard's rows."""
    rows: dict[str, list[Mapping[str, Any]]] = {}
    for row in standings:
        rows.setdefault(group_of.get(row["name"], "unknown"), []).append(row)
    return {
        group: {
            "players": len(members),
            "mean mu-3sigma": round(sum(row["ordinal"] for row in members) / len(members), 2),
            "mean mu": round(sum(row["mu"] for row in members) / len(members), 2),
            "mean encounters": round(sum(row["encounters"] for row in members) / len(members), 1),
        }
        for group, members in sorted(rows.items())
    }


def standings_by_name(standings: Sequence[Mapping[str, Any]]) -> dict[str, tuple[float, float, int]]:
    return {row["name"]: (row["mu"], row["sigma"], row["encounters"]) for row in standings}


def differences(before: Mapping[str, tuple], after: Mapping[str, tuple], limit: int = 5) -> list[str]:
    """Up to `limit` players whose values differ between two mappings, as lines."""
    names = sorted(set(before) | set(after))
    return [f"{name}: {before.get(name)} then {after.get(name)}" for name in names if before.get(name) != after.get(name)][:limit]


# ---------------------------------------------------------------------------
# The runs


def _config(game: str, minutes: float, rounds: int, cool_down: float, log_dir: str) -> dict[str, Any]:
    own = {"min rounds": rounds, "max rounds": rounds, "seed": 1} if game == "ipd" else {"best of": 1}
    arena_format = {"kind": "arena", "minutes": minutes, "pairing": "first come", "cool down": cool_down}
    return {"game": game, "min players": 0, "waiting for": 1, "time per call": 60, "format": arena_format, "event log": log_dir, **own}


def _clients(game: str, clients: int, port: int, minutes: float, sessions_out: Path, *more: str) -> subprocess.Popen:
    command = [sys.executable, str(CLIENTS), "--game", game, "--clients", str(clients), "--port", str(port)]
    command += ["--time-limit", str(60 * minutes + 400), "--sessions-out", str(sessions_out), *more]
    return subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(generator: subprocess.Popen, minutes: float) -> dict[str, Any]:
    try:
        output, errors = generator.communicate(timeout=60 * minutes + 460)
    except subprocess.TimeoutExpired:
        end(generator)
        raise BenchError("the clients did not finish in time") from None
    if generator.returncode != 0:
        raise BenchError(f"the clients failed (exit {generator.returncode}): {errors.strip()[-300:]}")
    return json.loads(output)


def _arena_directory(log_dir: str) -> Path:
    found = sorted(Path(log_dir).glob("*/events.ndjson"))
    if len(found) != 1:
        raise BenchError(f"expected one arena in the event log {log_dir}, found {len(found)}")
    return found[0].parent


def _rss_mb_at(sampler: ProcessSampler, moment: float) -> float | None:
    before = [rss for at, rss, _ in sampler.samples if at <= moment]
    return round(before[-1] * 1024 / 1e6, 1) if before else None


def _group_of(members: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    return {name: member["group"] for member in members for name in member["names"]}


def churn(game: str, clients: int, minutes: float, rounds: int, arguments: argparse.Namespace) -> dict[str, Any]:
    """One arena of `game` with a crowd that comes and goes; its figures."""
    log_dir = tempfile.mkdtemp(prefix=f"arena-churn-{game}-")
    sessions_out = Path(log_dir) / "sessions.json"
    server = Server(_config(game, minutes, rounds, arguments.cool_down, log_dir))
    sampler = ProcessSampler(server.process.pid)
    more = ["--churn", str(arguments.churn_share), "--misbehaving", str(arguments.misbehaving)]
    more += ["--malformed-every", str(200 if game == "ipd" else 20), "--reconnect-for", "10"]
    if not arguments.churn_to_the_end:
        more += ["--churn-for", str(60 * minutes - CHURN_STOPS_BEFORE_THE_END)]
    generator = _clients(game, clients, server.port or 0, minutes, sessions_out, *more)
    try:
        crowd = _finish(generator, minutes)
        status = server.wait(120)
        exited = time.monotonic()
    finally:
        sampler.stop()
        end(generator, server)
    if status != 0:
        raise BenchError(f"xserver exited with status {status}: {_kept_log(server, log_dir)}")
    directory = _arena_directory(log_dir)
    events, _ = read_events(directory / "events.ndjson")
    members = json.loads(sessions_out.read_text())
    results = json.loads((directory / "results.json").read_text())
    opened, length = events[0]["t"], 60 * minutes
    slices = tenths(events, opened, length)
    time_over = next((stamp for stamp, line in server.lines if "the arena's time is over" in line), None)
    first_crowd = sorted(stamp for stamp, line in server.lines if line.endswith(" signed up"))[:clients]
    start_rss = _rss_mb_at(sampler, first_crowd[-1] + 0.1) if len(first_crowd) == clients else None
    end_rss = _rss_mb_at(sampler, time_over) if time_over is not None else None
    assert server.listening_at is not None
    rss_tenths = [_rss_mb_at(sampler, server.listening_at + length * (part + 1) / SLICES) for part in range(SLICES)]
    group_of = _group_of(members)
    by_group = group_ratings(results["standings"], group_of)
    order, share = expected_order(game, rounds)
    found = sorted(order, key=lambda group: -by_group.get(group, {"mean mu-3sigma": -1e9})["mean mu-3sigma"])
    misbehaviours = [event for event in events if event["type"] == "misbehaviour"]
    out = results["out"]
    late = seated_after_closing(events, members)
    leaves = sum(event["type"] == "arena-leave" for event in events)
    return {
        "clients at a time": clients,
        "clients in all": crowd["clients in all"],
        "churn": f"{arguments.churn_share:g} of the clients a minute",
        "groups": crowd["groups"],
        "left (closed by the client)": crowd["left"],
        "of which at once in a match (the client's view)": crowd["left in a match"],
        "of which on their match-over (IPD)": crowd["left as its match ended"],
        "arena-leave events (left while waiting)": leaves,
        "returned under their name": crowd["returned"],
        "new clients": crowd["new"],
        "seated though not in the queue (the log)": len(seated := seated_from_the_queue(events)),
        "seated after leaving (clients' clock, > 50 ms)": len(late["after leaving"]),
        "first seated after leaving": (late["after leaving"] + seated)[:5],
        "seats within 50 ms of a close (races)": late["within the grace"],
        "latest such seat ms": late["latest within the grace ms"],
        "encounters": sum(slices),
        "encounters per minute": round(sum(slices) / minutes),
        f"encounters in each tenth ({length / SLICES:.0f} s)": slices,
        "ratio (last tenth / first)": round(slices[-1] / slices[0], 2) if slices[0] else None,
        "ratio (fewest / most in a tenth)": round(min(slices) / max(slices), 2) if max(slices) else None,
        "rss mb once the first crowd signed up": start_rss,
        "rss mb at the end (time over)": end_rss,
        "ratio (rss end / start)": round(end_rss / start_rss, 2) if start_rss and end_rss else None,
        "rss kb per encounter (end - start)": round(1000 * (end_rss - start_rss) / sum(slices), 1) if start_rss and end_rss else None,
        "rss mb at the end of each tenth": rss_tenths,
        "peak rss mb (results included)": sampler.high_water_mb(),
        "expected order (simulated share of points)": [f"{group} {share[group]}" for group in order],
        "found order (mean mu-3sigma)": found,
        "order as expected": found == order,
        "ratings by group": by_group,
        "misbehaviours": len(misbehaviours),
        "misbehaviours by kind": dict(Counter(event["kind"] for event in misbehaviours)),
        "misbehaviours by group": dict(Counter(group_of.get(event["name"], "unknown") for event in misbehaviours)),
        "malformed answers sent": crowd["malformed answers sent"],
        "kicked (the clients' count)": crowd["kicked"],
        "cool-downs": len(misbehaviours) - len(out),
        "out for good": len(out),
        "out for good by group": dict(Counter(group_of.get(name, "unknown") for name in out)),
        "refused at sign-up for good (the clients' count)": crowd["refused for good"],
        "results received at the end": crowd["results received"],
        "unexpected messages (clients)": crowd["unexpected messages"],
        "seconds from the end to the exit": round(exited - time_over, 1) if time_over is not None else None,
        "clients cpu seconds": crowd["cpu seconds"],
        **({"event log kept": str(directory)} if arguments.keep else {}),
        **_cleaned(log_dir, arguments.keep),
    }


def _kept_log(server: Server, log_dir: str) -> str:
    """Keep the event log and write the server's log beside it: where both are, and the log's last line."""
    path = Path(log_dir) / "xserver.log"
    path.write_text("".join(f"{stamp:.3f} {line}\n" for stamp, line in server.lines))
    last = next((line for _, line in reversed(server.lines) if line.strip()), "")
    return f"{last.strip()} (the event log and xserver.log kept in {log_dir})"


def _cleaned(log_dir: str, keep: bool) -> dict[str, Any]:
    if not keep:
        shutil.rmtree(log_dir, ignore_errors=True)
    return {}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _fold(events: list[dict[str, Any]]) -> Any:
    state, _ = read_arena_events(events, GAMES)
    return state


def kill(game: str, clients: int, minutes: float, rounds: int, arguments: argparse.Namespace) -> dict[str, Any]:
    """One arena of `game`, SIGKILLed halfway and resumed; the ratings and counts before and after compared."""
    log_dir = tempfile.mkdtemp(prefix=f"arena-kill-{game}-")
    sessions_out = Path(log_dir) / "sessions.json"
    port = _free_port()
    config = _config(game, minutes, rounds, arguments.cool_down, log_dir)
    first = Server(config, port=port)
    sampler = ProcessSampler(first.process.pid)
    generator = _clients(game, clients, port, minutes, sessions_out, "--reconnect-for", str(arguments.reconnect_for))
    second: Server | None = None
    try:
        assert first.listening_at is not None
        time.sleep(max(0.0, first.listening_at + 30 * minutes - time.monotonic()))
        if generator.poll() is not None or first.process.poll() is not None:
            raise BenchError(f"the clients or the server ended before the kill: {first.log_tail()}")
        os.kill(first.process.pid, signal.SIGKILL)
        killed = time.monotonic()
        all_in = sorted(stamp for stamp, line in first.lines if line.endswith(" signed up"))[:clients]
        rss_before = (_rss_mb_at(sampler, all_in[-1] + 0.1) if len(all_in) == clients else None, _rss_mb_at(sampler, killed))
        first.process.wait(10)
        sampler.stop()
        directory = _arena_directory(log_dir)
        copy = Path(f"{log_dir}-at-the-kill") / directory.name  # the log as the kill left it, folded while the arena goes on
        copy.mkdir(parents=True)
        shutil.copyfile(directory / "events.ndjson", copy / "events.ndjson")
        second = Server({**config, "resume": True}, port=port, start_time_limit=RESUME_TIME_LIMIT)
        resumed_sampler = ProcessSampler(second.process.pid)
        rebuilding = subprocess.Popen(
            [sys.executable, "-m", "Remote.rebuild_exports", str(copy)],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        _, refused = rebuilding.communicate(timeout=900)
        if rebuilding.returncode != 0:
            raise BenchError(f"rebuild_exports refused the killed arena's log: {refused.strip()}")
        rebuilt_at = time.monotonic()
        before = json.loads((copy / "results.json").read_text())
        logged_before, torn = read_events(copy / "events.ndjson")
        crowd = _finish(generator, minutes)
        time_over = next((stamp for stamp, line in second.lines if "the arena's time is over" in line), None)
        listening = second.listening_at or 0.0
        rss_after = (_rss_mb_at(resumed_sampler, listening + 0.1), None if time_over is None else _rss_mb_at(resumed_sampler, time_over))
        status = second.wait(120)
    finally:
        sampler.stop()
        if second is not None:
            resumed_sampler.stop()
        end(generator, first, second)
    if status != 0:
        raise BenchError(f"the resumed xserver exited with status {status}: {_kept_log(second, log_dir)}")
    events, _ = read_events(directory / "events.ndjson")
    resume_at = next(index for index, event in enumerate(events) if event["type"] == "resume")
    resumed = events[resume_at]
    at_resume = _fold(events[:resume_at])
    played_before = len(at_resume.rated)
    block_end = next(
        (index for index in range(resume_at + 1, len(events)) if events[index]["type"] not in ("encounter-end", "arena-leave")), len(events)
    )
    block = events[resume_at + 1 : block_end]
    after = events[block_end:]
    before_ratings = standings_by_name(before["standings"])
    ordinal_before = {row["name"]: row["ordinal"] for row in before["standings"]}
    first_joins: dict[str, float] = {}
    for event in after:
        if event["type"] == "arena-join":
            first_joins.setdefault(event["name"], event["rating"])
    joins_differ = [
        f"{name}: {rating!r} after, {ordinal_before.get(name)!r} before"
        for name, rating in first_joins.items()
        if rating != ordinal_before.get(name, 0.0)
    ]
    final = _fold(events)
    summary = next(event for event in reversed(events) if event["type"] == "summary")
    summary_ratings = standings_by_name(summary["ratings"])
    final_ratings = standings_by_name(final.standings())
    over = next((line for _, line in second.lines if "the arena is over:" in line), "")
    counted = int(over.rsplit(":", 1)[1].split()[0]) if over else None
    played = len(final.rated)
    next_encounter = next((event["encounter"] for event in after if event["type"] == "encounter-start"), None)
    back = [event for event in after if event["type"] == "arena-join" and event["name"] in resumed["absent"]]
    assert second.listening_at is not None
    checks = {
        "fold at the resume = before (each player's mu, sigma, encounters)": standings_by_name(at_resume.standings()) == before_ratings,
        "the resume's absent = those waiting or playing before": sorted(resumed["absent"]) == sorted(before["waiting"] + before["playing"]),
        "encounters ended without outcome at the resume = running before": sum(e["type"] == "encounter-end" for e in block)
        == len(before["running"]),
        "the first new encounter's number = encounters before": next_encounter == before["ended"] + len(before["running"]),
        "each player's first rating after the resume = before (exact float)": not joins_differ,
        "out for good after the resume = before": sorted(at_resume.out_for_good()) == sorted(before["out"]),
        "summary at the end (the server's ratings) = fold of the whole log": summary_ratings == final_ratings,
        "the server's count of encounters = the log's": counted == played,
    }
    return {
        "clients": clients,
        "killed after s": round(killed - first.listening_at, 1),
        "events before the kill": len(logged_before),
        "torn last line dropped": torn,
        "rebuild_exports seconds (beside the resume)": round(rebuilt_at - killed, 1),
        "before: encounters played": played_before,
        "before: encounters running": len(before["running"]),
        "before: misbehaviours": len(before["misbehaviours"]),
        "before: players rated": len(before_ratings),
        "before: rss mb once all signed up, at the kill": rss_before,
        "before: rss kb per encounter": round(1000 * (rss_before[1] - rss_before[0]) / played_before, 1)
        if rss_before[0] and rss_before[1] and played_before
        else None,
        "after: rss mb once the resumed server listens, at the end (time over)": rss_after,
        "after: peak rss mb of the resumed server (its fold of the log and the Results included)": resumed_sampler.high_water_mb(),
        "events at the resume (in the log)": resume_at,
        "checks": checks,
        "all equal": all(checks.values()),
        "players whose first rating after the resume differs": joins_differ[:5],
        "players compared by their first arena-join": len(first_joins),
        "fold at the resume differs for": differences(before_ratings, standings_by_name(at_resume.standings())),
        "summary differs from the fold for": differences(summary_ratings, final_ratings),
        "seconds from the kill to the resumed server listening": round(second.listening_at - killed, 1),
        "absent players back": f"{len({event['name'] for event in back})} of {len(resumed['absent'])}",
        "reconnections (clients' count)": crowd["reconnected"],
        "gave up reconnecting": crowd["gave up reconnecting"],
        "encounters after the resume": sum(e["type"] == "encounter-end" and e["outcome"] is not None for e in after),
        "the arena is over (resumed server)": over.removeprefix("xserver: "),
        "results received at the end": crowd["results received"],
        "resumed server exit status": status,
        **({"event log kept": str(directory)} if arguments.keep else {}),
        **_cleaned(log_dir, arguments.keep),
        **_cleaned(f"{log_dir}-at-the-kill", arguments.keep),
    }


def measure(kind: str, game: str, clients: int, arguments: argparse.Namespace) -> dict[str, Any]:
    load = MachineLoad()
    started = time.monotonic()
    what = f"{arguments.rounds}-round matches" if game == "ipd" else "best of 1"
    run = churn if kind == "churn" else kill
    found = run(game, clients, arguments.minutes, arguments.rounds, arguments)
    return {
        "figure": f"{game} arena, {kind}, {clients:,} clients, {arguments.minutes:g} min, first come, {what}",
        **found,
        **run_stamp(started, load),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--churn", action="store_true", help="the crowd comes and goes, some misbehave")
    parser.add_argument("--kill", action="store_true", help="SIGKILL the server halfway, resume it")
    parser.add_argument("--games", nargs="+", choices=("ipd", "santorini"), default=["ipd", "santorini"])
    parser.add_argument("--minutes", type=float, default=2.0, help="the arena's length (default 2)")
    parser.add_argument("--ipd-clients", type=int, default=300, help="clients at a time in the IPD arena (default 300)")
    parser.add_argument("--santorini-clients", type=int, default=100, help="clients at a time in the Santorini arena (default 100)")
    parser.add_argument("--rounds", type=int, default=100, help="rounds of every IPD match (default 100)")
    parser.add_argument("--churn-share", type=float, default=0.1, help="share of the clients leaving each minute (default 0.1)")
    parser.add_argument("--misbehaving", type=float, default=0.02, help="share of misbehaving clients (default 0.02)")
    parser.add_argument("--cool-down", type=float, default=10.0, help="the arena's cool down, seconds (default 10)")
    parser.add_argument(
        "--reconnect-for", type=float, default=300.0, help="seconds a client tries to reconnect after the kill (default 300)"
    )
    parser.add_argument(
        "--churn-to-the-end", action="store_true", help="clients sign up until the arena is over (crashes xserver today: bench/README.md)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the event logs (their directories are in the figures)")
    arguments = parser.parse_args()
    if arguments.minutes <= 0 or arguments.rounds < 1:
        parser.error("--minutes and --rounds must be positive")
    kinds = [kind for kind in ("churn", "kill") if getattr(arguments, kind)] or ["churn", "kill"]
    clients = {"ipd": arguments.ipd_clients, "santorini": arguments.santorini_clients}
    return run_main(*(partial(measure, kind, game, clients[game], arguments) for kind in kinds for game in arguments.games))


if __name__ == "__main__":
    sys.exit(main())
