// The pages with the twin attached (§12.1, §12.3, §16.1, §11.5 rights): the synoptic's
// battery path turns yellow after a blackout without a reload and green when mains returns,
// the alarm count follows; a read-only user has no controls and a hand-made POST is refused
// (403); a change without the CSRF token is refused.
import { check, changePassword, done, env, launch, login, newPage, screenshot, within, PATIENCE_S } from "./lib.mjs";

const card = env("CARD");
const twin = env("TWIN");
const admin = env("ADMIN_PASSWORD");
const basic = "Basic " + Buffer.from(`admin:${admin}`).toString("base64");
const GREEN = "rgb(46, 158, 68)";
const YELLOW = "rgb(242, 183, 5)";
const GREY = "rgb(154, 163, 173)";

const colour = (page, n) => page.getAttribute(`#el-${n}`, "data-colour");
const stroke = (page, n) => page.$eval(`#el-${n} .wire`, (e) => getComputedStyle(e).stroke);
const alarmCount = async (page) => ((await page.isHidden("#alarm-icon")) ? 0 : Number(await page.textContent("#alarm-count")));

const browser = await launch();
try {
  const page = await newPage(browser);
  await login(page, "admin", admin);
  check("admin logs in with the provisioned password", page.url() === `${card}/`, page.url());
  await within(PATIENCE_S, async () => (await colour(page, 5)) === "Green" && (await page.textContent("#load-value")) !== "—");
  const normal = [1, 3, 5, 7, 8].map((n) => colour(page, n));
  check("on mains the main path is green", (await Promise.all(normal)).every((c) => c === "Green"), await Promise.all(normal));
  check("drawn green", (await stroke(page, 5)) === GREEN, await stroke(page, 5));
  const before = await alarmCount(page);
  await screenshot(page, "synoptic-normal.png");

  const t0 = Date.now();
  const blackout = await fetch(`${twin}/api/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "mains_blackout" }) });
  check("the twin takes the blackout", blackout.ok, blackout.status);
  // The page refreshes itself (every 2 s; the card polls every 0.2 s here): no reload.
  const yellow = await within(PATIENCE_S, async () => (await colour(page, 5)) === "Yellow");
  check("without a reload the battery path turns yellow", yellow !== null, `after ${yellow ?? `>${PATIENCE_S}`} s`);
  const path = await Promise.all([5, 7, 8].map((n) => colour(page, n)));
  check("inverter input, inverter output and output yellow", path.every((c) => c === "Yellow"), path);
  check("drawn yellow", (await stroke(page, 7)) === YELLOW, await stroke(page, 7));
  check("the rectifier input grey", (await colour(page, 1)) === "Grey" && (await stroke(page, 1)) === GREY, await stroke(page, 1));
  check("the battery discharging", (await page.getAttribute("#el-10", "data-battery")) === "discharging");
  const counted = await within(PATIENCE_S, async () => (await alarmCount(page)) > before);
  check("the alarm count went up", counted !== null, `${before} → ${await alarmCount(page)}`);
  check("the alarm icon flashes", await page.$eval("#alarm-icon", (e) => e.classList.contains("flash")));
  await screenshot(page, "synoptic-blackout.png");
  await page.click("#el-10");
  const battery = await within(PATIENCE_S, async () => (await page.textContent("#table-title")) === "Battery Parameters");
  check("a click on the battery shows its table", battery !== null, await page.textContent("#table-title"));
  await screenshot(page, "battery-table.png");

  await page.click('a[href="/alarms"] >> nth=0');
  await page.waitForURL(`${card}/alarms`);
  const rows = await page.$$eval("#alarm-table tbody tr", (r) => r.length);
  check("the alarm table lists the active alarms", rows > 0 && rows === (await alarmCount(page)), rows);
  await within(PATIENCE_S, async () => !(await page.$eval("#alarm-icon", (e) => e.classList.contains("flash"))));
  check("seen on the alarm table, the icon stops flashing", !(await page.$eval("#alarm-icon", (e) => e.classList.contains("flash"))));
  await screenshot(page, "alarms.png");

  await fetch(`${twin}/api/faults/mains_blackout`, { method: "DELETE" });
  await page.goto(`${card}/`);
  const green = await within(PATIENCE_S, async () => (await colour(page, 5)) === "Green" && (await colour(page, 1)) === "Green");
  check("mains back: green again", green !== null, `after ${green ?? `>${PATIENCE_S}`} s`);
  await screenshot(page, "synoptic-restored.png");
  console.log(`blackout to restored: ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // A change without the session's CSRF token is refused; with it, done.
  const token = await page.getAttribute('meta[name="csrf-token"]', "content");
  const bare = await page.request.post(`${card}/api/alarms/ack`);
  check("a POST without the CSRF token is refused (403)", bare.status() === 403, `${bare.status()} ${await bare.text()}`);
  const form = await page.request.post(`${card}/alarms/ack`, { form: { csrf: "forged" } });
  check("a form with a wrong token is refused (403)", form.status() === 403, form.status());
  const good = await page.request.post(`${card}/api/alarms/ack`, { headers: { "X-CSRF-Token": token } });
  check("with the token it is done", good.status() === 200, good.status());
  const response = await page.goto(`${card}/`);
  const headers = response.headers();
  check("pages carry a content security policy", (headers["content-security-policy"] || "").includes("script-src 'self'"), headers["content-security-policy"]);
  check("and refuse framing", headers["x-frame-options"] === "DENY", headers["x-frame-options"]);

  // A read-only user (§18.4) made by the administrator: first password changed, then
  // every control form absent, and the server refuses a POST sent by hand.
  const made = await fetch(`${card}/api/users/viewer`, { method: "PUT", headers: { authorization: basic }, body: JSON.stringify({ level: "ReadOnly", password: "Viewer#Start1" }) });
  check("the administrator adds a read-only user", made.ok, `${made.status} ${await made.text()}`);
  const viewer = await newPage(browser);
  await login(viewer, "viewer", "Viewer#Start1");
  check("a password set by the administrator is changed at the first login", viewer.url().endsWith("/password"), viewer.url());
  await changePassword(viewer, "Viewer#Start1", "Viewer#Read2026");
  await login(viewer, "viewer", "Viewer#Read2026");
  await viewer.goto(`${card}/ups/control`);
  check("read-only: no control form", (await viewer.$("#control-form")) === null);
  check("read-only: the controls are listed", (await viewer.$("#control-list")) !== null);
  await screenshot(viewer, "control-read-only.png");
  await viewer.goto(`${card}/alarms`);
  check("read-only: no acknowledgement form", (await viewer.$("#ack-form")) === null);
  const viewerToken = await viewer.getAttribute('meta[name="csrf-token"]', "content");
  const byHand = await viewer.request.post(`${card}/ups/control`, { form: { csrf: viewerToken, control: "alarm_reset" } });
  check("read-only: a hand-made control POST gets 403", byHand.status() === 403, `${byHand.status()} ${await byHand.text()}`);
  const apiByHand = await viewer.request.post(`${card}/api/alarms/ack`, { headers: { "X-CSRF-Token": viewerToken } });
  check("read-only: a hand-made API POST gets 403", apiByHand.status() === 403, apiByHand.status());

  const control = await newPage(browser);
  await login(control, "admin", admin);
  await control.goto(`${card}/ups/control`);
  check("admin: the control form is there", (await control.$("#control-form")) !== null);
  await screenshot(control, "control.png");
} finally {
  await browser.close();
}
done();
