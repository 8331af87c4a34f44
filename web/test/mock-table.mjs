// A simulated table speaking docs/protocol.md, for developing the page without the Swift edge.
// Pure and clock-driven: `advance(now)` moves the round along, `receive(session, message, now)`
// handles a client message; everything to send goes through each session's `send`. Tests drive
// it directly; mock-edge.mjs puts it behind a real WebSocket on localhost.
// It follows the real rules where the page can see them (crash points from a real seed chain,
// the reproducible curve, floor payouts, the error codes) but it is NOT the server: no wallet
// service, no log, tokens are not checked cryptographically.

import { createHash } from "node:crypto";
import { multiplierHundredths, firstElapsedMsReaching } from "../curve.js";
import { crashHundredthsFromBits } from "../fairness.js";
import { createHmac } from "node:crypto";

const RATE = 0.00006, BETTING_MS = 5000, TAKEOFF_DELAY_MS = 1000, TICK_MS = 100, INTERMISSION_MS = 3000;
const LIMITS = { minStakeMinor: 10, maxStakeMinor: 100000, maxWinMinor: 1000000000, maxBetsPerPlayer: 2, minAutoHundredths: 101, maxAutoHundredths: 1000000 };
const SALT = "mock salt", EDGE = 100;

const sha = (bytes) => createHash("sha256").update(bytes).digest();
const mask = (name) => name.length <= 2 ? name[0] + "***" : `${name[0]}***${name.at(-1)}`;

function crashOf(seed) {
  const d = createHmac("sha256", Buffer.from(SALT, "utf8")).update(seed).digest("hex");
  return Number(crashHundredthsFromBits(BigInt("0x" + d.slice(0, 13)), EDGE));
}

export class MockTable {
  constructor({ chainLength = 2000, terminalSeed, random = Math.random } = {}) {
    // seeds[i] is round i's seed; seeds[0] is the terminating hash.
    this.seeds = new Array(chainLength + 1);
    this.seeds[chainLength] = terminalSeed ?? sha(String(random()));
    for (let i = chainLength; i > 0; i--) this.seeds[i - 1] = sha(this.seeds[i]);
    this.random = random;
    this.sessions = new Set();
    this.players = new Map();       // playerId → { id, name, available, reserved }
    this.history = [];
    this.round = null;
    this.number = 0;
  }

  welcomeFor(session, now) {
    const p = session.player, r = this.round;
    return { type: "welcome", player: { id: p.id, name: p.name }, table: "main", currency: "EUR", currencyExponent: 2,
      limits: LIMITS, curve: { ratePerMillisecond: RATE },
      fairness: { scheme: "ascent", salt: SALT, houseEdgeBasisPoints: EDGE, terminatingHash: this.seeds[0].toString("hex") },
      serverTime: now,
      ...(r ? { round: { number: r.number, phase: r.phase, commitment: r.commitment, openedAt: r.openedAt, bettingClosesAt: r.bettingClosesAt,
        ...(r.tookOffAt !== null ? { tookOffAt: r.tookOffAt, multiplierHundredths: r.phase === "crashed" ? r.crash : multiplierHundredths(RATE, now - r.tookOffAt) } : {}),
        ...(r.phase === "crashed" ? { crashPointHundredths: r.crash, seed: r.seed } : {}) } } : {}),
      myBets: r ? r.bets.filter((b) => b.playerId === p.id).map((b) => ({ betId: b.betId, amountMinor: b.amountMinor,
        ...(b.auto ? { autoCashOutHundredths: b.auto } : {}), status: b.cashed ? "cashedOut" : "placed",
        ...(b.cashed ? { multiplierHundredths: b.cashed.m, payoutMinor: b.cashed.payout } : {}) })) : [],
      balance: { availableMinor: p.available, reservedMinor: p.reserved },
      history: this.history.slice(0, 50), liveBets: r ? r.bets.map((b) => this.liveView(b)) : [] };
  }

  liveView(b) {
    return { betId: b.betId, player: b.name, amountMinor: b.amountMinor, ...(b.auto ? { autoCashOutHundredths: b.auto } : {}),
      ...(b.cashed ? { multiplierHundredths: b.cashed.m, payoutMinor: b.cashed.payout } : {}) };
  }

  broadcast(message) { for (const s of this.sessions) s.send(message); }
  toPlayer(playerId, message) { for (const s of this.sessions) if (s.player && s.player.id === playerId) s.send(message); }
  balanceOf(p) { this.toPlayer(p.id, { type: "balance", availableMinor: p.available, reservedMinor: p.reserved }); }

