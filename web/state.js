// The page's view state and how each server message changes it. Pure: no DOM, no socket, no
// clock (the caller passes `now`, its estimate of local time in ms), so Node tests drive it with
// scripted message sequences. `apply` returns the messages the client must send in response
// (queued bets placed when a round opens).

import { CurvePredictor } from "./curve.js";
import { parseAmount, parseMultiplier, makeBetId } from "./format.js";

const HISTORY_LIMIT = 50;
const LIVE_LIMIT = 5000;
const ERROR_LIMIT = 4;
const TOP_WINS = 10;
const COMMITMENT_LIMIT = 64;

/** A bet panel with nothing in it. */
function idlePanel(previous = {}) {
  return { status: "idle", betId: null, round: null, amountMinor: null, autoHundredths: null,
    multiplierHundredths: null, payoutMinor: null, repeat: previous.repeat ?? false, last: previous.last ?? null };
}

/** The state before any message. */
export function createState(panelCount = 2) {
  return {
    connection: "connecting",      // connecting | open | reconnecting | stopped | noToken
    connectionDetail: "",
    ready: false,                  // a welcome has arrived
    player: null, table: null, currency: "", exponent: 2, limits: null, rate: 0.00006, fairness: null,
    round: null,                   // { number, phase, commitment, openedAt, bettingClosesAt, tookOffAt, crashPointHundredths, seed, crashedAt }
    commitments: new Map(),        // round number → commitment seen at roundOpened (for the fairness panel)
    history: [],                   // newest first: { round, crashPointHundredths, seed }
    liveBets: [],                  // placement order: { betId, player, amountMinor, autoCashOutHundredths, multiplierHundredths, payoutMinor, lost }
    topWins: [],                   // biggest payouts seen this session
    panels: Array.from({ length: panelCount }, () => idlePanel()),
    requests: new Map(),           // requestId → { kind, panel }
    balance: null,
    errors: [],                    // newest last: { code, message, at }
    clock: { offset: 0, bestRtt: Infinity, samples: [] },
    predictor: new CurvePredictor(0.00006),
    nextRequest: 1,
  };
}

/** Estimated server time for local time `now`. */
export function serverNow(state, now) {
  return now + state.clock.offset;
}

/** Records a one-way clock hint (serverTime in a message) until a ping gives a measured sample. */
function hintClock(state, serverTime, now) {
  if (state.clock.bestRtt === Infinity && Number.isFinite(serverTime)) state.clock.offset = serverTime - now;
}

/** A ping's answer: keep the offset from the fastest of the last 10 round trips. */
export function clockSample(state, sentAt, serverTime, now) {
  const rtt = Math.max(0, now - sentAt);
  state.clock.samples.push({ rtt, offset: serverTime - (sentAt + now) / 2 });
  if (state.clock.samples.length > 10) state.clock.samples.shift();
  const best = state.clock.samples.reduce((a, b) => (b.rtt < a.rtt ? b : a));
  state.clock.bestRtt = best.rtt;
  state.clock.offset = best.offset;
}

function pushError(state, code, message, now) {
  state.errors.push({ code, message, at: now });
  if (state.errors.length > ERROR_LIMIT) state.errors.shift();
}

function panelOfBet(state, betId) {
  return state.panels.findIndex((p) => p.betId === betId && p.betId !== null);
}

function newRequestId(state) {
  return `r${state.nextRequest++}`;
}

/** The live bets list entry for betId, or undefined. */
function liveBet(state, betId) {
  return state.liveBets.find((b) => b.betId === betId);
}

function recordWin(state, entry) {
  state.topWins.push({ round: entry.round, player: entry.player, amountMinor: entry.amountMinor,
    multiplierHundredths: entry.multiplierHundredths, payoutMinor: entry.payoutMinor });
  state.topWins.sort((a, b) => b.payoutMinor - a.payoutMinor);
  if (state.topWins.length > TOP_WINS) state.topWins.length = TOP_WINS;
}

/** Builds a placeBet for `panel` from its remembered stake, marking the panel pending. */
function sendBet(state, index) {
  const panel = state.panels[index];
  const bet = panel.last;
  const betId = makeBetId();
  const requestId = newRequestId(state);
  state.requests.set(requestId, { kind: "placeBet", panel: index });
  state.panels[index] = { ...idlePanel(panel), status: "pending", betId, round: state.round.number,
    amountMinor: bet.amountMinor, autoHundredths: bet.autoHundredths };
  const message = { type: "placeBet", requestId, betId, amountMinor: bet.amountMinor };
  if (bet.autoHundredths !== null) message.autoCashOutHundredths = bet.autoHundredths;
  return message;
}

