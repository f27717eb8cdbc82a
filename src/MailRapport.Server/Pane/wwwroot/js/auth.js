// Sign-in for the pane. Local mode: none. Otherwise nested app authentication (MSAL.js, the Outlook host
// brokers the token): silent first, a popup as fallback, and a "Sign in" button when both fail.
import { ApiError } from "./api.js";

// What the service reads the mailbox with in delegated mode (offline_access: it scans at night without the user;
// User.Read: the user's own addresses).
const GRAPH_SCOPES = ["https://graph.microsoft.com/Mail.ReadBasic", "https://graph.microsoft.com/Calendars.ReadBasic", "https://graph.microsoft.com/User.Read", "offline_access"];

export async function createAuth(config) {
  if (config.localMode) return { localMode: true, getToken: async () => null, forget() {} };

  let client = null; // one MSAL instance per page, even when several requests start at once
  let cached = null; // { token, expiresOn }

  function getClient() {
    client ??= (async () => {
      await loadScript(new URL("vendor/msal-browser.min.js", document.baseURI).href);
      if (!window.msal?.createNestablePublicClientApplication) throw new ApiError("unauthorized", "Sign-in is not available in this Outlook.");
      return window.msal.createNestablePublicClientApplication({
        auth: { clientId: config.clientId, authority: config.authority },
        cache: { cacheLocation: "localStorage" },
      });
    })();
    client.catch(() => { client = null; });
    return client;
  }

  return {
    localMode: false,
    forget() { cached = null; },
    /**
     * Delegated mode, after the service lost the user's grant: a popup (needs a user gesture) that asks again for the
     * Graph permissions the service reads the mailbox with, and returns a fresh API token that restores the grant.
     */
    async consent() {
      const pca = await getClient();
      const result = await pca.acquireTokenPopup({ scopes: [config.apiScope], extraScopesToConsent: GRAPH_SCOPES, prompt: "consent" });
      cached = { token: result.accessToken, expiresOn: result.expiresOn ? new Date(result.expiresOn).getTime() : Date.now() + 300_000 };
      return cached.token;
    },
    /** A token for the API scope; with interactive=true a popup may open (needs a user gesture). */
    async getToken({ interactive = false } = {}) {
      if (cached && cached.expiresOn > Date.now() + 60_000) return cached.token;
      const pca = await getClient();
      const request = { scopes: [config.apiScope] };
      let result = null;
      try {
        result = await pca.acquireTokenSilent(request);
      } catch (silentError) {
        if (!interactive) throw new ApiError("unauthorized", "Sign in to see where you stand with people.");
        try {
          result = await pca.acquireTokenPopup(request);
        } catch {
          throw new ApiError("unauthorized", "Sign-in did not complete. Try again.");
        }
      }
      cached = { token: result.accessToken, expiresOn: result.expiresOn ? new Date(result.expiresOn).getTime() : Date.now() + 300_000 };
      return cached.token;
    },
  };
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = () => resolve();
    script.onerror = () => reject(new ApiError("unreachable", "The sign-in library could not be loaded."));
    document.head.appendChild(script);
  });
}