  /** A client message from `session` ({ send, player }). */
  receive(session, message, now) {
    const error = (code, text) => session.send({ type: "error", ...(message.requestId ? { requestId: message.requestId } : {}), code, message: text });
    if (!session.player) {
      const match = message.type === "hello" && typeof message.token === "string" && /^([A-Za-z0-9_-]+)\.(\d+)\.[0-9a-f]{64}$/.exec(message.token);
      if (!match || Number(match[2]) * 1000 < now) { error("unauthenticated", "Your session is not valid. Open the game again from the casino."); session.close(1008); return; }
      const id = Buffer.from(match[1], "base64url").toString("utf8");
      if (!this.players.has(id)) this.players.set(id, { id, name: mask(id), available: 100000, reserved: 0 });
      session.player = this.players.get(id);
      this.sessions.add(session);
      session.send(this.welcomeFor(session, now));
      return;
    }
    const p = session.player, r = this.round;
    switch (message.type) {
      case "ping": session.send({ type: "pong", t: message.t, serverTime: now }); return;
      case "placeBet": {
        if (!r || r.phase !== "betting" || now >= r.bettingClosesAt) return error("bettingClosed", "Betting is closed for this round.");
        const same = r.bets.find((b) => b.betId === message.betId);
        if (same) {
          if (same.playerId === p.id && same.amountMinor === message.amountMinor && same.auto === (message.autoCashOutHundredths ?? null)) {
            session.send({ type: "betAccepted", requestId: message.requestId, betId: message.betId, round: r.number }); return;
          }
          return error("duplicateBetId", "This bet id is already used in this round.");
        }
        if (!Number.isInteger(message.amountMinor)) return error("malformedMessage", "The stake must be a whole number of cents.");
        if (message.amountMinor < LIMITS.minStakeMinor) return error("stakeBelowMinimum", "The stake is below the table's minimum.");
        if (message.amountMinor > LIMITS.maxStakeMinor) return error("stakeAboveMaximum", "The stake is above the table's maximum.");
        const auto = message.autoCashOutHundredths ?? null;
        if (auto !== null && (auto < LIMITS.minAutoHundredths || auto > LIMITS.maxAutoHundredths)) return error("autoCashOutOutOfRange", "The auto cash-out must be between 1.01x and 10,000x.");
        if (r.bets.filter((b) => b.playerId === p.id).length >= LIMITS.maxBetsPerPlayer) return error("tooManyBets", "You already have two bets in this round.");
        if (p.available < message.amountMinor) return error("insufficientFunds", "Your balance is too low for this stake.");
        p.available -= message.amountMinor; p.reserved += message.amountMinor;
        const bet = { betId: message.betId, playerId: p.id, name: p.name, amountMinor: message.amountMinor, auto, cashed: null };
        r.bets.push(bet);
        session.send({ type: "betAccepted", requestId: message.requestId, betId: bet.betId, round: r.number });
        this.balanceOf(p);
        this.broadcast({ type: "betPlaced", round: r.number, betId: bet.betId, player: bet.name, amountMinor: bet.amountMinor, ...(auto ? { autoCashOutHundredths: auto } : {}) });
        return;
      }
      case "cancelBet": case "cashOut": {
        const bet = r && r.bets.find((b) => b.betId === message.betId);
        if (!bet) return error("unknownBet", "There is no such bet in this round.");
        if (bet.playerId !== p.id) return error("betOfAnotherPlayer", "That bet is not yours.");
        if (message.type === "cancelBet") {
          if (r.phase !== "betting") return error("bettingClosed", "Betting is closed: the bet can no longer be cancelled.");
          r.bets = r.bets.filter((b) => b !== bet);
          p.available += bet.amountMinor; p.reserved -= bet.amountMinor;
          this.toPlayer(p.id, { type: "result", requestId: message.requestId, round: r.number, betId: bet.betId, outcome: "cancelled", payoutMinor: 0 });
          this.balanceOf(p);
          this.broadcast({ type: "betCancelled", round: r.number, betId: bet.betId });
          return;
        }
        this.advance(now); // settle autos and the crash due by now first, as the authority does
        if (bet.cashed) return;
        if (r.phase === "crashed") return error("cashOutAfterCrash", "Too late: the plane flew away first.");
        if (r.phase !== "flying") return error("notFlying", "The round has not taken off yet.");
        this.cashOut(bet, multiplierHundredths(RATE, now - r.tookOffAt), message.requestId);
        return;
      }
      default: error("unknownType", `Unknown message type.`);
    }
  }

