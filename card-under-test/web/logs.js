// The History Log pages (§21): a log's records from /api/logs/{name}, as a chart (history
// logs: uPlot, last 30 minutes by default, presets up to 1 day or a date range, series
// chosen by the person) and as a paged table ("Log count per page", << < 1 2 3 > >>);
// event logs sorted by time or by level. Refreshed every 10 s.
// Its own scope: the pages load several scripts.
(() => {
  "use strict";

  const LOG_REFRESH_MS = 10000;
  const LEVELS = { Critical: 3, Warning: 2, Information: 1 };

  // "dd/mm/yyyy hh:mm:ss" → Unix s (the card's calendar, shown as it is: UTC on the axis).
  function stampToUnix(stamp) {
    const m = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(stamp);
    return m ? Date.UTC(+m[3], +m[2] - 1, +m[1], +m[4], +m[5], +m[6]) / 1000 : null;
  }

  const state = { columns: [], records: [], page: 0, span: 1800, range: null, hidden: new Set(), plot: null };

  async function loadLog(name) {
    const log = await window.cardApi.refresh(`/api/logs/${name}`);
    state.columns = log.columns;
    state.records = log.records;
  }

  function sortedRecords() {
    const rows = state.records.slice().reverse(); // newest first
    const sort = document.getElementById("sort");
    if (sort && sort.value === "level") {
      rows.sort((a, b) => (LEVELS[b[1]] || 0) - (LEVELS[a[1]] || 0));
    }
    return rows;
  }

  function renderTable() {
    const perPage = Number(document.getElementById("per-page").value);
    const rows = sortedRecords();
    const pages = Math.max(1, Math.ceil(rows.length / perPage));
    state.page = Math.min(state.page, pages - 1);
    const table = document.getElementById("log-table");
    const head = document.createElement("tr");
    for (const column of state.columns) head.appendChild(document.createElement("th")).textContent = column;
    table.tHead.replaceChildren(head);
    const body = document.createElement("tbody");
    for (const record of rows.slice(state.page * perPage, (state.page + 1) * perPage)) {
      const tr = body.insertRow();
      for (const cell of record) tr.insertCell().textContent = cell;
    }
    table.replaceChild(body, table.tBodies[0]);
    document.getElementById("record-count").textContent = `${rows.length} records`;
    const pager = document.getElementById("pager");
    const links = [["<<", 0], ["<", state.page - 1]];
    const first = Math.max(0, Math.min(state.page - 2, pages - 5));
    for (let p = first; p < Math.min(pages, first + 5); p++) links.push([String(p + 1), p]);
    links.push([">", state.page + 1], [">>", pages - 1]);
    pager.replaceChildren(
      ...links.map(([label, target]) => {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = label;
        button.disabled = target < 0 || target >= pages || target === state.page;
        if (String(state.page + 1) === label) button.setAttribute("aria-current", "page");
        button.addEventListener("click", () => {
          state.page = target;
          renderTable();
        });
        return button;
      }),
    );
  }

  // The chart's data: time, then each measurement; -1 (not managed) is a gap.
  function chartData() {
    const times = state.records.map((r) => stampToUnix(r[0]));
    const last = times.length ? times[times.length - 1] : 0;
    const [from, to] = state.range || [last - state.span, last];
    const keep = times.map((t) => t !== null && t >= from && t <= to);
    const data = [times.filter((_, i) => keep[i])];
    for (let c = 1; c < state.columns.length; c++) {
      data.push(state.records.filter((_, i) => keep[i]).map((r) => (Number(r[c]) === -1 ? null : Number(r[c]))));
    }
    return data;
  }

  const PALETTE = ["#1f6fb2", "#2e9e44", "#d93025", "#f2b705", "#7b3fa0", "#00838f", "#ef6c00", "#5d4037", "#c2185b", "#455a64", "#689f38", "#303f9f"];

  function renderChart() {
    const target = document.getElementById("chart");
    if (!target || typeof uPlot === "undefined") return;
    const data = chartData();
    target.dataset.points = String(data[0].length);
    if (state.plot) {
      state.plot.setData(data);
      return;
    }
    const series = [{}];
    for (let c = 1; c < state.columns.length; c++) {
      series.push({ label: state.columns[c], stroke: PALETTE[(c - 1) % PALETTE.length], width: 2, show: c <= 4 || state.columns.length <= 5, spanGaps: false });
    }
    state.plot = new uPlot(
      { width: Math.min(target.clientWidth || 900, 1100), height: 360, tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"), series, scales: { x: { time: true } } },
      data,
      target,
    );
  }

  async function refreshLog(name) {
    try {
      await loadLog(name);
      renderTable();
      renderChart();
    } catch (error) {
      console.warn(error);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const section = document.querySelector("[data-log]");
    if (!section) return;
    const name = section.dataset.log;
    document.getElementById("per-page").addEventListener("change", () => {
      state.page = 0;
      renderTable();
    });
    const sort = document.getElementById("sort");
    if (sort) sort.addEventListener("change", renderTable);
    for (const preset of document.querySelectorAll("button.preset")) {
      preset.addEventListener("click", () => {
        state.span = Number(preset.dataset.spanS);
        state.range = null;
        for (const other of document.querySelectorAll("button.preset")) other.setAttribute("aria-pressed", String(other === preset));
        renderChart();
      });
    }
    const apply = document.getElementById("range-apply");
    if (apply) {
      apply.addEventListener("click", () => {
        const from = Date.parse(document.getElementById("range-from").value + "Z") / 1000;
        const to = Date.parse(document.getElementById("range-to").value + "Z") / 1000;
        if (Number.isFinite(from) && Number.isFinite(to) && from < to) {
          state.range = [from, to];
          renderChart();
        }
      });
    }
    refreshLog(name);
    setInterval(() => refreshLog(name), LOG_REFRESH_MS);
  });
})();
