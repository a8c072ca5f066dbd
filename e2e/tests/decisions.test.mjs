// Registry decisions need a second person (issue 11, item 2); an edit a
// colleague overtook keeps the clerk's work (item 3); the category list
// follows the registration mode (item 8).
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

const view = { viewport: { width: 1366, height: 768 } };

// the nth active registered foundation of the demo (the demo's own pending
// proposal is an association's, so these have their actions)
async function foundation(page, n, region = "") {
  await page.goto(server.base + "/registry/orgs?mode=registered&status=active&kind=foundation" + (region ? "&region=" + region : ""));
  const link = page.locator("#org-table tbody tr td:first-child a").nth(n);
  const name = (await link.innerText()).trim();
  const href = await link.getAttribute("href");
  return { name, href };
}

test("a clerk proposes 注销, the leader approves it, the record is closed", async () => {
  const clerk = await browser.newPage(view);
  await login(clerk, server.base, "registrar", server.accounts.registrar);
  const org = await foundation(clerk, 0);
  await clerk.goto(server.base + org.href);
  await Promise.all([clerk.waitForLoadState("load"), clerk.click(".hl-actions a:has-text('注销登记')")]);
  assert.match(await clerk.locator("#form-note").innerText(), /须经登记管理机关负责人批准/);
  await clerk.screenshot({ path: join(shots, "decision-propose-form.png") });

  // the confirmation is asked only when the required fields are filled
  const dialogs = [];
  clerk.on("dialog", (d) => {
    dialogs.push(d.message());
    d.accept();
  });
  await clerk.click("#record-form button[type=submit]");
  await clerk.waitForTimeout(300);
  assert.equal(dialogs.length, 0, "no dialog while 事由 and 决定文书号 are empty");
  assert.ok(clerk.url().includes("/status?action=deregister"), "still on the form");
  assert.equal(await clerk.locator("#reason").evaluate((e) => e.validity.valueMissing), true);
  await clerk.fill("#reason", "经会员大会表决同意解散，清算完毕");
  await clerk.click("#record-form button[type=submit]");
  await clerk.waitForTimeout(300);
  assert.equal(dialogs.length, 0, "no dialog while 决定文书号 is empty");
  await clerk.fill("#doc_no", "东民社注〔2026〕21号");
  await Promise.all([clerk.waitForURL((u) => !u.toString().includes("/status")), clerk.click("#record-form button[type=submit]")]);
  assert.equal(dialogs.length, 1, "one confirmation, after the fields were filled");
  assert.match(dialogs[0], /须经负责人批准/);
  assert.match(await clerk.locator(".alert-success").innerText(), /已提出注销登记申请/);
  const title = await clerk.locator("#detail-title").innerText();
  assert.ok(title.includes("正常") && title.includes("注销登记待审批"), title);
  assert.equal(await clerk.locator(".hl-actions a:has-text('注销登记')").count(), 0, "no second proposal");
  await clerk.screenshot({ path: join(shots, "decision-pending-org.png") });

  // the leader: the home page counts it, the to-do list shows it
  const leader = await browser.newPage(view);
  await login(leader, server.base, "leader", server.accounts.leader);
  const count = Number((await leader.locator("#fig-decisions").innerText()).replace(/,/g, ""));
  assert.ok(count >= 2, `the demo's proposal and this one: ${count}`);
  await leader.screenshot({ path: join(shots, "decision-home.png") });
  await Promise.all([leader.waitForLoadState("load"), leader.click(".hl-menu a:has-text('登记审批')")]);
  const row = leader.locator("#decision-table tbody tr", { hasText: org.name });
  assert.match(await row.innerText(), /东民社注〔2026〕21号/);
  assert.match(await row.innerText(), /registrar/);
  await leader.screenshot({ path: join(shots, "decision-todo.png") });
  await Promise.all([leader.waitForLoadState("load"), row.locator("a:has-text('审批')").click()]);
  const facts = await leader.locator("#detail-facts").innerText();
  assert.ok(facts.includes("经会员大会表决同意解散") && facts.includes("registrar"), facts);
  await leader.screenshot({ path: join(shots, "decision-detail.png") });
  leader.on("dialog", (d) => d.accept());
  await Promise.all([leader.waitForURL((u) => u.toString().includes("/registry/orgs/")), leader.click("#approve-form button[type=submit]")]);
  assert.match(await leader.locator(".alert-success").innerText(), /已批准/);
  const closed = await leader.locator("#detail-title").innerText();
  assert.ok(closed.includes("已注销"), closed);
  assert.ok(!closed.includes("三同步待落实"), "no 三同步 badge on a closed record");
  assert.equal(await leader.locator(".hl-actions a:has-text('变更登记事项')").count(), 0, "no change actions");
  assert.equal(await leader.locator("#supervision-form").count(), 0);
  await leader.screenshot({ path: join(shots, "decision-closed-org.png") });
  await Promise.all([leader.waitForLoadState("load"), leader.click("#tab-history")]);
  const history = await leader.locator("#history-table").innerText();
  assert.ok(history.includes("registrar（提出）") && history.includes("leader（批准）"), history);
  await leader.screenshot({ path: join(shots, "decision-history.png") });
  await clerk.close();
  await leader.close();
});

