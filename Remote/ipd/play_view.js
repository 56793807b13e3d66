// The prisoner's dilemma's play view (Game.play_view, served as /play-view.js): a person plays its conversation.
//
// Registers with the play page's Play (Remote/watch/static/play.js). On
// ["move", k, Prev] it shows two buttons, Cooperate and Defect, and the
// match's rounds so far; a click sends [k, "C"] or [k, "D"]. The countdown
// is the "time per move" (docs/ipd-protocol.md, section 5). A request still
// unanswered when the next message comes was forfeited: as the protocol asks
// (answer every request once, in order, even late) the page then sends
// [k, "C"] at once, which the server discards. The rounds are those scored,
// from the person's side; the totals follow the payoffs of the settings.
"use strict";

(function () {
  const element = Boards.element;
  const DEFAULT_PAYOFFS = { R: 3, S: 0, T: 5, P: 1 };
  const DEFAULT_TIME_PER_MOVE = 1;
  const WORDS = { C: "cooperated", D: "defected" };

  function points(payoffs, mine, theirs) {
    const { R, S, T, P } = payoffs;
    if (mine === null) return S;  // a forfeit scores S, and gives the opponent R
    if (theirs === null) return R;
    return { CC: R, CD: S, DC: T, DD: P }[mine + theirs];
  }

  function start(container, session) {
    const payoffs = Object.assign({}, DEFAULT_PAYOFFS, session.settings.payoffs || {});
    const timePerMove = session.settings["time per move"] || DEFAULT_TIME_PER_MOVE;
    const heading = element("h3", "opponent", "waiting for your first match");
    const score = element("p", "score");
    const buttons = element("p", "moves");
    const choices = { C: element("button", "cooperate", "Cooperate (C)"), D: element("button", "defect", "Defect (D)") };
    const history = element("table", "ipd history");
    const matches = element("ul", "matches");
    for (const [move, button] of Object.entries(choices)) {
      button.dataset.move = move;
      button.disabled = true;
      button.addEventListener("click", () => answer(move));
      buttons.appendChild(button);
    }
    container.replaceChildren(heading, score, buttons, element("div", "scroll", ""), element("h3", "", "Matches played"), matches);
    container.children[3].appendChild(history);

    let opponent = null, rounds = [], asked = null;

    function enable(on) {
      for (const button of Object.values(choices)) button.disabled = !on;
      buttons.dataset.asked = on ? String(asked) : "";
    }

    function totals() {
      const sums = [0, 0];
      for (const [mine, theirs] of rounds) {
        sums[0] += points(payoffs, mine, theirs);
        sums[1] += points(payoffs, theirs, mine);
      }
      return sums;
    }

    function draw(over) {
      const [mine, theirs] = over || totals();
      score.textContent = opponent === null ? "" : "you " + mine + " : " + theirs + " " + opponent + " after " + rounds.length + " rounds";
      score.dataset.totals = JSON.stringify([mine, theirs]);
      history.replaceChildren();
      if (opponent === null) return;
      const header = element("tr");
      header.appendChild(element("th", "", "round"));
      rounds.forEach((_, index) => header.appendChild(element("th", "", String(index + 1))));
      history.appendChild(header);
      [["you", 0], [opponent, 1]].forEach(([who, side]) => {
        const row = element("tr");
        row.dataset.side = side === 0 ? "you" : "opponent";
        row.appendChild(element("th", "", who));
        for (const round of rounds) {
          const move = round[side];
          const cell = element("td", move === "C" ? "cooperate" : move === "D" ? "defect" : "forfeit", move || "–");
          cell.title = move ? WORDS[move] : "forfeited";
          row.appendChild(cell);
        }
        history.appendChild(row);
      });
    }

    function answer(move) {
      if (asked === null) return;
      session.send([asked, move]);
      session.status("round " + asked + ": you " + WORDS[move] + "; waiting for " + opponent, "waiting");
      asked = null;
      enable(false);
    }

    function forfeitAsked() {
      if (asked === null) return;
      const late = asked;
      session.send([late, "C"]);  // discarded by the server: only the order of the replies matters
      asked = null;
      enable(false);
      return late;
    }

    function matchOver(prev, final, count) {
      if (prev !== null && rounds.length < count) rounds.push(prev);
      draw(final);
      const item = element("li", "", "against " + opponent + ": " + final[0] + " : " + final[1] + " after " + count + " rounds");
      item.dataset.opponent = opponent;
      item.dataset.totals = JSON.stringify(final);
      matches.appendChild(item);
      session.status("the match against " + opponent + " is over: " + final[0] + " : " + final[1], "waiting");
    }

    function results(outcomes, standings) {
      const node = element("div", "ipd-results");
      const table = element("table", "standings");
      const header = element("tr");
      for (const title of ["name", "points per round", "matches"]) header.appendChild(element("th", "", title));
      table.appendChild(header);
      for (const [name, perRound, played] of standings) {
        const row = element("tr", name === session.name ? "me" : "");
        row.dataset.name = name;
        for (const value of [name, Number(perRound).toFixed(6), String(played)]) row.appendChild(element("td", "", value));
        table.appendChild(row);
      }
      const mine = element("ul", "outcomes");
      for (const outcome of outcomes) {
        if (outcome[0] !== session.name && outcome[1] !== session.name) continue;
        const text = outcome[2] === "irregular"
          ? outcome[0] + " vs " + outcome[1] + ": irregular (" + outcome[1] + " misbehaved)"
          : outcome[0] + " vs " + outcome[1] + ": " + outcome[2] + " : " + outcome[3] + " in " + outcome[4] + " rounds";
        mine.appendChild(element("li", "me", text));
      }
      node.append(element("h3", "", "Standings"), table, element("h3", "", "Your matches"), mine);
      session.results(node);
      session.status("the tournament is over", "over");
    }

    return {
      receive(message) {
        if (!Array.isArray(message)) return false;
        const [tag, first, second, third] = message;
        const late = tag === "move" || tag === "match" || tag === "match-over" || tag === "results" ? forfeitAsked() : undefined;
        if (late !== undefined) session.status("round " + late + ": too late, forfeited", "late");
        if (tag === "match" && typeof first === "string") {
          opponent = first;
          rounds = [];
          heading.textContent = "a match against " + opponent;
          heading.dataset.opponent = opponent;
          draw();
          session.status("a match against " + opponent + " begins", "waiting");
        } else if (tag === "move" && Number.isInteger(first)) {
          if (second) rounds.push(second);
          draw();
          asked = first;
          enable(true);
          session.status("round " + first + ": your move", "your-turn");
          session.ask(timePerMove);
        } else if (tag === "match-over" && Array.isArray(second)) {
          matchOver(first, second, third);
        } else if (tag === "results" && Array.isArray(first) && Array.isArray(second)) {
          results(first, second);
        } else {
          return false;
        }
        return true;
      },
      closed() {
        asked = null;
        enable(false);
      },
    };
  }

  Play.register("ipd", { start: start });
})();
