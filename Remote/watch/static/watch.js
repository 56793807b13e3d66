// The watch page: the tournament folded from the event stream, drawn at most once per animation frame.
//
// The stream (docs/watch.md) starts with a snapshot of the state, then sends
// each log event with its seq as id. The page applies each event once: an
// event whose seq it has already applied is dropped (a duplicate after a
// reconnection), and a gap makes it start over from a fresh snapshot. The
// browser reconnects by itself with Last-Event-ID; when the stream is refused
// or the tournament changes, the page reopens it with ?run=R&after=S.
// The format's panel and the ratings are formats.js's, drawn from this fold.
// A game whose encounters seat more than two (the snapshot's `seats`) has no
// crosstable: the page shows a table per encounter instead, each player's
// place, score and result, as crosstable.csv has them.
// An arena (the snapshot's `arena`, or the start's format of kind "arena")
// has neither crosstable nor schedule: arena.js folds and draws its
// leaderboard, rating chart, queue and latest results instead. An arena
// never ends, so the page keeps only its latest ended encounters
// (ARENA_ENDED_KEPT) and counts the others (`finished`).
"use strict";

(function () {
  const KINDS = ["won", "drawn", "lost", "irregular"];
  const SHORT = { won: "W", drawn: "D", lost: "L", irregular: "✗", removed: "✗", "not played": "–", "not scored": "∅", running: "…", "revised away": "R∅" };
  const FINISHED_SHOWN = 100;
  const ARENA_ENDED_KEPT = 200;  // an arena's ended encounters the page keeps (its latest results replay them)
  const debug = (window.watchDebug = { snapshots: 0, seqs: [], duplicates: 0, gaps: 0, opened: 0, renders: 0,
                                        streamState: () => source && source.readyState });
  let state = emptyState();
  let source = null, sourceRun = null, reopenTimer = 0, frame = 0;
  let dirty = { all: true, format: true, pairs: new Set(), encounters: new Set() };
  const views = new Map();
  const $ = (id) => document.getElementById(id);
  const element = Boards.element;

  function emptyState() {
    return { run: 0, seq: 0, game: null, seats: [2, 2], start: null, roster: null, total: null, encounters: new Map(), misbehaviours: {},
             revisions: new Map(), finished: 0, results: null, standings: null, pairs: new Map(), wide: false, ended: [], stages: [], summary: null,
             arenaView: false };
  }

  // -- the stream

  function open(run, after) {
    clearTimeout(reopenTimer);
    if (source) source.close();
    const query = run === null ? "" : "?run=" + run + "&after=" + after;
    source = new EventSource("events" + query);  // relative: the page's own room, if any
    sourceRun = run;
    debug.opened += 1;
    source.addEventListener("snapshot", (message) => onSnapshot(JSON.parse(message.data)));
    source.addEventListener("standings", (message) => {
      state.standings = JSON.parse(message.data);
      Arena.standings(state, state.standings);
      dirty.all = true; dirty.format = true; schedule();
    });
    source.addEventListener("over", () => {  // the event is over and its stream ends: nothing more will come
      source.close();
      connection("over");
    });
    source.onmessage = (message) => onEvent(message.data);
    source.onopen = () => connection("live");
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {  // refused (503, say): try again in a while, from where we are
        connection("offline");
        reopenTimer = setTimeout(() => open(state.run, state.seq), 5000);
      } else {
        connection("reconnecting");
      }
    };
  }

  function connection(what) {
    const shown = $("connection");
    shown.dataset.state = what;
    shown.textContent = what;
  }

  function onSnapshot(snapshot) {
    debug.snapshots += 1;
    state = emptyState();
    state.run = snapshot.run;
    state.seq = snapshot.seq;
    state.start = snapshot.start;
    state.game = snapshot.game;
    state.seats = snapshot.seats || [2, 2];
    state.roster = snapshot.roster;
    state.total = snapshot.total;
    state.misbehaviours = snapshot.misbehaviours;
    state.finished = snapshot.finished;
    state.results = snapshot.results;
    state.standings = snapshot.standings;
    state.stages = snapshot.stages || [];
    state.summary = snapshot.summary || null;
    for (const [index, outcome] of snapshot.revisions) state.revisions.set(index, outcome);
    Arena.fromSnapshot(state, snapshot);
    for (const encounter of snapshot.encounters) {
      if (!encounter.ended) encounter.games = encounter.games || [];
      state.encounters.set(encounter.encounter, encounter);
      if (!Arena.is(state)) pairOf(encounter);  // an arena has no crosstable
      if (encounter.ended) state.ended.push(encounter.encounter);
      else dirty.encounters.add(encounter.encounter);
    }
    forgetEnded();
    debug.seqs = [snapshot.seq];
    views.clear();
    dirty.all = true;
    schedule();
    if (sourceRun !== snapshot.run) open(snapshot.run, snapshot.seq);  // from now on, reconnections name this tournament
  }

  function onEvent(data) {
    const lines = data.split("\n");
    const event = JSON.parse(lines[0]);
    const extra = lines.length > 1 ? JSON.parse(lines[1]) : null;
    if (event.seq <= state.seq) {
      debug.duplicates += 1;
      return;
    }
    if (event.seq !== state.seq + 1) {
      debug.gaps += 1;
      open(null, 0);  // something is missing: start over from a snapshot
      return;
    }
    apply(event, extra);
    Arena.apply(state, event, extra);
    state.seq = event.seq;
    debug.seqs.push(event.seq);
    if (debug.seqs.length > 50000) debug.seqs.splice(0, 10000);
    schedule();
  }

  // -- the fold, as Admin/tournament_state.py folds (the steps of ended games are left out)

  function body(event, without) {
    const kept = {};
    for (const [key, value] of Object.entries(event)) if (!without.includes(key)) kept[key] = value;
    return kept;
  }

  // Every two players of an encounter (of two, or of more) met in it.
  function pairOf(encounter) {
    if (encounter.players.length !== 2) state.wide = true;
    for (const first of encounter.players) {
      for (const second of encounter.players) {
        if (first === second) continue;
        const key = first + "\n" + second;
        const list = state.pairs.get(key) || [];
        if (!list.includes(encounter.encounter)) {
          list.push(encounter.encounter);
          list.sort((a, b) => a - b);
        }
        state.pairs.set(key, list);
        dirty.pairs.add(key);
      }
    }
  }

  // An arena never ends: the page keeps only its latest ARENA_ENDED_KEPT ended encounters (the count of those that
  // ended is `state.finished`; the leaderboard and the chart are arena.js's).
  function forgetEnded() {
    if (!Arena.is(state) || state.ended.length <= ARENA_ENDED_KEPT) return;
    for (const index of state.ended.splice(0, state.ended.length - ARENA_ENDED_KEPT)) state.encounters.delete(index);
  }

  function apply(event, extra) {
    const index = event.encounter;
    switch (event.type) {
      case "start":
        state.start = body(event, ["seq", "t", "type"]);
        state.game = event.game;
        dirty.all = true;
        return;
      case "roster":
        state.roster = event.players;
        state.total = event.encounters;
        dirty.all = true;
        return;
      case "encounter-start": {
        const encounter = { encounter: index, players: event.players, repetition: event.repetition, meeting: event.meeting, ended: false, games: [] };
        state.encounters.set(index, encounter);
        if (!Arena.is(state)) pairOf(encounter);
        dirty.encounters.add(index);
        dirty.format = true;
        return;
      }
      case "misbehaviour":
        state.misbehaviours[event.name] = { kind: event.kind, reason: event.reason, encounter: event.encounter };
        dirty.all = true;
        return;
      case "encounter-end": {
        let encounter = state.encounters.get(index);
        if (!encounter) {
          encounter = { encounter: index, players: event.players, repetition: 0, meeting: 0, games: [] };
          state.encounters.set(index, encounter);
        }
        encounter.ended = true;
        encounter.outcome = event.outcome;
        encounter.culprits = event.culprits;
        encounter.game_ends = encounter.games.map((game) => game.end);
        encounter.words = extra ? extra.words : null;
        if (extra && "places" in extra) encounter.places = extra.places;
        delete encounter.games;
        state.finished += 1;
        state.ended.push(index);
        if (!Arena.is(state)) pairOf(encounter);
        forgetEnded();
        dirty.encounters.add(index);
        dirty.all = true;
        return;
      }
      case "revision": {
        state.revisions.set(index, event.outcome);
        const encounter = state.encounters.get(index);
        if (encounter && extra) encounter.words = extra.words;
        if (encounter && extra && "places" in extra) encounter.places = extra.places;
        if (encounter) pairOf(encounter);
        dirty.format = true;
        return;
      }
      case "stage":
        state.stages.push(body(event, ["seq", "t", "type"]));
        dirty.format = true;
        return;
      case "summary":
        state.summary = { ratings: event.ratings, format: event.format };
        dirty.format = true;
        return;
      case "results":
        state.results = { results: event.results, output: event.output };
        dirty.all = true;
        return;
      case "resume":
        for (const [at, encounter] of state.encounters) if (!encounter.ended) { state.encounters.delete(at); dirty.encounters.add(at); }
        return;
      case "sign-up": case "stop":
        return;
      case "game-start": {
        const encounter = state.encounters.get(index);
        // the game's record keeps what its start says (players; a game may add more, such as its board)
        if (encounter && !encounter.ended) encounter.games.push(Object.assign(body(event, ["seq", "t", "type", "encounter", "game"]), { steps: [], end: null }));
        dirty.encounters.add(index);
        return;
      }
      default: {
        const encounter = state.encounters.get(index);
        if (!encounter || encounter.ended || !encounter.games.length) return;
        const game = encounter.games[encounter.games.length - 1];
        const step = body(event, ["seq", "t", "type", "encounter", "game"]);
        if (event.type === "game-end") game.end = step;
        else game.steps.push(Object.assign(step, { type: event.type }));
        dirty.encounters.add(index);
      }
    }
  }

  // -- drawing

  function schedule() {
    if (!frame) frame = requestAnimationFrame(render);
  }

  function render() {
    frame = 0;
    debug.renders += 1;
    const arena = Arena.is(state);
    document.body.dataset.arena = arena ? "1" : "";
    if (dirty.all) {
      drawHeading();
      drawMisbehaviours();
      if (!arena) {
        drawStandings();
        drawFinished();
      }
    }
    if (arena) Arena.draw(state);
    else {
      if (dirty.all || dirty.format) Formats.draw(state, resultWord);
      if (seatsMoreThanTwo()) drawEncounterTable();
      else drawCrosstable();
    }
    drawRunning();
    drawProgress();
    dirty = { all: false, format: false, pairs: new Set(), encounters: new Set() };
    document.body.dataset.seq = state.seq;
    debug.encounters = state.encounters.size;
    document.body.dataset.view = Boards.has(state.game) ? state.game : "";  // drawn with the game's own view
    document.body.dataset.run = state.run;
  }

  function drawHeading() {
    Boards.load(state.game, viewLoaded);  // once the game is known: its view, and then every board and score again
    const game = Boards.title(state.game);
    $("legend-score").textContent = Scores.legend(state.game);
    const what = Arena.is(state) ? " arena " : " tournament ";
    const room = document.body.dataset.room ? document.body.dataset.room + ": " : "";
    $("title").textContent = room + (state.start ? game + what + (state.start.tournament || "") : "Waiting for a tournament");
    document.title = $("title").textContent;
  }

  function drawProgress() {
    const running = [...state.encounters.values()].filter((encounter) => !encounter.ended).length;
    const total = state.total || 0;
    $("progress-bar").style.width = (total ? (100 * state.finished) / total : 0) + "%";
    const progress = $("progress");
    progress.dataset.finished = state.finished;
    progress.dataset.total = total;
    if (Arena.is(state)) {
      $("progress-bar").style.width = state.results ? "100%" : "0%";
      $("progress-text").textContent = (state.results ? "the arena is over: " : "") + state.finished + " encounters finished, " + running + " running";
      return;
    }
    $("progress-text").textContent = state.results ? "finished: all " + total + " encounters" :
      state.roster ? state.finished + " of " + total + " encounters finished, " + running + " running" : "signing up";
  }

  function entriesOf(row, column) {
    const entries = [];
    for (const index of state.pairs.get(row + "\n" + column) || []) {
      const encounter = state.encounters.get(index);
      if (!encounter) continue;
      if (!encounter.ended) entries.push(["running", encounter]);
      else if (encounter.words) entries.push([encounter.words[row], encounter]);
      else entries.push([encounter.outcome === null ? "not played" : JSON.stringify(encounter.outcome), encounter]);
    }
    return entries;
  }

  // A player's result in an encounter of a stage, as its crosstable cell shows it (to play, running, its word).
  function resultWord(encounter, player) {
    if (!encounter) return element("span", "word to-play", "·");
    if (!encounter.ended) return cellWord(player, "running", encounter);
    if (encounter.words) return cellWord(player, encounter.words[player], encounter);
    return cellWord(player, encounter.outcome === null ? "not played" : JSON.stringify(encounter.outcome), encounter);
  }

  function outcomeOf(encounter) {
    return state.revisions.has(encounter.encounter) ? state.revisions.get(encounter.encounter) : encounter.outcome;
  }

  function cellWord(row, word, encounter) {
    const kind = classOf(word);
    const letters = word.startsWith("revised ") ? "R" + (SHORT[kindOf(word)] || "") : SHORT[word] || SHORT[kind] || word;
    const view = Boards.of(state.game);
    const scored = encounter.ended && !(encounter.culprits || []).length && (KINDS.includes(kind) || (kind === "revised" && view.scoresRevised));
    const score = scored ? Scores.cell(state.game, encounter, row, outcomeOf(encounter)) : null;
    const shown = element("span", "word " + kind, score === null ? letters : view.scoreAlone ? score : letters + " " + score);
    shown.title = word + (score === null ? "" : " (" + score + view.scoreUnit + ")");
    return shown;
  }

  function kindOf(word) {
    const plain = word.startsWith("revised ") ? word.slice(8) : word;
    const first = plain.split(" ")[0];
    return KINDS.includes(first) ? first : null;
  }

  function classOf(word) {
    if (word.startsWith("revised")) return "revised";
    if (word === "removed") return "irregular";
    if (kindOf(word)) return kindOf(word);
    if (word === "not scored") return "not-played"; // the opponent misbehaved: the encounter counts for nobody
    return ["not played", "running"].includes(word) ? word.replace(" ", "-") : "other";
  }

  function drawCrosstable() {
    const table = $("crosstable");
    const roster = state.roster || [];
    if (dirty.all && table.dataset.roster !== JSON.stringify(roster)) {
      table.replaceChildren();
      table.dataset.roster = JSON.stringify(roster);
      const header = element("tr");
      header.appendChild(element("th", "", ""));
      for (const name of roster) header.appendChild(element("th", "column", name));
      for (const kind of KINDS) header.appendChild(element("th", "total", kind));
      table.appendChild(header);
      for (const row of roster) {
        const line = element("tr");
        line.dataset.player = row;
        line.appendChild(element("th", "", row));
        for (const column of roster) {
          const cell = element("td", row === column ? "self" : "");
          cell.dataset.row = row;
          cell.dataset.column = column;
          cell.dataset.words = "";
          if (row !== column) cell.addEventListener("click", () => replayPair(row, column));
          line.appendChild(cell);
        }
        for (const kind of KINDS) {
          const total = element("td", "total", "0");
          total.dataset.kind = kind;
          line.appendChild(total);
        }
        table.appendChild(line);
      }
      for (const row of roster) for (const column of roster) dirty.pairs.add(row + "\n" + column);
    }
    const touched = new Set();
    for (const key of dirty.pairs) {
      const [row, column] = key.split("\n");
      const cell = table.querySelector('td[data-row="' + CSS.escape(row) + '"][data-column="' + CSS.escape(column) + '"]');
      if (!cell) continue;
      const words = entriesOf(row, column).map(([word]) => word);
      cell.dataset.words = words.join("; ");
      cell.title = row + " against " + column + ": " + (words.join("; ") || "not yet");
      cell.replaceChildren(...entriesOf(row, column).map(([word, encounter]) => cellWord(row, word, encounter)));
      touched.add(row);
    }
    for (const row of touched) {
      const counts = Object.fromEntries(KINDS.map((kind) => [kind, 0]));
      for (const column of roster) for (const [word] of entriesOf(row, column)) { const kind = kindOf(word); if (kind) counts[kind] += 1; }
      const line = table.querySelector('tr[data-player="' + CSS.escape(row) + '"]');
      for (const cell of line.querySelectorAll("td.total")) cell.textContent = String(counts[cell.dataset.kind]);
    }
  }

  // -- a game of more than two: a table per encounter

  function seatsMoreThanTwo() {
    return state.seats[1] > 2 || state.wide;
  }

  // Every encounter the page knows of, by index: those started or ended, and those the stages announced.
  function knownEncounters() {
    const known = new Map();
    for (const stage of state.stages) stage.pairings.forEach((players, at) => known.set(stage.first + at, { players, stage: stage.stage }));
    for (const [index, encounter] of state.encounters) known.set(index, { players: encounter.players, stage: (known.get(index) || {}).stage });
    return [...known.entries()].sort((a, b) => a[0] - b[0]);
  }

  // Each player's place and score in an ended encounter, by name (none before it ends, or when the game tells none).
  function placesOf(encounter) {
    const places = new Map();
    for (const [name, place, score] of (encounter && encounter.places) || []) places.set(name, [place, score]);
    return places;
  }

  function drawEncounterTable() {
    const table = $("encounter-table");
    if (table.hidden) {
      table.hidden = false;
      $("encounter-legend").hidden = false;
      $("crosstable").hidden = true;
      $("results-title").textContent = "Encounters";
      dirty.all = true;
    }
    if (!dirty.all && !dirty.encounters.size && !dirty.format) return;
    if (!table.querySelector("thead")) {
      const head = element("thead");
      const header = element("tr");
      for (const column of ["encounter", "stage", "player", "place", "score", "result"]) header.appendChild(element("th", "", column));
      head.appendChild(header);
      table.appendChild(head);
    }
    const shown = new Set();
    for (const [index, known] of knownEncounters()) {
      shown.add(String(index));
      let body = table.querySelector('tbody[data-encounter="' + index + '"]');
      if (body && !dirty.all && !dirty.format && !dirty.encounters.has(index)) continue;
      const fresh = element("tbody");
      fresh.dataset.encounter = index;
      const encounter = state.encounters.get(index);
      const places = placesOf(encounter);
      known.players.forEach((player, seat) => {
        const line = element("tr");
        line.dataset.player = player;
        if (seat === 0) {
          for (const text of [String(index), known.stage === undefined ? "" : String(known.stage)]) {
            const cell = element("th", "", text);
            cell.rowSpan = known.players.length;
            line.appendChild(cell);
          }
        }
        const [place, score] = places.get(player) || [null, null];
        line.appendChild(element("td", "name", player));
        line.appendChild(element("td", "place", place === null ? "" : String(place)));
        line.appendChild(element("td", "score", score === null ? "" : typeof score === "string" ? score : JSON.stringify(score)));
        const result = element("td", "result");
        result.appendChild(resultWord(encounter, player));
        line.appendChild(result);
        fresh.appendChild(line);
      });
      if (encounter && encounter.ended && (encounter.game_ends || []).length) fresh.addEventListener("click", () => Replay.open(state.game, index, 0));
      if (body) body.replaceWith(fresh);
      else {
        const later = [...table.querySelectorAll("tbody")].find((other) => Number(other.dataset.encounter) > index);
        table.insertBefore(fresh, later || null);
      }
    }
    for (const body of [...table.querySelectorAll("tbody")]) if (!shown.has(body.dataset.encounter)) body.remove();
  }

  function drawStandings() {
    const table = $("standings");
    table.replaceChildren();
    const standings = state.standings;
    table.dataset.seq = standings ? standings.seq : "";
    if (!standings || !standings.rows.length) return;
    const keys = Object.keys(standings.rows[0]);
    const header = element("tr");
    for (const key of keys) header.appendChild(element("th", "", key));
    table.appendChild(header);
    const ranks = Scores.ranks(standings.rows);
    standings.rows.forEach((row, at) => {
      const line = element("tr");
      line.dataset.row = JSON.stringify(row);
      line.dataset.rank = ranks[at];
      for (const key of keys) line.appendChild(element("td", key === "rank" ? "rank" : "", key === "rank" ? String(ranks[at]) : Scores.value(key, row[key])));
      table.appendChild(line);
    });
  }

  function drawMisbehaviours() {
    const list = $("misbehaviours");
    list.replaceChildren();
    for (const [name, why] of Object.entries(state.misbehaviours)) {
      const item = element("li");
      item.dataset.name = name;
      item.appendChild(element("strong", "", name));
      item.appendChild(document.createTextNode(" " + why.kind + ": " + why.reason + (why.encounter === null ? "" : " (encounter " + why.encounter + ")")));
      list.appendChild(item);
    }
    if (!list.children.length) list.appendChild(element("li", "none", "nobody so far"));
  }

  function drawRunning() {
    const container = $("running");
    for (const index of dirty.encounters) {
      const encounter = state.encounters.get(index);
      let card = container.querySelector('[data-encounter="' + index + '"]');
      if (!encounter || encounter.ended) {
        if (card) card.remove();
        views.delete(index);
        continue;
      }
      if (!card) {
        card = element("article", "encounter");
        card.dataset.encounter = index;
        card.appendChild(element("h3"));
        const board = element("div", "board");
        card.appendChild(board);
        container.appendChild(card);
        views.set(index, { board: board, view: null, game: -1 });
      }
      const shown = views.get(index);
      const game = encounter.games[encounter.games.length - 1];
      const score = Scores.running(state.game, encounter, state.start);
      card.querySelector("h3").textContent = encounter.players.join(encounter.players.length > 2 ? ", " : " vs ") + " · encounter " + index + (score ? " · " + score : "");
      if (!game) continue;
      if (shown.game !== encounter.games.length) {
        shown.board.replaceChildren();
        shown.view = Boards.view(state.game, shown.board);
        shown.game = encounter.games.length;
      }
      card.dataset.game = encounter.games.length - 1;
      card.dataset.steps = game.steps.length;
      shown.view.show(game);
    }
    if (dirty.all) for (const card of [...container.children]) if (!state.encounters.has(Number(card.dataset.encounter))) card.remove();
    $("running-none").hidden = container.children.length > 0;
  }

  function drawFinished() {
    const list = $("finished");
    list.replaceChildren();
    const notPlayed = (encounter) => outcomeOf(encounter) === null && !(encounter.game_ends || []).length;
    const played = state.ended.filter((index) => state.encounters.get(index)?.ended && !notPlayed(state.encounters.get(index)));
    for (const index of played.slice(-FINISHED_SHOWN).reverse()) {
      const encounter = state.encounters.get(index);
      const item = element("li");
      item.dataset.encounter = index;
      const words = encounter.words ? encounter.players.map((player) => player + " " + encounter.words[player]).join(", ")
        : encounter.players.join(" vs ");
      const score = Scores.ended(state.game, encounter);
      item.appendChild(element("span", "", "encounter " + index + ": " + words + (score ? ", games " + score : "") + " "));
      (encounter.game_ends || []).forEach((end, game) => {
        const button = element("button", "game", "game " + (game + 1));
        button.title = Boards.describeEnd(state.game, end);
        button.addEventListener("click", () => Replay.open(state.game, index, game));
        item.appendChild(button);
      });
      list.appendChild(item);
    }
    const skipped = state.ended.length - played.length;
    if (skipped) list.appendChild(element("li", "not-played", skipped + (skipped === 1 ? " encounter" : " encounters") + " not played: a player was already out"));
  }

  function viewLoaded() {  // the game's view has registered: every board and score is drawn again with it
    for (const [index, shown] of views) { shown.game = -1; dirty.encounters.add(index); }
    for (const pair of state.pairs.keys()) dirty.pairs.add(pair);
    dirty.all = true; schedule();
  }

  // -- replaying a finished game (replay.js draws it)

  function replayPair(row, column) {
    const ended = (state.pairs.get(row + "\n" + column) || []).filter((index) => state.encounters.get(index)?.ended);
    if (ended.length) Replay.open(state.game, ended[ended.length - 1], 0);
  }

  // A room's page (of a server with rooms: its body names the room) links the list of rooms.
  function linkTheRooms() {
    if (!document.body.dataset.room) return;
    const link = element("a", "", "all rooms");
    link.href = "../../";
    const nav = element("nav");
    nav.id = "rooms-link";
    nav.append(link);
    $("title").after(nav);
  }

  document.addEventListener("DOMContentLoaded", () => { linkTheRooms(); Arena.init(schedule); open(null, 0); });
})();
