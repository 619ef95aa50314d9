// The calls table: the list's filters, a date range, and paging by cursor.
import { get } from "./api.js";
import { h, badge, seconds, table, when, dash } from "./dom.js";
import { navigate } from "./app.js";

export const STATUSES = ["queued", "initiated", "ringing", "in_progress", "completed", "busy", "no_answer", "failed", "canceled"];
const DIRECTIONS = ["inbound", "outbound", "web", "mic"];
const OUTCOMES = ["resolved", "unresolved", "escalated", "transferred", "voicemail", "abandoned", "error"];
const FILTERS = ["start_date", "end_date", "status", "direction", "outcome", "agent_id", "batch_id", "phone_number", "search", "is_test_call", "limit"];

function choice(name, label, values, current) {
  return h("label", { for: `f-${name}` }, label,
    h("select", { id: `f-${name}`, name },
      h("option", { value: "" }, "any"),
      values.map((v) => h("option", { value: v, selected: v === current }, v.replaceAll("_", " ")))));
}

function field(name, label, current, attributes = {}) {
  return h("label", { for: `f-${name}` }, label, h("input", { id: `f-${name}`, name, value: current || "", ...attributes }));
}

export async function callsView(page, { params }) {
  const filters = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) || ""]));
  // Cursors of the pages before this one, so "Previous" can go back (the API pages forward).
  const cursors = params.get("back") ? params.get("back").split(",") : [];
  const cursor = params.get("cursor") || "";

  const form = h("form", { class: "filters", role: "search", "aria-label": "Filter calls", onsubmit: (event) => {
    event.preventDefault();
    const values = Object.fromEntries(new FormData(form));
    navigate("/calls", values);
  } },
    field("start_date", "From", filters.start_date, { type: "date" }),
    field("end_date", "To", filters.end_date, { type: "date" }),
    choice("status", "Status", STATUSES, filters.status),
    choice("direction", "Direction", DIRECTIONS, filters.direction),
    choice("outcome", "Outcome", OUTCOMES, filters.outcome),
    field("agent_id", "Agent", filters.agent_id, { size: 12 }),
    field("phone_number", "Phone number", filters.phone_number, { size: 14, placeholder: "+1…" }),
    field("search", "Search", filters.search, { type: "search", size: 16 }),
    choice("is_test_call", "Test calls", ["true", "false"], filters.is_test_call),
    h("label", { for: "f-limit" }, "Per page", h("select", { id: "f-limit", name: "limit" },
      ["25", "50", "100"].map((n) => h("option", { value: n, selected: n === (filters.limit || "25") }, n)))),
    h("button", { type: "submit" }, "Apply"),
    h("button", { type: "button", class: "secondary", onclick: () => navigate("/calls") }, "Clear"));

  page.append(h("h1", {}, "Calls"), form);
  const list = await get("/v1/calls", { ...filters, limit: filters.limit || 25, cursor });
  const summary = h("p", { class: "muted", id: "calls-summary" },
    `${list.total} call${list.total === 1 ? "" : "s"} match`, list.total_as_of ? ` (counted ${when(list.total_as_of)})` : "");
  const columns = [
    { title: "Started", cell: (c) => h("a", { href: `#/calls/${encodeURIComponent(c.id)}` }, when(c.start_time)) },
    { title: "Status", cell: (c) => badge(c.status) },
    { title: "Direction", cell: (c) => c.direction },
    { title: "From", cell: (c) => c.from_number || dash },
    { title: "To", cell: (c) => c.to_number || dash },
    { title: "Agent", cell: (c) => c.agent_name || c.agent_id || dash },
    { title: "Outcome", cell: (c) => c.outcome || dash },
    { title: "Duration", num: true, cell: (c) => seconds(c.duration_seconds) },
    { title: "Grade", num: true, cell: (c) => (c.grade_score == null ? dash : c.grade_score.toFixed(2)) },
    { title: "Issues", num: true, cell: (c) => c.issue_count || "" },
  ];
  const rows = table(`Page ${cursors.length + 1}: ${list.calls.length} calls`, columns, list.calls);
  rows.id = "calls-table";
  const go = (extra) => navigate("/calls", { ...filters, ...extra });
  const pager = h("nav", { class: "pager", "aria-label": "Pages" },
    h("button", { type: "button", class: "secondary", disabled: !cursors.length && !cursor,
      onclick: () => go({ cursor: cursors.at(-1) || "", back: cursors.slice(0, -1).join(",") }) }, "← Previous"),
    h("button", { type: "button", class: "secondary", disabled: !list.next_cursor,
      onclick: () => go({ cursor: list.next_cursor, back: [...cursors, cursor].join(",") }) }, "Next →"));
  page.append(summary, list.calls.length ? rows : h("p", {}, "No call matches these filters."), pager);
}
