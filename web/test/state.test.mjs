import { test, equal, check } from "./harness.mjs";
import { createState, apply, pressPanel, fairnessInputs, serverNow } from "../state.js";

const commitment = "0465e841157c3fc0686fccf9c023ee352388773d77adc554b87a0ec57e2a5427";
const seed = "834985a5c5782f07572352243a3e8ab9bd8a33a82bb6d31787d321df2e031ab4";
const T = 1796317200000;

/** A welcome at the start of betting for round 10, as docs/protocol.md describes it. */
export function welcomeMessage(overrides = {}) {
  return {
    type: "welcome", player: { id: "p-1001", name: "p***1" }, table: "main", currency: "EUR", currencyExponent: 2,
    limits: { minStakeMinor: 10, maxStakeMinor: 100000, maxWinMinor: 1000000000, maxBetsPerPlayer: 2, minAutoHundredths: 101, maxAutoHundredths: 1000000 },
    curve: { ratePerMillisecond: 0.00006 },
    fairness: { scheme: "ascent", salt: "my salt", houseEdgeBasisPoints: 100, terminatingHash: "11".repeat(32) },
    serverTime: T,
    round: { number: 10, phase: "betting", commitment, openedAt: T - 1000, bettingClosesAt: T + 4000 },
    myBets: [], balance: { availableMinor: 10000, reservedMinor: 0 },
    history: [{ round: 9, crashPointHundredths: 619, seed: commitment }],
    liveBets: [], ...overrides,
  };
}

const input = { amount: "2.50", autoEnabled: false, auto: "" };

test("state: a bet from press to win, with the live list and history", () => {
  const s = createState();
  const now = T - 50; // local clock 50 ms behind the server
  apply(s, welcomeMessage(), now);
  equal(serverNow(s, now), T, "clock hint from welcome");
  const { send } = pressPanel(s, 0, input, now);
  equal([send.type, send.amountMinor, s.panels[0].status], ["placeBet", 250, "pending"], "placeBet sent");
  apply(s, { type: "betAccepted", requestId: send.requestId, betId: send.betId, round: 10 }, now);
  apply(s, { type: "betPlaced", round: 10, betId: send.betId, player: "p***1", amountMinor: 250 }, now);
  apply(s, { type: "betPlaced", round: 10, betId: "other", player: "q***2", amountMinor: 1000, autoCashOutHundredths: 150 }, now);
  equal([s.panels[0].status, s.liveBets.length], ["placed", 2], "placed and listed");
  apply(s, { type: "bettingClosed", round: 10 }, now);
  apply(s, { type: "tookOff", round: 10, at: T + 5000, serverTime: T + 5000 }, now + 5000);
  equal(s.predictor.valueAt(T + 5000 + 11553), 200, "predicts 2.00x");
  apply(s, { t: "k", r: 10, m: 150, at: T + 5000 + 6758 }, now);
  const cash = pressPanel(s, 0, input, now + 5000 + 7000).send;
  equal([cash.type, cash.betId, s.panels[0].status], ["cashOut", send.betId, "cashingOut"], "cash out sent");
  apply(s, { type: "cashedOut", round: 10, betId: "other", player: "q***2", multiplierHundredths: 150, payoutMinor: 1500 }, now);
  apply(s, { type: "cashedOut", round: 10, betId: send.betId, player: "p***1", multiplierHundredths: 162, payoutMinor: 405 }, now);
  apply(s, { type: "result", requestId: cash.requestId, round: 10, betId: send.betId, outcome: "won", payoutMinor: 405, multiplierHundredths: 162 }, now);
  equal([s.panels[0].status, s.panels[0].payoutMinor], ["cashedOut", 405], "won");
  equal(s.topWins.map((w) => w.payoutMinor), [1500, 405], "top wins");
  apply(s, { type: "crashed", round: 10, crashPointHundredths: 401, seed, at: T + 30000 }, now);
  equal(s.history.map((h) => h.round), [10, 9], "history grows, newest first");
  equal(s.predictor.valueAt(T + 99999), 401, "frozen at the crash");
  const f = fairnessInputs(s, 10);
  equal([f.commitment, f.previousRoundSeed, f.crashPointHundredths], [commitment, commitment, 401], "fairness inputs");
  apply(s, { type: "roundOpened", round: 11, commitment: seed, bettingClosesAt: T + 40000, serverTime: T + 35000 }, now + 35000);
  equal([s.panels[0].status, s.liveBets.length], ["idle", 0], "fresh round");
});

test("state: a bet still riding at the crash is lost; a refused bet frees its panel and shows the message", () => {
  const s = createState();
  apply(s, welcomeMessage(), T);
  const a = pressPanel(s, 0, input, T).send;
  const b = pressPanel(s, 1, { amount: "500", autoEnabled: false }, T).send;
  apply(s, { type: "betAccepted", requestId: a.requestId, betId: a.betId, round: 10 }, T);
  apply(s, { type: "error", requestId: b.requestId, code: "insufficientFunds", message: "Your balance is too low for this stake." }, T);
  equal([s.panels[1].status, s.errors.at(-1).message], ["idle", "Your balance is too low for this stake."], "refused");
  apply(s, { type: "tookOff", round: 10, at: T + 5000, serverTime: T + 5000 }, T);
  apply(s, { type: "crashed", round: 10, crashPointHundredths: 100, seed, at: T + 5000 }, T);
  equal(s.panels[0].status, "lost", "lost at 1.00x");
});

