import { readFileSync } from "node:fs";
import { test, equal, check } from "./harness.mjs";
import { loadSchemas, validate, schemaName } from "./schema.mjs";
import { MockTable } from "./mock-table.mjs";
import { createState, apply, pressPanel } from "../state.js";

const schemas = loadSchemas();
const problemsOf = (message) => {
  const schema = schemas.get(schemaName(message));
  return schema ? validate(schema, message) : [`no schema for ${JSON.stringify(schemaName(message))}`];
};

test("protocol: one schema per message type, each closed (additionalProperties: false)", () => {
  const expected = ["hello", "placeBet", "cancelBet", "cashOut", "ping", "welcome", "roundOpened", "bettingClosed", "tookOff", "tick",
    "crashed", "roundVoided", "betPlaced", "betCancelled", "cashedOut", "betAccepted", "result", "balance", "error", "pong"];
  equal([...schemas.keys()].sort(), [...expected].sort(), "schema titles");
  for (const [name, s] of schemas) {
    equal(s.$schema, "https://json-schema.org/draft/2020-12/schema", `${name} dialect`);
    equal(s.additionalProperties, false, `${name} closed`);
  }
});

test("protocol: every JSON example in docs/protocol.md is valid", () => {
  const doc = readFileSync(new URL("../../docs/protocol.md", import.meta.url), "utf8");
  const blocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]));
  const lines = [...doc.matchAll(/```jsonl\n([\s\S]*?)```/g)].flatMap((m) => m[1].trim().split("\n")).map((line) => JSON.parse(line));
  check(blocks.length >= 1, "the welcome example is there");
  const covered = new Set([...blocks, ...lines].map(schemaName));
  equal([...schemas.keys()].filter((name) => !covered.has(name)), [], "message types without an example");
  for (const message of [...blocks, ...lines]) equal(problemsOf(message), [], `example ${JSON.stringify(message).slice(0, 60)}`);
});

test("protocol: the validator itself refuses what the schemas forbid", () => {
  check(problemsOf({ type: "placeBet", requestId: "r1", betId: "b1", amountMinor: 2.5 }).length > 0, "fractional money");
  check(problemsOf({ type: "placeBet", requestId: "r1", betId: "b1", amountMinor: 250, extra: 1 }).length > 0, "unknown member");
  check(problemsOf({ type: "placeBet", requestId: "r1", betId: "b1", amountMinor: 250, autoCashOutHundredths: 100 }).length > 0, "auto 1.00x");
  check(problemsOf({ type: "error", code: "nope", message: "x" }).length > 0, "unknown error code");
  check(problemsOf({ t: "k", r: 1, m: 99, at: 0 }).length > 0, "tick below 1.00x");
  check(problemsOf({ type: "hello", token: "x", table: "main" }).length > 0, "token shape");
  check(problemsOf({ type: "balance", availableMinor: 1, reservedMinor: 0, round: null }).length > 0, "null member");
});

test("protocol: the page's state machine plays 30 rounds against the mock table; every message both ways is valid", () => {
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const table = new MockTable({ chainLength: 40, terminalSeed: Buffer.alloc(32, 7), random });
  const page = createState();
  const inbox = [];
  let closed = null;
  const session = { player: null, send: (m) => inbox.push(m), close: (code) => { closed = code; } };
  let now = 1796317200000;
  const clientSends = [];
  const send = (m) => { equal(problemsOf(m), [], `client message ${m.type}`); clientSends.push(m); table.receive(session, m, now); };
  const pump = () => {
    while (inbox.length) {
      const m = JSON.parse(JSON.stringify(inbox.shift()));
      equal(problemsOf(m), [], `server message ${schemaName(m)} ${JSON.stringify(m).slice(0, 80)}`);
      for (const out of apply(page, m, now)) send(out);
    }
  };
  table.advance(now);
  send({ type: "hello", token: `${Buffer.from("p-1001").toString("base64url")}.1900000000.${"ab".repeat(32)}`, table: "main" });
  pump();
  check(page.ready && closed === null, "welcomed");
  const outcomes = new Map();
  let round = 0;
  for (let step = 0; step < 30 * 700 && page.history.length < 30; step++) {
    now += 50;
    table.advance(now);
    pump();
    if (page.round && page.round.number !== round && page.round.phase === "betting") {
      round = page.round.number;
      for (const i of [0, 1]) {
        const r = pressPanel(page, i, { amount: i ? "3.00" : "1.50", autoEnabled: i === 1, auto: "1.80" }, now);
        if (r.send) send(r.send);
      }
      pump();
    }
    // Panel 0 cashes out by hand at 1.30x or above when it can.
    if (page.round && page.round.phase === "flying" && page.panels[0].status === "placed" && page.predictor.valueAt(now) >= 130) {
      const r = pressPanel(page, 0, {}, now);
      if (r.send) send(r.send);
      pump();
    }
    for (const p of page.panels) if (["cashedOut", "lost"].includes(p.status)) outcomes.set(`${p.round}/${p.betId}`, p.status);
  }
  equal(page.history.length, 30, "30 rounds crashed");
  const player = table.players.get("p-1001");
  equal([page.balance.availableMinor, page.balance.reservedMinor], [player.available, player.reserved], "the page shows the server's balance");
  const counts = [...outcomes.values()].reduce((c, o) => ({ ...c, [o]: (c[o] ?? 0) + 1 }), {});
  check(counts.cashedOut >= 5 && counts.lost >= 5, `both wins and losses happened: ${JSON.stringify(counts)}`);
  check(clientSends.some((m) => m.type === "cashOut"), "manual cash-outs were sent");
  // The fairness chain: each revealed seed hashes to the previous round's.
  for (let i = 0; i + 1 < page.history.length; i++) {
    const h = page.history[i], previous = page.history[i + 1];
    equal(previous.round, h.round - 1, "consecutive history");
  }
});
