// The contact card: stage and nurture badges, harmony and depth meters, evidence, why, next step, a month chart.
// Shared by the task pane and the preview page.
import { h, svg } from "./dom.js";

const STAGES = { contact: "Contact", rapport: "Rapport", relationship: "Relationship" };
const NURTURES = { active: "Active", cooling: "Cooling", dormant: "Dormant" };
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export const stageLabel = (stage) => STAGES[String(stage).toLowerCase()] ?? "Unknown";
export const nurtureLabel = (nurture) => NURTURES[String(nurture).toLowerCase()] ?? "Unknown";

/** Flags arrive as an array of names (["oneWayInbound", "automated"]); a comma-separated string is read too. */
export function flagsOf(profile) {
  const raw = profile?.flags;
  const list = Array.isArray(raw) ? raw : String(raw ?? "").split(",");
  return new Set(list.map((f) => String(f).trim().toLowerCase()).filter(Boolean));
}
export const isAutomated = (profile) => flagsOf(profile).has("automated");

export function stageBadge(stage) {
  const key = String(stage).toLowerCase();
  return h("span", { class: `badge stage-${key}` }, stageLabel(stage));
}
export function nurtureBadge(nurture) {
  const key = String(nurture).toLowerCase();
  return h("span", { class: `badge nurture-${key}` }, nurtureLabel(nurture));
}

function meter(label, value, kind) {
  const v = Math.max(0, Math.min(100, Math.round(Number(value) || 0)));
  return [
    h("span", { id: `meter-${kind}-label` }, label),
    h("div", {
      class: `meter ${kind}`, role: "meter", "aria-labelledby": `meter-${kind}-label`,
      "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": v, "aria-valuetext": `${v} out of 100`,
    }, h("span", { style: `width:${v}%` })),
    h("span", { class: "meter-value", "aria-hidden": "true" }, v),
  ];
}