test("state: the page refuses bad input itself, and queues a bet pressed outside betting", () => {
  const s = createState();
  apply(s, welcomeMessage(), T);
  equal(pressPanel(s, 0, { amount: "0.05" }, T).error.code, "stakeBelowMinimum", "below minimum");
  equal(pressPanel(s, 0, { amount: "1.001" }, T).error.code, "malformedMessage", "three decimals");
  equal(pressPanel(s, 0, { amount: "1", autoEnabled: true, auto: "1.00" }, T).error.code, "autoCashOutOutOfRange", "auto 1.00x");
  apply(s, { type: "bettingClosed", round: 10 }, T);
  equal(pressPanel(s, 0, { amount: "1", autoEnabled: true, auto: "2" }, T), {}, "queued, nothing sent");
  equal(s.panels[0].status, "queued", "queued");
  const out = apply(s, { type: "roundOpened", round: 11, commitment: seed, bettingClosesAt: T + 40000, serverTime: T + 35000 }, T + 35000);
  equal([out.length, out[0].type, out[0].amountMinor, out[0].autoCashOutHundredths, s.panels[0].status], [1, "placeBet", 100, 200, "pending"], "sent when the round opens");
});

test("state: a cancel during betting, and a reconnect restores bets from welcome", () => {
  const s = createState();
  apply(s, welcomeMessage(), T);
  const a = pressPanel(s, 0, input, T).send;
  apply(s, { type: "betAccepted", requestId: a.requestId, betId: a.betId, round: 10 }, T);
  const c = pressPanel(s, 0, input, T).send;
  equal(c.type, "cancelBet", "cancel while betting");
  apply(s, { type: "result", requestId: c.requestId, round: 10, betId: a.betId, outcome: "cancelled", payoutMinor: 0 }, T);
  equal(s.panels[0].status, "idle", "cancelled frees the panel");
  // A fresh page (or a lost state) gets its bet back from the snapshot.
  const t = createState();
  apply(t, welcomeMessage({ round: { number: 10, phase: "flying", commitment, openedAt: T - 1000, bettingClosesAt: T - 10000, tookOffAt: T - 9000, multiplierHundredths: 171 },
    myBets: [{ betId: "abc", amountMinor: 250, autoCashOutHundredths: 296, status: "placed" }] }), T);
  equal([t.panels[0].status, t.panels[0].betId, t.panels[0].autoHundredths], ["placed", "abc", 296], "bet restored");
  check(t.predictor.valueAt(T - 9000) === 171, "display starts from the snapshot's multiplier");
  equal(pressPanel(t, 0, input, T).send.type, "cashOut", "and can be cashed out");
});

test("state: a welcome before the table's first round, then the first round opens", () => {
  const s = createState();
  const w = welcomeMessage();
  delete w.round;
  apply(s, w, T);
  equal([s.ready, s.round], [true, null], "ready without a round");
  equal(pressPanel(s, 0, input, T), {}, "a bet waits for the first round");
  const out = apply(s, { type: "roundOpened", round: 1, commitment, bettingClosesAt: T + 5000, serverTime: T }, T);
  equal(out.map((m) => m.type), ["placeBet"], "and is placed when it opens");
});

test("state: a voided round refunds riding bets; the clock follows the fastest pong", () => {
  const s = createState();
  apply(s, welcomeMessage(), T);
  const a = pressPanel(s, 0, input, T).send;
  apply(s, { type: "betAccepted", requestId: a.requestId, betId: a.betId, round: 10 }, T);
  apply(s, { type: "roundVoided", round: 10, at: T + 100 }, T);
  equal(s.panels[0].status, "refunded", "refunded");
  apply(s, { type: "pong", t: 1000, serverTime: 5100 }, 1200);   // rtt 200, offset 4000
  apply(s, { type: "pong", t: 2000, serverTime: 6020 }, 2040);   // rtt 40, offset 4000
  apply(s, { type: "pong", t: 3000, serverTime: 7500 }, 3400);   // rtt 400, offset 4300: ignored
  equal(s.clock.offset, 4000, "offset of the fastest sample");
});

test("state: a bet whose answer was lost with the connection is resent with the same betId while betting is open", () => {
  const s = createState();
  apply(s, welcomeMessage(), T);
  const a = pressPanel(s, 0, input, T).send;
  // The socket dropped before betAccepted; the new welcome does not list the bet.
  const out = apply(s, welcomeMessage({ serverTime: T + 1000 }), T + 1000);
  equal(out.map((m) => [m.type, m.betId, m.amountMinor]), [["placeBet", a.betId, 250]], "resent once, same betId");
  check(out[0].requestId !== a.requestId, "a new requestId");
  apply(s, { type: "betAccepted", requestId: out[0].requestId, betId: a.betId, round: 10 }, T + 1000);
  equal(s.panels[0].status, "placed", "placed");
  // After betting closed nothing is resent: the panel is freed.
  const t = createState();
  apply(t, welcomeMessage(), T);
  pressPanel(t, 0, input, T);
  const late = apply(t, welcomeMessage({ serverTime: T + 6000, round: { number: 10, phase: "closed", commitment, openedAt: T - 1000, bettingClosesAt: T + 4000 } }), T + 6000);
  equal([late.length, t.panels[0].status], [0, "idle"], "not resent after betting closed");
});
