// Stats: calls per day by status (from the rollups), and the distributions of duration and
// latency over the calls of the range.
import { get } from "./api.js";
import { h, daysAgo, seconds, dash } from "./dom.js";
import { navigate } from "./app.js";
import { stackedBars, histogram } from "./charts.js";
import { STATUSES } from "./calls.js";

// Distributions are drawn from at most this many calls of the range (the newest).
const SAMPLE = 500;

function figure(name, value) {
  return h("div", { class: "figure" }, h("div", { class: "value" }, value ?? dash), h("div", { class: "name" }, name));
}
const percent = (v) => (v == null ? dash : `${Math.round(v * 100)}%`);
const ms = (v) => (v == null ? dash : `${Math.round(v)} ms`);

async function sample(range) {
  const calls = [];
  let cursor = "";
  do {
    const page = await get("/v1/calls", { ...range, limit: 100, cursor });
    calls.push(...page.calls);
    cursor = page.next_cursor;
  } while (cursor && calls.length < SAMPLE);
  return calls;
}

export async function statsView(page, { params }) {
  const range = { start_date: params.get("start_date") || daysAgo(29), end_date: params.get("end_date") || daysAgo(0) };
  const form = h("form", { class: "filters", "aria-label": "Date range", onsubmit: (event) => {
    event.preventDefault();
    navigate("/stats", Object.fromEntries(new FormData(form)));
  } },
    h("label", { for: "s-start" }, "From", h("input", { id: "s-start", name: "start_date", type: "date", value: range.start_date })),
    h("label", { for: "s-end" }, "To", h("input", { id: "s-end", name: "end_date", type: "date", value: range.end_date })),
    h("button", { type: "submit" }, "Show"));
  page.append(h("h1", {}, "Stats"), form);

  const [stats, calls] = await Promise.all([get("/v1/calls/stats", { ...range, group_by: "day" }), sample(range)]);
  const s = stats.summary;
  page.append(h("div", { class: "figures" },
    figure("calls", s.calls), figure("answer rate", percent(s.answer_rate)), figure("success rate", percent(s.success_rate)),
    figure("duration p50", seconds(s.duration_p50_seconds)), figure("duration p95", seconds(s.duration_p95_seconds)),
    figure("E2E latency p50", ms(s.latency_ms?.e2e?.p50)), figure("E2E latency p95", ms(s.latency_ms?.e2e?.p95))));

  const groups = (stats.groups || []).slice().sort((a, b) => a.key.localeCompare(b.key));
  const present = STATUSES.filter((status) => groups.some((g) => g.stats.by_status[status]));
  page.append(h("h2", {}, "Calls per day"),
    groups.length ? stackedBars("Calls per day by status", groups.map((g) => ({ label: g.key.slice(5, 10), values: g.stats.by_status })), present)
      : h("p", { class: "muted" }, "No calls in this range."));

  const durations = calls.map((c) => c.duration_seconds).filter((v) => v != null);
  const latencies = calls.map((c) => c.latency?.e2e?.p50).filter((v) => v != null);
  const note = calls.length >= SAMPLE ? ` (the newest ${SAMPLE} calls of the range)` : "";
  page.append(h("h2", {}, `Distributions${note}`), h("div", { class: "grid2" },
    durations.length ? histogram("Call duration", durations, { unit: " s" }) : h("p", { class: "muted" }, "No durations."),
    latencies.length ? histogram("E2E latency, median per call", latencies, { unit: " ms" }) : h("p", { class: "muted" }, "No latency measured.")));
}
