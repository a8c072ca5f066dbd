import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
const D = readFileSync("/tmp/hl-explore-dir","utf8").trim();
const acc = Object.fromEntries(readFileSync(D+"/demo-accounts.txt","utf8").split("\n").filter(Boolean).map(l=>l.split("\t")));
const base = "http://127.0.0.1:18777";
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless","--no-sandbox","--disable-gpu"] });
const ctx = await browser.newContext();
const page = await ctx.newPage();
const user = process.argv[2];
await page.goto(base + "/login");
await page.fill("#username", user); await page.fill("#password", acc[user]);
await Promise.all([page.waitForLoadState("load"), page.click("button[type=submit]")]);
for (const u of process.argv.slice(3)) {
  const r = await page.goto(base + u);
  console.log("=====", u, r.status());
  console.log((await page.locator((await page.locator("main").count()) ? "main" : "body").innerText()).slice(0, 6000));
}
await browser.close();
