// One call: details, the recording with its transcript highlighted as it plays (the API's
// WebVTT as the audio's track), the history beside the transcript, the grade, issue reports.
import { get, post, request } from "./api.js";
import { h, badge, seconds, table, when, dash, announce, errorBox } from "./dom.js";

const CATEGORIES = ["audio_latency", "digits_not_captured", "dropped_call", "imperfect_audio", "incorrect_caller_id", "one_way_audio", "post_dial_delay", "unsolicited_call", "wrong_answer", "hallucination", "interrupted_caller", "slow_response", "failed_action", "other"];
const SEVERITIES = ["info", "warning", "critical"];

/** The cues of a WebVTT document as {id, start, end, voice, text} (the API's: one per turn). */
export function parseVtt(text) {
  const stamp = (s) => s.split(":").reduce((total, part) => total * 60 + Number(part), 0);
  return text.replace(/\r/g, "").split(/\n\n+/).slice(1).map((block) => {
    const lines = block.split("\n").filter(Boolean);
    const timing = lines.findIndex((line) => line.includes("-->"));
    if (timing < 0) return null;
    const [start, end] = lines[timing].split("-->").map((s) => stamp(s.trim().split(" ")[0]));
    const body = lines.slice(timing + 1).join("\n");
    const voice = (body.match(/^<v ([^>]+)>/) || [])[1] || "";
    const plain = body.replace(/<[^>]+>/g, "").replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
    return { id: timing > 0 ? lines[0] : "", start, end, voice, text: plain };
  }).filter(Boolean);
}

const clock = (t) => seconds(t);

function details(call) {
  const rows = [
    ["Call ID", call.id], ["Status", badge(call.status)], ["Direction", call.direction],
    ["From", call.from_number], ["To", call.to_number], ["Agent", call.agent_name || call.agent_id],
    ["Started", when(call.start_time)], ["Ended", when(call.end_time)],
    ["Duration", seconds(call.duration_seconds)], ["Outcome", call.outcome], ["End reason", call.end_reason],
    ["Batch", call.batch_id ? h("a", { href: `#/batches/${encodeURIComponent(call.batch_id)}` }, call.batch_id) : null],
    ["Recording", call.recording_format ? `${call.recording_format}, ${seconds(call.recording_duration_seconds)}` : call.recording_error],
    ["E2E latency p50", call.latency?.e2e?.p50 != null ? `${Math.round(call.latency.e2e.p50)} ms` : null],
    ["Cost", call.cost?.total != null ? `${call.cost.total} ${call.cost.currency || ""}` : null],
    ["Test call", call.is_test_call ? "yes" : "no"],
  ];
  return h("dl", { class: "details" }, rows.map(([name, value]) => [h("dt", {}, name), h("dd", {}, value ?? dash)]));
}

