// The local preview: every contact grouped by stage, a "needs nurturing" list, search, and the same card as the pane.
import { ApiError, createApi, loadConfig } from "./api.js";
import { createAuth } from "./auth.js";
import { h } from "./dom.js";
import { cardFor, isAutomated, nurtureBadge, stageBadge, stageLabel } from "./card.js";
import { failureView } from "./states.js";

const lists = document.getElementById("lists");
const card = document.getElementById("card");
const summary = document.getElementById("summary");
const search = document.getElementById("search");
let api = null, auth = null, contacts = [], config = null;

const STAGE_ORDER = ["relationship", "rapport", "contact"];
const stageOf = (c) => String(c.stage).toLowerCase();
const nurtureOf = (c) => String(c.nurture).toLowerCase();
const needsNurturing = (c) => !isAutomated(c) && (stageOf(c) === "rapport" || stageOf(c) === "relationship") && (nurtureOf(c) === "cooling" || nurtureOf(c) === "dormant");
const byStrength = (a, b) => (b.strength ?? 0) - (a.strength ?? 0) || String(a.address).localeCompare(String(b.address));

function row(contact) {
  const name = contact.displayName || contact.address;
  return h("li", { "data-address": contact.address },
    h("button", { type: "button", "aria-label": `Open card for ${name}: ${stageLabel(contact.stage)}, ${contact.nurture}`, onclick: () => openCard(contact) },
      h("span", { class: "who" }, h("span", null, name), contact.displayName ? h("span", { class: "address" }, contact.address) : null),
      isAutomated(contact) ? h("span", { class: "badge badge-automated" }, "Automated") : [stageBadge(contact.stage), nurtureBadge(contact.nurture)]));
}

function group(id, title, items, { note } = {}) {
  return h("section", { class: "group", id, "aria-labelledby": `${id}-title` },
    h("h2", { id: `${id}-title` }, `${title} (${items.length})`),
    note ? h("p", { class: "muted" }, note) : null,
    items.length ? h("ul", { class: "people" }, items.map(row)) : h("p", { class: "muted" }, "None."));
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
    group("needs-nurturing", "Needs nurturing", people.filter(needsNurturing).sort(byStrength),
      { note: "Rapport and Relationship ties that have gone Cooling or Dormant." }),
    STAGE_ORDER.map((stage) => group(`stage-${stage}`, stageLabel(stage), people.filter((c) => stageOf(c) === stage).sort(byStrength))),
    automated.length ? h("details", { class: "group", id: "automated" },
      h("summary", null, `Automated senders (${automated.length})`),
      h("ul", { class: "people" }, automated.sort(byStrength).map(row))) : null,
  ].flat().filter(Boolean));
}

async function openCard(contact) {
  card.replaceChildren(h("p", { class: "muted" }, "Loading…"));
  card.setAttribute("aria-busy", "true");
  try {
    const full = await api.contact(contact.address); // the detail answer carries the stage history
    card.replaceChildren(cardFor(full, contact.address, contact.displayName));
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
    const [me, all] = await Promise.all([api.me().catch(() => null), api.allContacts()]);
    contacts = all;
    renderSummary(me);
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