test("a colleague's save: both values side by side, the clerk saves again", async () => {
  const a = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  await login(a, server.base, "registrar", server.accounts.registrar);
  const org = await foundation(a, 1, "370502");
  const b = await browser.newPage(view);
  await login(b, server.base, "dyq", server.accounts.dyq);
  await a.goto(server.base + org.href + "/edit");
  await b.goto(server.base + org.href + "/edit");
  // the colleague saves first
  await b.fill("#legal_rep", "同事甲");
  await Promise.all([b.waitForLoadState("load"), b.click("#record-form button[type=submit]")]);
  assert.match(await b.locator(".alert-success").innerText(), /已保存变更/);
  // the clerk's save is overtaken
  await a.fill("#legal_rep", "经办人乙");
  await a.fill("#address", "黄河路 88 号");
  await a.fill("#reason", "换届");
  const [res] = await Promise.all([a.waitForResponse((r) => r.request().method() === "POST"), a.click("#record-form button[type=submit]")]);
  assert.equal(res.status(), 409);
  await a.waitForLoadState("load");
  const table = await a.locator("#conflict-table").innerText();
  assert.ok(table.includes("同事甲") && table.includes("经办人乙"), table);
  assert.equal(await a.inputValue("#legal_rep"), "经办人乙", "the input is kept");
  assert.equal(await a.inputValue("#address"), "黄河路 88 号");
  assert.match(await a.locator(".hl-theirs[data-field=legal_rep]").innerText(), /同事甲/);
  await a.screenshot({ path: join(shots, "conflict-merge.png"), fullPage: true });
  // reapply
  await Promise.all([a.waitForLoadState("load"), a.click("#record-form button[type=submit]")]);
  assert.match(await a.locator(".alert-success").innerText(), /已保存变更/);
  assert.ok((await a.locator("#detail-facts").innerText()).includes("经办人乙"));
  await a.close();
  await b.close();
});

test("the category list offers only the chosen registration mode's categories", async () => {
  const page = await browser.newPage(view);
  await login(page, server.base, "registrar", server.accounts.registrar);
  await page.goto(server.base + "/registry/orgs/new");
  const labels = async () => (await page.locator("#category option").allInnerTexts()).map((s) => s.trim());
  let l = await labels();
  assert.ok(l.includes("行业协会商会") && !l.includes("文体娱乐"), l.join(","));
  await page.selectOption("#category", "charity");
  await page.selectOption("#registration_mode", "filed");
  l = await labels();
  assert.ok(l.includes("文体娱乐") && !l.includes("公益慈善类"), l.join(","));
  assert.equal(await page.inputValue("#category"), "", "a choice that no longer fits is cleared");
  await page.screenshot({ path: join(shots, "org-form-filed-categories.png") });
  await page.close();
});
