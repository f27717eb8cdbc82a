// Talks to the MailRapport API. Every failure becomes an ApiError whose kind picks the pane's state.
export class ApiError extends Error {
  /** @param {'unreachable'|'unauthorized'|'notFound'|'server'} kind */
  constructor(kind, message, status) {
    super(message);
    this.kind = kind;
    this.status = status ?? 0;
  }
}

/** Reads /pane/config.json: local mode, or the Entra app and API scope to sign in with. */
export async function loadConfig() {
  let response;
  try {
    response = await fetch(new URL("config.json", document.baseURI), { cache: "no-store" });
  } catch {
    throw new ApiError("unreachable", "The MailRapport service cannot be reached.");
  }
  if (!response.ok) throw new ApiError(response.status >= 502 ? "unreachable" : "server", `The pane's settings could not be read (HTTP ${response.status}).`, response.status);
  const config = await response.json();
  return { localMode: !!config.localMode, clientId: config.clientId, apiScope: config.apiScope, authority: config.authority, apiBase: config.apiBase || "/api" };
}

export function createApi(config, auth) {
  async function get(path, { interactive = false, method = "GET", body } = {}) {
    const token = await auth.getToken({ interactive });
    const headers = { Accept: "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(config.apiBase + path, {
        method, headers, cache: "no-store", body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError("unreachable", "The MailRapport service cannot be reached.");
    }
    if (response.status === 401) {
      auth.forget?.();
      throw new ApiError("unauthorized", "Sign in to see your contacts.", 401);
    }
    if (response.status === 404) throw new ApiError("notFound", await problemText(response, "Not found."), 404);
    // A proxy in front of a stopped service answers 502-504: that is "unreachable" to the user.
    if (response.status >= 502 && response.status <= 504) throw new ApiError("unreachable", "The MailRapport service is not answering.", response.status);
    if (response.status === 429) throw new ApiError("server", "Too many requests just now. Try again in a moment.", 429);
    if (!response.ok) throw new ApiError("server", await problemText(response, `The service answered HTTP ${response.status}.`), response.status);
    if (response.status === 204) return null; // nothing to say (no answer stored, or deleted)
    try {
      return await response.json();
    } catch {
      throw new ApiError("server", "The service sent an answer the pane cannot read.", response.status);
    }
  }

  return {
    me: (options) => get("/me", options),
    contact: (address, options) => get(`/contacts/${encodeURIComponent(address)}`, options),
    /** The answer to "Is this right?" about one contact, or null. */
    feedback: (address) => get(`/contacts/${encodeURIComponent(address)}/feedback`),
    setFeedback: (address, answer) => get(`/contacts/${encodeURIComponent(address)}/feedback`, { method: "PUT", body: { answer } }),
    forgetFeedback: (address) => get(`/contacts/${encodeURIComponent(address)}/feedback`, { method: "DELETE" }),
    /** Contacts per stage at the end of each month (from the recorded stage history). */
    stagesByMonth: () => get("/stages/by-month"),
    /** Every contact, page by page (the list endpoint pages; the preview wants them all). */
    async allContacts(maxPages = 500) {
      const all = [];
      for (let page = 1; page <= maxPages; page++) {
        const body = await get(`/contacts?page=${page}&pageSize=200&sort=-strength`);
        const items = Array.isArray(body?.items) ? body.items : [];
        all.push(...items);
        if (items.length === 0 || all.length >= Number(body.total ?? 0)) break;
      }
      return all;
    },
  };
}

async function problemText(response, fallback) {
  try {
    const problem = await response.json();
    return problem.detail || problem.title || fallback;
  } catch {
    return fallback;
  }
}
