// Runs app.js itself against a stub DOM and the mock table for two simulated minutes: catches
// runtime errors in the wiring (wrong names, bad calls, exceptions in drawing) that the pure
// tests cannot see. The stub answers any property or call, records text, and counts canvas calls.

import { test, equal, check } from "./harness.mjs";
import { MockTable } from "./mock-table.mjs";

const DEFAULTS = { value: "", textContent: "", checked: false, hidden: false, disabled: false, className: "",
  clientWidth: 800, clientHeight: 400, width: 0, height: 0, innerHTML: "", title: "" };

function stub(name, registry) {
  const props = new Map();
  const target = function () {};
  const proxy = new Proxy(target, {
    get(_, key) {
      if (typeof key === "symbol") return undefined;
      if (props.has(key)) return props.get(key);
      if (key === "toString") return () => `[${name}]`;
      if (key === "then") return undefined; // not a promise
      if (key in DEFAULTS) return DEFAULTS[key];
      if (key === "addEventListener") return (type, f) => registry.listeners.push({ name, type, f });
      if (key === "dataset") { const d = {}; props.set(key, d); return d; }
      if (key === "style") { const s = {}; props.set(key, s); return s; }
      if (key === "classList") return { add() {}, remove() {}, toggle() {} };
      if (key === "querySelectorAll") return (sel) => { const list = [stub(`${name} ${sel}`, registry)]; return list; };
      const child = stub(`${name}.${key}`, registry);
      props.set(key, child);
      return child;
    },
    set(_, key, v) { props.set(key, v); return true; },
    apply(_, __, args) { registry.calls++; return stub(`${name}(${args.filter((a) => typeof a === "string").join(",")})`, registry); },
  });
  return proxy;
}

test("dom smoke: app.js runs 2 simulated minutes against the mock table without an exception", async () => {
  const registry = { listeners: [], calls: 0, types: {} };
  const elements = new Map();
  let clock = 1796317200000;
  const frames = [];
  const table = new MockTable({ chainLength: 100, terminalSeed: Buffer.alloc(32, 9), random: () => 0.5 });
  table.advance(clock);
  const sockets = [];
  class FakeWebSocket {
    constructor(url) {
      this.url = url; this.readyState = 0; sockets.push(this);
      this.session = { player: null, close: () => {}, send: (m) => {
        registry.types[m.type ?? "tick"] = (registry.types[m.type ?? "tick"] ?? 0) + 1;
        if (this.onmessage) this.onmessage({ data: JSON.stringify(m) });
      } };
      queueMicrotask(() => { this.readyState = 1; this.onopen(); });
    }
    send(text) { table.receive(this.session, JSON.parse(text), clock); }
    close() { this.readyState = 3; }
  }
  const errors = [];
  Object.assign(globalThis, {
    document: { getElementById: (id) => { if (!elements.has(id)) elements.set(id, stub(`#${id}`, registry)); return elements.get(id); },
      createElement: (tag) => stub(`<${tag}>`, registry) },
    window: { devicePixelRatio: 2 },
    location: { search: `?token=${Buffer.from("p-1001").toString("base64url")}.1900000000.${"ab".repeat(32)}`, protocol: "http:", host: "127.0.0.1:8099" },
    requestAnimationFrame: (f) => frames.push(f),
    addEventListener: (type, f) => { if (type === "pagehide") registry.pagehide = f; },
    WebSocket: FakeWebSocket,
  });
  Object.defineProperty(globalThis, "performance", { value: { timeOrigin: 0, now: () => clock }, configurable: true });
  process.on("uncaughtException", (e) => errors.push(e));
  await import(`../app.js?smoke=${Date.now()}`);
  await new Promise((r) => setTimeout(r, 0));
  let betClicks = 0;
  for (let i = 0; i < 120 * 60; i++) { // 60 frames per simulated second
    clock += 1000 / 60;
    table.advance(clock);
    const f = frames.splice(0);
    for (const frame of f) frame();
    if (i % 300 === 0) { // press every panel's main button now and then, as a player would
      for (const l of registry.listeners) if (l.type === "click" && l.name.endsWith("(.main)")) { l.f(); betClicks++; }
    }
    if (i % 900 === 0) { // and ask for a verification of the latest round
      for (const l of registry.listeners) if (l.name === "#fair-verify" && l.type === "click") await l.f();
    }
  }
  registry.pagehide?.(); // stops the connection and its timers
  equal(errors.map(String), [], "uncaught errors");
  check(betClicks > 0, "buttons were pressed");
  const t = registry.types;
  check(t.welcome === 1 && t.betAccepted >= 2 && t.result >= 2 && t.tick > 100 && t.crashed >= 3, `messages the page got: ${JSON.stringify(t)}`);
  const player = table.players.get("p-1001");
  check(player && table.history.length >= 3, `rounds played: ${table.history.length}`);
  check(elements.get("balance").textContent.endsWith(" EUR"), `balance shown: ${elements.get("balance").textContent}`);
  check(registry.calls > 1000, "the canvas was drawn");
  const checks = elements.get("fair-checks");
  check(checks, "fairness panel rendered");
});
