// The Outlook task pane: on each selected mail (ItemChanged when pinned), the sender's card and the other people.
import { ApiError, createApi, loadConfig } from "./api.js";
import { createAuth } from "./auth.js";
import { h } from "./dom.js";
import { cardFor, isAutomated, personBadge, personStatus } from "./card.js";
import { failureView, loadingView, messageView } from "./states.js";

const main = document.getElementById("main");
const others = document.getElementById("others");
const people = document.getElementById("people");
const banner = document.getElementById("banner");
const context = document.getElementById("context");

const session = { config: null, api: null, seq: 0, popupTried: false, mail: null };

function show(state, view, { focus = false } = {}) {
  main.dataset.state = state;
  context.hidden = !["card", "never-seen", "automated"].includes(state);
  main.setAttribute("aria-busy", state === "loading" ? "true" : "false");
  main.replaceChildren(view);
  if (focus) main.querySelector("h2")?.focus();
}

function fail(error, { focus = false } = {}) {
  const [state, view] = failureView(error, {
    localMode: session.config?.localMode ?? true,
    onRetry: () => loadMail({ focus: true }),
    onSignIn: async () => {
      session.popupTried = true;
      show("loading", loadingView());
      try {
        await session.auth.getToken({ interactive: true });
        await loadMail({ focus: true });
      } catch (e) {
        fail(e, { focus: true });
      }
    },
  });
  show(state, view, { focus });
}

const normalize = (address) => String(address ?? "").trim().toLowerCase();
const asList = (value) => (Array.isArray(value) ? value : []);

/** Sender first; when the owner sent the mail, the first recipient takes the sender's place. */
export function readPeople(item, ownerAddress) {
  const owner = normalize(ownerAddress);
  const from = item.from ?? item.sender;
  const everyone = [from, ...asList(item.to), ...asList(item.cc)]
    .filter((p) => p && normalize(p.emailAddress).includes("@"))
    .map((p) => ({ address: normalize(p.emailAddress), name: (p.displayName ?? "").trim() }));
  const unique = [...new Map(everyone.map((p) => [p.address, p])).values()];
  const fromOwner = !!from && normalize(from.emailAddress) === owner;
  const lead = (fromOwner ? unique.find((p) => p.address !== owner) : unique.find((p) => p.address === normalize(from?.emailAddress))) ?? unique[0] ?? null;
  return { lead, fromOwner, others: unique.filter((p) => p !== lead && p.address !== owner).slice(0, 30) };
}

async function loadMail({ focus = false } = {}) {
  const seq = ++session.seq;
  const item = Office.context.mailbox.item;
  others.hidden = true;
  people.replaceChildren();
  if (!item) {
    context.textContent = "";
    show("no-item", messageView("no-item", "mail", "Select a message", "Pick a mail to see where you stand with the people on it."), { focus });
    return;
  }
  session.mail = readPeople(item, Office.context.mailbox.userProfile?.emailAddress);
  const { lead, fromOwner } = session.mail;
  if (!lead) {
    context.textContent = "";
    show("no-item", messageView("no-item", "mail", "No one to show", "This mail has no sender or recipients the pane can read."), { focus });
    return;
  }
  session.leadContext = fromOwner ? "You sent this mail. First recipient:" : "Sender:";
  context.textContent = session.leadContext;
  show("loading", loadingView());
  refreshBanner(seq);
  const interactive = !session.config.localMode && !session.popupTried;
  if (interactive) session.popupTried = true; // silent first, one automatic popup, then the Sign in button
  await showPerson(lead, seq, { interactive, focus });
  if (seq === session.seq && main.dataset.state !== "signed-out" && main.dataset.state !== "unreachable") renderOthers(seq);
}

async function showPerson(person, seq, { interactive = false, focus = false, back = null } = {}) {
  try {
    const profile = await session.api.contact(person.address, { interactive });
    if (seq !== session.seq) return;
    // "Not a person" (or its undo) changes the stage: show the card again as the API now answers.
    const onChanged = () => {
      if (seq !== session.seq) return;
      const again = ++session.seq;
      people.replaceChildren();
      others.hidden = true;
      showPerson(person, again, { focus: true, back }).then(() => { if (again === session.seq) renderOthers(again); });
    };
    show(isAutomated(profile) ? "automated" : "card", withBack(cardFor(profile, person.address, person.name, { api: session.api, onChanged }), back), { focus });
  } catch (error) {
    if (seq !== session.seq) return;
    if (error instanceof ApiError && error.kind === "notFound") show("never-seen", withBack(cardFor(null, person.address, person.name), back), { focus });
    else fail(error, { focus });
  }
}

function withBack(card, back) {
  if (!back) return card;
  return h("div", null,
    h("p", null, h("button", { type: "button", class: "link back", onclick: back.onClick }, `← Back to ${back.name}`)),
    card);
}

