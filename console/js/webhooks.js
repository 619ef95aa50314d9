// Webhook subscriptions and the deliveries of one.
import { get, post, del } from "./api.js";
import { h, badge, table, when, dash, announce, errorBox } from "./dom.js";
import { navigate } from "./app.js";

// The signing secret of the webhook just created: shown once, kept in memory only (not in the
// URL, which history would keep).
let created = null;

const EVENTS = ["call.started", "call.completed", "call.failed", "call.escalated", "call.recording.ready", "call.graded", "batch.completed"];

function createForm() {
  const message = h("p", { class: "error", role: "alert" });
  const form = h("form", { class: "stack", "aria-label": "Add a webhook", onsubmit: async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      created = await post("/v1/webhooks", { url: data.get("url"), events: data.getAll("events"), description: data.get("description") || null });
      announce("Webhook added.");
      navigate(`/webhooks/${encodeURIComponent(created.id)}`);
    } catch (error) { message.textContent = error.message; }
  } },
    h("h2", {}, "Add a webhook"),
    h("label", { for: "w-url" }, "URL", h("input", { id: "w-url", name: "url", type: "url", required: true, placeholder: "https://example.com/hooks/dialtone" })),
    h("fieldset", {}, h("legend", {}, "Events"), EVENTS.map((e) => h("label", { class: "inline" }, h("input", { type: "checkbox", name: "events", value: e, checked: e === "call.completed" }), e))),
    h("label", { for: "w-desc" }, "Description", h("input", { id: "w-desc", name: "description" })),
    h("div", {}, h("button", { type: "submit" }, "Add webhook")), message);
  return form;
}

async function deliveries(page, id, params) {
  const hook = await get(`/v1/webhooks/${encodeURIComponent(id)}`);
  const list = await get(`/v1/webhooks/${encodeURIComponent(id)}/deliveries`, { limit: 50, cursor: params.get("cursor") || "" });
  const action = (label, run) => h("button", { type: "button", class: "secondary", onclick: async (event) => {
    event.target.disabled = true;
    try { await run(); } catch (error) { page.append(errorBox(error)); }
    event.target.disabled = false;
  } }, label);
  const secret = created && created.id === id ? created.secret : null;
  created = null;
  page.append(...[
    h("p", {}, h("a", { href: "#/webhooks" }, "← Webhooks")),
    h("h1", {}, `Webhook ${hook.url}`),
    secret ? h("p", { class: "panel" }, "Signing secret (shown once, keep it): ", h("code", {}, secret)) : null,
    h("p", {}, hook.enabled ? badge("enabled") : badge("disabled"), " ", hook.events.join(", "), hook.disabled_reason ? ` · ${hook.disabled_reason}` : ""),
    h("p", {}, action("Send a test event", async () => { const sent = await post(`/v1/webhooks/${encodeURIComponent(id)}/test`); announce(`Test event queued: delivery ${sent.delivery_id}.`); }), " ",
      // Deliveries are made in the background: this reads them again.
      action("Refresh", async () => navigate(`/webhooks/${encodeURIComponent(id)}`)), " ",
      action("Delete", async () => { if (confirm("Delete this webhook?")) { await del(`/v1/webhooks/${encodeURIComponent(id)}`); navigate("/webhooks"); } })),
    h("h2", {}, "Deliveries"),
    list.deliveries.length ? table(null, [
      { title: "Created", cell: (d) => when(d.created_at) },
      { title: "Event", cell: (d) => d.event_type },
      { title: "Status", cell: (d) => badge(d.status) },
      { title: "Attempts", num: true, cell: (d) => d.attempts.length },
      { title: "Last answer", cell: (d) => { const last = d.attempts.at(-1); return last ? (last.status_code ?? last.error ?? dash) : dash; } },
      { title: "Next retry", cell: (d) => when(d.next_retry_at) },
      { title: "", cell: (d) => (d.status === "failed" ? action("Retry", async () => { await post(`/v1/webhooks/${encodeURIComponent(id)}/deliveries/${encodeURIComponent(d.id)}/retry`); announce("Delivery retried."); navigate(`/webhooks/${encodeURIComponent(id)}`); }) : "") },
    ], list.deliveries) : h("p", { class: "muted" }, "No delivery yet."),
    list.next_cursor ? h("p", {}, h("a", { href: `#/webhooks/${encodeURIComponent(id)}?cursor=${encodeURIComponent(list.next_cursor)}` }, "Older deliveries →")) : null,
  ].filter(Boolean));
}

export async function webhooksView(page, { id, params }) {
  if (id) { await deliveries(page, id, params); return null; }
  const list = await get("/v1/webhooks", { limit: 100 });
  page.append(h("h1", {}, "Webhooks"),
    list.webhooks.length ? table(null, [
      { title: "URL", cell: (w) => h("a", { href: `#/webhooks/${encodeURIComponent(w.id)}` }, w.url) },
      { title: "Events", cell: (w) => w.events.join(", ") },
      { title: "State", cell: (w) => (w.enabled ? badge("enabled") : badge("disabled")) },
      { title: "Failing since", cell: (w) => when(w.failing_since) },
      { title: "Description", cell: (w) => w.description || "" },
    ], list.webhooks) : h("p", { class: "muted" }, "No webhook yet."),
    createForm());
}
