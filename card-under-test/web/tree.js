// The UPS architecture tree of the Comprehensive View (§11.3) and what a click on it
// chooses: the system view of a parallel system (§12.2: only the units' supplies, the
// bypass and the global output, the units drawn as one system symbol) or the unit view
// (§12.1), and the table shown below the synoptic. Drawn from `/api/view`'s topology.
(() => {
  "use strict";

  const STATUS_TEXT = {
    Standby: "On standby",
    Operating: "Operating",
    OperatingWithAlarm: "Operating with alarm",
    OperatingWithCriticalAlarm: "Operating with critical alarm",
    ImminentStop: "Imminent stop",
  };
  const BATTERY_TEXT = { Disconnected: "Battery disconnected", Ok: "Battery Ok", Discharging: "Battery discharging", Alarm: "Battery alarm" };
  // The colour class of the system symbol for each status.
  const SYMBOL_CLASS = { Standby: "c-grey", Operating: "c-green", OperatingWithAlarm: "c-yellow", OperatingWithCriticalAlarm: "c-red", ImminentStop: "c-red" };

  // "root" (the UPS or the system) or "device-N" (unit or module N).
  let selected = "root";
  let drawn = "";

  function deviceName(topology, number) {
    return (topology.kind === "Parallel" ? "Unit " : "Module ") + number;
  }

  function icon(className, title) {
    const span = document.createElement("span");
    span.className = className;
    span.title = title;
    span.setAttribute("aria-label", title);
    return span;
  }

  function node(id, label, status, onSelect, battery) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.node = id;
    button.append(icon("status-icon status-" + status, STATUS_TEXT[status]), document.createTextNode(label));
    if (battery) button.append(icon("battery-icon battery-" + battery, BATTERY_TEXT[battery]));
    button.addEventListener("click", () => onSelect(id));
    item.append(button);
    return item;
  }

  // Redrawn only when the topology changes, so a click is never lost to a refresh.
  function draw(tree, topology, onSelect) {
    const key = JSON.stringify(topology);
    if (key === drawn) return;
    drawn = key;
    const reference = tree.dataset.reference;
    const rootLabel = topology.kind === "Parallel" ? "SYSTEM " + reference : reference;
    const root = node("root", rootLabel, topology.status, onSelect, topology.battery);
    if (topology.devices.length) {
      const children = document.createElement("ul");
      for (const device of topology.devices) {
        children.append(node("device-" + device.number, deviceName(topology, device.number), device.status, onSelect));
      }
      root.append(children);
    }
    const list = document.createElement("ul");
    list.append(root);
    tree.replaceChildren(list);
  }

  function yesNo(value) {
    return value ? "Yes" : "No";
  }

  // The UNIT or MODULE TABLE (§11.3): what the UPS says of that unit or module.
  function deviceTable(view, id) {
    const topology = view.topology;
    const device = topology.devices.find((d) => "device-" + d.number === id);
    if (!device) return null;
    const rows = [{ label: "Status", text: STATUS_TEXT[device.status] }, { label: "Present", text: "Yes" }];
    for (const [key, label] of [["operating", "Operating"], ["available", "Available"], ["general_alarm", "General alarm"], ["imminent_stop", "Imminent stop"]]) {
      if (device[key] !== null) rows.push({ label, text: yesNo(device[key]) });
    }
    return { title: deviceName(topology, device.number) + " Parameters", rows };
  }

  // Draws the tree, marks the chosen node, and sets the synoptic to the system view or the
  // unit view. Returns the table the choice shows by default.
  function update(view, onSelect) {
    const tree = document.getElementById("tree");
    const synoptic = document.getElementById("synoptic");
    if (!tree || !synoptic) return;
    const topology = view.topology;
    if (selected !== "root" && !topology.devices.some((d) => "device-" + d.number === selected)) selected = "root";
    draw(tree, topology, onSelect);
    for (const button of tree.querySelectorAll("button[data-node]")) {
      button.setAttribute("aria-current", String(button.dataset.node === selected));
    }
    const parallel = topology.kind === "Parallel";
    const systemView = parallel && selected === "root";
    synoptic.classList.toggle("system-view", systemView);
    const symbol = document.getElementById("system-symbol");
    symbol.classList.remove("c-grey", "c-green", "c-yellow", "c-red");
    symbol.classList.add(SYMBOL_CLASS[topology.status]);
    const count = topology.devices.length;
    document.getElementById("system-units").textContent = count + (count === 1 ? " unit" : " units") + " — " + STATUS_TEXT[topology.status];
    const title = systemView ? "System view" : parallel ? deviceName(topology, selected.slice(7)) + " view" : "Unit view";
    document.getElementById("view-title").textContent = title;
    const note = document.getElementById("view-note");
    note.hidden = !(parallel && !systemView);
    note.textContent = "The UPS gives its measurements at system level: the synoptic and its tables show the system's.";
  }

  // Chooses a node; returns the table it opens (§11.3 "Click for access to").
  function select(id) {
    selected = id;
    return id === "root" ? "ups" : id;
  }

  window.cardTree = { update, select, deviceTable };
})();
