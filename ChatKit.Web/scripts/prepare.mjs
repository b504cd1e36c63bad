// Run by `npm run aspire` before `exec next start`: installs the packages on first run (or when package-lock.json
// changed) and builds the app when its sources changed since the last build (`--install-only`: no build).
// Uses only Node's own modules.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);
process.env.NEXT_TELEMETRY_DISABLED = "1";
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function run(command, args) {
  const started = Date.now();
  console.log(`> ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit", env: process.env });
  if (result.status !== 0) {
    console.error(`${command} ${args.join(" ")} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status || 1);
  }
  console.log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// One prepare at a time per checkout (a test run and a developer's AppHost may start together).
const lock = path.join(root, ".prepare.lock");
const deadline = Date.now() + 5 * 60_000;
for (;;) {
  try {
    mkdirSync(lock);
    break;
  } catch {
    if (Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 5 * 60_000) rmSync(lock, { recursive: true, force: true });
    if (Date.now() > deadline) throw new Error(`${lock} is held for more than 5 minutes`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
  }
}
const release = () => rmSync(lock, { recursive: true, force: true });
process.on("exit", release);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(130));

// Installed from exactly this package-lock.json? (Its hash, not its time: a merge or checkout can leave an older lock
// file newer than node_modules, or the reverse.)
const lockHash = createHash("sha256").update(readFileSync(path.join(root, "package-lock.json"))).digest("hex");
const installedStamp = path.join(root, "node_modules", ".chatkit-lock-stamp");
if (!existsSync(installedStamp) || readFileSync(installedStamp, "utf8") !== lockHash) {
  run(npm, ["ci", "--no-audit", "--no-fund", "--loglevel=error"]);
  writeFileSync(installedStamp, lockHash);
}

if (process.argv.includes("--install-only")) process.exit(0);

const inputs = ["app", "components", "lib", "public", "instrumentation.ts", "proxy.ts", "next.config.ts", "tsconfig.json", "package-lock.json"];
function* files(entry) {
  const full = path.join(root, entry);
  const stat = statSync(full, { throwIfNoEntry: false });
  if (!stat) return;
  if (stat.isDirectory()) for (const child of readdirSync(full).sort()) yield* files(path.join(entry, child));
  else yield entry;
}
const hash = createHash("sha256");
for (const entry of inputs) for (const file of files(entry)) hash.update(file).update(readFileSync(path.join(root, file)));
const stamp = hash.digest("hex");
const stampFile = path.join(root, ".next", "chatkit-build-stamp");
const built = existsSync(path.join(root, ".next", "BUILD_ID")) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp;
if (!built) {
  run(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"]);
  writeFileSync(stampFile, stamp);
} else {
  console.log("The build is up to date.");
}
