// The History Log pages and the settings file in a real browser (§21, §18.2): the history
// chart gains points as the card records; each log's CSV download parses and matches the
// API's records; a bad settings file is refused on upload and changes nothing.
import { readFileSync } from "node:fs";
import { check, done, env, launch, login, newPage, screenshot, within, PATIENCE_S } from "./lib.mjs";

const card = env("CARD");
const admin = env("ADMIN_PASSWORD");

// RFC 4180: fields separated by commas, quoted when they hold commas, quotes or line ends.
function parseCsv(text) {
  const rows = [];
  let row = [], field = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(field); field = ""; }
    else if (c === "\n") { row.push(field.replace(/\r$/, "")); rows.push(row); row = []; field = ""; }
    else field += c;
  }
  if (field !== "" || row.length) { row.push(field); rows.push(row); }
  return rows;
}

const browser = await launch();
try {
  const page = await newPage(browser);
  await login(page, "admin", admin);
  await page.goto(`${card}/history/history`);
  const points = async () => Number((await page.getAttribute("#chart", "data-points")) || 0);
  await within(PATIENCE_S, async () => (await points()) > 0);
  const first = await points();
  const more = await within(PATIENCE_S, async () => (await points()) > first);
  check("the history chart gains points", more !== null, `${first} → ${await points()} points`);
  check("the chart is drawn", (await page.$("#chart .uplot")) !== null);
  check("its table pages 5 records by default", (await page.$$eval("#log-table tbody tr", (r) => r.length)) === Math.min(5, await points() || 5));
  await screenshot(page, "history.png");

  for (const name of ["history", "extended", "ups-events", "card-events"]) {
    await page.goto(`${card}/history/${name}`);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
    const csv = parseCsv(readFileSync(await download.path(), "utf8"));
    const api = await (await page.request.get(`${card}/api/logs/${name}`)).json();
    const [header, ...rows] = csv;
    const same = JSON.stringify(header) === JSON.stringify(api.columns)
      && rows.length > 0
      && JSON.stringify(rows) === JSON.stringify(api.records.slice(0, rows.length));
    check(`${name}.csv parses and matches the API's records`, same, `${rows.length} rows, ${header.length} columns; API ${api.records.length} records`);
    if (name === "card-events") await screenshot(page, "card-events.png");
  }
  await page.goto(`${card}/history/card-events`);
  await page.selectOption("#sort", "level");
  const levels = await page.$$eval("#log-table tbody tr td:nth-child(2)", (cells) => cells.map((c) => c.textContent));
  const rank = { Critical: 3, Warning: 2, Information: 1 };
  check("the events log sorts by level", levels.every((l, i) => i === 0 || rank[levels[i - 1]] >= rank[l]), levels.join(","));

  await page.goto(`${card}/card/configuration`);
  await screenshot(page, "configuration.png");
  const before = await (await page.request.get(`${card}/api/config`)).text();
  const [backup] = await Promise.all([page.waitForEvent("download"), page.click("#download-config")]);
  const text = readFileSync(await backup.path(), "utf8");
  check("the configuration downloads", text.includes("CardConfig("), text.slice(0, 40));
  const bad = text.replace(/polling_s: [0-9.]+/, 'polling_s: "fast"');
  await page.setInputFiles("#upload-file", { name: "bad.ron", mimeType: "text/plain", buffer: Buffer.from(bad) });
  await page.click('#upload-form button[type="submit"]');
  await within(PATIENCE_S, async () => (await page.textContent("#upload-result")) !== "");
  const said = await page.textContent("#upload-result");
  check("a bad configuration file is refused, by line and column", /Refused \(400\): \d+:\d+: /.test(said), said);
  const after = await (await page.request.get(`${card}/api/config`)).text();
  check("and nothing changed", before === after);
  const [mib] = await Promise.all([page.waitForEvent("download"), page.click("#download-mib")]);
  const mibText = readFileSync(await mib.path(), "utf8");
  check("the MIB file downloads", mibText.includes("DEFINITIONS ::= BEGIN"), mibText.slice(0, 60));
  await page.goto(`${card}/history/save`);
  await screenshot(page, "clear-and-save.png");
} finally {
  await browser.close();
}
done();
