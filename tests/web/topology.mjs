// The UPS architecture tree and the system and unit views (§11.3, §11.4, §12.2): a parallel
// system opens on the system synoptic (only elements 1, 7, 8, 9, 11, 12, 14, 15 and the
// system symbol), a failed unit shows its alarm in the tree without a reload, a click on a
// unit opens its unit synoptic and UNIT TABLE; a modular UPS lists its modules and opens on
// the unit view, a click on a module gives its MODULE TABLE with the module's own bits.
import { check, done, env, launch, login, newPage, screenshot, within, PATIENCE_S } from "./lib.mjs";

const admin = env("ADMIN_PASSWORD");
const SYSTEM = [1, 7, 8, 9, 11, 12, 14, 15];
const UNIT_ONLY = [2, 3, 4, 5, 6, 10, 13];

// Displayed, whatever its size (a horizontal wire has no height, so isVisible says no).
const visible = (page, selector) =>
  page.$eval(selector, (e) => { for (let n = e; n instanceof Element; n = n.parentElement) if (getComputedStyle(n).display === "none") return false; return true; });
const nodes = (page) => page.$$eval("#tree button[data-node]", (b) => b.map((e) => e.textContent.trim()));
const icon = (page, node) => page.getAttribute(`#tree button[data-node="${node}"] .status-icon`, "class");
const tableRows = (page) =>
  page.$$eval("#parameters tbody tr", (rows) => Object.fromEntries(rows.map((r) => [r.cells[0].textContent, r.cells[1]?.textContent])));
const title = (page) => page.textContent("#table-title");
const hasStatus = async (page, node, status) => (await icon(page, node)).split(" ").includes("status-" + status);

async function fault(twin, method, name, params) {
  const url = method === "POST" ? `${twin}/api/faults` : `${twin}/api/faults/${name}`;
  const body = method === "POST" ? JSON.stringify({ name, params }) : undefined;
  const response = await fetch(url, { method, headers: { "content-type": "application/json" }, body });
  return response.ok;
}

