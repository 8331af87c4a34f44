import { test, equal } from "./harness.mjs";
import { createState, apply, pressPanel } from "../state.js";
import { panelView, stageView } from "../view.js";
import { welcomeMessage } from "./state.test.mjs";

const T = 1796317200000;
const input = { amount: "2.50", autoEnabled: false };

test("view: the panel button follows the bet through a round, with the live payout", () => {
  const s = createState();
  apply(s, welcomeMessage(), T);
  equal(panelView(s, 0, T).label, "Bet", "idle");
  const a = pressPanel(s, 0, input, T).send;
  equal([panelView(s, 0, T).label, panelView(s, 0, T).disabled], ["Placing…", true], "pending");
  apply(s, { type: "betAccepted", requestId: a.requestId, betId: a.betId, round: 10 }, T);
  equal(panelView(s, 0, T).label, "Cancel", "placed during betting");
  apply(s, { type: "bettingClosed", round: 10 }, T);
  equal(panelView(s, 0, T).label, "Waiting for take-off", "closed");
  apply(s, { type: "tookOff", round: 10, at: T + 1000, serverTime: T + 1000 }, T + 1000);
  const v = panelView(s, 0, T + 1000 + 11553);
  equal([v.label, v.sub], ["Cash out", "5.00 EUR"], "2.50 at the predicted 2.00x");
  equal(stageView(s, T + 1000 + 11553).big, "2.00x", "the big number");
  apply(s, { type: "crashed", round: 10, crashPointHundredths: 201, seed: "ab".repeat(32), at: T + 12600 }, T);
  equal([panelView(s, 0, T + 13000).note, stageView(s, T + 13000).big], ["Lost 2.50 EUR", "2.01x"], "crashed");
});

test("view: the betting countdown", () => {
  const s = createState();
  apply(s, welcomeMessage(), T);
  equal(stageView(s, T + 1500).line, "Place your bets · 2.5 s", "countdown");
  equal(stageView(s, T + 9000).line, "Place your bets · 0.0 s", "never negative");
});
