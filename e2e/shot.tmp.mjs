import { chromium } from "playwright-core";
const [,, base, user, pass, ...paths] = process.argv;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless","--no-sandbox","--disable-gpu","--disable-background-networking","--disable-component-update","--disable-sync","--no-first-run"] });
const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
page.on("console", m => { if (m.type() === "error") console.log("console:", m.text()); });
page.on("pageerror", e => console.log("pageerror:", e.message));
await page.goto(base + "/login");
await page.fill("#username", user); await page.fill("#password", pass);
await Promise.all([page.waitForLoadState("load"), page.click("button[type=submit]")]);
for (const [i, p] of paths.entries()) {
  const r = await page.goto(base + p);
  await page.waitForTimeout(800);
  const name = `/tmp/shot-${i}.png`;
  await page.screenshot({ path: name, fullPage: !process.env.TOP, clip: process.env.TOP ? { x: 0, y: 0, width: 1366, height: Number(process.env.TOP) } : undefined });
  console.log(p, r.status(), name);
}
await browser.close();
