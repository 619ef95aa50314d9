// A batch of outbound calls: start one, then follow it as the dialer drains it.
import { get, post } from "./api.js";
import { h, badge, table, when, dash, announce, errorBox } from "./dom.js";
import { navigate } from "./app.js";

const POLL_MS = 2000;

function startForm() {
  const message = h("p", { class: "error", role: "alert" });
  const form = h("form", { class: "stack", "aria-label": "Start a batch", onsubmit: async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    const numbers = data.numbers.split(/[\s,;]+/).filter(Boolean);
    try {
      const accepted = await post("/v1/calls/batch", { to_numbers: numbers, agent_id: data.agent_id || null, from_number: data.from_number || null });
      announce(`Batch of ${accepted.total} calls queued.`);
      navigate(`/batches/${encodeURIComponent(accepted.batch_id)}`);
    } catch (error) { message.textContent = error.message; }
  } },
    h("h2", {}, "Start a batch"),
    h("label", { for: "b-numbers" }, "Numbers to call (E.164, one per line)", h("textarea", { id: "b-numbers", name: "numbers", rows: 5, required: true, placeholder: "+14155550100" })),
    h("label", { for: "b-agent" }, "Agent ID (optional)", h("input", { id: "b-agent", name: "agent_id" })),
    h("label", { for: "b-from" }, "Caller ID (optional, else the tenant's default)", h("input", { id: "b-from", name: "from_number" })),
    h("div", {}, h("button", { type: "submit" }, "Queue the calls")), message);
  return form;
}

function openForm() {
  const form = h("form", { class: "filters", "aria-label": "Open a batch", onsubmit: (event) => {
    event.preventDefault();
    navigate(`/batches/${encodeURIComponent(new FormData(form).get("batch_id").trim())}`);
  } },
    h("label", { for: "b-id" }, "Batch ID", h("input", { id: "b-id", name: "batch_id", required: true, size: 30 })),
    h("button", { type: "submit" }, "Follow"));
  return form;
}

function progress(batch) {
  const done = batch.completed + batch.failed + batch.canceled;
  return h("div", {},
    h("p", {}, badge(batch.status), ` ${done} of ${batch.total} finished · created ${when(batch.created_at)}`),
    h("progress", { max: batch.total || 1, value: done, "aria-label": "Calls finished" }),
    h("div", { class: "figures" }, ["queued", "initiated", "completed", "failed", "canceled"].map((k) =>
      h("div", { class: "figure" }, h("div", { class: "value" }, batch[k]), h("div", { class: "name" }, k)))),
    table("Calls of the batch", [
      { title: "Call", cell: (c) => h("a", { href: `#/calls/${encodeURIComponent(c.call_id)}` }, c.call_id) },
      { title: "To", cell: (c) => c.to_number || dash },
      { title: "Status", cell: (c) => badge(c.status) },
      { title: "Error", cell: (c) => c.error || "" },
    ], batch.calls));
}

export async function batchesView(page, { id }) {
  if (!id) {
    page.append(h("h1", {}, "Batches"), openForm(), startForm());
    return null;
  }
  page.append(h("p", {}, h("a", { href: "#/batches" }, "← Batches")), h("h1", {}, `Batch ${id}`));
  const live = h("div", { id: "batch-progress" });
  page.append(live);
  let timer = null;
  let stopped = false;
  const refresh = async () => {
    try {
      const batch = await get(`/v1/calls/batch/${encodeURIComponent(id)}`);
      live.replaceChildren(progress(batch));
      // The API calls a batch completed once none of its calls is queued or being placed.
      if (batch.status === "completed") announce("Batch completed.");
      else if (!stopped) timer = setTimeout(refresh, POLL_MS);
    } catch (error) { live.replaceChildren(errorBox(error)); }
  };
  await refresh();
  return () => { stopped = true; clearTimeout(timer); };
}