async function parallelSystem(browser) {
  process.env.CARD = env("CARD_PARALLEL");
  const twin = env("TWIN_PARALLEL");
  const page = await newPage(browser);
  await login(page, "admin", admin);
  await within(PATIENCE_S, async () => (await nodes(page)).length === 4);
  const listed = await nodes(page);
  check("the tree shows the SYSTEM and its units", listed[0] === "SYSTEM DMXS900011" && listed.slice(1).join(",") === "Unit 1,Unit 2,Unit 3", listed);
  check("it opens on the system view", (await page.textContent("#view-title")) === "System view");
  // Drawn: displayed, and in a colour (an element the UPS does not manage is "Hidden").
  const shown = await Promise.all(SYSTEM.map(async (n) => [n, await page.getAttribute(`#el-${n}`, "data-colour"), await visible(page, `#el-${n}`)]));
  check("elements 1, 7, 8, 9, 11, 12, 14, 15 are drawn", shown.every(([, colour, displayed]) => displayed && colour !== "Hidden"), JSON.stringify(shown));
  const hidden = await Promise.all(UNIT_ONLY.map((n) => visible(page, `#el-${n}`)));
  check("the rectifier, DC bus, battery, inverter and static switch are not", hidden.every((v) => !v), hidden);
  check("the system symbol stands for the units", (await page.textContent("#system-units")) === "3 units — Operating", await page.textContent("#system-units"));
  // §12.2.3: the UPS parameters table, read at system level.
  const UPS_TABLE = "UPS or Unit Parameters";
  check("the UPS table is at system level", (await title(page)) === UPS_TABLE, await title(page));
  await page.click("#el-9");
  const output = await within(PATIENCE_S, async () => (await title(page)) === "Output Parameters");
  check("a click on the load shows the output table", output !== null, await title(page));
  await page.click("#system-symbol");
  const ups = await within(PATIENCE_S, async () => (await title(page)) === UPS_TABLE);
  check("a click on the system symbol shows the UPS table", ups !== null, await title(page));
  await screenshot(page, "system-view.png");

  check("the twin takes a unit 2 failure", await fault(twin, "POST", "unit_failure", { unit: 2 }));
  const alarmed = await within(PATIENCE_S, () => hasStatus(page, "device-2", "OperatingWithAlarm"));
  check("without a reload unit 2 shows its alarm in the tree", alarmed !== null, `${await icon(page, "device-2")} after ${alarmed ?? `>${PATIENCE_S}`} s`);
  const others = [await hasStatus(page, "device-1", "Operating"), await hasStatus(page, "device-3", "Operating")];
  check("units 1 and 3 still operate", others.every(Boolean), others);
  check("the system shows an alarm", await hasStatus(page, "root", "OperatingWithAlarm"), await icon(page, "root"));
  check("so does the system symbol", await page.$eval("#system-symbol", (e) => e.classList.contains("c-yellow")));

  await page.click('#tree button[data-node="device-2"]');
  await within(PATIENCE_S, async () => (await title(page)) === "Unit 2 Parameters");
  check("a click on unit 2 opens its unit view", (await page.textContent("#view-title")) === "Unit 2 view", await page.textContent("#view-title"));
  const unitElements = await Promise.all([2, 6, 10].map((n) => visible(page, `#el-${n}`)));
  check("the unit synoptic draws rectifier, inverter and battery", unitElements.every(Boolean), unitElements);
  check("and not the system symbol", !(await visible(page, "#system-symbol")));
  check("it says the measurements are the system's", await visible(page, "#view-note"));
  const rows = await tableRows(page);
  check("the UNIT TABLE gives unit 2's status", rows.Status === "Operating with alarm" && rows["General alarm"] === "Yes", JSON.stringify(rows));
  await screenshot(page, "unit-view.png");

  await page.click('#tree button[data-node="root"]');
  const back = await within(PATIENCE_S, async () => (await page.textContent("#view-title")) === "System view" && !(await visible(page, "#el-6")));
  check("a click on the SYSTEM goes back to the system view", back !== null);
  check("the twin repairs unit 2", await fault(twin, "DELETE", "unit_failure"));
  const repaired = await within(PATIENCE_S, () => hasStatus(page, "device-2", "Operating"));
  check("unit 2 operates again", repaired !== null, await icon(page, "device-2"));
  await page.close();
}

async function modularUps(browser) {
  process.env.CARD = env("CARD_MODULAR");
  const twin = env("TWIN_MODULAR");
  const page = await newPage(browser);
  await login(page, "admin", admin);
  await within(PATIENCE_S, async () => (await nodes(page)).length === 5);
  const listed = await nodes(page);
  check("the tree shows the UPS and its modules", listed.slice(1).join(",") === "Module 1,Module 2,Module 3,Module 4", listed);
  check("a modular UPS opens on the unit view", (await page.textContent("#view-title")) === "Unit view" && (await visible(page, "#el-6")));
  await page.click('#tree button[data-node="device-3"]');
  await within(PATIENCE_S, async () => (await title(page)) === "Module 3 Parameters");
  const rows = await tableRows(page);
  check("the MODULE TABLE gives the module's own bits", rows.Operating === "Yes" && rows.Available === "Yes" && rows["General alarm"] === "No", JSON.stringify(rows));
  check("the twin takes a module 3 failure", await fault(twin, "POST", "unit_failure", { unit: 3 }));
  const failed = await within(PATIENCE_S, async () => (await tableRows(page)).Operating === "No");
  const after = await tableRows(page);
  check("without a reload module 3 stops, with its alarm", failed !== null && after["General alarm"] === "Yes" && after.Status === "Operating with alarm", JSON.stringify(after));
  check("and its icon shows it", await hasStatus(page, "device-3", "OperatingWithAlarm"), await icon(page, "device-3"));
  await screenshot(page, "module-table.png");
  await page.close();
}

const browser = await launch();
try {
  await parallelSystem(browser);
  await modularUps(browser);
} catch (error) {
  check("the script ran to its end", false, error.stack);
} finally {
  await browser.close();
}
done();
