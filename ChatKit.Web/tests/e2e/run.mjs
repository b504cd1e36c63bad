// Browser tests of the web app with playwright-core and the system's Chromium (Debian's `chromium` package).
// Usage: WEB_URL=http://localhost:PORT node tests/e2e/run.mjs <scenario>...   (no scenario: all of them)
// Prints one line per step and, last, `RESULT {json}`; exits 1 when a scenario fails. Nothing leaves loopback:
// every request to another host is aborted inside the browser, and DNS for other hosts is disabled.
// `run.mjs --serve` keeps one browser for many runs (the .NET tests: one per test, without a browser start each): it
// reads one JSON request a line from stdin, {"scenario": name, "env": {NAME: value}}, and answers each with the steps'
// lines and `RESULT {json}`; it closes the browser when stdin ends.
import { chromium } from "playwright-core";
import { createInterface } from "node:readline";
import { existsSync, mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { scenarios } from "./scenarios.mjs";

const baseUrl = (process.env.WEB_URL ?? "http://localhost:3100").replace(/\/+$/, "");
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(executablePath)) {
  console.error(`Chromium not found at ${executablePath}: install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH.`);
  process.exit(2);
}
const serve = process.argv[2] === "--serve";
const requested = serve ? [] : process.argv.slice(2);
const selected = requested.length ? requested : Object.keys(scenarios);
const unknown = (name) => `Unknown scenario ${name}; known: ${Object.keys(scenarios).join(", ")}`;
for (const name of selected) {
  if (!scenarios[name]) {
    console.error(unknown(name));
    process.exit(2);
  }
}

const home = mkdtempSync(path.join(tmpdir(), "chatkit-e2e-"));
for (const dir of ["config", "cache"]) mkdirSync(path.join(home, dir));
process.env.XDG_CONFIG_HOME = path.join(home, "config");
process.env.XDG_CACHE_HOME = path.join(home, "cache");

const launch = () => chromium.launch({
  executablePath,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
  ],
});
let browser = await launch();

const isLoopback = (url) => /^(https?|wss?):\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?(\/|$)/.test(url) || /^(data|blob|about):/.test(url);

/**
 * A fresh browser profile (one user); `cdn` decides what the ChatKit script request gets. Everything the page's
 * Content-Security-Policy blocks lands in `violations` (each scenario ends by checking there is none).
 */
async function newUserContext({ cdn = "abort" } = {}, violations = []) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: baseUrl });
  context.setDefaultTimeout(Number(process.env.E2E_STEP_TIMEOUT_MS ?? 30_000));
  await context.exposeBinding("__reportCspViolation", ({ page }, text) => violations.push(`${page.url()}: ${text}`));
  await context.addInitScript(() =>
    document.addEventListener("securitypolicyviolation", (e) =>
      window.__reportCspViolation(`${e.effectiveDirective} blocked ${e.blockedURI || "inline code"} (${e.sourceFile}:${e.lineNumber})`),
    ),
  );
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (isLoopback(url)) return route.continue();
    if (url.startsWith("https://cdn.platform.openai.com/") && typeof cdn === "function") return cdn(route);
    if (url.startsWith("https://cdn.platform.openai.com/") && cdn === "hang") {
      return route.fulfill({ status: 200, contentType: "application/javascript", body: "/* loads, but never defines <openai-chatkit> */" });
    }
    return route.abort("internetdisconnected");
  });
  return context;
}

/** Runs one scenario in fresh browser contexts and returns its result ({ scenario, passed, ms, steps[, error] }). */
async function run(name) {
  const steps = [];
  const started = Date.now();
  const step = async (title, fn) => {
    const t0 = Date.now();
    try {
      const value = await fn();
      steps.push({ title, ms: Date.now() - t0, ok: true });
      console.log(`  ✔ ${title} (${Date.now() - t0} ms)`);
      return value;
    } catch (error) {
      steps.push({ title, ms: Date.now() - t0, ok: false, error: String(error?.message ?? error).split("\n").slice(0, 6).join("\n") });
      console.log(`  ✘ ${title}: ${error?.message ?? error}`);
      throw error;
    }
  };
  console.log(`scenario ${name}`);
  const contexts = [];
  const violations = [];
  try {
    await scenarios[name]({
      baseUrl,
      step,
      newUser: async (options) => {
        const context = await newUserContext(options, violations);
        contexts.push(context);
        return context;
      },
    });
    await step("the Content-Security-Policy blocked nothing the app needs", async () => {
      if (violations.length > 0) throw new Error(`CSP violations:\n${violations.join("\n")}`);
    });
    return { scenario: name, passed: true, ms: Date.now() - started, steps };
  } catch (error) {
    for (const [i, context] of contexts.entries()) {
      for (const [j, page] of context.pages().entries()) {
        const file = path.join(tmpdir(), `chatkit-e2e-failure-${name}-${i}-${j}.png`);
        await page.screenshot({ path: file, fullPage: true }).catch(() => {});
        console.log(`  screenshot of the failure: ${file}`);
      }
    }
    return { scenario: name, passed: false, ms: Date.now() - started, steps, error: String(error?.message ?? error).split("\n")[0] };
  } finally {
    for (const context of contexts) await context.close().catch(() => {});
  }
}

let failed = false;
if (serve) {
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    const { scenario, env = {} } = JSON.parse(line);
    if (!scenarios[scenario]) {
      console.log(unknown(scenario));
      console.log(`RESULT ${JSON.stringify([{ scenario, passed: false, ms: 0, steps: [], error: unknown(scenario) }])}`);
      continue;
    }
    // The scenarios read their options (SCREENSHOT_PATH, ...) from the environment: set for this run only.
    for (const [key, value] of Object.entries(env)) process.env[key] = value;
    if (!browser.isConnected()) browser = await launch(); // a crashed browser takes only its own scenario down
    try {
      console.log(`RESULT ${JSON.stringify([await run(scenario)])}`);
    } finally {
      for (const key of Object.keys(env)) delete process.env[key];
    }
  }
} else {
  const results = [];
  for (const name of selected) {
    const result = await run(name);
    failed ||= !result.passed;
    results.push(result);
  }
  console.log(`RESULT ${JSON.stringify(results)}`);
}
await browser.close();
rmSync(home, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