export function formatMonth(date) {
  const d = new Date(date);
  return Number.isNaN(d.getTime()) ? "" : `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

function ago(days) {
  if (days === null || days === undefined || Number.isNaN(Number(days))) return "";
  const d = Math.floor(Number(days));
  if (d <= 0) return "today";
  if (d === 1) return "yesterday";
  if (d < 60) return `${d} days ago`;
  if (d < 730) return `${Math.round(d / 30)} months ago`;
  return `${Math.round(d / 365)} years ago`;
}

function hours(value) {
  if (value === null || value === undefined) return null;
  const v = Number(value);
  if (v < 1) return `${Math.max(1, Math.round(v * 60))} min`;
  if (v < 48) return `${Math.round(v)} h`;
  return `${Math.round(v / 24)} days`;
}

const plural = (n, one, many = one + "s") => `${n} ${n === 1 ? one : many}`;

export function evidenceLines(e = {}) {
  const lines = [];
  if (e.firstInteraction) lines.push(`Since ${formatMonth(e.firstInteraction)}${e.activeMonths ? `, active in ${plural(e.activeMonths, "month")}` : ""}`);
  lines.push(`${plural(e.messagesSent ?? 0, "message")} from you, ${e.messagesReceived ?? 0} from them`);
  if (e.sharedThreads) lines.push(`${plural(e.sharedThreads, "shared thread")}`);
  if (e.sharedMeetings) lines.push(`${plural(e.sharedMeetings, "meeting")}, ${Number(e.meetingHours ?? 0).toFixed(1).replace(/\.0$/, "")} h together`);
  const mine = hours(e.medianReplyHoursMine), theirs = hours(e.medianReplyHoursTheirs);
  if (mine || theirs) lines.push(`Replies: you ${mine ? "in ~" + mine : "never"}, they ${theirs ? "in ~" + theirs : "never"}`);
  if (e.lastInteraction) lines.push(`Last contact ${ago(e.silenceDays)} (${new Date(e.lastInteraction).toISOString().slice(0, 10)})`);
  return lines;
}

/**
 * "Became Rapport in Mar 2024" from the API's stage history ([{at, stage, nurture}], oldest first). The first row
 * is only when recording began, so a line is shown only for a real change of stage.
 */
export function historyLine(profile) {
  const history = Array.isArray(profile?.stageHistory) ? profile.stageHistory : [];
  for (let i = history.length - 1; i > 0; i--) {
    const now = String(history[i].stage).toLowerCase(), before = String(history[i - 1].stage).toLowerCase();
    if (now !== before) return `Became ${stageLabel(now)} in ${formatMonth(history[i].at ?? history[i].since)}`;
  }
  return null;
}

/** Last 12 months (ending at the profile's month) of messages as stacked bars and meetings as dots. */
export function monthChart(profile) {
  const asOf = new Date(profile?.asOf ?? Date.now());
  const timeline = Array.isArray(profile?.timeline) ? profile.timeline : [];
  const byMonth = new Map(timeline.map((m) => [`${m.year}-${m.month}`, m]));
  const months = [];
  for (let i = 11; i >= 0; i--) {
    const d = new Date(Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth() - i, 1));
    const m = byMonth.get(`${d.getUTCFullYear()}-${d.getUTCMonth() + 1}`) ?? {};
    months.push({ label: MONTHS[d.getUTCMonth()], year: d.getUTCFullYear(), sent: m.sent ?? 0, received: m.received ?? 0, meetings: m.meetings ?? 0 });
  }
  const max = Math.max(1, ...months.map((m) => m.sent + m.received));
  const W = 288, H = 96, top = 12, bottom = 16, slot = W / 12, barW = slot * 0.6, plot = H - top - bottom;
  const totalMessages = months.reduce((s, m) => s + m.sent + m.received, 0);
  const totalMeetings = months.reduce((s, m) => s + m.meetings, 0);
  const busiest = months.reduce((a, m) => (m.sent + m.received > a.sent + a.received ? m : a), months[0]);
  const summary = `Messages and meetings by month, last 12 months: ${plural(totalMessages, "message")} and ${plural(totalMeetings, "meeting")}` +
    (totalMessages ? `; busiest ${busiest.label} ${busiest.year} with ${busiest.sent + busiest.received}.` : ".");

  const bars = months.flatMap((m, i) => {
    const x = i * slot + (slot - barW) / 2;
    const hr = (m.received / max) * plot, hs = (m.sent / max) * plot;
    const base = H - bottom;
    return [
      svg("g", null,
        svg("title", null, `${m.label} ${m.year}: ${m.sent} sent, ${m.received} received, ${m.meetings} meetings`),
        hr > 0 ? svg("rect", { class: "received", x: x.toFixed(1), y: (base - hr).toFixed(1), width: barW.toFixed(1), height: hr.toFixed(1), rx: 1 }) : null,
        hs > 0 ? svg("rect", { class: "sent", x: x.toFixed(1), y: (base - hr - hs).toFixed(1), width: barW.toFixed(1), height: hs.toFixed(1), rx: 1 }) : null,
        m.meetings > 0 ? svg("circle", { class: "meeting", cx: (x + barW / 2).toFixed(1), cy: 6, r: Math.min(5, 2 + m.meetings) }) : null,
        svg("text", { class: "axis", x: (x + barW / 2).toFixed(1), y: H - 4, "text-anchor": "middle" }, m.label[0])),
    ];
  });
  return h("figure", { class: "chart" },
    svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": summary },
      svg("line", { class: "baseline", x1: 0, x2: W, y1: H - bottom + 0.5, y2: H - bottom + 0.5 }),
      bars),
    h("figcaption", { class: "legend", "aria-hidden": "true" },
      h("span", null, h("i", { class: "sent" }), "sent"),
      h("span", null, h("i", { class: "received" }), "received"),
      h("span", null, h("i", { class: "meeting" }), "meetings")));
}

const text = (value) => (typeof value === "string" && value.trim() ? value : null);

/**
 * What to do today, as the API words it: threads waiting on you and on them, the next expected contact by the tie's
 * own rhythm, and reply-time drift. Only lines the API filled in are shown.
 */
export function followUpLines(profile) {
  return [
    ["waiting-you", text(profile?.waitingOnYou?.summary)],
    ["waiting-them", text(profile?.waitingOnThem?.summary)],
    ["rhythm", text(profile?.nextContact?.summary)],
    ["drift-theirs", text(profile?.replyDrift?.theirs?.summary)],
    ["drift-mine", text(profile?.replyDrift?.mine?.summary)],
  ].filter(([, line]) => line);
}

function followUp(profile, headingId) {
  const lines = followUpLines(profile);
  if (!lines.length) return null;
  return h("section", { class: "follow-up", "aria-labelledby": `${headingId}-follow-up` },
    h("h3", { id: `${headingId}-follow-up` }, "Follow-up"),
    h("ul", { class: "follow-up" }, lines.map(([kind, line]) => h("li", { class: kind }, line))));
}

const ANSWERS = [["right", "Right"], ["closer", "Closer than this"], ["less", "Less than this"], ["notAPerson", "Not a person"]];
const answerLabel = (answer) => ANSWERS.find(([a]) => a === answer)?.[1] ?? "";

/**
 * "Is this right?": one click stores the answer about the stage shown (the API keeps one per contact). "Not a person"
 * sets the address apart as an automated sender, so the card is reloaded through onChanged.
 */
function feedbackControl(profile, { api, onChanged, headingId }) {
  if (!api) return null;
  const status = h("p", { class: "feedback-status muted", role: "status" });
  const buttons = ANSWERS.map(([answer, label]) =>
    h("button", { type: "button", class: "feedback-answer", "data-answer": answer, "aria-pressed": "false", onclick: () => send(answer) }, label));
  const mark = (answer) => buttons.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.answer === answer)));
  async function send(answer) {
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const saved = await api.setFeedback(profile.address, answer);
      mark(saved?.answer ?? answer);
      status.textContent = answer === "notAPerson"
        ? "Saved: this address is kept out of the stages from now on."
        : `Saved: “${answerLabel(answer)}”. Thank you, this is how the model learns.`;
      if (answer === "notAPerson") onChanged?.();
    } catch (error) {
      status.textContent = `Not saved: ${error?.message || "the service did not answer"}.`;
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }
  api.feedback(profile.address).then((f) => { if (f?.answer) mark(f.answer); }).catch(() => { /* the buttons still work */ });
  return h("section", { class: "feedback", "aria-labelledby": `${headingId}-feedback` },
    h("h3", { id: `${headingId}-feedback` }, "Is this right?"),
    h("p", { class: "muted" }, `The stage shown: ${stageLabel(profile.stage)}.`),
    h("div", { class: "feedback-buttons", role: "group", "aria-labelledby": `${headingId}-feedback` }, buttons),
    status);
}

/** On an automated card: the user's own "not a person" answer, with a way back. */
function notAPersonNote(profile, { api, onChanged }) {
  if (!api) return null;
  const slot = h("div", { class: "feedback-undo" });
  api.feedback(profile.address).then((f) => {
    if (f?.answer !== "notAPerson") return;
    slot.replaceChildren(
      h("p", null, "You said this is not a person."),
      h("button", { type: "button", onclick: async () => {
        try { await api.forgetFeedback(profile.address); onChanged?.(); }
        catch (error) { slot.append(h("p", { class: "muted", role: "status" }, `Not undone: ${error?.message || "the service did not answer"}.`)); }
      } }, "Undo: it is a person"));
  }).catch(() => { /* nothing to undo */ });
  return slot;
}

/** The full card for a known, non-automated contact. */
export function contactCard(profile, { headingId = "card-title", api = null, onChanged = null } = {}) {
  const name = profile.displayName || profile.address;
  const history = historyLine(profile);
  return h("article", { class: "card", "aria-labelledby": headingId, "data-address": profile.address },
    h("h2", { id: headingId, tabindex: "-1" }, name),
    profile.displayName ? h("div", { class: "address" }, profile.address) : null,
    h("div", { class: "badges", "aria-label": `Stage ${stageLabel(profile.stage)}, ${nurtureLabel(profile.nurture)}` },
      stageBadge(profile.stage), nurtureBadge(profile.nurture)),
    history ? h("p", { class: "muted history" }, history) : null,
    followUp(profile, headingId),
    h("div", { class: "meters" }, meter("Harmony", profile.harmony, "harmony"), meter("Depth", profile.depth, "depth")),
    h("h3", null, "Evidence"),
    h("ul", { class: "evidence" }, evidenceLines(profile.evidence).map((line) => h("li", null, line))),
    profile.reasons?.length ? [h("h3", null, "Why"), h("ul", { class: "reasons" }, profile.reasons.map((r) => h("li", null, r)))] : null,
    profile.nextStep ? [h("h3", null, "Next step"), h("p", { class: "next-step" }, profile.nextStep)] : null,
    h("h3", null, "By month"),
    monthChart(profile),
    feedbackControl(profile, { api, onChanged, headingId }));
}

/** A mailer, list or no-reply address: no stage, and why it was recognised. */
export function automatedCard(profile, { headingId = "card-title", api = null, onChanged = null } = {}) {
  return h("article", { class: "card state automated", "aria-labelledby": headingId, "data-address": profile.address },
    h("h2", { id: headingId, tabindex: "-1" }, profile.displayName || profile.address),
    profile.displayName ? h("div", { class: "address" }, profile.address) : null,
    h("div", { class: "badges" }, h("span", { class: "badge badge-automated" }, "Automated sender")),
    h("p", null, "This looks like a mailer, list or no-reply address, so MailRapport keeps it out of relationship stages."),
    profile.automatedReason ? h("p", { class: "muted automated-reason" }, `Recognised by: ${profile.automatedReason}`) : null,
    h("ul", { class: "evidence" }, h("li", null, `${plural(profile.evidence?.messagesReceived ?? 0, "message")} received, ${profile.evidence?.messagesSent ?? 0} sent`)),
    notAPersonNote(profile, { api, onChanged }));
}

/** An address with no stored interaction at all. */
export function neverSeenCard(address, displayName, { headingId = "card-title" } = {}) {
  return h("article", { class: "card state never-seen", "aria-labelledby": headingId, "data-address": address },
    h("h2", { id: headingId, tabindex: "-1" }, displayName || address),
    displayName ? h("div", { class: "address" }, address) : null,
    h("div", { class: "badges" }, h("span", { class: "badge badge-new" }, "New")),
    h("p", null, "You have no history with this person yet: no mail or meetings in the scanned mailbox."),
    h("p", { class: "muted" }, "A reply starts the tie; it shows up here after the next scan."));
}

/** The card for whatever the API answered about one address. */
export function cardFor(profile, address, displayName, options) {
  if (!profile) return neverSeenCard(address, displayName, options);
  if (isAutomated(profile)) return automatedCard(profile, options);
  return contactCard(profile, options);
}

/** The small badge next to a person in a list. */
export function personBadge(profile, state) {
  if (state === "notFound") return h("span", { class: "badge badge-new" }, "New");
  if (state === "error" || !profile) return h("span", { class: "badge badge-unknown" }, state === "loading" ? "…" : "?");
  if (isAutomated(profile)) return h("span", { class: "badge badge-automated" }, "Automated");
  return stageBadge(profile.stage);
}

/** What the list row says after the visible name, for screen readers: "Rapport, Active", "new, no history". */
export function personStatus(profile, state) {
  return state === "notFound" ? "new, no history" : state === "loading" ? "loading"
    : !profile ? "stage unknown" : isAutomated(profile) ? "automated sender"
    : `${stageLabel(profile.stage)}, ${nurtureLabel(profile.nurture)}`;
}
