// The player page: wires the socket, the state and the DOM. Rules live in state.js and view.js
// (tested in Node); this file only reads input, sends messages and draws.

import { Connection } from "./connection.js";
import { createState, apply, pressPanel, serverNow, fairnessInputs } from "./state.js";
import { panelView, stageView } from "./view.js";
import { exponential } from "./curve.js";
import { formatMinor, formatHundredths, parseAmount, chipClass } from "./format.js";
import { verifyRound, previousSeed, formatHundredthsBig } from "./fairness.js";

const $ = (id) => document.getElementById(id);
const now = () => performance.timeOrigin + performance.now();
const state = createState(2);
let connection = null;
let dirty = true;
const TOAST_MS = 6000;

// ---------------------------------------------------------------- boot

const params = new URLSearchParams(location.search);
const token = takeToken(params);
const table = params.get("table") || "main";

const panelElements = buildPanels();
wireFairness();

if (!token) {
  state.connection = "noToken";
  const notice = $("notice");
  notice.hidden = false;
  notice.innerHTML = "<strong>No player token.</strong> Open this page as <code>/?token=…</code> with the token your " +
    "operator gave you. For development, mint one with <code>ascent token --player ID</code>.";
} else {
  const url = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/ws`;
  connection = new Connection({
    url, token, table, WebSocket,
    onStatus: (status, detail) => { state.connection = status; state.connectionDetail = detail; dirty = true; },
    onMessage: (message) => {
      const wasReady = state.ready;
      for (const out of apply(state, message, now())) connection.send(out); // queued or resent bets
      if (message.type === "welcome") onWelcome(!wasReady);
      if (message.t !== "k") dirty = true;
    },
  });
  connection.start();
  addEventListener("pagehide", () => connection.stop());
}
requestAnimationFrame(frame);

/** The token from ?token=…, kept for this tab only and taken out of the address bar (so a shared
 *  screen or copied link does not show it); a reload finds it in sessionStorage. */
function takeToken(params) {
  let stored = null;
  try { stored = sessionStorage.getItem("ascent.token"); } catch { /* storage disabled */ }
  const fromUrl = params.get("token");
  if (!fromUrl) return stored;
  try {
    sessionStorage.setItem("ascent.token", fromUrl);
    params.delete("token");
    const rest = params.toString();
    history.replaceState(null, "", location.pathname + (rest ? `?${rest}` : "") + location.hash);
  } catch { /* keep it in the URL then */ }
  return fromUrl;
}

function onWelcome(first) {
  const limits = state.limits;
  panelElements.forEach((p, i) => {
    p.root.hidden = i >= limits.maxBetsPerPlayer;
    if (first) p.stake.value = formatMinor(Math.max(limits.minStakeMinor, Math.min(limits.maxStakeMinor, 10 ** state.exponent)), state.exponent).replace(/,/g, "");
    p.quick.replaceChildren(...quickAmounts(limits).map((minor) => {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = formatMinor(minor, state.exponent);
      b.addEventListener("click", () => { if (!p.stake.disabled) p.stake.value = formatMinor(minor, state.exponent).replace(/,/g, ""); dirty = true; });
      return b;
    }));
  });
  const f = state.fairness;
  $("fair-params").replaceChildren(...[["scheme", f.scheme], ["salt", f.salt], ["house edge", `${f.houseEdgeBasisPoints / 100}%`],
    ["terminating hash", f.terminatingHash]].flatMap(([k, v]) => [el("dt", k), el("dd", v)]));
}

function quickAmounts(limits) {
  const seen = new Set();
  return [1, 10, 50, 100].map((k) => Math.min(limits.maxStakeMinor, limits.minStakeMinor * k)).filter((m) => !seen.has(m) && seen.add(m));
}

// ---------------------------------------------------------------- bet panels

function buildPanels() {
  const template = $("panel-template");
  return state.panels.map((_, index) => {
    const root = template.content.firstElementChild.cloneNode(true);
    $("panels").append(root);
    const p = {
      root, stake: root.querySelector(".stake"), quick: root.querySelector(".quick"),
      autoOn: root.querySelector(".auto-on"), autoValue: root.querySelector(".auto-value"),
      repeatOn: root.querySelector(".repeat-on"), main: root.querySelector(".main"),
      label: root.querySelector(".main-label"), sub: root.querySelector(".main-sub"), note: root.querySelector(".note"),
      shown: "",
    };
    p.stake.value = "1.00";
    root.querySelectorAll(".step").forEach((b) => b.addEventListener("click", () => {
      const current = parseAmount(p.stake.value, state.exponent);
      if (current === null || !state.limits) return;
      const next = b.dataset.step === "half" ? Math.floor(current / 2) : current * 2;
      const clamped = Math.max(state.limits.minStakeMinor, Math.min(state.limits.maxStakeMinor, next));
      p.stake.value = formatMinor(clamped, state.exponent).replace(/,/g, "");
    }));
    p.main.addEventListener("click", () => {
      if (!connection || !connection.welcomed) { toast("notConnected", "Not connected: wait for the connection to come back."); return; }
      const result = pressPanel(state, index, {
        amount: p.stake.value, autoEnabled: p.autoOn.checked, auto: p.autoValue.value, repeat: p.repeatOn.checked,
      }, now());
      if (result.error) toast(result.error.code, result.error.message);
      if (result.send && !connection.send(result.send)) toast("notConnected", "Not connected: the request was not sent.");
      dirty = true;
    });
    p.repeatOn.addEventListener("change", () => { state.panels[index].repeat = p.repeatOn.checked; });
    return p;
  });
}

function renderPanels(t) {
  panelElements.forEach((p, i) => {
    const v = panelView(state, i, t);
    const key = JSON.stringify(v);
    if (key === p.shown) return; // the cash-out sub changes every frame; everything else rarely
    p.shown = key;
    p.label.textContent = v.label;
    p.sub.textContent = v.sub;
    p.main.className = `main ${v.kind}`;
    p.main.disabled = v.disabled;
    p.note.textContent = v.note;
    p.note.className = `note ${v.noteKind || ""}`;
    for (const input of [p.stake, p.autoOn, p.autoValue]) input.disabled = !v.editable;
    p.root.querySelectorAll(".step, .quick button").forEach((b) => { b.disabled = !v.editable; });
  });
}

// ---------------------------------------------------------------- frame loop

function frame() {
  const t = now();
  drawCurve(t);
  const stage = stageView(state, t);
  setText($("multiplier"), stage.big);
  setText($("phase"), stage.line);
  $("sky").className = `sky ${stage.kind}`;
  const track = $("countdown-track");
  track.hidden = stage.kind !== "betting";
  if (stage.kind === "betting") $("countdown").style.width = `${Math.round(stage.progress * 100)}%`;
  renderPanels(t);
  if (dirty) { dirty = false; renderLists(); }
  renderToasts(t);
  requestAnimationFrame(frame);
}

function renderLists() {
  const c = $("connection");
  const labels = { connecting: "Connecting…", open: "Online", reconnecting: "Reconnecting…", stopped: "Disconnected", noToken: "No token" };
  c.className = `connection connection-${state.connection}`;
  c.textContent = labels[state.connection] + (state.connectionDetail ? ` · ${state.connectionDetail}` : "");
  c.title = state.connectionDetail || "";
  if (state.connection === "stopped") {
    const notice = $("notice");
    notice.hidden = false;
    notice.textContent = state.connectionDetail;
  }
  setText($("player-name"), state.player ? `${state.player.name} · table ${state.table}` : "");
  const money = (minor) => `${formatMinor(minor, state.exponent)} ${state.currency}`;
  setText($("balance"), state.balance ? money(state.balance.availableMinor) : "—");
  setText($("reserved"), state.balance && state.balance.reservedMinor ? `in bets ${money(state.balance.reservedMinor)}` : "");

  // History chips, newest first.
  const history = $("history");
  const key = state.history.map((h) => h.round).join(",");
  if (history.dataset.key !== key) {
    history.dataset.key = key;
    history.replaceChildren(...state.history.map((h) => {
      const b = el("button", `${formatHundredths(h.crashPointHundredths)}x`, `chip ${chipClass(h.crashPointHundredths)}`);
      b.type = "button";
      b.title = `Round ${h.round}: verify`;
      b.addEventListener("click", () => { $("fair-round").value = String(h.round); $("fair-seed").value = ""; verifySelected(); });
      return b;
    }));
    const select = $("fair-round");
    const chosen = select.value;
    select.replaceChildren(el("option", "—"), ...state.history.map((h) => {
      const o = el("option", `#${h.round} · ${formatHundredths(h.crashPointHundredths)}x`);
      o.value = String(h.round);
      return o;
    }));
    select.firstChild.value = "";
    select.value = chosen;
  }

  // Live bets: placement order, the player's own marked; at most 200 rows drawn.
  const mine = new Set(state.panels.map((p) => p.betId).filter(Boolean));
  const rows = state.liveBets.slice(0, 200).map((b) => {
    const li = el("li", "", b.multiplierHundredths !== undefined ? "won" : b.lost ? "lost" : "");
    if (mine.has(b.betId)) li.classList.add("mine");
    li.append(el("span", b.player), el("span", formatMinor(b.amountMinor, state.exponent)),
      el("span", b.multiplierHundredths !== undefined ? `${formatHundredths(b.multiplierHundredths)}x` : b.autoCashOutHundredths ? `auto ${formatHundredths(b.autoCashOutHundredths)}` : "", "m"),
      el("span", b.payoutMinor !== undefined ? formatMinor(b.payoutMinor, state.exponent) : ""));
    return li;
  });
  if (state.liveBets.length > 200) rows.push(el("li", `and ${state.liveBets.length - 200} more`, "more"));
  $("live-list").replaceChildren(...rows);
  const total = state.liveBets.reduce((sum, b) => sum + BigInt(b.amountMinor), 0n);
  setText($("live-count"), state.liveBets.length ? `${state.liveBets.length} · ${formatMinor(total, state.exponent)} ${state.currency}` : "");

  $("top-wins").replaceChildren(...state.topWins.map((w) =>
    el("li", `${w.player} · ${formatMinor(w.payoutMinor, state.exponent)} ${state.currency} at ${formatHundredths(w.multiplierHundredths)}x (round ${w.round})`)));
}

