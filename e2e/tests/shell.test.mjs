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

test("the jobs page shows the daily coverage refresh, and 立即运行 queues a run that the worker finishes", async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  page.on("dialog", (d) => d.accept());
  await login(page, server.base, "admin", server.accounts.admin);
  await Promise.all([page.waitForLoadState("load"), page.click(".hl-menu a:has-text('后台任务')")]);
  assert.equal(new URL(page.url()).pathname, "/system/jobs");
  const row = page.locator("#jobs-table tbody tr", { hasText: "coverage.daily" });
  assert.equal(await row.count(), 1, "the daily coverage refresh is listed");
  const cells = (await row.locator("td").allInnerTexts()).map((s) => s.trim());
  assert.match(cells[2], /每天/, `its schedule: ${cells[2]}`);
  assert.ok(cells[6].length > 0 && cells[6] !== "按需", `its next run: ${cells[6]}`);
  await page.screenshot({ path: join(shots, "jobs.png"), fullPage: true });

  const runsBefore = await page.locator("#job-runs-table tbody tr", { hasText: "coverage.daily" }).count();
  await Promise.all([page.waitForLoadState("load"), row.locator("button:has-text('立即运行')").click()]);
  assert.match(await page.locator(".alert-success").innerText(), /已将.*排入队列/);
  // the worker in the demo server takes the run and finishes it
  for (let i = 0; ; i++) {
    await page.goto(server.base + "/system/jobs?job=coverage.daily");
    const runs = await page.locator("#job-runs-table tbody tr").allInnerTexts();
    // newest first: the run queued by hand
    if (runs[0].includes("手动") && runs[0].includes("成功")) break;
    assert.ok(!runs.some((r) => r.includes("失败")), runs.join("\n"));
    assert.ok(i < 60, `the run finishes within a minute: ${runs.join("\n")}`);
    await page.waitForTimeout(1000);
  }
  assert.ok((await page.locator("#job-runs-table tbody tr").count()) > runsBefore);
  await page.screenshot({ path: join(shots, "jobs-run.png"), fullPage: true });
  await page.close();

  // a registrar has no such page
  const reg = await browser.newPage();
  await login(reg, server.base, "registrar", server.accounts.registrar);
  assert.ok(!(await reg.locator(".hl-menu").innerText()).includes("后台任务"));
  assert.ok([403, 404].includes((await reg.goto(server.base + "/system/jobs")).status()));
  await reg.close();
});
