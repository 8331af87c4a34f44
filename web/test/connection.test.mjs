import { test, equal, check } from "./harness.mjs";
import { Connection, backoffDelay } from "../connection.js";

/** A fake WebSocket and fake timers: the test decides when things open, close and fire. */
function harness() {
  const sockets = [], timers = [], statuses = [], received = [];
  let clock = 0;
  class FakeSocket {
    constructor(url) { this.url = url; this.sent = []; this.readyState = 0; this.closedWith = null; sockets.push(this); }
    send(text) { this.sent.push(JSON.parse(text)); }
    close(code) { this.closedWith = code; this.readyState = 3; }
    serverOpens() { this.readyState = 1; this.onopen(); }
    serverSends(message) { this.onmessage({ data: JSON.stringify(message) }); }
    serverCloses(code) { this.readyState = 3; this.onclose({ code }); }
  }
  const connection = new Connection({
    url: "ws://host/ws", token: "cDEwMDE.1800000000." + "ab".repeat(32), table: "main",
    WebSocket: FakeSocket, random: () => 1, now: () => clock,
    setTimeout: (f, ms) => { const t = { f, at: clock + ms, done: false }; timers.push(t); return t; },
    clearTimeout: (t) => { t.done = true; },
    onMessage: (m) => received.push(m), onStatus: (s, d) => statuses.push(s),
  });
  const advance = (ms) => {
    clock += ms;
    for (;;) {
      const due = timers.filter((t) => !t.done && t.at <= clock).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.done = true; due.f();
    }
  };
  return { connection, sockets, statuses, received, advance };
}

test("connection: backoff doubles from 0.5 s to a 15 s cap, with jitter in [½, 1]", () => {
  equal([0, 1, 2, 3, 4, 5, 6, 20].map((a) => backoffDelay(a, () => 1)), [500, 1000, 2000, 4000, 8000, 15000, 15000, 15000], "no jitter");
  equal(backoffDelay(3, () => 0), 2000, "lowest jitter halves");
});

test("connection: hello first, with the same token on every reconnect; nothing sent before welcome", () => {
  const h = harness();
  h.connection.start();
  check(!h.connection.send({ type: "ping", t: 1 }), "send before open must refuse");
  h.sockets[0].serverOpens();
  equal(h.sockets[0].sent[0].type, "hello", "first message");
  check(!h.connection.send({ type: "placeBet" }), "send before welcome must refuse");
  h.sockets[0].serverSends({ type: "welcome" });
  check(h.connection.send({ type: "cashOut" }), "send after welcome");
  h.sockets[0].serverCloses(1006);
  equal(h.statuses.at(-1), "reconnecting", "status");
  h.advance(499);
  equal(h.sockets.length, 1, "not before the backoff delay");
  h.advance(1);
  equal(h.sockets.length, 2, "reconnected after 500 ms");
  h.sockets[1].serverOpens();
  equal(h.sockets[1].sent[0], h.sockets[0].sent[0], "the same hello, same token");
});

test("connection: backoff grows while attempts fail and resets after a welcome", () => {
  const h = harness();
  h.connection.start();
  h.sockets[0].serverCloses(1006); h.advance(500);
  h.sockets[1].serverCloses(1006); h.advance(999);
  equal(h.sockets.length, 2, "second retry waits 1 s");
  h.advance(1);
  h.sockets[2].serverOpens(); h.sockets[2].serverSends({ type: "welcome" });
  h.sockets[2].serverCloses(1001); h.advance(500);
  equal(h.sockets.length, 4, "back to 500 ms after a welcome");
});

test("connection: stops after unauthenticated + 1008 and after 4001, keeps trying after other closes", () => {
  const h = harness();
  h.connection.start();
  h.sockets[0].serverOpens();
  h.sockets[0].serverSends({ type: "error", code: "unauthenticated", message: "bad token" });
  h.sockets[0].serverCloses(1008);
  equal(h.statuses.at(-1), "stopped", "stopped");
  h.advance(60000);
  equal(h.sockets.length, 1, "no reconnect with a refused token");
  const g = harness();
  g.connection.start(); g.sockets[0].serverOpens(); g.sockets[0].serverSends({ type: "welcome" });
  g.sockets[0].serverCloses(4001);
  equal(g.statuses.at(-1), "stopped", "replaced by another tab");
});

test("connection: pings every 5 s after welcome, and drops a silent server", () => {
  const h = harness();
  h.connection.start(); h.sockets[0].serverOpens(); h.sockets[0].serverSends({ type: "welcome" });
  h.advance(5000);
  equal(h.sockets[0].sent.at(-1), { type: "ping", t: 5000 }, "ping with our clock");
  h.advance(5000); h.advance(5000); h.advance(5000);
  equal(h.sockets[0].closedWith, 4002, "closed after 15 s of silence");
  h.advance(500);
  equal(h.sockets.length, 2, "and reconnected");
});
