// "UPS Dashboard" (§13): the UPS's values as widgets — gauges for the values with a range,
// output currents as bars with the nominal line, the remaining time while on battery.
// Values the UPS does not give are not drawn. Refreshed from /api/view every 2 s.
(() => {
  "use strict";

  const root = document.getElementById("dashboard");
  if (!root) return;
  const SVG = "http://www.w3.org/2000/svg";
  // Tables and rows drawn as gauges: (table, label, unit, full scale).
  const GAUGES = [
    ["ups", "Output load rate", "%", 120],
    ["ups", "Battery capacity", "%", 100],
    ["rectifier", "Input Voltage", "V", 300],
    ["output", "Output Voltage", "V", 300],
    ["output", "Output Frequency", "Hz", 70],
    ["ups", "Battery voltage", "V", null],
    ["ups", "Temperature", null, 60],
  ];

  function row(view, table, label, unit) {
    const found = view.tables.find((t) => t.name === table);
    return found && found.rows.find((r) => r.label === label && (unit === null || r.unit === unit));
  }

  function svg(tag, attributes) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, String(v));
    return node;
  }

  function round(v) {
    return String(Math.round(v * 10) / 10);
  }

  // One bar per phase, 0 … full scale, with a marker line (the nominal current).
  function bars(values, full, marker, unit) {
    const width = 260;
    const picture = svg("svg", { viewBox: `0 0 ${width + 120} ${values.length * 26 + 6}`, class: "bars", role: "img" });
    values.forEach((v, i) => {
      const y = 4 + i * 26;
      picture.append(svg("rect", { x: 40, y, width, height: 18, class: "track" }));
      const w = Math.max(0, Math.min(v / full, 1)) * width;
      picture.append(svg("rect", { x: 40, y, width: w, height: 18, class: marker && v > marker ? "bar over" : "bar" }));
      const label = svg("text", { x: 0, y: y + 14 });
      label.textContent = values.length > 1 ? `L${i + 1}` : "";
      const value = svg("text", { x: 46 + width, y: y + 14 });
      value.textContent = `${round(v)} ${unit}`;
      picture.append(label, value);
    });
    if (marker) {
      const x = 40 + Math.min(marker / full, 1) * width;
      picture.append(svg("line", { x1: x, x2: x, y1: 0, y2: values.length * 26 + 6, class: "nominal" }));
    }
    return picture;
  }

  function widget(title, body, id) {
    const box = document.createElement("section");
    box.className = "widget";
    box.id = id;
    const h = document.createElement("h2");
    h.textContent = title;
    box.append(h, body);
    return box;
  }

  function draw(view) {
    const widgets = [];
    for (const [table, label, unit, full] of GAUGES) {
      const r = row(view, table, label, unit);
      const values = r ? r.values.filter((v) => v !== null) : [];
      if (values.length === 0) continue;
      const scale = full || Math.max(...values) * 1.25;
      const id = "w-" + label.toLowerCase().replace(/[^a-z]+/g, "-");
      widgets.push(widget(`${label} (${r.unit})`, bars(values, scale, null, r.unit), id));
    }
    const currents = row(view, "output", "Output Current", "A");
    const amps = currents ? currents.values.filter((v) => v !== null) : [];
    if (amps.length) {
      const nominal = view.nominal_output_current_a;
      const full = Math.max(nominal ? nominal * 1.2 : 0, ...amps, 1);
      const body = bars(amps, full, nominal, "A");
      const box = widget("Output current (A)", body, "w-output-current");
      if (nominal) {
        const note = document.createElement("p");
        note.className = "muted";
        note.textContent = `Line: nominal ${round(nominal)} A`;
        box.append(note);
      }
      widgets.push(box);
    }
    const remaining = row(view, "ups", "Remaining backup time", "mn");
    if (view.discharging && remaining && remaining.values[0] !== null) {
      const big = document.createElement("p");
      big.className = "big";
      big.id = "remaining-time";
      big.textContent = `${round(remaining.values[0])} mn`;
      widgets.unshift(widget("Remaining backup time", big, "w-remaining"));
    }
    const status = document.createElement("p");
    status.className = "big status";
    status.textContent = view.ups_status;
    widgets.unshift(widget("UPS status", status, "w-status"));
    root.replaceChildren(...widgets);
  }

  async function refresh() {
    try {
      draw(await window.cardApi.refresh("/api/view"));
    } catch (error) {
      console.warn(error);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    refresh();
    setInterval(refresh, 2000);
  });
})();
