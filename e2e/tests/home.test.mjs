// Home pages per kind of account and printing detail pages (issue 11,
// items 6 and 9).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startServer, startBrowser, login, shots } from "./harness.mjs";

let server, browser;

before(async () => {
  mkdirSync(shots, { recursive: true });
  server = await startServer();
  browser = await startBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

test("an organization's account sees its own record, coverage, documents and tasks", async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await login(page, server.base, "zuzhi", server.accounts.zuzhi);
  assert.equal(new URL(page.url()).pathname, "/");
  for (const id of ["#org-tasks", "#org-facts", "#org-coverage", "#org-events"]) {
    assert.ok(await page.locator(id).isVisible(), id);
  }
  assert.equal(await page.locator("#fig-registered").count(), 0, "no dashboard of zeros");
  await page.screenshot({ path: join(shots, "home-org.png"), fullPage: true });
  // the menu leads to the record itself
  await Promise.all([page.waitForLoadState("load"), page.click(".hl-menu >> text=本组织登记信息")]);
  assert.match(new URL(page.url()).pathname, /^\/registry\/orgs\/\d+$/);
  await page.close();
});

test("a party secretary sees the duties and deadlines of the party organization", async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await login(page, server.base, "secretary", server.accounts.secretary);
  assert.equal(new URL(page.url()).pathname, "/");
  const duties = await page.locator("#life-duties").innerText();
  for (const kind of ["支部委员会", "党课", "每月至少 1 次", "每季度至少 1 次"]) assert.ok(duties.includes(kind), duties);
  assert.match(duties, /已开展|尚未开展/);
  assert.ok(await page.locator("#training-duty").isVisible());
  assert.ok(await page.locator("#probation-duties").isVisible());
  await page.screenshot({ path: join(shots, "home-secretary.png"), fullPage: true });
  await page.close();
});

test("a township worker's home shows the township, and every card opens its list", async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await login(page, server.base, "wenhui", server.accounts.wenhui);
  assert.equal(await page.locator("#fig-counties").count(), 0, "no county card for a township");
  assert.ok(Number((await page.locator("#fig-villages").innerText()).replace(/,/g, "")) > 0);
  const figures = await page.locator("#registry-figures .hl-figure").count();
  const links = await page.locator("#registry-figures a.hl-figure").count();
  assert.equal(links, figures, "every card is a link");
  const closed = await page.locator("#fig-closed").innerText();
  await Promise.all([page.waitForLoadState("load"), page.click("#fig-closed")]);
  assert.ok(page.url().includes("closed=1"));
  const total = await page.locator(".hl-total").first().innerText();
  assert.ok(total.includes(closed), `${total} vs ${closed}`);
  await page.close();
});

test("detail pages print on A4 without the menu, buttons or forms", async () => {
  const page = await browser.newPage({ viewport: { width: 794, height: 1123 } });
  await login(page, server.base, "admin", server.accounts.admin);
  await page.goto(server.base + "/registry/orgs?status=active");
  await Promise.all([page.waitForLoadState("load"), page.locator("#org-table tbody a").first().click()]);
  assert.ok(await page.locator("#print-button").isVisible(), "a print button");
  await page.emulateMedia({ media: "print" });
  assert.equal(await page.locator(".hl-side").isVisible(), false, "no side menu on paper");
  assert.equal(await page.locator("#print-button").isVisible(), false, "no buttons on paper");
  assert.ok(await page.locator("#detail-facts").isVisible(), "the record prints");
  await page.screenshot({ path: join(shots, "print-org.png"), fullPage: true });
  await page.close();
});