  cashOut(bet, m, requestId) {
    const r = this.round, p = this.players.get(bet.playerId);
    const payout = Math.min(LIMITS.maxWinMinor, Math.floor((bet.amountMinor * m) / 100));
    bet.cashed = { m, payout };
    this.broadcast({ type: "cashedOut", round: r.number, betId: bet.betId, player: bet.name, multiplierHundredths: m, payoutMinor: payout });
    if (!p) return; // a bot
    p.reserved -= bet.amountMinor; p.available += payout;
    this.toPlayer(p.id, { type: "result", ...(requestId ? { requestId } : {}), round: r.number, betId: bet.betId, outcome: "won", payoutMinor: payout, multiplierHundredths: m });
    this.balanceOf(p);
  }

  /** Moves the table to `now`: opens, closes, takes off, ticks, pays autos, crashes. */
  advance(now) {
    for (let guard = 0; guard < 1000; guard++) {
      const r = this.round;
      if (!r || (r.phase === "crashed" && now >= r.crashedAt + INTERMISSION_MS)) { this.open(r ? r.crashedAt + INTERMISSION_MS : now); continue; }
      if (r.phase === "betting" && now >= r.bettingClosesAt) { r.phase = "closed"; this.broadcast({ type: "bettingClosed", round: r.number }); continue; }
      if (r.phase === "closed" && now >= r.bettingClosesAt + TAKEOFF_DELAY_MS) {
        r.phase = "flying"; r.tookOffAt = r.bettingClosesAt + TAKEOFF_DELAY_MS; r.nextTick = r.tookOffAt + TICK_MS;
        r.crashAt = r.tookOffAt + firstElapsedMsReaching(RATE, r.crash);
        this.broadcast({ type: "tookOff", round: r.number, at: r.tookOffAt, serverTime: now });
        continue;
      }
      if (r.phase === "flying") {
        const limit = Math.min(now, r.crashAt);
        for (const b of r.bets) {
          if (!b.cashed && b.auto && b.auto < r.crash && r.tookOffAt + firstElapsedMsReaching(RATE, b.auto) <= limit) this.cashOut(b, b.auto);
        }
        if (now >= r.crashAt) { this.crash(); continue; }
        if (now >= r.nextTick) {
          this.broadcast({ t: "k", r: r.number, m: multiplierHundredths(RATE, now - r.tookOffAt), at: now });
          r.nextTick = now + TICK_MS;
        }
      }
      return;
    }
  }

  open(at) {
    this.number++;
    const seed = this.seeds[this.number];
    this.round = { number: this.number, phase: "betting", seed: seed.toString("hex"), commitment: this.seeds[this.number - 1].toString("hex"),
      crash: crashOf(seed), openedAt: at, bettingClosesAt: at + BETTING_MS, tookOffAt: null, crashAt: null, crashedAt: null, bets: [] };
    this.broadcast({ type: "roundOpened", round: this.number, commitment: this.round.commitment, bettingClosesAt: this.round.bettingClosesAt, serverTime: at });
    const bots = 3 + Math.floor(this.random() * 8);
    for (let i = 0; i < bots; i++) {
      const bet = { betId: `bot${this.number}x${i}`, playerId: `bot-${i}`, name: mask(`bot${i}`), amountMinor: 100 * (1 + Math.floor(this.random() * 50)),
        auto: 110 + Math.floor(this.random() * 400), cashed: null };
      this.round.bets.push(bet);
      this.broadcast({ type: "betPlaced", round: this.number, betId: bet.betId, player: bet.name, amountMinor: bet.amountMinor, autoCashOutHundredths: bet.auto });
    }
  }

  crash() {
    const r = this.round;
    r.phase = "crashed"; r.crashedAt = r.crashAt;
    this.broadcast({ type: "crashed", round: r.number, crashPointHundredths: r.crash, seed: r.seed, at: r.crashAt });
    for (const b of r.bets) {
      const p = this.players.get(b.playerId);
      if (b.cashed || !p) continue;
      p.reserved -= b.amountMinor;
      this.toPlayer(p.id, { type: "result", round: r.number, betId: b.betId, outcome: "lost", payoutMinor: 0 });
      this.balanceOf(p);
    }
    this.history.unshift({ round: r.number, crashPointHundredths: r.crash, seed: r.seed });
    if (this.history.length > 50) this.history.length = 50;
  }

  /** The session went away. */
  leave(session) { this.sessions.delete(session); }
}
