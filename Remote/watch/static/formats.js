// The event's format and ratings, as the data tells them: Swiss rounds and standings, a knock-out's bracket, a gauntlet's
// table and its SPRT bar, every player's rating with its 95 % interval.
//
// Game-free, and format-aware only through the data: the kind is the one the
// start event's configuration (or a summary) names; the rounds are the log's
// `stage` events, each encounter's result the crosstable word the page already
// has; the tables come from the format's summary, the final one (`summary`
// event) or the server's summary so far (the `standings` frame's `format` and
// `ratings`, over the stages that have ended). A player in a summary is a
// sign-up index, a name of the roster.
"use strict";

const Formats = (function () {
  const element = Boards.element;
  const POINTS = (value) => (value === null || value === undefined ? "" : Number(value).toFixed(1));

  // What the page knows of the format: its kind, its stages, its summary (final or so far) and whether that is final.
  function model(state) {
    const final = state.summary && state.summary.format ? state.summary.format : null;
    const live = state.standings && state.standings.format ? state.standings.format : null;
    const configured = state.start && state.start.configuration && state.start.configuration.format;
    const summary = final || live;
    const kind = (summary && summary.kind) || (configured && configured.kind) || null;
    const ratings = state.summary ? state.summary.ratings : state.standings ? state.standings.ratings : null;
    return { kind, summary, final: Boolean(final), stages: state.stages, ratings: ratings || null, finalRatings: Boolean(state.summary) };
  }

  // Whether the page shows the ratings (and, for a format played in stages or with a summary, the format's panel).
  function shown(state) {
    return state.stages.length > 0 || Boolean(state.summary) || Boolean(state.standings && state.standings.ratings);
  }

  function nameOf(state, player) {
    return state.roster && player !== null && player !== undefined ? state.roster[player] ?? String(player) : "";
  }

  // The players of stage `stage`'s pairing `at` (two, or a group of a game that seats more), with its encounter
  // (undefined before it starts).
  function pairing(state, stage, at) {
    const players = stage.pairings[at];
    const [first, second] = players;
    const index = stage.first + at;
    return { first, second, players, index, encounter: state.encounters.get(index) };
  }

  // -- Swiss

  function drawSwiss(state, body, word, current) {
    const wrap = element("div", "swiss");
    const rounds = element("div", "swiss-rounds");
    state.stages.forEach((stage) => rounds.appendChild(swissRound(state, stage, word)));
    wrap.appendChild(rounds);
    wrap.appendChild(swissStandings(state, current));
    body.appendChild(wrap);
  }

  function swissRound(state, stage, word) {
    const card = element("article", "round");
    card.dataset.stage = stage.stage;
    card.appendChild(element("h3", "", stage.label));
    const table = element("table", "pairings");
    stage.pairings.forEach((_, at) => {
      const { first, second, index, encounter } = pairing(state, stage, at);
      const line = element("tr");
      line.dataset.encounter = index;
      line.dataset.players = first + "\n" + second;
      line.appendChild(element("td", "name first" + winnerClass(encounter, first), first));
      const result = element("td", "result");
      result.append(word(encounter, first), element("span", "versus", "–"), word(encounter, second));
      line.appendChild(result);
      line.appendChild(element("td", "name second" + winnerClass(encounter, second), second));
      table.appendChild(line);
    });
    for (const name of stage.byes) {
      const line = element("tr", "bye");
      line.dataset.bye = name;
      line.appendChild(element("td", "name first", name));
      line.appendChild(element("td", "result", "bye"));
      line.appendChild(element("td", "name second", ""));
      table.appendChild(line);
    }
    card.appendChild(table);
    return card;
  }

  function winnerClass(encounter, player) {
    const word = encounter && encounter.ended && encounter.words ? encounter.words[player] || "" : "";
    return word.split(" ").includes("won") && !word.startsWith("revised") ? " winner" : "";
  }

  function swissStandings(state, current) {
    const box = element("div", "swiss-standings");
    const summary = current.summary;
    if (!summary || !summary.standings) {
      box.appendChild(element("p", "note", "the standings come when the first round has ended"));
      return box;
    }
    const played = summary["rounds played"];
    box.appendChild(element("h3", "", current.final ? "Final standings" : "Standings after round " + played + " of " + summary.rounds));
    const table = element("table", "format-table");
    table.id = "swiss-standings";
    table.dataset.final = current.final;
    const header = element("tr");
    for (const key of ["rank", "player", "score", "Buchholz", "Sonneborn-Berger", "byes"]) header.appendChild(element("th", "", key));
    table.appendChild(header);
    for (const row of summary.standings) {
      const line = element("tr");
      line.dataset.row = JSON.stringify(row);
      line.dataset.player = nameOf(state, row.player);
      line.appendChild(element("td", "rank", String(row.rank)));
      line.appendChild(element("td", "name", nameOf(state, row.player)));
      line.appendChild(element("td", "number", POINTS(row.score)));
      line.appendChild(element("td", "number", POINTS(row.buchholz)));
      line.appendChild(element("td", "number", POINTS(row["sonneborn-berger"])));
      line.appendChild(element("td", "number", String(row.byes)));
      table.appendChild(line);
    }
    box.appendChild(table);
    return box;
  }

  // -- knock-out

  // The rounds as boxes in bracket order: the latest round as the log lists it, each earlier one ordered by where its
  // players went (the matches that feed a match sit beside it), the rounds to come as empty boxes (for matches of two:
  // how many rounds games of more players take is known only as they come).
  function bracketRounds(state, current) {
    const rounds = state.stages.map((stage) => [
      ...stage.pairings.map((_, at) => {
        const { players, index, encounter } = pairing(state, stage, at);
        return { players: [...players], index, encounter };
      }),
      ...stage.byes.map((name) => ({ players: [name], bye: true })),
    ]);
    for (let round = rounds.length - 2; round >= 0; round -= 1) {
      const ordered = [];
      for (const later of rounds[round + 1]) {
        for (const player of later.players) {
          const feeder = rounds[round].find((box) => box.players.includes(player));
          if (feeder && !ordered.includes(feeder)) ordered.push(feeder);
        }
      }
      rounds[round] = ordered.concat(rounds[round].filter((box) => !ordered.includes(box)));
    }
    if (rounds.some((boxes) => boxes.some((box) => box.players.length > 2))) return rounds;
    const total = Math.max(rounds.length, (current.summary && current.summary.rounds) || Math.ceil(Math.log2(Math.max(2, (state.roster || []).length))));
    const size = (round) => Math.max(1, 2 ** (total - round - 1));
    for (let round = 0; round < total; round += 1) {
      if (!rounds[round]) rounds[round] = [];
      while (rounds[round].length < size(round)) rounds[round].push({ players: [], empty: true });
    }
    return rounds;
  }

  // Who went on from a box: the players of it who are in the next round (one, for a match of two), or the summary's
  // winner of its match.
  function advancers(state, current, rounds, round, box) {
    if (box.bye) return [box.players[0]];
    const next = rounds[round + 1];
    if (next && next.some((later) => !later.empty)) {
      return box.players.filter((player) => next.some((later) => later.players.includes(player)));
    }
    const summary = current.summary;
    for (const match of (summary && summary.bracket && summary.bracket[round]) || []) {
      const names = (match.players || []).map((player) => nameOf(state, player));
      if (names.length === 2 && names.every((name) => box.players.includes(name))) return [nameOf(state, match.winner)];
    }
    return [];
  }

  function drawKnockOut(state, body, word, current) {
    const rounds = bracketRounds(state, current);
    const summary = current.summary;
    if (summary && summary.winner !== null && summary.winner !== undefined && current.final) {
      const banner = element("p", "champion", "Winner: " + nameOf(state, summary.winner));
      banner.id = "champion";
      body.appendChild(banner);
    }
    const bracket = element("div", "bracket");
    bracket.id = "bracket";
    rounds.forEach((boxes, round) => {
      const column = element("div", "bracket-round");
      column.dataset.round = round + 1;
      const stage = state.stages[round];
      column.appendChild(element("h3", "", stage ? stage.label : "round " + (round + 1)));
      const slots = element("div", "bracket-slots");
      for (let at = 0; at < boxes.length; at += 2) {
        const group = element("div", boxes.length > 1 ? "bracket-pair" : "bracket-single");
        for (const box of boxes.slice(at, at + 2)) group.appendChild(bracketBox(state, current, rounds, round, box, word));
        slots.appendChild(group);
      }
      column.appendChild(slots);
      bracket.appendChild(column);
    });
    body.appendChild(bracket);
  }

  function bracketBox(state, current, rounds, round, box, word) {
    const slot = element("div", "bracket-slot");
    const match = element("div", "match" + (box.bye ? " bye" : "") + (box.empty ? " empty" : ""));
    if (box.index !== undefined) match.dataset.encounter = box.index;
    const went = box.empty ? [] : advancers(state, current, rounds, round, box);
    if (went.length) match.dataset.winner = went.join("\n");
    match.dataset.players = box.players.join("\n");
    const players = box.empty ? ["", ""] : box.players;
    for (const player of players) {
      const line = element("div", "match-player" + (went.includes(player) ? " winner" : went.length && player ? " loser" : ""));
      line.appendChild(element("span", "name", player || "—"));
      if (!box.bye && !box.empty) line.appendChild(word(box.encounter, player));
      match.appendChild(line);
    }
    if (box.bye) match.appendChild(element("div", "match-player bye-note", "bye"));
    slot.appendChild(match);
    return slot;
  }

  // -- gauntlet

  function drawGauntlet(state, body, current) {
    const summary = current.summary;
    if (summary && summary.sprt) body.appendChild(sprtBar(summary.sprt, current.final));
    else if (state.stages.length) body.appendChild(element("p", "note", state.stages[state.stages.length - 1].label));
    if (!summary || !summary.candidates) return;
    const table = element("table", "format-table");
    table.id = "gauntlet";
    const header = element("tr");
    for (const key of ["candidate", "against", "score", "W", "D", "L", "Elo"]) header.appendChild(element("th", "", key));
    table.appendChild(header);
    for (const candidate of summary.candidates) {
      table.appendChild(gauntletRow(state, candidate, nameOf(state, candidate.player), "everyone", "candidate"));
      for (const row of candidate.opponents) table.appendChild(gauntletRow(state, row, "", nameOf(state, row.player), "opponent"));
    }
    body.appendChild(table);
    if (!current.final) body.appendChild(element("p", "note", "the table counts the stages that have ended; the crosstable shows every result as it comes"));
  }

  function gauntletRow(state, row, candidate, against, kind) {
    const line = element("tr", kind);
    line.dataset.row = JSON.stringify(row);
    line.appendChild(element("td", "name", candidate));
    line.appendChild(element("td", "name", against));
    line.appendChild(element("td", "number", POINTS(row.score)));
    for (const [key, style] of [["wins", "won"], ["draws", "drawn"], ["losses", "lost"]]) line.appendChild(element("td", "number " + style, String(row[key])));
    line.appendChild(element("td", "number", row.elo === null ? "–" : row.elo.toFixed(1) + (row.error === null ? "" : " ± " + row.error.toFixed(1))));
    return line;
  }

  function sprtBar(sprt, final) {
    const box = element("div", "sprt");
    box.id = "sprt";
    box.dataset.llr = sprt.llr;
    box.dataset.verdict = sprt.verdict;
    const low = sprt["lower bound"], high = sprt["upper bound"];
    const at = (value) => (100 * (Math.min(high, Math.max(low, value)) - low)) / (high - low);
    const heading = "SPRT: H0 Elo " + sprt.elo0 + " against H1 Elo " + sprt.elo1 + " (α " + sprt.alpha + ", β " + sprt.beta + ")";
    box.appendChild(element("h3", "", heading));
    const track = element("div", "sprt-track");
    const fill = element("div", "sprt-fill " + (sprt.llr >= 0 ? "up" : "down"));
    fill.style.left = Math.min(at(0), at(sprt.llr)) + "%";
    fill.style.width = Math.abs(at(sprt.llr) - at(0)) + "%";
    const zero = element("div", "sprt-zero");
    zero.style.left = at(0) + "%";
    const marker = element("div", "sprt-marker");
    marker.style.left = at(sprt.llr) + "%";
    marker.title = "LLR " + sprt.llr.toFixed(2);
    track.append(fill, zero, marker);
    box.appendChild(track);
    const scale = element("div", "sprt-scale");
    scale.append(element("span", "lost", "H0 at " + low.toFixed(2)), element("span", "", "0"), element("span", "won", "H1 at " + high.toFixed(2)));
    box.appendChild(scale);
    const verdict = { H0: "H0 accepted", H1: "H1 accepted", neither: final ? "no verdict: the pairs ran out" : "running" }[sprt.verdict] || sprt.verdict;
    const elo = sprt.elo === null || sprt.elo === undefined ? "" : " · Elo " + sprt.elo.toFixed(1) + (sprt.error === null ? "" : " ± " + sprt.error.toFixed(1));
    const text = element("p", "sprt-text", "LLR " + sprt.llr.toFixed(2) + " after " + sprt.pairs + (sprt.pairs === 1 ? " pair" : " pairs") +
      " (" + sprt.pentanomial.join(", ") + ")" + elo + " · " + verdict);
    text.id = "sprt-text";
    box.appendChild(text);
    return box;
  }

  // -- ratings

  function drawRatings(state, table, current) {
    table.replaceChildren();
    const rows = current.ratings || [];
    table.dataset.final = current.finalRatings;
    if (!rows.length) return;
    const rated = rows.filter((row) => row.rating !== null);
    const low = Math.min(0, ...rated.map((row) => row.low)), high = Math.max(0, ...rated.map((row) => row.high));
    const at = (value) => (high > low ? (100 * (value - low)) / (high - low) : 50);
    const header = element("tr");
    for (const key of ["#", "player", "rating", "95 % interval", "", "games"]) header.appendChild(element("th", "", key));
    table.appendChild(header);
    rows.forEach((row, place) => {
      const line = element("tr");
      line.dataset.row = JSON.stringify(row);
      line.appendChild(element("td", "rank", row.rating === null ? "" : String(place + 1)));
      line.appendChild(element("td", "name", row.name));
      line.appendChild(element("td", "number", row.rating === null ? "no games" : row.rating.toFixed(1)));
      const bar = element("td", "interval");
      if (row.rating !== null) {
        const track = element("div", "interval-track");
        const zero = element("div", "interval-zero");
        zero.style.left = at(0) + "%";
        const span = element("div", "interval-span");
        span.style.left = at(row.low) + "%";
        span.style.width = Math.max(0.5, at(row.high) - at(row.low)) + "%";
        const dot = element("div", "interval-dot");
        dot.style.left = at(row.rating) + "%";
        track.append(zero, span, dot);
        bar.appendChild(track);
        bar.title = row.name + ": " + row.rating.toFixed(1) + " (" + row.low.toFixed(1) + " to " + row.high.toFixed(1) + ")";
      }
      line.appendChild(bar);
      line.appendChild(element("td", "number range", row.rating === null ? "" : row.low.toFixed(0) + " … " + row.high.toFixed(0)));
      line.appendChild(element("td", "number", String(row.games)));
      table.appendChild(line);
    });
  }

  const TITLES = { swiss: "Swiss rounds", "knock-out": "Knock-out bracket", gauntlet: "Gauntlet" };

  return {
    shown,

    // Draw the format's panel and the ratings (`word(encounter, player)`: a player's result in an encounter, as an element).
    draw(state, word) {
      const panel = document.getElementById("format-panel");
      const ratingsPanel = document.getElementById("ratings-panel");
      const visible = shown(state);
      const current = model(state);
      ratingsPanel.hidden = !visible;
      panel.hidden = !visible || !(state.stages.length || current.summary);  // a round robin's summary has ratings alone
      if (!visible) return;
      const body = document.getElementById("format-body");
      body.replaceChildren();
      body.dataset.kind = current.kind || "";
      document.getElementById("format-title").textContent = TITLES[current.kind] || "Format" + (current.kind ? ": " + current.kind : "");
      if (current.kind === "swiss") drawSwiss(state, body, word, current);
      else if (current.kind === "knock-out") drawKnockOut(state, body, word, current);
      else if (current.kind === "gauntlet") drawGauntlet(state, body, current);
      else if (current.summary) body.appendChild(element("pre", "note", JSON.stringify(current.summary, null, 1)));
      document.getElementById("ratings-note").textContent = current.finalRatings ? "at the end" : "so far, over the encounters that have ended";
      drawRatings(state, document.getElementById("ratings"), current);
    },
  };
})();
