// Starts a real hongling demo server on a free port with a fresh data
// directory, and a headless Debian chromium driven by playwright-core.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import net from "node:net";
import { chromium } from "playwright-core";

const root = resolve(import.meta.dirname, "..", "..");

export function binary() {
  const bin = process.env.HONGLING_BIN || join(root, "target", "debug", "hongling");
  if (!existsSync(bin)) throw new Error(`hongling binary not found at ${bin}; run cargo build first`);
  return bin;
}

async function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
    s.on("error", rej);
  });
}

export async function startServer() {
  const data = mkdtempSync(join(tmpdir(), "hongling-e2e-"));
  const port = await freePort();
  const proc = spawn(binary(), ["demo", "--data", data, "--addr", `127.0.0.1:${port}`], {
    env: { ...process.env, HONGLING_LOG: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout.on("data", (d) => (out += d));
  proc.stderr.on("data", (d) => (out += d));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited: ${out}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`server did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const accounts = {};
  for (const line of readFileSync(join(data, "demo-accounts.txt"), "utf8").split("\n")) {
    const [user, password] = line.split("\t");
    if (user) accounts[user] = password;
  }
  // the data directory goes when the server has stopped
  const stop = () => {
    proc.once("exit", () => rmSync(data, { recursive: true, force: true }));
    proc.kill("SIGTERM");
  };
  return { base, accounts, data, stop };
}

export async function startBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

export async function login(page, base, username, password) {
  await page.goto(`${base}/login`);
  await page.fill("#username", username);
  await page.fill("#password", password);
  await Promise.all([page.waitForLoadState("load"), page.click("button[type=submit]")]);
}

export const shots = join(root, "e2e", "screenshots");
