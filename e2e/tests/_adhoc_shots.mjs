import { startServer, startBrowser, login } from "./harness.mjs";
const server = await startServer();
const browser = await startBrowser();
try {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  page.on("dialog", (d) => d.accept());
  await login(page, server.base, "registrar", server.accounts.registrar);
  await page.goto(server.base + "/registry/orgs?q=" + encodeURIComponent("爱心"));
  await page.locator("#org-table tbody tr td:first-child a").first().click();
  await page.waitForLoadState("load");
  await page.click("text=变更登记事项");
  await page.waitForLoadState("load");
  await page.fill("#legal_rep", "赵六");
  await page.fill("#member_count", "88");
  await page.fill("#reason", "换届选举");
  await Promise.all([page.waitForLoadState("load"), page.click("button:has-text('保存')")]);
  await page.context().clearCookies();
  await login(page, server.base, "leader", server.accounts.leader);
  await page.goto(server.base + "/system/audit?action=org.update");
  await page.screenshot({ path: "/tmp/wt-audit-shots/leader-org-update.png" });
  await page.locator("#audit-table tbody a", { hasText: "查看" }).first().click();
  await page.waitForLoadState("load");
  await page.screenshot({ path: "/tmp/wt-audit-shots/leader-org-entry.png", fullPage: true });
  await page.goto(server.base + "/system/audit?action=nope&from=2026-13-01");
  await page.screenshot({ path: "/tmp/wt-audit-shots/bad-filter.png" });
} finally {
  await browser.close();
  server.stop();
}
