// The pane's non-card states: loading, not signed in, unreachable, error, nothing selected.
import { h } from "./dom.js";

export function loadingView() {
  return h("div", { class: "state loading" },
    h("p", { class: "muted" }, "Loading…"),
    h("div", { class: "skeleton title", "aria-hidden": "true" }),
    h("div", { class: "skeleton short", "aria-hidden": "true" }),
    h("div", { class: "skeleton", "aria-hidden": "true" }),
    h("div", { class: "skeleton", "aria-hidden": "true" }));
}

export function messageView(kind, icon, title, text, ...actions) {
  return h("article", { class: `state ${kind}`, "aria-labelledby": `${kind}-title` },
    h("div", { class: "icon", "aria-hidden": "true" }, icon),
    h("h2", { id: `${kind}-title`, tabindex: "-1" }, title),
    [text].flat().map((t) => (t instanceof Node ? t : h("p", null, t))),
    actions.length ? h("p", { class: "actions" }, actions) : null);
}

/** Maps an ApiError to [state name, view]. */
export function failureView(error, { localMode, onRetry, onSignIn }) {
  switch (error?.kind) {
    case "unauthorized":
      return localMode
        ? ["signed-out", messageView("signed-out", "🔒", "Not signed in", "The service asked for sign-in, but this pane runs in local mode. Check that the service runs in local mode too.",
            h("button", { type: "button", class: "primary", onclick: onRetry }, "Try again"))]
        : ["signed-out", messageView("signed-out", "🔒", "Sign in to MailRapport",
            [error.message, "MailRapport uses your Microsoft 365 account to read your own mailbox's stages; nothing else is shared."],
            h("button", { type: "button", class: "primary", onclick: onSignIn }, "Sign in"))];
    case "unreachable":
      return ["unreachable", messageView("unreachable", "⚡", "Cannot reach MailRapport",
        [error.message, "Check that the service is running (locally: mailrapport serve on http://127.0.0.1:5080), then try again."],
        h("button", { type: "button", onclick: onRetry }, "Try again"))];
    default:
      return ["error", messageView("error", "⚠", "Something went wrong",
        [h("p", { class: "error-detail" }, error?.message || "Unexpected error."), "Try again; if it keeps happening, the service's log says more."],
        h("button", { type: "button", onclick: onRetry }, "Try again"))];
  }
}