function renderOthers(seq) {
  const list = session.mail.others;
  if (list.length === 0) return;
  others.hidden = false;
  const rows = list.map((person) => {
    const badge = h("span", { class: "badge-slot" }, personBadge(null, "loading"));
    // The accessible name is the visible text with a hidden lead-in and status, so what is read is what is seen.
    const status = h("span", { class: "visually-hidden sr-status" }, `: ${personStatus(null, "loading")}`);
    const button = h("button", { type: "button", onclick: () => openOther(person) },
      h("span", { class: "visually-hidden" }, "Open card for "),
      h("span", { class: "who" }, h("span", null, person.name || person.address), person.name ? h("span", { class: "address" }, person.address) : null),
      badge, status);
    people.append(h("li", { "data-address": person.address }, button));
    return { person, badge, status };
  });
  // A few at a time: a mail to 30 people should not fire 30 requests at once.
  let next = 0;
  const worker = async () => {
    while (next < rows.length && seq === session.seq) {
      const row = rows[next++];
      let profile = null, state = "ok";
      try { profile = await session.api.contact(row.person.address); }
      catch (e) { state = e instanceof ApiError && e.kind === "notFound" ? "notFound" : "error"; }
      if (seq !== session.seq) return;
      row.badge.replaceChildren(personBadge(profile, state));
      row.status.textContent = `: ${personStatus(profile, state)}`;
    }
  };
  Promise.all([worker(), worker(), worker(), worker()]);
}

function openOther(person) {
  const seq = ++session.seq;
  const lead = session.mail.lead;
  context.textContent = "Also on this mail:";
  show("loading", loadingView());
  showPerson(person, seq, {
    focus: true,
    back: { name: lead.name || lead.address, onClick: () => { const s = ++session.seq; context.textContent = session.leadContext; show("loading", loadingView()); showPerson(lead, s, { focus: true }).then(() => { if (s === session.seq) renderOthers(s); }); } },
  }).then(() => { if (seq === session.seq) renderOthers(seq); });
  people.replaceChildren();
}

async function refreshBanner(seq) {
  try {
    const me = await session.api.me();
    if (seq !== session.seq) return;
    if (me?.needsSignIn === true) {
      banner.replaceChildren(h("div", { class: "banner sign-in", role: "status" },
        "MailRapport can no longer read your mailbox: your permission was withdrawn or has expired. Stages stay as they were until you sign in again. ",
        h("button", { type: "button", onclick: () => signInAgain() }, "Sign in again")));
      return;
    }
    const running = me?.firstScanPending === true;
    banner.replaceChildren(running ? h("div", { class: "banner first-scan" }, "Your mailbox is being scanned for the first time; stages fill in when it finishes.") : "");
  } catch {
    banner.replaceChildren(); // the main request reports failures
  }
}

/** The sign-in button of the "needs sign-in" banner: consent again, then /api/me with the fresh token restores the grant. */
async function signInAgain() {
  try {
    await session.auth.consent();
  } catch {
    banner.replaceChildren(h("div", { class: "banner sign-in", role: "status" }, "Sign-in did not complete. ",
      h("button", { type: "button", onclick: () => signInAgain() }, "Try again")));
    return;
  }
  await refreshBanner(session.seq);
}

/** Office's theme when the host gives one (light or dark by background brightness); otherwise the OS setting. */
function applyTheme() {
  const background = Office.context?.officeTheme?.bodyBackgroundColor;
  const match = /^#?([0-9a-f]{6})$/i.exec(background ?? "");
  if (!match) { delete document.documentElement.dataset.theme; return; }
  const n = parseInt(match[1], 16);
  const luminance = (0.2126 * ((n >> 16) & 255) + 0.7152 * ((n >> 8) & 255) + 0.0722 * (n & 255)) / 255;
  document.documentElement.dataset.theme = luminance < 0.5 ? "dark" : "light";
}

async function start() {
  if (typeof window.Office === "undefined") {
    show("error", messageView("error", "warning", "Open this pane in Outlook",
      ["Office.js did not load, so the pane cannot see the open mail.", h("p", null, "Without Outlook, the ", h("a", { href: "preview.html" }, "preview page"), " shows every contact.")]));
    return;
  }
  await Office.onReady();
  if (!Office.context?.mailbox) {
    show("error", messageView("error", "warning", "Open this pane in Outlook", "This page is the Outlook task pane; it needs an open mailbox."));
    return;
  }
  applyTheme();
  try { Office.context.mailbox.addHandlerAsync(Office.EventType.OfficeThemeChanged, applyTheme); } catch { /* not every host raises it */ }
  try {
    session.config = await loadConfig();
    session.auth = await createAuth(session.config);
    session.api = createApi(session.config, session.auth);
  } catch (error) {
    fail(error);
    return;
  }
  // Pinned pane: follow the selection.
  Office.context.mailbox.addHandlerAsync(Office.EventType.ItemChanged, () => loadMail());
  await loadMail();
}

start().catch((error) => fail(error instanceof ApiError ? error : new ApiError("server", String(error?.message ?? error))));
