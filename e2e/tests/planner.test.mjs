// The planner at county scale (proposals by township, a township's proposals accepted in one
// confirmed step, back on the same township) and a breach followed to its closure.
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

const num = (s) => Number(String(s).replace(/[,%\s]/g, ""));

async function api(page, path) {
  const res = await page.request.get(server.base + path);
  assert.equal(res.status(), 200, `${path} answers 200`);
  return res.json();
}

test("a county's plan is grouped by township and a township's proposals are accepted in one confirmed step", async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  const dialogs = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    d.accept();
  });
  await login(page, server.base, "party", server.accounts.party);
  await page.goto(server.base + "/party/plan?region=370502");
  // grouped: the township table and one township's proposals, not the whole county on one page
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  assert.ok(height < 4000, `the page is ${height} px long`);
  const towns = page.locator("#plan-towns tbody tr");
  assert.ok((await towns.count()) >= 5, "东营区's townships are listed");
  const current = page.locator("#plan-towns tbody tr.table-active");
  assert.equal(await current.count(), 1, "the township shown is marked");
  const cells = await current.locator("td").allInnerTexts();
  const townName = cells[0].trim();
  const [joint, inst, orgs] = [num(cells[1]), num(cells[2]), num(cells[3])];
  assert.ok(joint + inst > 0, `${townName} has proposals`);
  const section = page.locator("[id^=town-]").first();
  const code = (await section.getAttribute("id")).replace("town-", "");
  assert.ok((await section.locator(".card-title").first().innerText()).startsWith(townName));
  // names: township + field + 联合党支部, never a number
  for (const n of await section.locator("input[name=name]").evaluateAll((is) => is.map((i) => i.value))) {
    assert.match(n, /^\p{Script=Han}+联合党支部$/u, n);
    assert.ok(n.startsWith(townName), `${n} is named after ${townName}`);
  }
  await page.screenshot({ path: join(shots, "planner-county.png"), fullPage: true });

  const before = await api(page, "/api/v1/coverage?region=370502");
  await Promise.all([page.waitForLoadState("load"), page.click("#accept-town button[type=submit]")]);
  assert.equal(dialogs.length, 1, "one confirmation");
  assert.ok(dialogs[0].includes(townName) && dialogs[0].includes("全部"), dialogs[0]);
  // back on the same township, at its anchor, with what was created
  const url = new URL(page.url());
  assert.equal(url.searchParams.get("town"), code);
  assert.equal(url.hash, `#town-${code}`);
  const flash = await page.locator(".alert-success").innerText();
  assert.ok(flash.includes(`已采纳${townName}的全部方案`), flash);
  if (joint > 0) assert.ok(flash.includes(`成立联合党支部 ${joint} 个`), flash);
  const row = page.locator("#plan-towns tbody tr", { hasText: townName });
  if (await row.count()) {
    const after = await row.first().locator("td").allInnerTexts();
    assert.equal(num(after[1]) + num(after[2]), 0, `${townName} has nothing left to accept`);
  }
  const after = await api(page, "/api/v1/coverage?region=370502");
  assert.equal(after.covered, before.covered + orgs, "every organization of the township's proposals is covered");
  await page.screenshot({ path: join(shots, "planner-township-accepted.png"), fullPage: false });
  await page.close();
});

test("a breach is assigned, followed up and closed by the recompute when its cause is fixed, keeping its history", async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await login(page, server.base, "party", server.accounts.party);
  await page.goto(server.base + "/party/coverage/breaches?rule=needs_standalone");
  // an uncovered organization with enough formal members for its own party organization
  const row = page.locator("#breach-table tbody tr", { hasText: "现为未覆盖" }).first();
  const orgName = (await row.locator("td:nth-child(2)").innerText()).trim();
  const orgId = (await row.locator("td:nth-child(2) a").getAttribute("href")).split("/").pop();
  const days = await row.locator("td:nth-child(6)").innerText();
  assert.match(days, /^\d+ 天$/, "how long it has been open");
  await Promise.all([page.waitForLoadState("load"), row.locator("a:text-is('跟进')").click()]);
  const breachUrl = page.url();
  assert.match(breachUrl, /\/party\/coverage\/breaches\/\d+$/);
  assert.ok((await page.locator("#detail-title").innerText()).includes(orgName));

  // assign it to the township worker
  const assign = page.locator("#assign-form");
  await assign.locator("input.form-control").fill("wenhui");
  const item = assign.locator(".hl-picker-item").first();
  await item.waitFor();
  await item.dispatchEvent("mousedown");
  await Promise.all([page.waitForLoadState("load"), assign.locator("button[type=submit]").click()]);
  assert.match(await page.locator(".alert-success").innerText(), /已指派责任人/);
  // a follow-up note
  await page.fill("#note-form input[name=text]", "已电话联系负责人，督促单独组建党支部");
  await Promise.all([page.waitForLoadState("load"), page.click("#note-form button[type=submit]")]);
  assert.match(await page.locator(".alert-success").innerText(), /已添加跟进记录/);
  const log = await page.locator("#breach-log").innerText();
  assert.ok(log.includes("指派") && log.includes("督促单独组建党支部"), log);
  await page.screenshot({ path: join(shots, "breach-followup.png"), fullPage: true });

  // the cause is fixed: the organization gets its own party branch
  const csrf = await page.locator("input[name=_csrf]").first().inputValue();
  const res = await page.request.post(server.base + "/api/v1/party-orgs", {
    headers: { "X-CSRF-Token": csrf },
    data: { name: `${orgName}党支部`, org_type: "branch", region_code: "370502", org_ids: [Number(orgId)] },
  });
  assert.equal(res.status(), 201, await res.text());

  // it is no longer open, and the 已关闭 filter keeps it with its log
  await page.goto(server.base + "/party/coverage/breaches?rule=needs_standalone");
  assert.equal(await page.locator("#breach-table tbody tr", { hasText: orgName }).count(), 0, "no longer open");
  await page.goto(server.base + "/party/coverage/breaches?status=closed&rule=needs_standalone");
  const closed = page.locator("#breach-table tbody tr", { hasText: orgName });
  assert.equal(await closed.count(), 1, "listed as closed");
  assert.ok((await closed.innerText()).includes("已关闭"));
  await page.screenshot({ path: join(shots, "breach-closed-list.png"), fullPage: false });
  await Promise.all([page.waitForLoadState("load"), closed.locator("a:text-is('跟进')").click()]);
  assert.equal(page.url(), breachUrl, "the same breach");
  const history = await page.locator("#breach-log").innerText();
  for (const s of ["指派", "督促单独组建党支部", "自动关闭"]) assert.ok(history.includes(s), `${s} in ${history}`);
  assert.ok((await page.locator("#detail-facts").innerText()).includes("关闭日期"));
  assert.equal(await page.locator("#assign-form").count(), 0, "a closed breach is not assigned");
  await page.screenshot({ path: join(shots, "breach-closed.png"), fullPage: true });
  await page.close();
});
