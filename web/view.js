// What each part of the page shows for a given state: pure functions from state to text and
// classes, so the rules (which button, which label, which payout) are tested without a DOM.

import { bettingOpen, serverNow } from "./state.js";
import { formatMinor, formatHundredths, payoutMinor } from "./format.js";

/** The main button and note of bet panel `index` at local time `now`. */
export function panelView(state, index, now) {
  const p = state.panels[index];
  const t = serverNow(state, now);
  const open = bettingOpen(state, t);
  const round = state.round;
  const phase = round ? round.phase : null;
  const money = (minor) => `${formatMinor(minor, state.exponent)} ${state.currency}`;
  const view = { label: "Bet", sub: "", kind: "bet", disabled: !state.ready, note: "", editable: true };
  switch (p.status) {
    case "idle":
      view.sub = open ? "" : "next round";
      break;
    case "queued":
      Object.assign(view, { label: "Cancel", kind: "cancel", sub: "waiting for the next round", editable: false,
        note: `${money(p.amountMinor)}${p.autoHundredths ? ` · auto ${formatHundredths(p.autoHundredths)}x` : ""}` });
      break;
    case "pending":
      Object.assign(view, { label: "Placing…", kind: "wait", disabled: true, editable: false });
      break;
    case "cancelling":
      Object.assign(view, { label: "Cancelling…", kind: "wait", disabled: true, editable: false });
      break;
    case "placed":
    case "cashingOut": {
      view.editable = false;
      const auto = p.autoHundredths ? ` · auto ${formatHundredths(p.autoHundredths)}x` : "";
      view.note = `${money(p.amountMinor)} in the round${auto}`;
      if (phase === "betting" && round.number === p.round && p.status === "placed") {
        Object.assign(view, { label: "Cancel", kind: "cancel", disabled: false });
      } else if (phase === "flying" && round.number === p.round) {
        const m = state.predictor.valueAt(t) ?? 100;
        const payout = payoutMinor(p.amountMinor, m, state.limits.maxWinMinor);
        Object.assign(view, { label: p.status === "cashingOut" ? "Cashing out…" : "Cash out", kind: "cashout",
          sub: money(payout), disabled: p.status === "cashingOut" });
      } else {
        Object.assign(view, { label: "Waiting for take-off", kind: "wait", disabled: true });
      }
      break;
    }
    case "cashedOut":
      Object.assign(view, { sub: "next round", note: `Won ${money(p.payoutMinor)} at ${formatHundredths(p.multiplierHundredths)}x`, noteKind: "win" });
      break;
    case "lost":
      Object.assign(view, { sub: "next round", note: `Lost ${money(p.amountMinor)}`, noteKind: "loss" });
      break;
    case "refunded":
      Object.assign(view, { sub: open ? "" : "next round", note: "Round voided: stake refunded" });
      break;
    case "rejected":
      Object.assign(view, { sub: open ? "" : "next round", note: "The bet was rejected: stake returned", noteKind: "loss" });
      break;
  }
  return view;
}

/** The big number and the line under it. */
export function stageView(state, now) {
  const t = serverNow(state, now);
  const round = state.round;
  if (!state.ready || !round) return { big: "", line: state.ready ? "Waiting for the first round" : "", kind: "idle" };
  const value = state.predictor.valueAt(t);
  switch (round.phase) {
    case "betting": {
      const left = Math.max(0, round.bettingClosesAt - t);
      return { big: "", line: `Place your bets · ${(left / 1000).toFixed(1)} s`, kind: "betting", progress: left / Math.max(1, round.bettingClosesAt - round.openedAt) };
    }
    case "closed": return { big: "", line: "Bets closed · taking off", kind: "closed" };
    case "flying": return { big: `${formatHundredths(value ?? 100)}x`, line: `Round ${round.number}`, kind: "flying" };
    case "crashed": return { big: `${formatHundredths(round.crashPointHundredths)}x`, line: "Flew away!", kind: "crashed" };
    case "voided": return { big: "", line: "Round voided: bets refunded", kind: "voided" };
  }
  return { big: "", line: "", kind: "idle" };
}
