// §11.5 in a real browser: the first login forces a password change, a weak password is
// refused with the policy, the new one works, a second login ends the first session, and
// the login timeout logs out.
import { check, changePassword, done, env, launch, login, newPage, screenshot, within, PATIENCE_S } from "./lib.mjs";

const card = env("CARD");
const first = env("FIRST_PASSWORD");
const timeoutS = Number(env("LOGIN_TIMEOUT_S"));
const chosen = "Upstwin#Web2026";

const browser = await launch();
try {
  const a = await newPage(browser);
  await a.goto(`${card}/`);
  check("a page without a session goes to the login page", a.url().endsWith("/login"), a.url());
  await screenshot(a, "login.png");

  await login(a, "admin", first);
  check("the first login forces a password change", a.url().endsWith("/password"), a.url());
  await a.goto(`${card}/`);
  check("no other page before the change", a.url().endsWith("/password"), a.url());
  await screenshot(a, "password-change.png");

  const weak = await changePassword(a, first, "weakpassword1");
  const policy = await a.textContent(".message");
  check("a weak password is refused (400)", weak.status() === 400, weak.status());
  check("with the policy message", policy.includes("Password policy: minimum of 12 characters"), policy);
  const odd = await changePassword(a, first, "Upstwin$2026x");
  check("a character outside the policy is refused", odd.status() === 400, odd.status());

  await changePassword(a, first, chosen);
  const said = await a.textContent(".message");
  check("the change ends the session and asks for the new password", a.url().includes("/login") && said.includes("changed"), `${a.url()} ${said}`);
  await login(a, "admin", first);
  check("the first password no longer works", (await a.textContent(".message")).includes("Wrong login or password"));
  await login(a, "admin", chosen);
  check("the new password works", a.url() === `${card}/`, a.url());
  check("the top bar shows who is logged", (await a.textContent("#login-state")).includes("admin"));
  await screenshot(a, "home.png");

  const b = await newPage(browser);
  await login(b, "admin", chosen);
  check("a second login opens", b.url() === `${card}/`, b.url());
  await a.reload();
  const ended = a.url().includes("/login") ? await a.textContent(".message") : "";
  check("the second login ended the first session", ended.includes("ended by a new login"), `${a.url()} ${ended}`);

  // The page refreshes itself every 2 s; those requests do not keep the session alive.
  const took = await within(timeoutS + PATIENCE_S, async () => b.url().includes("/login"));
  const message = took === null ? "" : await b.textContent(".message");
  check(`the login timeout (${timeoutS} s) logs out`, took !== null && message.includes("timed out"), `after ${took} s: ${message}`);
  await screenshot(b, "timed-out.png");
} finally {
  await browser.close();
}
done();