const toastElements = new Map();
function toast(code, message) {
  state.errors.push({ code, message, at: now() });
  if (state.errors.length > 4) state.errors.shift();
  dirty = true;
}
function renderToasts(t) {
  const live = state.errors.filter((e) => t - e.at < TOAST_MS);
  for (const [e, node] of toastElements) if (!live.includes(e)) { node.remove(); toastElements.delete(e); }
  for (const e of live) {
    if (toastElements.has(e)) continue;
    const node = el("div", e.message, "toast");
    node.append(el("code", e.code));
    $("toasts").append(node);
    toastElements.set(e, node);
  }
}

// ---------------------------------------------------------------- the curve

const canvas = $("curve");
const ctx = canvas.getContext("2d");

function drawCurve(localNow) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.round(canvas.clientWidth * dpr), h = Math.round(canvas.clientHeight * dpr);
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
  ctx.clearRect(0, 0, w, h);
  const round = state.round;
  const t = serverNow(state, localNow);
  const pad = 36 * dpr;
  const flying = round && round.phase === "flying" && round.tookOffAt !== null;
  const crashed = round && round.phase === "crashed" && round.tookOffAt !== null && round.crashedAt !== null;
  let elapsed = 0;
  if (flying) elapsed = Math.max(0, t - round.tookOffAt);
  if (crashed) elapsed = Math.max(0, round.crashedAt - round.tookOffAt);
  const top = flying || crashed ? exponential(state.rate * elapsed) : 1;
  const xMax = Math.max(8000, elapsed * 1.12);
  const yMax = Math.max(2, 1 + (top - 1) * 1.2);
  const x = (ms) => pad + (ms / xMax) * (w - 2 * pad);
  const y = (m) => h - pad - ((m - 1) / (yMax - 1)) * (h - 2 * pad);

  // Axes: a few round multiplier lines and second marks.
  ctx.font = `${11 * dpr}px system-ui, sans-serif`;
  ctx.fillStyle = "#8a94a6";
  ctx.strokeStyle = "#ffffff12";
  ctx.lineWidth = dpr;
  const yStep = niceStep((yMax - 1) / 4);
  for (let m = 1; m <= yMax; m += yStep) {
    ctx.beginPath(); ctx.moveTo(pad, y(m)); ctx.lineTo(w - pad / 2, y(m)); ctx.stroke();
    ctx.fillText(`${m.toFixed(yStep < 1 ? 1 : 0)}x`, 4 * dpr, y(m) + 4 * dpr);
  }
  const xStep = niceStep(xMax / 1000 / 6) * 1000;
  for (let s = xStep; s < xMax; s += xStep) ctx.fillText(`${Math.round(s / 1000)}s`, x(s) - 6 * dpr, h - 12 * dpr);

  if (!flying && !crashed) { drawPlane(x(0) + 10 * dpr, y(1) - 10 * dpr, -0.15, dpr, 0.5); return; }

  // The curve, sampled from the same exponential the server uses.
  const steps = 160;
  ctx.beginPath();
  ctx.moveTo(x(0), y(1));
  for (let i = 1; i <= steps; i++) { const ms = (elapsed * i) / steps; ctx.lineTo(x(ms), y(exponential(state.rate * ms))); }
  const tipX = x(elapsed), tipY = y(top);
  ctx.lineTo(tipX, h - pad); ctx.lineTo(x(0), h - pad); ctx.closePath();
  const fill = ctx.createLinearGradient(0, tipY, 0, h - pad);
  fill.addColorStop(0, crashed ? "#e5484d33" : "#e5484d55"); fill.addColorStop(1, "#e5484d05");
  ctx.fillStyle = fill; ctx.fill();
  ctx.beginPath();
  ctx.moveTo(x(0), y(1));
  for (let i = 1; i <= steps; i++) { const ms = (elapsed * i) / steps; ctx.lineTo(x(ms), y(exponential(state.rate * ms))); }
  ctx.strokeStyle = crashed ? "#e5484d88" : "#e5484d"; ctx.lineWidth = 3 * dpr; ctx.stroke();

  const before = Math.max(0, elapsed - xMax / 50);
  const angle = Math.atan2(tipY - y(exponential(state.rate * before)), tipX - x(before));
  if (flying) drawPlane(tipX, tipY, angle, dpr, 1);
  else {
    // Flew away: the plane leaves the screen along its last heading within a second.
    const since = Math.max(0, t - round.crashedAt);
    if (since < 1200) drawPlane(tipX + since * 0.9 * dpr, tipY - since * 0.5 * dpr, -0.5, dpr, 1 - since / 1200);
  }
}

