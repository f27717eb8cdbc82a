// The local preview, the overview a user opens first: stage counts month by month, what the mailbox holds, who is
// waiting on you, who needs nurturing (most overdue by their own rhythm first), every contact by stage, search, and
// the same card as the pane.
import { ApiError, createApi, loadConfig } from "./api.js";
import { createAuth } from "./auth.js";
import { h, svg } from "./dom.js";
import { cardFor, isAutomated, nurtureBadge, stageBadge, stageLabel } from "./card.js";
import { failureView } from "./states.js";

const lists = document.getElementById("lists");
const card = document.getElementById("card");
const summary = document.getElementById("summary");
const search = document.getElementById("search");
const stageMonths = document.getElementById("stage-months");
let api = null, auth = null, contacts = [], config = null;

const STAGE_ORDER = ["relationship", "rapport", "contact"];
const stageOf = (c) => String(c.stage).toLowerCase();
const nurtureOf = (c) => String(c.nurture).toLowerCase();
const needsNurturing = (c) => !isAutomated(c) && (stageOf(c) === "rapport" || stageOf(c) === "relationship") && (nurtureOf(c) === "cooling" || nurtureOf(c) === "dormant");
const byStrength = (a, b) => (b.strength ?? 0) - (a.strength ?? 0) || String(a.address).localeCompare(String(b.address));
const waitingOnYou = (c) => !isAutomated(c) && Number(c.waitingOnYou?.threads) > 0;
const byOldestWaiting = (a, b) => Number(b.waitingOnYou?.oldestDays ?? 0) - Number(a.waitingOnYou?.oldestDays ?? 0) || byStrength(a, b);
// Most overdue by the tie's own rhythm first; ties whose rhythm is unknown after them, by strength.
const overdue = (c) => (typeof c.nextContact?.overdueFactor === "number" && c.nextContact?.known ? c.nextContact.overdueFactor : -1);
const byOverdue = (a, b) => overdue(b) - overdue(a) || byStrength(a, b);
const line = (value) => (typeof value === "string" && value.trim() ? value : null);

function row(contact, detail) {
  const name = contact.displayName || contact.address;
  const text = line(detail?.(contact));
  return h("li", { "data-address": contact.address },
    h("button", { type: "button", onclick: () => openCard(contact) },
      h("span", { class: "visually-hidden" }, "Open card for "),
      h("span", { class: "who" }, h("span", null, name), contact.displayName ? h("span", { class: "address" }, contact.address) : null,
        text ? h("span", { class: "detail" }, text) : null),
      isAutomated(contact) ? h("span", { class: "badge badge-automated" }, "Automated") : [stageBadge(contact.stage), nurtureBadge(contact.nurture)]));
}

function group(id, title, items, { note, detail } = {}) {
  return h("section", { class: "group", id, "aria-labelledby": `${id}-title` },
    h("h2", { id: `${id}-title` }, `${title} (${items.length})`),
    note ? h("p", { class: "muted" }, note) : null,
    items.length ? h("ul", { class: "people" }, items.map((c) => row(c, detail))) : h("p", { class: "muted" }, "None."));
}

function render() {
  const q = search.value.trim().toLowerCase();
  const shown = contacts.filter((c) => !q || String(c.address).toLowerCase().includes(q) || String(c.displayName ?? "").toLowerCase().includes(q));
  const people = shown.filter((c) => !isAutomated(c));
  const automated = shown.filter(isAutomated);
  lists.dataset.state = "ready";
  lists.setAttribute("aria-busy", "false");
  lists.replaceChildren(...[
    q ? h("p", { class: "muted", id: "search-count" }, `${shown.length} of ${contacts.length} contacts match “${search.value.trim()}”.`) : null,
    group("waiting-on-you", "Waiting on you", people.filter(waitingOnYou).sort(byOldestWaiting),
      { note: "Threads whose last message is theirs, unanswered for longer than you usually take to answer them. Longest wait first.", detail: (c) => c.waitingOnYou?.summary }),
    group("needs-nurturing", "Needs nurturing", people.filter(needsNurturing).sort(byOverdue),
      { note: "Rapport and Relationship ties that have gone Cooling or Dormant, most overdue by their own rhythm first.", detail: (c) => c.nextContact?.summary }),
    STAGE_ORDER.map((stage) => group(`stage-${stage}`, stageLabel(stage), people.filter((c) => stageOf(c) === stage).sort(byStrength))),
    automated.length ? h("details", { class: "group", id: "automated" },
      h("summary", null, `Automated senders (${automated.length})`),
      h("ul", { class: "people" }, automated.sort(byStrength).map((c) => row(c)))) : null,
  ].flat().filter(Boolean));
}

async function openCard(contact) {
  card.replaceChildren(h("p", { class: "muted" }, "Loading…"));
  card.setAttribute("aria-busy", "true");
  try {
    const full = await api.contact(contact.address); // the detail answer carries the stage history
    // "Not a person" (or its undo) changes the stage: reload the list and the card.
    const onChanged = async () => { contacts = await api.allContacts().catch(() => contacts); render(); openCard(contact); };
    card.replaceChildren(cardFor(full, contact.address, contact.displayName, { api, onChanged }));
  } catch (error) {
    if (error instanceof ApiError && error.kind === "notFound") card.replaceChildren(cardFor(null, contact.address, contact.displayName));
    else card.replaceChildren(failureView(error, { localMode: config?.localMode ?? true, onRetry: () => openCard(contact), onSignIn: () => openCard(contact) })[1]);
  }
  card.setAttribute("aria-busy", "false");
  card.querySelector("h2")?.focus();
}

