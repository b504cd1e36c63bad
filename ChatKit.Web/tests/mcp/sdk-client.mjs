// What MCP Inspector does, with the MCP TypeScript SDK it is built on (its OAuth client and Streamable HTTP transport):
// discovery from the 401, dynamic registration with the Inspector's own metadata, PKCE, a signed-in person's consent,
// tokens, the five tools, add_task, and the task on the person's list. Usage: node tests/mcp/sdk-client.mjs <web app URL>.
// The person's browser is a cookie header here; the consent page itself is walked in Chromium (tests/e2e, mcp-consent).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";

const web = (process.argv[2] ?? process.env.WEB_URL ?? "").replace(/\/$/, "");
if (!web) throw new Error("usage: node tests/mcp/sdk-client.mjs <web app URL>");
const email = `insp-${Date.now()}@example.test`;
const signUp = await fetch(`${web}/api/auth/sign-up/email`, {
  method: "POST", headers: { "content-type": "application/json", origin: web },
  body: JSON.stringify({ email, password: "correct horse battery", name: "insp" }),
});
const cookie = signUp.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
console.log("sign-up", signUp.status);

let code;
const store = {};
const provider = {
  get redirectUrl() { return "http://localhost:6274/oauth/callback"; },
  get clientMetadata() {
    return { redirect_uris: ["http://localhost:6274/oauth/callback"], token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"], response_types: ["code"], client_name: "MCP Inspector",
      client_uri: "https://github.com/modelcontextprotocol/inspector" };
  },
  clientInformation: () => store.client,
  saveClientInformation: (c) => { store.client = c; console.log("registered", c.client_id); },
  tokens: () => store.tokens,
  saveTokens: (t) => { store.tokens = t; console.log("tokens", Object.keys(t).join(","), "scope=" + t.scope); },
  saveCodeVerifier: (v) => { store.verifier = v; },
  codeVerifier: () => store.verifier,
  async redirectToAuthorization(url) {
    console.log("authorize", url.origin + url.pathname, "resource=" + url.searchParams.get("resource"), "scope=" + url.searchParams.get("scope"));
    const authorize = await fetch(url, { headers: { cookie, accept: "text/html" }, redirect: "manual" });
    // A browser gets a 302; a fetch without Sec-Fetch-Mode gets the same step as JSON.
    const next = authorize.headers.get("location") ?? (await authorize.json()).url;
    const consentPage = new URL(next, web);
    console.log("→", consentPage.pathname);
    const consent = await fetch(`${web}/api/auth/oauth2/consent`, {
      method: "POST", headers: { cookie, origin: web, "content-type": "application/json" },
      body: JSON.stringify({ accept: true, oauth_query: consentPage.search.slice(1) }),
    });
    const { url: callback } = await consent.json();
    code = new URL(callback).searchParams.get("code");
    console.log("code", code ? "received" : "missing");
  },
};

const endpoint = new URL(`${web}/mcp`);
let client = new Client({ name: "inspector-like", version: "1" });
try {
  await client.connect(new StreamableHTTPClientTransport(endpoint, { authProvider: provider }));
} catch (error) {
  if (!(error instanceof UnauthorizedError)) throw error;
  const transport = new StreamableHTTPClientTransport(endpoint, { authProvider: provider });
  await transport.finishAuth(code);
  client = new Client({ name: "inspector-like", version: "1" });
  await client.connect(new StreamableHTTPClientTransport(endpoint, { authProvider: provider }));
}
const { tools } = await client.listTools();
console.log("tools", tools.map((t) => t.name).join(", "));
const added = await client.callTool({ name: "add_task", arguments: { title: "Added from the inspector" } });
console.log("add_task", JSON.stringify(added.structuredContent ?? added.content));
const { token } = await (await fetch(`${web}/api/auth/token`, { headers: { cookie } })).json();
const list = await (await fetch(`${web}/api/tasks`, { headers: { authorization: `Bearer ${token}` } })).json();
console.log("chat page's task list:", list.tasks.map((t) => t.title).join(", "));
await client.close();
if (!store.tokens?.refresh_token) throw new Error("no refresh token");
if (tools.length !== 5) throw new Error(`expected five tools, got ${tools.length}`);
if (!list.tasks.some((t) => t.title === "Added from the inspector")) throw new Error("the task is not on the person's list");
console.log("OK");