function drawPlane(px, py, angle, dpr, alpha) {
  ctx.save();
  ctx.globalAlpha = Math.max(0, alpha);
  ctx.translate(px, py);
  ctx.rotate(angle);
  ctx.scale(dpr, dpr);
  ctx.fillStyle = "#e5484d";
  ctx.beginPath(); // fuselage
  ctx.moveTo(18, 0); ctx.quadraticCurveTo(14, -5, 0, -4); ctx.lineTo(-16, -3); ctx.lineTo(-20, -11); ctx.lineTo(-23, -11);
  ctx.lineTo(-21, 1); ctx.lineTo(0, 4); ctx.quadraticCurveTo(14, 5, 18, 0); ctx.fill();
  ctx.beginPath(); // wing
  ctx.moveTo(4, 0); ctx.lineTo(-6, 14); ctx.lineTo(-11, 14); ctx.lineTo(-5, 0); ctx.closePath();
  ctx.fillStyle = "#b8353a"; ctx.fill();
  ctx.restore();
}

function niceStep(raw) {
  const power = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-9)));
  const n = raw / power;
  return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * power;
}

// ---------------------------------------------------------------- fairness panel

function wireFairness() {
  $("fair-verify").addEventListener("click", verifySelected);
  $("fair-round").addEventListener("change", () => { $("fair-seed").value = ""; verifySelected(); });
}

