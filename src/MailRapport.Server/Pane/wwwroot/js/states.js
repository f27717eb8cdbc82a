// The pane's non-card states: loading, not signed in, unreachable, error, nothing selected.
import { h, svg } from "./dom.js";

// Line icons drawn here: emoji fonts are missing on many machines and would show as empty boxes.
const ICONS = {
  lock: ["M8 13V9a6 6 0 0 1 12 0v4", "M6 13h16v11H6z", "M14 17v3"],
  plug: ["M4 14a10 10 0 1 0 20 0a10 10 0 1 0 -20 0", "M7 21L21 7"],
  warning: ["M14 3L26 24H2z", "M14 10v7", "M14 20v1"],
  mail: ["M3 7h22v15H3z", "M3 7l11 8l11-8"],
};
function icon(name) {
  return svg("svg", { viewBox: "0 0 28 28", width: 28, height: 28, fill: "none", stroke: "currentColor", "stroke-width": 2, "stroke-linejoin": "round", "stroke-linecap": "round", "aria-hidden": "true", focusable: "false" },
    ICONS[name].map((d) => svg("path", { d })));
}

export function loadingView() {
  return h("div", { class: "state loading" },
    h("p", { class: "muted" }, "Loading…"),
    h("div", { class: "skeleton title", "aria-hidden": "true" }),
    h("div", { class: "skeleton short", "aria-hidden": "true" }),
    h("div", { class: "skeleton", "aria-hidden": "true" }),
    h("div", { class: "skeleton", "aria-hidden": "true" }));
}

export function messageView(kind, iconName, title, text, ...actions) {
  return h("article", { class: `state ${kind}`, "aria-labelledby": `${kind}-title` },
    h("div", { class: "icon", "aria-hidden": "true" }, ICONS[iconName] ? icon(iconName) : null),
    h("h2", { id: `${kind}-title`, tabindex: "-1" }, title),
    [text].flat().map((t) => (t instanceof Node ? t : h("p", null, t))),
    actions.length ? h("p", { class: "actions" }, actions) : null);
}

/** Maps an ApiError to [state name, view]. */
export function failureView(error, { localMode, onRetry, onSignIn }) {
  switch (error?.kind) {
    case "unauthorized":
      return localMode
        ? ["signed-out", messageView("signed-out", "lock", "Not signed in", "The service asked for sign-in, but this pane runs in local mode. Check that the service runs in local mode too.",
            h("button", { type: "button", class: "primary", onclick: onRetry }, "Try again"))]
        : ["signed-out", messageView("signed-out", "lock", "Sign in to MailRapport",
            [error.message, "MailRapport uses your Microsoft 365 account to read your own mailbox's stages; nothing else is shared."],
            h("button", { type: "button", class: "primary", onclick: onSignIn }, "Sign in"))];
    case "unreachable":
      return ["unreachable", messageView("unreachable", "plug", "Cannot reach MailRapport",
        [error.message, localMode
          ? "Check that the service is running (mailrapport serve; by default on http://127.0.0.1:5080), then try again."
          : "Check your connection and try again; if it lasts, the MailRapport service may be down."],
        h("button", { type: "button", onclick: onRetry }, "Try again"))];
    default:
      return ["error", messageView("error", "warning", "Something went wrong",
        [h("p", { class: "error-detail" }, error?.message || "Unexpected error."), "Try again; if it keeps happening, the service's log says more."],
        h("button", { type: "button", onclick: onRetry }, "Try again"))];
  }
}
