// Charts in plain SVG: each has a title, a description and a table-like text alternative.
import { h, svg } from "./dom.js";

const W = 720, H = 260, M = { top: 12, right: 12, bottom: 46, left: 46 };
// Distinguishable colours with enough contrast on white (and named in the legend).
export const PALETTE = ["#1a7f37", "#0b5cad", "#8250df", "#bf3989", "#b42318", "#8a5a00", "#57606a", "#0a7c86", "#6e7781"];

// The axis top: four equal steps of 1, 2 or 5 × 10^k, whole numbers (these are counts).
function niceMax(value) {
  const rough = Math.max(value, 1) / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * power).find((m) => m >= rough));
  return step * 4;
}

function axes(max, labels, slot) {
  const parts = [];
  const plotH = H - M.top - M.bottom;
  for (let i = 0; i <= 4; i += 1) {
    const y = M.top + plotH - (plotH * i) / 4;
    parts.push(svg("line", { x1: M.left, x2: W - M.right, y1: y, y2: y, stroke: "#d0d7de" }),
      svg("text", { x: M.left - 6, y: y + 4, "text-anchor": "end" }, String(+((max * i) / 4).toFixed(2))));
  }
  const every = Math.ceil(labels.length / 12);
  labels.forEach((label, i) => {
    if (i % every) return;
    parts.push(svg("text", { x: M.left + slot * (i + 0.5), y: H - M.bottom + 16, "text-anchor": "middle" }, label));
  });
  return parts;
}

/** Stacked bars: `bars` is [{label, values: {series: n}}], `series` their names in order. */
export function stackedBars(title, bars, series, { unit = "calls" } = {}) {
  const totals = bars.map((b) => series.reduce((sum, s) => sum + (b.values[s] || 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const plotH = H - M.top - M.bottom;
  const slot = (W - M.left - M.right) / Math.max(bars.length, 1);
  const rects = [];
  bars.forEach((bar, i) => {
    let y = M.top + plotH;
    series.forEach((name, s) => {
      const value = bar.values[name] || 0;
      if (!value) return;
      const height = (value / max) * plotH;
      y -= height;
      rects.push(svg("rect", { x: M.left + slot * i + slot * 0.15, y, width: slot * 0.7, height, fill: PALETTE[s % PALETTE.length] },
        svg("title", {}, `${bar.label}: ${value} ${name.replaceAll("_", " ")}`)));
    });
  });
  const id = `chart-${title.replace(/\W+/g, "-").toLowerCase()}`;
  return h("figure", { class: "chart", id },
    svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": `${id}-t` },
      svg("title", { id: `${id}-t` }, `${title}: ${bars.map((b, i) => `${b.label} ${totals[i]} ${unit}`).join(", ")}`),
      axes(max, bars.map((b) => b.label), slot), rects),
    h("figcaption", {}, h("strong", {}, title),
      series.length > 1 ? h("div", { class: "legend" }, series.map((s, i) => h("span", { style: `--c: ${PALETTE[i % PALETTE.length]}` }, s.replaceAll("_", " ")))) : null));
}

/** A histogram of `values` in `bins` equal bins from their minimum to their maximum. */
export function histogram(title, values, { bins = 12, unit = "", format = (v) => String(Math.round(v)) } = {}) {
  const low = Math.min(...values);
  const width = (Math.max(...values) - low) / bins || 1;
  const counts = new Array(bins).fill(0);
  for (const value of values) counts[Math.min(bins - 1, Math.floor((value - low) / width))] += 1;
  const bars = counts.map((count, i) => ({ label: `${format(low + i * width)}${unit}`, values: { calls: count } }));
  return stackedBars(`${title} (${values.length} calls)`, bars, ["calls"]);
}