async function player(id, call, transcriptPanel) {
  const vtt = await request(`/v1/calls/${id}/transcript`, { query: { format: "vtt" }, text: true }).catch(() => null);
  const cues = vtt ? parseVtt(vtt) : [];
  const items = new Map();
  const list = h("ol", { class: "transcript", "aria-label": "Transcript" }, cues.map((cue) => {
    const item = h("li", { "data-cue": cue.id, "data-start": cue.start },
      h("span", { class: "at" }, clock(cue.start)), h("span", { class: "who" }, cue.voice), cue.text);
    items.set(cue.id, item);
    return item;
  }));
  transcriptPanel.append(cues.length ? list : h("p", { class: "muted" }, "No transcript."));
  if (!call.recording_format) return { element: h("p", { class: "muted" }, call.recording_error ? `No recording: ${call.recording_error}` : "No recording."), stop() {} };

  const link = await get(`/v1/calls/${id}/recording`);
  const audio = h("audio", { controls: true, preload: "metadata", id: "recording", "aria-label": "Call recording" });
  audio.src = link.recording_url;
  let trackUrl = null;
  if (vtt) {
    // The API needs the key, which a <track src> cannot send: the captions go in as a blob.
    trackUrl = URL.createObjectURL(new Blob([vtt], { type: "text/vtt" }));
    const track = h("track", { kind: "captions", label: "Transcript", srclang: "en", src: trackUrl, default: true });
    audio.append(track);
    track.track.mode = "hidden"; // cues fire cuechange without drawing over the (absent) video
    track.track.addEventListener("cuechange", () => {
      const active = new Set([...(track.track.activeCues || [])].map((cue) => cue.id));
      for (const [cueId, item] of items) {
        const on = active.has(cueId);
        item.classList.toggle("active", on);
        if (on) { item.setAttribute("aria-current", "true"); item.scrollIntoView({ block: "nearest" }); }
        else item.removeAttribute("aria-current");
      }
    });
  }
  // A turn of the transcript seeks the recording to it (by click, or Enter on the focused turn).
  for (const item of items.values()) {
    item.tabIndex = 0;
    const seek = () => { audio.currentTime = Number(item.dataset.start); audio.play(); };
    item.addEventListener("click", seek);
    item.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); seek(); } });
  }
  const element = h("div", {}, audio,
    h("p", { class: "muted" }, `Link valid until ${when(link.expires_at)}. `, h("a", { href: link.recording_url, download: "" }, "Download")));
  return { element, stop() { audio.pause(); if (trackUrl) URL.revokeObjectURL(trackUrl); } };
}

function describeEvent(event) {
  const parts = [event.text, event.name, event.status, event.outcome, event.reason,
    event.arguments ? JSON.stringify(event.arguments) : null,
    event.ttfb_ms != null ? `ttfb ${Math.round(event.ttfb_ms)} ms` : null];
  return parts.filter((p) => p !== null && p !== undefined && p !== "").join(" · ");
}

async function history(id) {
  const answer = await get(`/v1/calls/${id}/history`, { limit: 200 });
  if (!answer.events.length) return h("p", { class: "muted" }, "No history.");
  return h("ol", { class: "history", "aria-label": "History" }, answer.events.map((event) =>
    h("li", {}, h("span", { class: "at" }, new Date(event.timestamp).toLocaleTimeString()), h("strong", {}, event.type.replaceAll("_", " ")), " ", describeEvent(event))));
}

async function grade(id, call) {
  const box = h("section", { class: "panel", "aria-labelledby": "grade-h" }, h("h2", { id: "grade-h" }, "Grade"));
  const show = (g) => {
    const parts = [
      h("p", {}, h("span", { class: "score" }, g.score == null ? dash : g.score.toFixed(2)), " ", badge(g.status), " ", h("span", { class: "muted" }, `${g.grader}${g.graded_at ? `, ${when(g.graded_at)}` : ""}`)),
      g.summary ? h("p", {}, g.summary) : null, g.error ? h("p", { class: "error" }, g.error) : null,
      g.criteria.length ? table("Criteria", [
        { title: "Criterion", cell: (c) => c.name },
        { title: "Score", num: true, cell: (c) => c.score.toFixed(2) },
        { title: "Weight", num: true, cell: (c) => c.weight },
        { title: "Evidence", cell: (c) => c.evidence },
      ], g.criteria) : null];
    box.replaceChildren(box.firstChild, ...parts.filter(Boolean));
  };
  // Grading runs in the background: a pending grade is asked for again until it is done.
  const follow = async (g, tries = 30) => {
    show(g);
    if (g.status !== "pending" || tries === 0 || !box.isConnected) return;
    await new Promise((resolve) => { setTimeout(resolve, 2000); });
    await follow(await get(`/v1/calls/${id}/grade`), tries - 1);
  };
  const gradeButton = h("button", { type: "button", onclick: async () => {
    gradeButton.disabled = true;
    try {
      announce("Grading the call…");
      await follow(await post(`/v1/calls/${id}/grade`));
    } catch (error) { box.append(errorBox(error)); gradeButton.disabled = false; }
  } }, "Grade this call");
  try {
    const current = await get(`/v1/calls/${id}/grade`);
    if (current.status === "pending") follow(current).catch((error) => box.append(errorBox(error)));
    else show(current);
  } catch (error) {
    if (error.status !== 404) throw error;
    box.append(h("p", { class: "muted" }, "Not graded yet."), call.status === "completed" ? gradeButton : null);
  }
  return box;
}