function renderSummary(me) {
  const stages = me?.stages ?? {};
  const when = (v) => (v ? new Date(v).toLocaleString() : "not yet");
  // replaceChildren would print an empty slot as "null": keep only what is there.
  summary.replaceChildren(...[
    h("p", null, h("strong", null, me?.mailbox ?? "Your mailbox"),
      h("span", { class: "muted" }, ` · last scan ${when(me?.lastScanFinishedAt)}`)),
    me?.firstScanPending ? h("div", { class: "banner first-scan" }, "The first scan is running; stages fill in when it finishes.") : null,
    me?.coverage?.summary ? h("p", { class: "muted", id: "coverage" }, `What your mailbox holds: ${me.coverage.summary}.`) : null,
    h("div", { class: "counts" }, STAGE_ORDER.map((s) =>
      typeof stages[s] === "number" ? h("span", { class: `badge stage-${s}` }, `${stageLabel(s)}: ${stages[s]}`) : null)),
  ].filter(Boolean));
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const STACK = ["contact", "rapport", "relationship"];

/** People per stage at the end of each month: stacked bars, with the same numbers as a table for screen readers. */
function renderStageMonths(body) {
  const months = Array.isArray(body?.months) ? body.months : [];
  if (!months.length) { stageMonths.hidden = true; return; }
  const total = (m) => STACK.reduce((s, k) => s + (Number(m[k]) || 0), 0);
  const max = Math.max(1, ...months.map(total));
  const W = 600, H = 150, top = 8, bottom = 18, slot = W / months.length, barW = slot * 0.7, plot = H - top - bottom;
  const name = (m) => `${MONTHS[(m.month - 1) % 12]} ${m.year}`;
  const last = months[months.length - 1];
  const label = `People per stage at the end of each month, ${name(months[0])} to ${name(last)}; ${name(last)}: ` +
    STACK.map((k) => `${Number(last[k]) || 0} ${stageLabel(k)}`).join(", ") + ".";
  const bars = months.map((m, i) => {
    const x = i * slot + (slot - barW) / 2;
    let y = H - bottom;
    const rects = STACK.map((k) => {
      const height = ((Number(m[k]) || 0) / max) * plot;
      y -= height;
      return height > 0 ? svg("rect", { class: `s-${k}`, x: x.toFixed(1), y: y.toFixed(1), width: barW.toFixed(1), height: height.toFixed(1) }) : null;
    });
    return svg("g", null, svg("title", null, `${name(m)}: ` + STACK.map((k) => `${Number(m[k]) || 0} ${stageLabel(k)}`).join(", ")), rects,
      svg("text", { class: "axis", x: (x + barW / 2).toFixed(1), y: H - 5, "text-anchor": "middle" }, MONTHS[(m.month - 1) % 12][0]));
  });
  stageMonths.hidden = false;
  document.getElementById("stage-chart").replaceChildren(
    h("figure", { class: "chart stage-chart" },
      svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": label },
        svg("line", { class: "baseline", x1: 0, x2: W, y1: H - bottom + 0.5, y2: H - bottom + 0.5 }), bars),
      h("figcaption", { class: "legend", "aria-hidden": "true" }, STACK.map((k) => h("span", null, h("i", { class: `s-${k}` }), stageLabel(k))))),
    h("details", { class: "stage-table" },
      h("summary", null, "The same as a table"),
      h("table", null,
        h("caption", { class: "visually-hidden" }, "People per stage at the end of each month"),
        h("thead", null, h("tr", null, h("th", { scope: "col" }, "Month"), STACK.map((k) => h("th", { scope: "col" }, stageLabel(k))))),
        h("tbody", null, months.map((m) => h("tr", null, h("th", { scope: "row" }, name(m)), STACK.map((k) => h("td", null, String(Number(m[k]) || 0)))))))));
}

async function signInAndReload() {
  try {
    await auth?.getToken({ interactive: true }); // a popup, from the click
    location.reload();
  } catch (error) {
    lists.replaceChildren(failureView(error, { localMode: false, onRetry: () => location.reload(), onSignIn: signInAndReload })[1]);
  }
}

async function start() {
  try {
    config = await loadConfig();
    auth = await createAuth(config);
    api = createApi(config, auth);
    const [me, all, months] = await Promise.all([api.me().catch(() => null), api.allContacts(), api.stagesByMonth().catch(() => null)]);
    contacts = all;
    renderSummary(me);
    renderStageMonths(months);
    render();
  } catch (error) {
    const [state, view] = failureView(error instanceof ApiError ? error : new ApiError("server", String(error?.message ?? error)),
      { localMode: config?.localMode ?? true, onRetry: () => location.reload(), onSignIn: signInAndReload });
    lists.dataset.state = state;
    lists.setAttribute("aria-busy", "false");
    lists.replaceChildren(view);
    summary.replaceChildren();
  }
  search.addEventListener("input", () => { if (contacts.length) render(); });
}

start();
