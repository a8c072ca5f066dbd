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

test("log in, see the menu and the dashboard, log out", async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await page.goto(server.base + "/");
  assert.match(page.url(), /\/login\?next=/);
  await page.screenshot({ path: join(shots, "login.png") });
  await login(page, server.base, "admin", server.accounts.admin);
  assert.equal(new URL(page.url()).pathname, "/");
  await page.waitForSelector("text=工作台");
  const menu = await page.locator(".hl-menu").innerText();
  for (const item of ["工作台", "系统管理", "用户", "行政区划", "审计日志"]) assert.ok(menu.includes(item), `menu has ${item}`);
  assert.equal((await page.locator("#current-user").innerText()).startsWith("系统管理员"), true);
  const villages = await page.locator("#fig-villages").innerText();
  assert.ok(Number(villages.replace(/,/g, "")) > 100, `villages figure ${villages}`);
  await page.screenshot({ path: join(shots, "dashboard.png") });
  await page.click("text=退出登录");
  await page.waitForURL(/\/login/);
  await page.goto(server.base + "/");
  assert.match(page.url(), /\/login/);
  await page.close();
});

test("a wrong password shows a Chinese error", async () => {
  const page = await browser.newPage();
  await login(page, server.base, "admin", "wrong-password-123");
  const msg = await page.locator("#login-error").innerText();
  assert.equal(msg, "用户名或密码错误");
  await page.close();
});

test("a registrar sees no user administration", async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await login(page, server.base, "dyq", server.accounts.dyq);
  const menu = await page.locator(".hl-menu").innerText();
  assert.ok(!menu.includes("用户"), "no 用户 menu for a registrar");
  const res = await page.goto(server.base + "/system/users");
  assert.equal(res.status(), 403);
  await page.close();
});

test("an administrator creates a user and sees the one-time password", async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await login(page, server.base, "admin", server.accounts.admin);
  await page.goto(server.base + "/system/users/new");
  await page.fill("#username", "zhangsan");
  await page.fill("#display_name", "张三");
  await page.selectOption("#role", "grassroots");
  await page.fill("#scope", "370502001");
  await page.click("button:has-text('保存')");
  await page.waitForSelector("#secret-value");
  const pw = await page.locator("#secret-value").innerText();
  assert.equal(pw.length, 16);
  await page.screenshot({ path: join(shots, "user-created.png") });
  await page.goto(server.base + "/system/users");
  await page.screenshot({ path: join(shots, "users.png") });
  assert.ok((await page.locator("table").innerText()).includes("zhangsan"));
  await page.goto(server.base + "/system/audit");
  assert.ok((await page.locator("table").innerText()).includes("新增用户 zhangsan"));
  await page.screenshot({ path: join(shots, "audit.png") });
  await page.close();
});
