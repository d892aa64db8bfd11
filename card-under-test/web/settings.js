// The settings pages (NET VISION §16.3–16.8, §18): each names the settings it shows by JSON
// pointer (`/mail`, `/snmp/trap_receivers`); this script builds their form from the card's
// JSON Schema (GET /api/config/schema) and the values in force (GET /api/config), and sends
// the changes with PATCH /api/config. The card checks them exactly as an uploaded file and
// says which field is wrong. Read-only callers get the values as tables, no form.
(() => {
  "use strict";

  const root = document.getElementById("settings");
  if (!root) return;
  const writable = root.dataset.writable === "true";
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  let defs = {};

  // ---- the schema ----

  function resolve(schema) {
    let node = schema || {};
    while (node.$ref) {
      const target = defs[node.$ref.replace("#/$defs/", "")] || {};
      const { $ref: _ignored, ...own } = node;
      node = { ...target, ...own };
    }
    return node;
  }

  // Option<T>: the schema of T and whether null is allowed.
  function unwrap(schema) {
    const node = resolve(schema);
    if (node.anyOf) {
      const present = node.anyOf.filter((s) => s.type !== "null");
      if (present.length === 1) return { node: { ...resolve(present[0]), description: node.description }, nullable: true };
    }
    if (Array.isArray(node.type) && node.type.includes("null")) {
      return { node: { ...node, type: node.type.find((t) => t !== "null") }, nullable: true };
    }
    return { node, nullable: false };
  }

  // Unit variants (`"Udp"`) and variants with data (`{"Severity": "Critical"}`).
  function variants(node) {
    if (node.enum) return node.enum.map((name) => ({ name }));
    if (node.const !== undefined) return [{ name: node.const }];
    if (!node.oneOf) return null;
    const list = [];
    for (const alternative of node.oneOf.map(resolve)) {
      if (alternative.enum || alternative.const !== undefined) list.push(...variants(alternative));
      else if (alternative.properties) {
        const [name, inner] = Object.entries(alternative.properties)[0];
        list.push({ name, schema: inner });
      }
    }
    return list;
  }

  function schemaAt(schema, pointer) {
    let node = schema;
    for (const key of pointer.split("/").slice(1)) {
      const { node: here } = unwrap(node);
      node = here.properties ? here.properties[key] : here.items;
    }
    return node;
  }

  function valueAt(value, pointer) {
    return pointer.split("/").slice(1).reduce((v, key) => (v == null ? v : v[key]), value);
  }

  function today() {
    const d = new Date();
    return [d.getDate(), d.getMonth() + 1].map((n) => String(n).padStart(2, "0")).join("/") + "/" + d.getFullYear();
  }

  // A new row's values: the schema's defaults, else the least that fits.
  function fresh(schema) {
    const { node, nullable } = unwrap(schema);
    if (node.default !== undefined) return structuredClone(node.default);
    if (nullable) return null;
    const choices = variants(node);
    if (choices) return choices[0].schema ? { [choices[0].name]: fresh(choices[0].schema) } : choices[0].name;
    switch (node.type) {
      case "object":
        return Object.fromEntries(Object.entries(node.properties || {}).map(([k, s]) => [k, fresh(s)]));
      case "array":
        return [];
      case "boolean":
        return false;
      case "integer":
      case "number":
        return Math.max(node.minimum ?? 0, 0);
      default:
        if (node.description === "hh:mm") return "00:00";
        if (node.description === "dd/mm/yyyy") return today();
        return "";
    }
  }

  // ---- labels ----

  const UNITS = { s: "s", ms: "ms", min: "min", pct: "%", days: "days", v: "V", hz: "Hz" };

  function label(key, schema) {
    const description = (schema && (schema.description || resolve(schema).description)) || "";
    const quoted = description.match(/^"([^"]+)"/);
    if (quoted) return quoted[1];
    const words = String(key).split("_");
    const unit = words.length > 1 && UNITS[words[words.length - 1]];
    if (unit) words.pop();
    const text = words.join(" ").replace(/\b(ip|ups|ipv6|snmp|mac|dns|dhcp|http|https|tls|tcp|udp|wol)\b/g, (w) => w.toUpperCase());
    return text.charAt(0).toUpperCase() + text.slice(1) + (unit ? ` (${unit})` : "");
  }

  function secretKey(key) {
    return /password|secret/.test(String(key));
  }

  // ---- editors: each returns { element, get() } ----

  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attributes)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "text") node.textContent = v;
      else node.setAttribute(k, v === true ? "" : v);
    }
    node.append(...children);
    return node;
  }

  function shown(value) {
    if (value === null || value === undefined || value === "") return "—";
    if (value === true) return "Enabled";
    if (value === false) return "Disabled";
    if (Array.isArray(value)) return value.map(shown).join(", ") || "—";
    if (typeof value === "object") return Object.entries(value).map(([k, v]) => `${k} ${shown(v)}`).join(", ");
    return String(value);
  }

  function editor(schema, value, key, path) {
    const { node, nullable } = unwrap(schema);
    const choices = variants(node);
    if (!writable && node.type !== "object" && !(node.type === "array" && resolve(node.items).type === "object")) {
      return { element: el("span", { class: "value", "data-path": path, text: shown(value) }), get: () => value };
    }
    if (choices) return choice(choices, nullable, value, path);
    if (node.type === "object") return object(node, value, path, nullable);
    if (node.type === "array") return array(node, value || [], path);
    if (node.type === "boolean") {
      const input = el("input", { type: "checkbox", "data-path": path, checked: value === true });
      return { element: input, get: () => input.checked };
    }
    if (node.type === "integer" || node.type === "number") {
      const input = el("input", {
        type: "number", "data-path": path, value: value ?? "", min: node.minimum, max: node.maximum,
        step: node.type === "integer" ? 1 : "any", placeholder: nullable ? "Disabled" : undefined, required: !nullable,
      });
      return { element: input, get: () => (input.value.trim() === "" && nullable ? null : Number(input.value)) };
    }
    const input = el("input", {
      type: secretKey(key) ? "password" : "text", "data-path": path, value: value ?? "",
      pattern: node.pattern ? node.pattern.replace(/^\^|\$$/g, "") : undefined,
      placeholder: node.description && node.description.length < 12 ? node.description : undefined,
      autocomplete: secretKey(key) ? "new-password" : "off",
    });
    return { element: input, get: () => (input.value === "" && nullable ? null : input.value) };
  }

  function choice(choices, nullable, value, path) {
    const select = el("select", { "data-path": path });
    if (nullable) select.append(el("option", { value: "", text: "Disabled" }));
    for (const c of choices) select.append(el("option", { value: c.name, text: c.name }));
    const current = value === null || value === undefined ? "" : typeof value === "string" ? value : Object.keys(value)[0];
    select.value = current;
    const holder = el("span", { class: "variant" });
    let inner = null;
    function show() {
      const picked = choices.find((c) => c.name === select.value);
      holder.replaceChildren();
      inner = null;
      if (picked && picked.schema) {
        const start = value && typeof value === "object" && value[picked.name] !== undefined ? value[picked.name] : fresh(picked.schema);
        inner = editor(picked.schema, start, picked.name, `${path}/${picked.name}`);
        holder.append(inner.element);
      }
    }
    select.addEventListener("change", show);
    show();
    return {
      element: el("span", { class: "choice" }, select, holder),
      get: () => (select.value === "" ? null : inner ? { [select.value]: inner.get() } : select.value),
    };
  }

  function object(node, value, path, nullable) {
    const table = el("table", { class: "settings-object" });
    const parts = [];
    const start = value ?? fresh({ ...node, default: undefined });
    for (const [key, schema] of Object.entries(node.properties || {})) {
      const part = editor(schema, start[key], key, `${path}/${key}`);
      parts.push([key, part]);
      const description = resolve(schema).description || schema.description || "";
      table.append(el("tr", {}, el("th", { title: description, text: label(key, schema) }), el("td", {}, part.element)));
    }
    const get = () => Object.fromEntries(parts.map(([k, p]) => [k, p.get()]));
    if (!nullable) return { element: table, get };
    if (!writable) return value === null ? { element: el("span", { text: "Disabled" }), get: () => null } : { element: table, get };
    const on = el("input", { type: "checkbox", "data-path": `${path}?`, checked: value !== null });
    const wrap = el("span", { class: "optional" }, el("label", {}, on, " Enabled"), table);
    const sync = () => (table.hidden = !on.checked);
    on.addEventListener("change", sync);
    sync();
    return { element: wrap, get: () => (on.checked ? get() : null) };
  }

  function array(node, items, path) {
    const item = unwrap(node.items);
    const itemChoices = variants(item.node);
    if (itemChoices && !itemChoices.some((c) => c.schema)) {
      // A set of named things (the syslog groups): a box each.
      const boxes = itemChoices.map((c) => [c.name, el("input", { type: "checkbox", value: c.name, checked: items.includes(c.name) })]);
      return {
        element: el("span", { class: "set", "data-path": path }, ...boxes.map(([name, box]) => el("label", {}, box, " " + name))),
        get: () => boxes.filter(([, box]) => box.checked).map(([name]) => name),
      };
    }
    if (item.node.type !== "object") {
      // Plain values (addresses, event numbers): one line, separated by commas.
      const input = el("input", { type: "text", "data-path": path, value: items.join(", "), placeholder: "separated by commas" });
      const number = item.node.type === "integer" || item.node.type === "number";
      return {
        element: input,
        get: () => input.value.split(",").map((s) => s.trim()).filter((s) => s !== "").map((s) => (number ? Number(s) : s)),
      };
    }
    // Rows (receivers, targets, rules): a table, a row each, rows added and removed.
    const columns = Object.entries(item.node.properties || {});
    const table = el("table", { class: "rows", "data-path": path });
    const head = el("tr", {}, el("th", { text: "Index" }), ...columns.map(([k, s]) => el("th", { text: label(k, s), title: resolve(s).description || "" })));
    if (writable) head.append(el("th"));
    table.append(el("thead", {}, head));
    const body = el("tbody");
    table.append(body);
    const rows = [];
    function renumber() {
      rows.forEach((row, i) => (row.tr.firstChild.textContent = String(i + 1)));
    }
    function addRow(value) {
      const cells = columns.map(([k, s]) => [k, editor(s, value[k], k, `${path}/${rows.length}/${k}`)]);
      const tr = el("tr", {}, el("td", { class: "index" }), ...cells.map(([, p]) => el("td", {}, p.element)));
      const row = { tr, get: () => Object.fromEntries(cells.map(([k, p]) => [k, p.get()])) };
      if (writable) {
        const remove = el("button", { type: "button", class: "link remove", text: "Remove" });
        remove.addEventListener("click", () => {
          rows.splice(rows.indexOf(row), 1);
          tr.remove();
          renumber();
        });
        tr.append(el("td", {}, remove));
      }
      rows.push(row);
      body.append(tr);
      renumber();
    }
    items.forEach(addRow);
    const element = el("div", { class: "rows-editor" }, table);
    if (writable) {
      const add = el("button", { type: "button", class: "add", text: "Add" });
      add.addEventListener("click", () => addRow(fresh(node.items)));
      element.append(add);
    } else if (items.length === 0) {
      element.append(el("p", { class: "empty", text: "None." }));
    }
    return { element, get: () => rows.map((r) => r.get()) };
  }

  // ---- the page ----

  async function send(method, path, body) {
    const response = await fetch(path, {
      method, body, credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, "Content-Type": "application/json" },
    });
    if (response.status === 401) window.location.reload();
    return { ok: response.ok, status: response.status, text: await response.text() };
  }

  function say(node, ok, text) {
    node.className = ok ? "message ok" : "message";
    node.setAttribute("role", ok ? "status" : "alert");
    node.textContent = text;
  }

  async function build() {
    const [config, schema] = await Promise.all(
      ["/api/config", "/api/config/schema"].map((p) => fetch(p, { credentials: "same-origin" }).then((r) => r.json())),
    );
    defs = schema.$defs || {};
    const fields = JSON.parse(root.dataset.fields);
    const parts = [];
    const form = el(writable ? "form" : "div", { class: "settings", id: "settings-form", novalidate: writable || undefined });
    for (const { pointer, label: given } of fields) {
      const fieldSchema = schemaAt(schema, pointer);
      const key = pointer.split("/").pop();
      const part = editor(fieldSchema, valueAt(config, pointer), key, pointer);
      parts.push([pointer, part]);
      const title = given || label(key, fieldSchema);
      const description = resolve(fieldSchema).description || fieldSchema.description || "";
      const { node } = unwrap(fieldSchema);
      const big = node.type === "object" || (node.type === "array" && unwrap(node.items).node.type === "object");
      // A page showing one group of settings has the page's title already.
      const heading = fields.length === 1 && !given ? [] : [el("h2", { title: description, text: title })];
      form.append(
        big
          ? el("section", { class: "field group" }, ...heading, part.element)
          : el("div", { class: "field" }, el("label", { title: description, text: title }), part.element),
      );
    }
    const result = el("p", { id: "settings-result" });
    if (writable) {
      form.append(el("div", { class: "toolbar" }, el("button", { type: "submit", id: "settings-save", text: "Save" })), result);
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const changes = Object.fromEntries(parts.map(([pointer, part]) => [pointer, part.get()]));
        const answer = await send("PATCH", "/api/config", JSON.stringify(changes));
        if (!answer.ok) return say(result, false, `Refused (${answer.status}): ${answer.text}`);
        const changed = JSON.parse(answer.text);
        const later = changed.restart_needed.length ? ` Applies at the next restart: ${changed.restart_needed.join(", ")}.` : "";
        say(result, true, changed.changed.length ? `Saved: ${changed.changed.join(", ")}.${later}` : "Nothing changed.");
      });
    }
    root.replaceChildren(form);
  }

  // The page's buttons that ask the card to do something now (test mail, test trap, …).
  function initActions() {
    for (const button of document.querySelectorAll("button[data-post]")) {
      button.addEventListener("click", async () => {
        const result = document.getElementById("action-result");
        button.disabled = true;
        const answer = await send("POST", button.dataset.post, "");
        button.disabled = false;
        say(result, answer.ok, answer.ok ? `${button.textContent}: done ${answer.text}` : `${button.textContent}: refused (${answer.status}): ${answer.text}`);
      });
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    initActions();
    build().catch((error) => {
      root.textContent = `The settings could not be read: ${error}`;
    });
  });
})();