async function issues(id) {
  const box = h("section", { class: "panel", "aria-labelledby": "issues-h" }, h("h2", { id: "issues-h" }, "Issue reports"));
  const list = h("div", { id: "issue-reports" });
  const render = (reports) => list.replaceChildren(reports.length ? table(null, [
    { title: "Reported", cell: (r) => when(r.created_at) },
    { title: "Severity", cell: (r) => badge(r.severity) },
    { title: "Category", cell: (r) => (r.category || dash).replaceAll("_", " ") },
    { title: "Title", cell: (r) => [h("strong", {}, r.title), r.description ? h("div", { class: "muted" }, r.description) : null] },
    { title: "Source", cell: (r) => r.source },
  ], reports) : h("p", { class: "muted" }, "No issue reported."));
  let reports = (await get(`/v1/calls/${id}/issue-reports`)).issue_reports;
  render(reports);
  const message = h("p", { class: "error", role: "alert" });
  const form = h("form", { class: "stack", "aria-label": "Report an issue", onsubmit: async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    const body = { title: data.title, severity: data.severity, category: data.category || null, description: data.description || null };
    message.textContent = "";
    try {
      const report = await post(`/v1/calls/${id}/issue-reports`, body);
      reports = [report, ...reports.filter((r) => r.id !== report.id)];
      render(reports);
      form.reset();
      announce(`Issue reported: ${report.title}`);
    } catch (error) { message.textContent = error.message; }
  } },
    h("h3", {}, "Report an issue"),
    h("label", { for: "issue-title" }, "Title", h("input", { id: "issue-title", name: "title", required: true, maxlength: 120 })),
    h("label", { for: "issue-severity" }, "Severity", h("select", { id: "issue-severity", name: "severity" }, SEVERITIES.map((s) => h("option", { value: s, selected: s === "warning" }, s)))),
    h("label", { for: "issue-category" }, "Category", h("select", { id: "issue-category", name: "category" }, h("option", { value: "" }, "none"), CATEGORIES.map((c) => h("option", { value: c }, c.replaceAll("_", " "))))),
    h("label", { for: "issue-description" }, "Description", h("textarea", { id: "issue-description", name: "description", rows: 3, maxlength: 4000 })),
    h("div", {}, h("button", { type: "submit" }, "Report issue")), message);
  box.append(list, form);
  return box;
}

export async function callView(page, { id }) {
  const path = encodeURIComponent(id);
  const call = await get(`/v1/calls/${path}`);
  const transcriptPanel = h("section", { class: "panel scroll", "aria-labelledby": "transcript-h" }, h("h2", { id: "transcript-h" }, "Transcript"));
  const audio = await player(path, call, transcriptPanel);
  const [historyList, gradeBox, issuesBox] = await Promise.all([history(path), grade(path, call), issues(path)]);
  page.append(
    h("p", {}, h("a", { href: "#/calls" }, "← Calls")),
    h("h1", {}, `${call.direction} call ${call.to_number || call.from_number || ""}`, h("span", { class: "muted" }, ` ${when(call.start_time)} `), badge(call.status)),
    h("div", { class: "grid2" },
      h("section", { class: "panel", "aria-labelledby": "details-h" }, h("h2", { id: "details-h" }, "Details"), details(call)),
      h("section", { class: "panel", "aria-labelledby": "recording-h" }, h("h2", { id: "recording-h" }, "Recording"), audio.element)),
    h("div", { class: "grid2" }, transcriptPanel,
      h("section", { class: "panel scroll", "aria-labelledby": "history-h" }, h("h2", { id: "history-h" }, "History"), historyList)),
    h("div", { class: "grid2" }, gradeBox, issuesBox));
  return () => audio.stop();
}
