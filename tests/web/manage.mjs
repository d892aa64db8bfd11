// The management pages: every page of the menu opens without a script error (a screenshot
// each); a settings form refuses a bad value by its field and saves a good one; rows are
// added to a table and reach the API; the firewall refuses a rule that would shut out the
// caller; the Multi-User Table applies the password policy; the dashboard and the real-time
// graph draw; a read-only user gets the settings as tables, no form, and 403 by hand.
import { connect } from "node:tls";
import { readFileSync } from "node:fs";
import { launch, newPage, check, login, screenshot, within, PATIENCE_S, done, env, changePassword } from "./lib.mjs";

const card = env("CARD");
const password = env("ADMIN_PASSWORD");
const basic = "Basic " + Buffer.from(`admin:${password}`).toString("base64");

async function api(path, init = {}) {
  const response = await fetch(`${card}${path}`, { ...init, headers: { Authorization: basic, ...(init.headers || {}) } });
  return { status: response.status, text: await response.text() };
}

const browser = await launch();
const page = await newPage(browser);
await login(page, "admin", password);

// Every page of the menu.
const links = await page.$$eval("nav.menu a", (as) => as.map((a) => [a.getAttribute("href"), a.textContent.trim()]));
check("the menu lists the management pages", links.length >= 30, `${links.length} pages`);
let opened = 0;
for (const [href, label] of links) {
  if (href === "/history/save") continue; // a download, not a page
  const response = await page.goto(`${card}${href}`);
  const heading = (await page.textContent("main h1")) || "";
  if (response.status() !== 200 || heading.trim() === "") {
    check(`${label} opens`, false, `${response.status()} "${heading}"`);
    continue;
  }
  if (await page.$("#settings")) {
    await within(PATIENCE_S, async () => (await page.$("#settings .loading")) === null);
  }
  opened += 1;
  await screenshot(page, `${href.replace(/^\//, "").replace(/\//g, "-") || "home"}.png`);
}
check("every page of the menu opens with its title", opened === links.length - 1, `${opened} of ${links.length - 1}`);

// A settings form: a bad port is refused by its field; a good one is saved and in force.
await page.goto(`${card}/card/email`);
await page.waitForSelector("#settings-form");
await page.fill('[data-path="/mail/port"]', "70000");
await page.click("#settings-save");
await within(PATIENCE_S, async () => ((await page.textContent("#settings-result")) || "") !== "");
const refused = await page.textContent("#settings-result");
check("a port out of range is refused, naming the field", refused.includes("mail.port"), refused);
await page.fill('[data-path="/mail/port"]', "2525");
await page.fill('[data-path="/mail/server"]', "smtp.example.com");
await page.click("#settings-save");
await within(PATIENCE_S, async () => ((await page.textContent("#settings-result")) || "").startsWith("Saved"));
const saved = await page.textContent("#settings-result");
check("a good value is saved", saved.includes("Email Notification"), saved);
const mail = JSON.parse((await api("/api/config")).text).mail;
check("the API has the saved values", mail.port === 2525 && mail.server === "smtp.example.com", `${mail.server}:${mail.port}`);

// Rows: a trap receiver added in the table reaches the settings.
await page.goto(`${card}/card/traps`);
await page.waitForSelector("#settings-form");
await page.click('[data-path="/snmp/trap_receivers"] ~ button.add, .rows-editor button.add');
await page.fill('[data-path="/snmp/trap_receivers/0/address"]', "192.0.2.10");
await page.fill('[data-path="/snmp/trap_receivers/0/community"]', "traps");
await page.selectOption('[data-path="/snmp/trap_receivers/0/version"]', "V2c");
await page.click("#settings-save");
await within(PATIENCE_S, async () => ((await page.textContent("#settings-result")) || "") !== "");
const receivers = JSON.parse((await api("/api/config")).text).snmp.trap_receivers;
check(
  "a receiver added on the page is in the settings",
  receivers.length === 1 && receivers[0].address === "192.0.2.10" && receivers[0].version === "V2c",
  JSON.stringify(receivers),
);
await screenshot(page, "traps-with-a-receiver.png");

// The firewall will not shut out the caller.
await page.goto(`${card}/card/firewall`);
await page.waitForSelector("#settings-form");
await page.check('[data-path="/firewall/enabled"]');
await page.click(".rows-editor button.add");
await page.fill('[data-path="/firewall/rules/0/address"]', "127.0.0.1");
await page.fill('[data-path="/firewall/rules/0/prefix_length"]', "32");
await page.selectOption('[data-path="/firewall/rules/0/action"]', "Reject");
await page.click("#settings-save");
await within(PATIENCE_S, async () => ((await page.textContent("#settings-result")) || "") !== "");
const lockout = await page.textContent("#settings-result");
check("a rule refusing the caller's own address is refused", lockout.includes("409") && lockout.includes("127.0.0.1"), lockout);
check("the firewall is unchanged", JSON.parse((await api("/api/config")).text).firewall.enabled === false);

// The Multi-User Table: the policy holds; a good password adds the user.
await page.goto(`${card}/card/users`);
await page.fill('#add-user input[name="name"]', "viewer");
await page.fill('#add-user input[name="password"]', "short");
await page.selectOption('#add-user select[name="level"]', "ReadOnly");
await Promise.all([page.waitForNavigation(), page.click('#add-user button[type="submit"]')]);
const weak = (await page.textContent("main")) || "";
check("a weak password is refused with the policy", weak.includes("Password policy"), weak.slice(0, 120));
await page.fill('#add-user input[name="name"]', "viewer");
await page.fill('#add-user input[name="password"]', "Viewer#Pass12");
await page.selectOption('#add-user select[name="level"]', "ReadOnly");
await Promise.all([page.waitForNavigation(), page.click('#add-user button[type="submit"]')]);
const users = JSON.parse((await api("/api/users")).text);
check("the user is added, read-only", users.some((u) => u.name === "viewer" && u.level === "ReadOnly"), JSON.stringify(users.map((u) => u.name)));

