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

test("search, open a record, edit it, see the change in history", async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await login(page, server.base, "registrar", server.accounts.registrar);
  await page.click("text=登记管理");
  await page.waitForSelector("#org-table");
  await page.fill("#q", "爱心");
  await Promise.all([page.waitForLoadState("load"), page.click("#org-table-search button[type=submit]")]);
  assert.match(page.url(), /q=%E7%88%B1%E5%BF%83/, "filters live in the URL");
  const names = await page.locator("#org-table tbody tr td:first-child").allInnerTexts();
  assert.ok(names.length > 0, "found some");
  for (const n of names) assert.ok(n.includes("爱心"), `${n} contains 爱心`);
  await page.screenshot({ path: join(shots, "orgs-search.png") });

  await Promise.all([page.waitForLoadState("load"), page.locator("#org-table tbody tr td:first-child a").first().click()]);
  const original = (await page.locator("#detail-title").innerText()).split(" ")[0].trim();
  assert.ok(original.includes("爱心"));
  await page.screenshot({ path: join(shots, "org-detail.png") });

  await Promise.all([page.waitForLoadState("load"), page.click("text=变更登记事项")]);
  const newRep = "测试员" + Date.now() % 1000;
  await page.fill("#legal_rep", newRep);
  await page.fill("#member_count", "-5");
  await Promise.all([page.waitForLoadState("load"), page.click("button:has-text('保存')")]);
  // a wrong value keeps what was typed and says what is wrong, in Chinese, under the field
  assert.equal(await page.inputValue("#legal_rep"), newRep);
  assert.match(await page.locator(".invalid-feedback").first().innerText(), /人数不能为负数/);
  await page.screenshot({ path: join(shots, "org-form-error.png") });
  await page.fill("#member_count", "88");
  await page.fill("#reason", "换届选举");
  await Promise.all([page.waitForLoadState("load"), page.click("button:has-text('保存')")]);
  assert.match(await page.locator(".alert-success").innerText(), /已保存变更/);
  assert.ok((await page.locator("#detail-facts").innerText()).includes(newRep));

  await Promise.all([page.waitForLoadState("load"), page.click("#tab-history")]);
  const history = await page.locator("#history-table").innerText();
  assert.ok(history.includes("变更") && history.includes(newRep) && history.includes("换届选举"), history);
  assert.ok(history.includes("会员数"), "the changed fields are listed");
  await page.screenshot({ path: join(shots, "org-history.png") });
  await page.close();
});

test("a county clerk cannot open another county's record", async () => {
  const page = await browser.newPage();
  await login(page, server.base, "kenli", server.accounts.kenli);
  await page.goto(server.base + "/registry/orgs?region=370502");
  assert.equal(await page.locator("#org-table tbody tr").count(), 1);
  assert.ok((await page.locator("#org-table").innerText()).includes("暂无数据"));
  // the dashboard counts only the clerk's county
  await page.goto(server.base + "/");
  const registered = Number((await page.locator("#fig-registered").innerText()).replace(/,/g, ""));
  assert.ok(registered > 0 && registered < 3000, `${registered}`);
  await page.close();
});

test("an import preview lists the rejected rows before anything is written", async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  await login(page, server.base, "registrar", server.accounts.registrar);
  await page.goto(server.base + "/registry/import");
  const header = "统一社会信用代码,组织名称,组织类型,登记方式,类别,所属行业,登记管理机关区划代码,业务主管单位,住所区划代码,住所地址,经度,纬度,法定代表人,成立日期,从业人员数,会员数,章程含党建内容,枢纽型组织,品牌组织,孵化基地,登记状态,监管分类";
  const rows = [
    ",浏览器测试舞蹈队,社会团体,备案,文体娱乐,,370502001,,370502001011,,,,,2022-01-01,,20,,,,,,",
    "51370500MJD0000018,浏览器测试协会,社会团体,登记,科技类,,3705,,370502001011,,,,王强,2020-01-01,,,,,,,,",
  ];
  await page.setInputFiles("#file", { name: "测试.csv", mimeType: "text/csv", buffer: Buffer.from([header, ...rows].join("\n")) });
  // the upload answers at once; the job's page follows the read and reloads
  // itself with the result (htmx, HX-Refresh)
  await Promise.all([page.waitForLoadState("load"), page.click("button:has-text('上传并检查')")]);
  await page.locator("#n-create").waitFor({ timeout: 30000 });
  assert.equal(await page.locator("#n-create").innerText(), "1");
  assert.equal(await page.locator("#n-reject").innerText(), "1");
  const rejected = await page.locator("#rejected-table").innerText();
  assert.ok(rejected.includes("3") && rejected.includes("校验"), rejected);
  await page.screenshot({ path: join(shots, "import-preview.png") });
  page.once("dialog", (d) => d.accept());
  await Promise.all([page.waitForLoadState("load"), page.click("#commit-import")]);
  await page.locator("h2.card-title", { hasText: "导入完成" }).waitFor({ timeout: 30000 });
  await page.goto(server.base + "/registry/orgs?q=" + encodeURIComponent("浏览器测试"));
  assert.ok((await page.locator("#org-table").innerText()).includes("浏览器测试舞蹈队"));
  await page.close();
});