/** Is the round taking bets at server instant t? */
export function bettingOpen(state, t) {
  return !!state.round && state.round.phase === "betting" && t < state.round.bettingClosesAt;
}

/**
 * The player pressed a panel's main button. Returns { send } with a message for the server,
 * { error: {code, message} } for input the page refuses itself, or {} when only the state changed.
 */
export function pressPanel(state, index, input, now) {
  const panel = state.panels[index];
  const t = serverNow(state, now);
  switch (panel.status) {
    case "idle": case "cashedOut": case "lost": case "refunded": case "rejected": case "cancelled": {
      if (!state.ready) return { error: { code: "notConnected", message: "Not connected yet." } };
      const checked = validateBet(state, input);
      if (checked.error) return checked;
      panel.last = checked.bet;
      panel.repeat = !!input.repeat;
      if (bettingOpen(state, t) && !["cashedOut", "lost"].includes(panel.status)) return { send: sendBet(state, index) };
      // Betting is not open (or this panel's bet of this round is finished): wait for the next round.
      state.panels[index] = { ...idlePanel(panel), status: "queued", amountMinor: checked.bet.amountMinor, autoHundredths: checked.bet.autoHundredths };
      return {};
    }
    case "queued":
      state.panels[index] = idlePanel(panel);
      return {};
    case "placed": {
      if (state.round && state.round.number === panel.round && state.round.phase === "betting") {
        const requestId = newRequestId(state);
        state.requests.set(requestId, { kind: "cancelBet", panel: index });
        panel.status = "cancelling";
        return { send: { type: "cancelBet", requestId, betId: panel.betId } };
      }
      if (state.round && state.round.number === panel.round && state.round.phase === "flying") {
        const requestId = newRequestId(state);
        state.requests.set(requestId, { kind: "cashOut", panel: index });
        panel.status = "cashingOut";
        return { send: { type: "cashOut", requestId, betId: panel.betId } };
      }
      return {};
    }
    default:
      return {}; // pending, cancelling, cashingOut: waiting for the server
  }
}

/** Checks the panel's input against the table's limits; { bet } or { error }. */
export function validateBet(state, input) {
  const exponent = state.exponent;
  const amountMinor = parseAmount(input.amount, exponent);
  const limits = state.limits;
  if (amountMinor === null || amountMinor <= 0) return { error: { code: "malformedMessage", message: `Enter a stake like 1.00 (at most ${exponent} decimals).` } };
  if (amountMinor < limits.minStakeMinor) return { error: { code: "stakeBelowMinimum", message: "The stake is below the table's minimum." } };
  if (amountMinor > limits.maxStakeMinor) return { error: { code: "stakeAboveMaximum", message: "The stake is above the table's maximum." } };
  let autoHundredths = null;
  if (input.autoEnabled) {
    autoHundredths = parseMultiplier(input.auto);
    if (autoHundredths === null || autoHundredths < limits.minAutoHundredths || autoHundredths > limits.maxAutoHundredths) {
      return { error: { code: "autoCashOutOutOfRange", message: "The auto cash-out target is outside the table's range." } };
    }
  }
  return { bet: { amountMinor, autoHundredths } };
}

/** Applies one server message (already parsed) at local time `now`; returns messages to send. */
export function apply(state, message, now) {
  if (message.t === "k") {
    if (state.round && message.r === state.round.number && state.round.phase === "flying") state.predictor.tick(message.m, message.at);
    return [];
  }
  const handler = handlers[message.type];
  return handler ? handler(state, message, now) || [] : [];
}

