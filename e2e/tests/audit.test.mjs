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

test("an administrator renames a user, disables and re-enables them", async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  page.on("dialog", (d) => d.accept());
  await login(page, server.base, "admin", server.accounts.admin);
  await page.click("text=用户");
  await page.waitForSelector("#user-table");
  await page.fill("#q", "wenhui");
  await Promise.all([page.waitForLoadState("load"), page.click("#user-table-search button[type=submit]")]);
  await Promise.all([page.waitForLoadState("load"), page.locator("#user-table tbody a", { hasText: "查看" }).first().click()]);
  assert.match(await page.locator("#detail-title").innerText(), /文汇街道社会事务办/);

  await Promise.all([page.waitForLoadState("load"), page.getByRole("link", { name: "修改", exact: true }).click()]);
  assert.equal(await page.inputValue("#display_name"), "文汇街道社会事务办");
  // a blank name is refused under its field, and nothing else is lost
  await page.fill("#display_name", " ");
  await Promise.all([page.waitForLoadState("load"), page.click("button:has-text('保存')")]);
  assert.match(await page.locator(".invalid-feedback").first().innerText(), /请填写姓名/);
  await page.fill("#display_name", "文汇街道社会事务办（张三）");
  await page.screenshot({ path: join(shots, "user-edit.png") });
  await Promise.all([page.waitForLoadState("load"), page.click("button:has-text('保存')")]);
  assert.match(await page.locator(".alert-success").innerText(), /已保存/);
  assert.ok((await page.locator("#detail-facts").innerText()).includes("文汇街道社会事务办（张三）"));

  await Promise.all([page.waitForLoadState("load"), page.click("button:has-text('停用')")]);
  assert.match(await page.locator("#detail-title").innerText(), /已停用/);
  await Promise.all([page.waitForLoadState("load"), page.click("button:has-text('启用')")]);
  assert.match(await page.locator("#detail-title").innerText(), /正常/);
  await page.screenshot({ path: join(shots, "user-detail.png") });
  await page.close();
});

test("the audit log reads in Chinese: filter by an action, open an entry's changed fields", async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await login(page, server.base, "admin", server.accounts.admin);
  await page.click("text=审计日志");
  await page.waitForSelector("#audit-table");
  const first = await page.locator("#audit-table tbody").innerText();
  assert.ok(!/\b[a-z_]+\.[a-z_]+\b/.test(first), `no action identifiers: ${first}`);
  await page.screenshot({ path: join(shots, "audit-list.png") });

  await page.selectOption("#action", { label: "修改用户" });
  await Promise.all([page.waitForLoadState("load"), page.click("#audit-table-search button[type=submit]")]);
  assert.match(page.url(), /action=user.update/, "filters live in the URL");
  const actions = await page.locator("#audit-table tbody tr td:nth-child(4)").allInnerTexts();
  assert.ok(actions.length > 0, "found the change of the user");
  for (const a of actions) assert.equal(a, "修改用户");
  assert.ok((await page.locator("#audit-table").innerText()).includes("用户：文汇街道社会事务办（张三）"));
  await page.screenshot({ path: join(shots, "audit-filtered.png") });

  await Promise.all([page.waitForLoadState("load"), page.locator("#audit-table tbody a", { hasText: "查看" }).first().click()]);
  const changes = await page.locator("#audit-changes").innerText();
  assert.ok(changes.includes("字段") && changes.includes("修改前") && changes.includes("修改后"), changes);
  assert.ok(changes.includes("姓名") && changes.includes("文汇街道社会事务办（张三）"), changes);
  assert.ok(!changes.includes("display_name"), "fields by their Chinese names");
  await page.screenshot({ path: join(shots, "audit-entry.png") });
  // the record's page is one click away
  await Promise.all([page.waitForLoadState("load"), page.click("a:has-text('查看对象')")]);
  assert.match(await page.locator("#detail-title").innerText(), /文汇街道社会事务办（张三）/);
  await page.close();
});
