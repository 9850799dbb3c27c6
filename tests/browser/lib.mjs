// Shared harness of the browser tests: a real motcua server (the built binary, embedded SQLite,
// demo data) on a free port, Debian's Chromium driven by Playwright, sign-in, screenshots for the
// README, and an accessibility check with axe-core.
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const require = createRequire(import.meta.url);

export const PASSWORD = "motcua-demo";
export const SCREENSHOTS = join(root, "docs", "screenshots");

/** Starts `motcua serve --demo` on a fresh data directory; resolves when it is ready.
 * `port` (default: a random free-ish one) and `env` (more MOTCUA_* settings) are optional. */
export async function startServer({ port = freePort(), env = {} } = {}) {
  const bin = process.env.MOTCUA_BIN || join(root, "target", "debug", "motcua");
  const dir = mkdtempSync(join(tmpdir(), "motcua-browser-"));
  const proc = spawn(bin, ["--data-dir", dir, "serve", "--demo", "--listen", `127.0.0.1:${port}`], {
    env: { ...process.env, MOTCUA_LOG: process.env.MOTCUA_LOG || "warn", ...env },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`motcua exited with ${proc.exitCode}`);
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error("motcua did not become ready in 120 s");
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    base,
    dir,
    async stop() {
      proc.kill("SIGTERM");
      await new Promise((r) => (proc.exitCode !== null ? r() : proc.once("exit", r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A port to serve on (random in 20000–39999). */
export function freePort() {
  return 20000 + Math.floor(Math.random() * 20000);
}

/** Headless Debian Chromium (as the machine's probe starts it: no background networking). */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A new browser context (own cookies) with a phone-or-desktop viewport, Vietnamese locale. */
export async function newPage(browser, base, { width = 1280, height = 900 } = {}) {
  const context = await browser.newContext({
    baseURL: base,
    viewport: { width, height },
    locale: "vi-VN",
    timezoneId: "Asia/Ho_Chi_Minh",
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

/** Signs in through the login form; lands on `next` (or the home page). */
export async function login(page, username, next = "/") {
  await page.goto(`/dang-nhap?next=${encodeURIComponent(next)}`);
  await page.getByLabel("Tên đăng nhập").fill(username);
  await page.getByLabel("Mật khẩu").fill(PASSWORD);
  await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "Đăng nhập" }).last().click()]);
  await assert.doesNotReject(page.getByRole("button", { name: "Đăng xuất" }).waitFor());
}

/** Saves a full-page screenshot to docs/screenshots/<name>.png (shown in the README). */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Runs axe-core on the page; fails on serious or critical WCAG 2 A/AA violations. */
export async function checkAccessibility(page, what) {
  // Evaluated through the DevTools protocol: the pages' CSP (script-src 'self') refuses an
  // injected inline <script>, and it stays on for the tests.
  await page.evaluate(readFileSync(require.resolve("axe-core/axe.min.js"), "utf8"));
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa"] } });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    }));
  });
  const bad = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad, [], `accessibility of ${what}: ${JSON.stringify(bad, null, 1)}`);
  return result;
}

/** Bytes transferred (compressed) for a page and everything it loads, on a fresh context. */
export async function pageWeight(browser, base, path) {
  const context = await browser.newContext({ baseURL: base });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  let bytes = 0;
  cdp.on("Network.loadingFinished", (e) => {
    bytes += e.encodedDataLength;
  });
  await page.goto(path, { waitUntil: "networkidle" });
  await context.close();
  return bytes;
}
