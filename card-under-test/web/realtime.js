// "Real Time Graph" (§14): the measurements chosen, scanned every 2 s while the scan runs,
// drawn with uPlot. Nothing scanned is stored by the card: the points live in this page.
(() => {
  "use strict";

  const root = document.getElementById("realtime");
  if (!root) return;
  const PERIOD_MS = 2000;
  const KEEP_POINTS = 900; // 30 min at 2 s
  const COLOURS = ["#0b6e4f", "#c0392b", "#2e86de", "#e67e22", "#8e44ad", "#16a085", "#7f8c8d", "#d35400"];
  let timer = null;
  let plot = null;
  const times = [];
  const series = new Map(); // key → { label, values }

  const view = () => window.cardApi.refresh("/api/view");

  // Every measurement the UPS gives, a series per phase.
  function measurements(v) {
    const found = [];
    for (const table of v.tables) {
      for (const row of table.rows) {
        row.values.forEach((value, i) => {
          if (value === null) return;
          const phase = row.values.length > 1 ? ` L${i + 1}` : "";
          const label = `${row.label}${phase} (${row.unit})`;
          if (!found.some((f) => f.label === label)) found.push({ key: `${table.name}|${row.label}|${row.unit}|${i}`, label });
        });
      }
    }
    return found;
  }

  function valueOf(v, key) {
    const [table, label, unit, index] = key.split("|");
    const t = v.tables.find((x) => x.name === table);
    const r = t && t.rows.find((x) => x.label === label && x.unit === unit);
    return r ? r.values[Number(index)] : null;
  }

  function chosen() {
    return [...root.querySelectorAll("#measurements input:checked")].map((box) => box.value);
  }

  function redraw() {
    const keys = chosen();
    const holder = document.getElementById("realtime-chart");
    if (plot) plot.destroy();
    const data = [times, ...keys.map((k) => (series.get(k) || { values: [] }).values)];
    const options = {
      width: Math.max(holder.clientWidth, 320), height: 320,
      series: [{}, ...keys.map((k, i) => ({ label: (series.get(k) || {}).label || k, stroke: COLOURS[i % COLOURS.length], width: 2 }))],
      axes: [{}, {}],
    };
    plot = new uPlot(options, data, holder);
  }

  async function scan() {
    const v = await view();
    times.push(Date.now() / 1000);
    for (const option of measurements(v)) {
      if (!series.has(option.key)) series.set(option.key, { label: option.label, values: new Array(times.length - 1).fill(null) });
    }
    for (const [key, entry] of series) entry.values.push(valueOf(v, key));
    if (times.length > KEEP_POINTS) {
      times.shift();
      for (const entry of series.values()) entry.values.shift();
    }
    document.getElementById("scan-points").textContent = String(times.length);
    redraw();
  }

  function running(on) {
    document.getElementById("scan-start").disabled = on;
    document.getElementById("scan-stop").disabled = !on;
    document.getElementById("scan-state").textContent = on ? "Scanning" : "Stopped";
  }

  async function init() {
    const list = document.getElementById("measurements");
    const defaults = ["Output load rate", "Battery capacity", "Output Voltage L1", "Input voltage L1"];
    for (const option of measurements(await view())) {
      const box = document.createElement("input");
      box.type = "checkbox";
      box.value = option.key;
      box.checked = defaults.some((d) => option.label.startsWith(d + " (") || option.label.startsWith(d + " L1"));
      box.addEventListener("change", redraw);
      const label = document.createElement("label");
      label.append(box, " " + option.label);
      list.append(label);
    }
    document.getElementById("scan-start").addEventListener("click", () => {
      if (timer) return;
      running(true);
      scan();
      timer = setInterval(() => scan().catch(console.warn), PERIOD_MS);
    });
    document.getElementById("scan-stop").addEventListener("click", () => {
      clearInterval(timer);
      timer = null;
      running(false);
    });
    running(false);
    redraw();
  }

  document.addEventListener("DOMContentLoaded", () => init().catch((e) => (root.textContent = String(e))));
})();