// The dashboard and the real-time graph.
await page.goto(`${card}/dashboard`);
await within(PATIENCE_S, async () => (await page.$("#w-output-current")) !== null);
check("the dashboard draws the output currents with the nominal line", (await page.$("#w-output-current line.nominal")) !== null);
check("the remaining time is not shown on mains", (await page.$("#w-remaining")) === null);
await screenshot(page, "dashboard.png");
await page.goto(`${card}/realtime`);
await page.waitForSelector("#measurements input");
await page.click("#scan-start");
const scanned = await within(PATIENCE_S, async () => Number(await page.textContent("#scan-points")) >= 3);
check("the real-time graph scans", scanned !== null, `${await page.textContent("#scan-points")} points`);
await page.click("#scan-stop");
const stopped = Number(await page.textContent("#scan-points"));
await new Promise((r) => setTimeout(r, 3000));
check("stop ends the scan", Number(await page.textContent("#scan-points")) === stopped, `${stopped} points`);
await screenshot(page, "realtime.png");

// HTTPS: the pages over TLS with the card's self-signed certificate; a bad PEM is refused;
// an uploaded one is served from the next connection on.
const secure = await newPage(browser);
const overHttp = await secure.goto(`${env("CARD_HTTP")}/login`);
check("a page asked over HTTP is served over HTTPS", secure.url().startsWith(`${card}/login`) && overHttp.status() === 200, secure.url());
const hsts = (await overHttp.allHeaders())["strict-transport-security"] || "";
check("HTTPS answers with HSTS", /max-age=\d{7,}/.test(hsts), hsts);
await login(secure, "admin", password);
const sessionCookie = (await secure.context().cookies()).find((c) => c.name === "upstwin_session");
check("the session cookie is Secure and HttpOnly", sessionCookie?.secure === true && sessionCookie?.httpOnly === true, JSON.stringify(sessionCookie));
const apiOverHttp = await fetch(`${env("CARD_HTTP")}/api/status`, { headers: { Authorization: basic } });
check("programs still reach the API over HTTP", apiOverHttp.status === 200, String(apiOverHttp.status));
await secure.goto(`${card}/card/https`);
check("the certificate made at the first start is self-signed", (await secure.textContent("#cert-self-signed")).startsWith("Yes"));
const certificateForm = "#certificate-form";
await secure.setInputFiles(`${certificateForm} input[type=file]`, { name: "bad.pem", mimeType: "text/plain", buffer: Buffer.from("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n") });
await secure.click(`${certificateForm} button[type=submit]`);
await within(PATIENCE_S, async () => ((await secure.textContent(`${certificateForm} [role=status]`)) || "") !== "");
const badPem = await secure.textContent(`${certificateForm} [role=status]`);
check("a bad PEM file is refused", badPem.startsWith("Refused (400)"), badPem);
await secure.setInputFiles(`${certificateForm} input[type=file]`, { name: "card.pem", mimeType: "text/plain", buffer: readFileSync(env("NEW_PEM")) });
await secure.click(`${certificateForm} button[type=submit]`);
await within(PATIENCE_S, async () => ((await secure.textContent(`${certificateForm} [role=status]`)) || "").startsWith("Uploaded"));
check("a key and certificate are taken", (await secure.textContent(`${certificateForm} [role=status]`)).startsWith("Uploaded"));
const served = await new Promise((resolve, reject) => {
  const { hostname, port } = new URL(card);
  const socket = connect({ host: hostname, port: Number(port), rejectUnauthorized: false }, () => {
    resolve(socket.getPeerCertificate().subject.CN);
    socket.end();
  });
  socket.on("error", reject);
});
check("the next connection gets the uploaded certificate", served === "uploaded.example", served);
await screenshot(secure, "https-certificate.png");

// A read-only user: tables, no form; a PATCH by hand is refused.
const viewer = await newPage(browser);
await login(viewer, "viewer", "Viewer#Pass12");
await changePassword(viewer, "Viewer#Pass12", "Viewer#Pass34");
await login(viewer, "viewer", "Viewer#Pass34");
await viewer.goto(`${card}/card/email`);
await within(PATIENCE_S, async () => (await viewer.$("#settings .loading")) === null);
check("a read-only user gets no settings form", (await viewer.$("#settings form")) === null && (await viewer.$("#settings input")) === null);
const shown = (await viewer.textContent("#settings")) || "";
check("a read-only user sees the values", shown.includes("smtp.example.com") && shown.includes("2525"), shown.slice(0, 80));
const csrf = await viewer.getAttribute('meta[name="csrf-token"]', "content");
const patch = await viewer.evaluate(async (token) => {
  const response = await fetch("/api/config", { method: "PATCH", body: '{"/mail/port": 25}', headers: { "X-CSRF-Token": token } });
  return response.status;
}, csrf);
check("a read-only PATCH by hand gets 403", patch === 403, String(patch));
await screenshot(viewer, "email-read-only.png");
const usersPage = await viewer.goto(`${card}/card/users`);
check("the Multi-User Table is the administrator's", usersPage.status() === 403, String(usersPage.status()));

await browser.close();
done();