let verification = 0;
async function verifySelected() {
  const id = ++verification; // a newer click wins over a slow earlier one
  const out = $("fair-checks");
  const show = (items) => { if (id === verification) out.replaceChildren(...items); };
  if (!state.fairness) { show([el("li", "Connect first: the salt and house edge come from the server.", "info")]); return; }
  const pasted = $("fair-seed").value.trim();
  let input;
  if (pasted) {
    const number = parseInt($("fair-number").value, 10);
    const known = Number.isInteger(number) ? fairnessInputs(state, number) : null;
    const previous = Number.isInteger(number) ? state.history.find((h) => h.round === number - 1) : null;
    input = { seed: pasted, salt: state.fairness.salt, houseEdgeBasisPoints: state.fairness.houseEdgeBasisPoints,
      round: Number.isInteger(number) ? number : undefined, terminatingHash: state.fairness.terminatingHash,
      crashPointHundredths: known ? known.crashPointHundredths : undefined,
      commitment: state.commitments.get(number) ?? undefined, previousRoundSeed: previous ? previous.seed : undefined };
  } else {
    const round = parseInt($("fair-round").value, 10);
    input = fairnessInputs(state, round);
    if (!input) { show([el("li", "Pick a round from the history, or paste a seed.", "info")]); return; }
  }
  const walk = $("fair-walk").checked;
  if (!walk) input.terminatingHash = undefined;
  show([el("li", "Checking…", "info")]);
  try {
    const result = await verifyRound({ ...input, commitment: input.commitment || undefined, previousRoundSeed: input.previousRoundSeed || undefined });
    const items = [el("li", `Recomputed crash point: ${formatHundredthsBig(result.crashHundredths)}x`, "info")];
    items.push(detailed(el("li", "SHA-256(seed), the seed of the round before:", "info"), await previousSeed(input.seed)));
    for (const c of result.checks) items.push(detailed(el("li", c.name, c.ok ? "ok" : "bad"), c.detail));
    if (walk && !(input.round >= 1 && input.round <= 100000)) items.push(el("li", "Hashing back to the terminating hash needs a round number of at most 100,000.", "info"));
    if (!result.checks.length) items.push(el("li", "Nothing to compare with: give the round number to check it against the history.", "info"));
    if (!input.commitment && !pasted) items.push(el("li", "This round opened before the page connected, so its commitment was not seen here; the previous round's seed proves the chain instead.", "info"));
    show(items);
  } catch (error) {
    show([el("li", error.message, "bad")]);
  }
}

function detailed(li, detail) {
  li.append(el("span", detail, "detail"));
  return li;
}

// ---------------------------------------------------------------- helpers

function el(tag, text = "", className = "") {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}