const handlers = {
  welcome(state, m, now) {
    state.ready = true;
    state.player = m.player;
    state.table = m.table;
    state.currency = m.currency;
    state.exponent = m.currencyExponent;
    state.limits = m.limits;
    state.fairness = m.fairness;
    if (state.rate !== m.curve.ratePerMillisecond || !state.predictor) {
      state.rate = m.curve.ratePerMillisecond;
    }
    state.predictor = new CurvePredictor(state.rate);
    hintClock(state, m.serverTime, now);
    state.balance = m.balance;
    state.history = m.history.slice(0, HISTORY_LIMIT);
    state.liveBets = m.liveBets.slice(0, LIVE_LIMIT).map((b) => ({ ...b, round: m.round?.number }));
    const r = m.round ?? null;
    state.round = r && { number: r.number, phase: r.phase, commitment: r.commitment, openedAt: r.openedAt,
      bettingClosesAt: r.bettingClosesAt, tookOffAt: r.tookOffAt ?? null,
      crashPointHundredths: r.crashPointHundredths ?? null, seed: r.seed ?? null, crashedAt: null };
    if (r) {
      rememberCommitment(state, r.number, r.commitment);
      if (r.tookOffAt !== undefined) {
        state.predictor.takeOff(r.tookOffAt);
        if (r.multiplierHundredths !== undefined) state.predictor.tick(r.multiplierHundredths, m.serverTime);
      }
      if (r.phase === "crashed" && r.crashPointHundredths !== undefined) state.predictor.crash(r.crashPointHundredths, m.serverTime);
    }
    // Reconcile the panels with the server's view of this player's bets: the server is the truth.
    // A bet sent just before the connection dropped may never have arrived: while its round still
    // takes bets it is sent again with the same betId (a repeat is a no-op on the server).
    const mine = new Map(m.myBets.map((b) => [b.betId, b]));
    const out = [];
    state.requests.clear(); // answers to requests of a previous connection never come
    state.panels = state.panels.map((p, i) => {
      if (p.betId && mine.has(p.betId)) return p;
      if (p.status === "queued") return p;
      if (p.status === "pending" && r && r.phase === "betting" && p.round === r.number && now + state.clock.offset < r.bettingClosesAt) {
        const requestId = newRequestId(state);
        state.requests.set(requestId, { kind: "placeBet", panel: i });
        const message = { type: "placeBet", requestId, betId: p.betId, amountMinor: p.amountMinor };
        if (p.autoHundredths !== null) message.autoCashOutHundredths = p.autoHundredths;
        out.push(message);
        return p;
      }
      return idlePanel(p);
    });
    for (const bet of m.myBets) {
      let index = panelOfBet(state, bet.betId);
      if (index < 0) index = state.panels.findIndex((p) => p.status === "idle");
      if (index < 0) continue;
      state.panels[index] = { ...state.panels[index], betId: bet.betId, round: r?.number ?? null,
        amountMinor: bet.amountMinor, autoHundredths: bet.autoCashOutHundredths ?? null,
        status: bet.status === "cashedOut" ? "cashedOut" : bet.status === "pending" ? "pending" : "placed",
        multiplierHundredths: bet.multiplierHundredths ?? null, payoutMinor: bet.payoutMinor ?? null };
    }
    return out;
  },

  roundOpened(state, m, now) {
    hintClock(state, m.serverTime, now);
    state.round = { number: m.round, phase: "betting", commitment: m.commitment, openedAt: m.serverTime,
      bettingClosesAt: m.bettingClosesAt, tookOffAt: null, crashPointHundredths: null, seed: null, crashedAt: null };
    rememberCommitment(state, m.round, m.commitment);
    state.predictor.reset();
    state.liveBets = [];
    const out = [];
    state.panels.forEach((p, i) => {
      const finished = ["cashedOut", "lost", "refunded", "rejected", "cancelled"].includes(p.status);
      if (p.status === "queued" || (finished && p.repeat && p.last)) {
        if (p.status === "queued") p.last = { amountMinor: p.amountMinor, autoHundredths: p.autoHundredths };
        out.push(sendBet(state, i));
      } else if (finished) {
        state.panels[i] = idlePanel(p);
      }
    });
    return out;
  },

  bettingClosed(state, m) {
    if (state.round && state.round.number === m.round) state.round.phase = "closed";
  },

  tookOff(state, m, now) {
    hintClock(state, m.serverTime, now);
    if (!state.round || state.round.number !== m.round) return;
    state.round.phase = "flying";
    state.round.tookOffAt = m.at;
    state.predictor.takeOff(m.at);
  },

  crashed(state, m) {
    if (state.round && state.round.number === m.round) {
      Object.assign(state.round, { phase: "crashed", crashPointHundredths: m.crashPointHundredths, seed: m.seed, crashedAt: m.at });
    }
    state.predictor.crash(m.crashPointHundredths, m.at);
    if (!state.history.some((h) => h.round === m.round)) {
      state.history.unshift({ round: m.round, crashPointHundredths: m.crashPointHundredths, seed: m.seed });
      if (state.history.length > HISTORY_LIMIT) state.history.length = HISTORY_LIMIT;
    }
    for (const b of state.liveBets) if (b.multiplierHundredths === undefined) b.lost = true;
    for (const p of state.panels) {
      if (p.round === m.round && (p.status === "placed" || p.status === "cashingOut")) p.status = "lost";
    }
  },

  roundVoided(state, m) {
    if (state.round && state.round.number === m.round) state.round.phase = "voided";
    state.predictor.reset();
    for (const p of state.panels) {
      if (p.round === m.round && ["placed", "cashingOut", "pending", "cancelling"].includes(p.status)) p.status = "refunded";
    }
  },

  betPlaced(state, m) {
    if (!state.round || state.round.number !== m.round || liveBet(state, m.betId)) return;
    if (state.liveBets.length >= LIVE_LIMIT) return;
    state.liveBets.push({ betId: m.betId, round: m.round, player: m.player, amountMinor: m.amountMinor, autoCashOutHundredths: m.autoCashOutHundredths });
  },

  betCancelled(state, m) {
    if (state.round && state.round.number === m.round) state.liveBets = state.liveBets.filter((b) => b.betId !== m.betId);
  },

  cashedOut(state, m) {
    const entry = liveBet(state, m.betId);
    if (entry && entry.multiplierHundredths === undefined) {
      entry.multiplierHundredths = m.multiplierHundredths;
      entry.payoutMinor = m.payoutMinor;
      recordWin(state, entry);
    }
    const index = panelOfBet(state, m.betId);
    if (index >= 0 && state.panels[index].round === m.round) {
      Object.assign(state.panels[index], { status: "cashedOut", multiplierHundredths: m.multiplierHundredths, payoutMinor: m.payoutMinor });
    }
  },

  betAccepted(state, m) {
    state.requests.delete(m.requestId);
    const index = panelOfBet(state, m.betId);
    if (index >= 0 && state.panels[index].status === "pending") {
      state.panels[index].status = "placed";
      state.panels[index].round = m.round;
    }
  },

  result(state, m) {
    if (m.requestId) state.requests.delete(m.requestId);
    const index = panelOfBet(state, m.betId);
    if (index < 0) return;
    const panel = state.panels[index];
    switch (m.outcome) {
      case "won": Object.assign(panel, { status: "cashedOut", multiplierHundredths: m.multiplierHundredths ?? panel.multiplierHundredths, payoutMinor: m.payoutMinor }); break;
      case "lost": panel.status = "lost"; break;
      case "refunded": panel.status = "refunded"; break;
      case "cancelled": state.panels[index] = idlePanel(panel); break;
      case "rejected": panel.status = "rejected"; break;
    }
  },

  balance(state, m) {
    state.balance = { availableMinor: m.availableMinor, reservedMinor: m.reservedMinor };
  },

  error(state, m, now) {
    pushError(state, m.code, m.message, now);
    const request = m.requestId && state.requests.get(m.requestId);
    if (!request) return;
    state.requests.delete(m.requestId);
    const panel = state.panels[request.panel];
    if (request.kind === "placeBet" && panel.status === "pending") state.panels[request.panel] = idlePanel(panel);
    if ((request.kind === "cashOut" && panel.status === "cashingOut") || (request.kind === "cancelBet" && panel.status === "cancelling")) {
      panel.status = state.round && state.round.number === panel.round && state.round.phase === "crashed" ? "lost" : "placed";
    }
  },

  pong(state, m, now) {
    clockSample(state, m.t, m.serverTime, now);
  },
};

function rememberCommitment(state, round, commitment) {
  state.commitments.set(round, commitment);
  if (state.commitments.size > COMMITMENT_LIMIT) state.commitments.delete(state.commitments.keys().next().value);
}

/** What the fairness panel knows about `round`: its seed, commitment, previous seed, crash point. */
export function fairnessInputs(state, round) {
  const entry = state.history.find((h) => h.round === round);
  if (!entry) return null;
  const previous = state.history.find((h) => h.round === round - 1);
  return {
    round, seed: entry.seed, crashPointHundredths: entry.crashPointHundredths,
    commitment: state.commitments.get(round) ?? null,
    previousRoundSeed: previous ? previous.seed : null,
    salt: state.fairness.salt, houseEdgeBasisPoints: state.fairness.houseEdgeBasisPoints,
    terminatingHash: state.fairness.terminatingHash,
  };
}
