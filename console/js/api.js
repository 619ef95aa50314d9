// The Dialtone API over fetch, with the key the user signed in with (kept for this tab only).
const KEY = "dialtone.apiKey";
const BASE = "dialtone.apiUrl";

export const session = {
  get key() { return sessionStorage.getItem(KEY); },
  // The console is served on the API's origin unless it was told otherwise at sign-in.
  get base() { return sessionStorage.getItem(BASE) || location.origin; },
  signIn(key, base) {
    sessionStorage.setItem(KEY, key);
    if (base) sessionStorage.setItem(BASE, base.replace(/\/+$/, ""));
    else sessionStorage.removeItem(BASE);
  },
  signOut() {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(BASE);
  },
};

export class ApiError extends Error {
  constructor(status, detail) {
    super(status ? `${status}: ${detail}` : detail);
    this.status = status;
    this.detail = detail;
  }
}

function describe(detail) {
  if (typeof detail === "string") return detail;
  // A 422's detail is a list of {loc, msg}.
  if (Array.isArray(detail)) return detail.map((d) => `${(d.loc || []).slice(1).join(".")}: ${d.msg}`).join("; ");
  return JSON.stringify(detail);
}

/** One request; `query` entries that are empty are left out. Resolves to JSON (or text). */
export async function request(path, { method = "GET", query, body, text = false, key, base } = {}) {
  const url = new URL((base || session.base) + path);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
  }
  const headers = { "X-API-Key": key || session.key || "" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new ApiError(0, `the API at ${url.origin} cannot be reached (${error.message})`);
  }
  if (!response.ok) {
    let detail = response.statusText;
    try { detail = describe((await response.json()).detail ?? detail); } catch { /* not JSON */ }
    throw new ApiError(response.status, detail);
  }
  if (response.status === 204) return null;
  return text ? response.text() : response.json();
}

export const get = (path, query, options = {}) => request(path, { ...options, query });
export const post = (path, body, query) => request(path, { method: "POST", body, query });
export const del = (path) => request(path, { method: "DELETE" });
