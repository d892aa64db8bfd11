// The card's pages, live: the top bar's alarm icon, the synoptic and its tables, the alarm
// table — refreshed from the card's JSON API every 2 s. The X-Refresh header tells the
// card these requests are not the person's: they do not keep the session alive.
// Its own scope: the pages load several scripts.
(() => {
  "use strict";

  const REFRESH_MS = 2000;

  const api = window.cardApi.refresh;

  function text(id, value) {
    const node = document.getElementById(id);
    if (node && node.textContent !== value) node.textContent = value;
  }

  // §12.3: the count of active alarms; the icon flashes on an alarm not yet seen on the
  // alarm table, and shows while any alarm is present.
  function updateAlarmIcon(alarms) {
    const icon = document.getElementById("alarm-icon");
    if (!icon) return;
    const onAlarmPage = document.querySelector('[data-refresh="alarms"]') !== null;
    const newest = alarms.last || "";
    if (onAlarmPage) sessionStorage.setItem("seen-alarm", newest + "#" + alarms.count);
    const seen = sessionStorage.getItem("seen-alarm");
    text("alarm-count", String(alarms.count));
    icon.hidden = alarms.count === 0;
    icon.title = newest || "No alarm";
    icon.classList.toggle("flash", alarms.count > 0 && seen !== newest + "#" + alarms.count);
  }

  function formatValues(row) {
    const shown = row.values.map((v) => (v === null ? "—" : String(Math.round(v * 10) / 10)));
    return shown.join("/");
  }

  let shownTable = "ups";

  // The parameter table chosen: an element's (§12.1.4), or a unit's or module's (§11.3).
  function chosenTable(view) {
    const device = window.cardTree.deviceTable(view, shownTable);
    if (device) return device;
    const table = view.tables.find((t) => t.name === shownTable) || view.tables.find((t) => t.name === "ups");
    if (!table) return null;
    const rows = table.rows.map((row) => ({ label: row.label + (row.unit ? " (" + row.unit + ")" : ""), text: formatValues(row) }));
    return { title: table.title, rows };
  }

  function renderTable(view) {
    const table = chosenTable(view);
    const body = document.createElement("tbody");
    for (const row of table ? table.rows : []) {
      const tr = body.insertRow();
      tr.insertCell().textContent = row.label;
      tr.insertCell().textContent = row.text;
    }
    const parameters = document.getElementById("parameters");
    parameters.replaceChild(body, parameters.tBodies[0]);
    text("table-title", table ? table.title : "UPS Parameters");
    document.getElementById("show-ups").hidden = shownTable === "ups";
  }

  // §12.1.2: which of the five battery pictures.
  function batteryState(status) {
    if (status === "Battery disconnected") return "open";
    if (status === "Battery discharged") return "discharged";
    if (status === "Battery discharging" || status === "Battery low") return "discharging";
    if (status === "Battery charging") return "charging";
    return "charged";
  }

  function rowValue(view, label) {
    const ups = view.tables.find((t) => t.name === "ups");
    const row = ups && ups.rows.find((r) => r.label === label);
    return row && row.values.length ? row.values[0] : null;
  }

  function selectNode(id) {
    shownTable = window.cardTree.select(id);
    refresh();
  }

  function updateSynoptic(view) {
    window.cardTree.update(view, selectNode);
    for (const element of view.synoptic) {
      const group = document.getElementById("el-" + element.number);
      if (!group || group.dataset.colour === element.colour) continue;
      group.classList.remove("c-hidden", "c-grey", "c-green", "c-yellow", "c-red");
      group.classList.add("c-" + element.colour.toLowerCase());
      group.dataset.colour = element.colour;
    }
    text("ups-status", view.ups_status);
    text("battery-status", view.battery_status);
    text("output-status", view.output_status);
    const state = batteryState(view.battery_status);
    document.getElementById("el-10").dataset.battery = state;
    // §12.1: the capacity while charging or charged, the remaining time while discharging.
    const capacity = rowValue(view, "Battery capacity");
    const remaining = rowValue(view, "Remaining backup time");
    const battery = state === "discharging" && remaining !== null ? remaining + " mn" : capacity !== null ? capacity + " %" : "—";
    text("battery-value", battery);
    const load = view.synoptic_load_pct;
    text("load-value", load === null ? "—" : Math.round(load) + " %");
    // §12.1.3: the bar spans 0–120 %; the line marks 100 %.
    const bar = document.getElementById("load-bar");
    bar.setAttribute("width", String((Math.min(Math.max(load || 0, 0), 120) / 120) * 96));
    renderTable(view);
  }

  function updateAlarmTable(alarms) {
    text("active-count", String(alarms.count));
    text("last-alarm", alarms.last || "");
    const body = document.createElement("tbody");
    for (const alarm of alarms.active) {
      const tr = body.insertRow();
      tr.className = "level-" + alarm.level.toLowerCase();
      for (const cell of [alarm.code, alarm.time, alarm.description, alarm.level]) tr.insertCell().textContent = cell;
    }
    const table = document.getElementById("alarm-table");
    table.replaceChild(body, table.tBodies[0]);
  }

  async function refresh() {
    try {
      const alarms = await api("/api/alarms");
      updateAlarmIcon(alarms);
      if (document.querySelector('[data-refresh="alarms"]')) updateAlarmTable(alarms);
      if (document.querySelector('[data-refresh="view"]')) updateSynoptic(await api("/api/view"));
    } catch (error) {
      console.warn(error);
    }
  }

  // Files sent whole (§18.2 "Upload Configuration", the HTTPS certificate): the form's file
  // goes to PUT data-upload; the card takes it whole or not at all and says why.
  function initUploads() {
    for (const form of document.querySelectorAll("form[data-upload]")) {
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const file = form.querySelector('input[type="file"]').files[0];
        const result = form.querySelector('[role="status"]');
        if (!file) return;
        const csrf = document.querySelector('meta[name="csrf-token"]').content;
        const response = await fetch(form.dataset.upload, { method: "PUT", body: await file.text(), headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" });
        const answer = await response.text();
        result.className = response.ok ? "message ok" : "message";
        result.textContent = response.ok ? `Uploaded: ${answer}` : `Refused (${response.status}): ${answer}`;
      });
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    initUploads();
    const synoptic = document.getElementById("synoptic");
    if (synoptic) {
      synoptic.addEventListener("click", (event) => {
        const group = event.target.closest("[data-table]");
        if (!group) return;
        shownTable = group.dataset.table;
        refresh();
      });
      document.getElementById("show-ups").addEventListener("click", () => {
        shownTable = "ups";
        refresh();
      });
    }
    refresh();
    setInterval(refresh, REFRESH_MS);
  });
})();
