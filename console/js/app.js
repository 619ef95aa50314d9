// The console: hash routes (so any static host serves it), one view per page.
import { session, get } from "./api.js";
import { h, errorBox } from "./dom.js";
import { callsView } from "./calls.js";
import { callView } from "./call.js";
import { statsView } from "./stats.js";
import { batchesView } from "./batches.js";
import { webhooksView } from "./webhooks.js";

const main = document.getElementById("main");
const nav = document.getElementById("nav");

const routes = [
  [/^\/calls\/([^/]+)$/, callView],
  [/^\/calls$/, callsView],
  [/^\/stats$/, statsView],
  [/^\/batches(?:\/([^/]+))?$/, batchesView],
  [/^\/webhooks(?:\/([^/]+))?$/, webhooksView],
];

// A view may leave something running (a poll, a player): it returns a function that stops it.
let leave = null;

function parseHash() {
  const [path, query = ""] = location.hash.replace(/^#/, "").split("?");
  return { path: path || "/calls", params: new URLSearchParams(query) };
}

/** Go to a route; `params` (an object) becomes its query. */
export function navigate(path, params = {}) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== "" && v != null));
  const hash = `#${path}${query.size ? `?${query}` : ""}`;
  if (location.hash === hash) render();
  else location.hash = hash;
}

async function render() {
  if (leave) { leave(); leave = null; }
  if (!session.key) { nav.hidden = true; main.replaceChildren(signIn()); return; }
  nav.hidden = false;
  const { path, params } = parseHash();
  for (const link of nav.querySelectorAll("a")) {
    const current = path.startsWith(link.getAttribute("href").slice(1));
    if (current) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
  }
  const match = routes.map(([pattern, view]) => [path.match(pattern), view]).find(([m]) => m);
  if (!match) { navigate("/calls"); return; }
  const [found, view] = match;
  const page = h("div", { class: "page", "aria-busy": "true" });
  main.replaceChildren(page);
  try {
    leave = (await view(page, { id: found[1] ? decodeURIComponent(found[1]) : null, params })) || null;
  } catch (error) {
    page.append(errorBox(error));
    if (error.status === 401 || error.status === 403) page.append(h("p", {}, "Your key was refused: ", h("button", { type: "button", class: "link", onclick: signOut }, "sign in again"), "."));
  }
  page.removeAttribute("aria-busy");
  // Move focus to the new page's heading, so keyboard and screen reader users land on it.
  const heading = page.querySelector("h1");
  if (heading) { heading.tabIndex = -1; heading.focus({ preventScroll: true }); }
}

function signIn() {
  const message = h("p", { class: "error", role: "alert" });
  const key = h("input", { id: "api-key", name: "api-key", type: "password", required: true, autocomplete: "off", spellcheck: "false" });
  const base = h("input", { id: "api-url", name: "api-url", type: "url", placeholder: location.origin, value: new URLSearchParams(location.search).get("api") || "" });
  const submit = h("button", { type: "submit" }, "Sign in");
  const form = h("form", { class: "stack signin", onsubmit: async (event) => {
    event.preventDefault();
    submit.disabled = true;
    message.textContent = "";
    try {
      // A key is good if it may list calls; it is kept for this tab only (sessionStorage).
      await get("/v1/calls", { limit: 1 }, { key: key.value.trim(), base: base.value.trim().replace(/\/+$/, "") || location.origin });
      session.signIn(key.value.trim(), base.value.trim());
      render();
    } catch (error) {
      message.textContent = error.status === 401 || error.status === 403 ? "That API key was refused." : error.message;
      submit.disabled = false;
      key.focus();
    }
  } },
    h("h1", {}, "Sign in"),
    h("p", { class: "muted" }, "With a Dialtone API key. It is kept in this browser tab only, until you sign out or close it."),
    h("label", { for: "api-key" }, "API key", key),
    h("label", { for: "api-url" }, "API URL (leave empty when the console is served by the API)", base),
    submit, message);
  return form;
}

function signOut() {
  session.signOut();
  location.hash = "";
  render();
}

document.getElementById("sign-out").addEventListener("click", signOut);
window.addEventListener("hashchange", render);
render();
