// The player's socket: sends hello first with the same token on every (re)connect, reconnects
// with capped exponential backoff and jitter, pings for liveness and clock samples, and gives up
// only when the server says the token is no good. Everything it touches from the outside
// (WebSocket, timers, randomness, clock) is injected so tests can drive it with fakes.

/** Close codes after which reconnecting with the same token cannot help (docs/protocol.md §5). */
const FINAL_CLOSE_CODES = new Set([4001]);

/** Delay before reconnect attempt `attempt` (0-based): 0.5 s doubling to 15 s, times 0.5…1 jitter. */
export function backoffDelay(attempt, random = Math.random) {
  const base = Math.min(15000, 500 * 2 ** Math.min(attempt, 10));
  return Math.round(base * (0.5 + 0.5 * random()));
}

export class Connection {
  /**
   * options: url, token, table, onMessage(message), onStatus(status, detail),
   * WebSocket (constructor), setTimeout, clearTimeout, random, now, pingIntervalMs, silenceLimitMs
   */
  constructor(options) {
    this.o = { pingIntervalMs: 5000, silenceLimitMs: 15000, random: Math.random, now: () => Date.now(),
      setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (h) => clearTimeout(h), ...options };
    this.socket = null;
    this.attempt = 0;
    this.welcomed = false;
    this.stopped = false;
    this.unauthenticated = false;
    this.timer = null;
    this.lastHeard = 0;
  }

  /** Opens the first connection. */
  start() {
    this.open();
  }

  /** Closes for good (page unload). */
  stop() {
    this.stopped = true;
    this.clearTimer();
    if (this.socket) this.socket.close(1000, "bye");
  }

  /** Sends a message if the session is up (welcome received); returns whether it was sent. */
  send(message) {
    if (!this.socket || !this.welcomed || this.socket.readyState !== 1) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  open() {
    const { WebSocket, url } = this.o;
    this.welcomed = false;
    this.o.onStatus(this.attempt === 0 ? "connecting" : "reconnecting", this.attempt ? `attempt ${this.attempt + 1}` : "");
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.onopen = () => {
      if (socket !== this.socket) return;
      socket.send(JSON.stringify({ type: "hello", token: this.o.token, table: this.o.table }));
      this.lastHeard = this.o.now();
      this.schedulePing();
    };
    socket.onmessage = (event) => {
      if (socket !== this.socket) return;
      this.lastHeard = this.o.now();
      let message;
      try { message = JSON.parse(event.data); } catch { return; } // the server sends JSON; ignore anything else
      if (message.type === "welcome") {
        this.welcomed = true;
        this.attempt = 0;
        this.o.onStatus("open", "");
      }
      if (message.type === "error" && message.code === "unauthenticated") this.unauthenticated = true;
      this.o.onMessage(message);
    };
    socket.onclose = (event) => {
      if (socket !== this.socket) return;
      this.socket = null;
      this.welcomed = false;
      this.clearTimer();
      if (this.stopped) return;
      if ((event.code === 1008 && this.unauthenticated) || FINAL_CLOSE_CODES.has(event.code)) {
        this.stopped = true;
        this.o.onStatus("stopped", event.code === 4001 ? "This player opened the game elsewhere." : "The token was refused: open the page with a new token.");
        return;
      }
      const delay = backoffDelay(this.attempt, this.o.random);
      this.attempt++;
      this.o.onStatus("reconnecting", `retrying in ${(delay / 1000).toFixed(1)} s`);
      this.timer = this.o.setTimeout(() => { this.timer = null; this.open(); }, delay);
    };
    socket.onerror = () => {}; // a close event always follows
  }

  schedulePing() {
    this.clearTimer();
    this.timer = this.o.setTimeout(() => {
      this.timer = null;
      const socket = this.socket;
      if (!socket) return;
      if (this.o.now() - this.lastHeard > this.o.silenceLimitMs) {
        // A silent server (half-open TCP): drop it and reconnect rather than wait for the OS.
        socket.close(4002, "silent");
        socket.onclose({ code: 4002 });
        return;
      }
      if (this.welcomed) socket.send(JSON.stringify({ type: "ping", t: this.o.now() }));
      this.schedulePing();
    }, this.o.pingIntervalMs);
  }

  clearTimer() {
    if (this.timer !== null) { this.o.clearTimeout(this.timer); this.timer = null; }
  }
}
