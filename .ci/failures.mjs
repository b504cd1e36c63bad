// Prints each failed test from the TRX files given as arguments: its name, message and the top of its stack trace,
// so a CI log that is read from the end says what failed without scrolling through the test output.
import { readFileSync } from "node:fs";

const unescape = (s) =>
  s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'")
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16))).replace(/&amp;/g, "&");
const element = (xml, name) => xml.match(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`))?.[1] ?? "";

for (const file of process.argv.slice(2)) {
  const trx = readFileSync(file, "utf8");
  for (const [result] of trx.matchAll(/<UnitTestResult [^>]*outcome="(?:Failed|Error|Timeout|Aborted)"[^>]*?(?:\/>|>[\s\S]*?<\/UnitTestResult>)/g)) {
    const name = unescape(result.match(/testName="([^"]*)"/)?.[1] ?? "?");
    const duration = result.match(/duration="([^"]*)"/)?.[1] ?? "?";
    const message = unescape(element(result, "Message")).trim();
    const stack = unescape(element(result, "StackTrace")).trim().split("\n").slice(0, 8).join("\n");
    console.log(`FAILED ${name} (${duration})\n${message}\n${stack}\n`);
  }
}
