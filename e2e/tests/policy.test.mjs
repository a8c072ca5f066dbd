// The policy page for the clerk's own locality (issue 11 item 7): values with
// the source document's title and the clause, 全国默认 only for national rules,
// 本系统默认值 said, other localities' shipped values only on request.
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

test("policy page: own locality, document and clause, others on request", async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  await login(page, server.base, "party", server.accounts.party);
  await page.goto(server.base + "/system/policy");
  const cells = async (p) =>
    (await page.locator(`#policy-table tr[data-param=${p}] td`).allInnerTexts()).map((s) => s.trim());
  // 3 formal members: the national rule (003§2 is 薛城区's document, not 东营市's)
  const min = await cells("standalone_min_formal");
  assert.equal(min[2], "全国默认（国家规定）");
  assert.equal(min[4], "《中国共产党章程》");
  assert.match(min[5], /^第三十条/);
  // our own default says so
  assert.equal((await cells("instructor_max_orgs"))[2], "本系统默认值");
  // a locality's value: its document and its clause, labelled as an average (000§12)
  const urban = await cells("urban_community_orgs");
  assert.match(urban[0], /平均/);
  assert.match(urban[4], /《关于党建引领社会组织助力黄河流域生态保护和高质量发展的指导意见》/);
  assert.match(urban[5], /^第12条/);
  // other localities only on request
  const shipped = await page.locator("#policy-shipped").innerText();
  assert.ok(!shipped.includes("锦江区") && !shipped.includes("雅安市"), shipped);
  await page.screenshot({ path: join(shots, "policy-own.png"), fullPage: true });
  await Promise.all([page.waitForLoadState("load"), page.click("#policy-others")]);
  assert.match(await page.locator("#policy-shipped").innerText(), /锦江区/);
  await page.close();
});
