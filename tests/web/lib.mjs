// Shared by the browser tests: Debian's Chromium, headless, driven by playwright-core; each
// check prints PASS or FAIL with what was seen; the script exits 1 if any failed.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

export const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (tests/card_web.rs sets it)`);
  return value;
};

let failures = 0;

export function check(label, ok, seen) {
  console.log(`${ok ? "PASS" : "FAIL"} ${label}${seen === undefined ? "" : `: ${seen}`}`);
  if (!ok) failures += 1;
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

// The card's certificate is its own (self-signed): taken, as a person would after the warning.
export async function newPage(browser) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  // A script error on a page is a failure, whatever the checks see.
  page.on("pageerror", (error) => check("no script error on the page", false, error.message));
  return page;
}

export async function screenshot(page, name) {
  const dir = env("SHOTS");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot ${path}`);
}

export async function login(page, user, password) {
  await page.goto(`${env("CARD")}/login`);
  await page.fill('input[name="user"]', user);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForNavigation(), page.click("#login-form button[type=submit]")]);
}

export async function changePassword(page, current, next, confirm = next) {
  await page.fill('input[name="current"]', current);
  await page.fill('input[name="new"]', next);
  await page.fill('input[name="confirm"]', confirm);
  return Promise.all([page.waitForNavigation(), page.click('#password-form button[type="submit"]')]).then(([r]) => r);
}

/// How long a check waits for the page to show what it should: generous, so that a loaded
/// 2-core CI machine is never a failure; how long it took is printed, never asserted.
export const PATIENCE_S = 30;

/// Polls `probe` every 100 ms until it returns true or `seconds` pass; the time it took, s.
export async function within(seconds, probe) {
  const start = Date.now();
  while (Date.now() - start < seconds * 1000) {
    if (await probe()) return (Date.now() - start) / 1000;
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

export function done() {
  console.log(failures === 0 ? "all browser checks passed" : `${failures} browser check(s) failed`);
  process.exit(failures === 0 ? 0 : 1);
}
