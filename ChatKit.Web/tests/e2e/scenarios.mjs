// The browser scenarios. Each gets { baseUrl, step, newUser } from run.mjs and throws when something is wrong.
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";

const PASSWORD = "correct horse battery";
const uniqueEmail = (name) => `${name}-${randomBytes(4).toString("hex")}@example.test`;

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

async function signUp(page, name) {
  const email = uniqueEmail(name);
  await page.goto("/sign-up");
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.waitForURL("**/chat");
  return email;
}

async function signIn(page, email) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL("**/chat");
}

async function builtInChat(page) {
  await page.locator('[data-chat-mode="builtin"] [data-testid="builtin-chat"]').waitFor();
  await page.locator('[data-testid="thread-list"][data-loaded="true"]').waitFor({ state: "attached" });
}

/** Sends a message in the built-in chat and waits until the answer has finished streaming. */
async function say(page, text) {
  const answers = page.locator('.message[data-role="assistant"]');
  const before = await answers.count();
  await page.getByLabel("Message").fill(text);
  await page.getByLabel("Message").press("Enter");
  await page.locator(".message.user", { hasText: text }).last().waitFor();
  await page.waitForFunction((n) => document.querySelectorAll('.message[data-role="assistant"]').length > n, before);
  await page.getByRole("button", { name: "Send" }).waitFor(); // the Stop button is gone: the stream has ended
  const answer = (await answers.last().innerText()).trim();
  assert(answer.length > 0, `the assistant gave an empty answer to "${text}"`);
  return answer;
}

const taskRow = (page, title) => page.locator('[data-testid="tasks"] li[data-task-id]', { hasText: title });

/** Calls the API from inside the page the way the app does: Better Auth JWT → session token → request. */
async function apiFromPage(page, path, init = {}) {
  return page.evaluate(
    async ({ path, init }) => {
      const { token } = await (await fetch("/api/auth/token")).json();
      const session = await (await fetch("/api/chatkit/session", { method: "POST", headers: { Authorization: `Bearer ${token}` } })).json();
      const response = await fetch(path, { ...init, headers: { ...(init.headers ?? {}), Authorization: `Bearer ${session.client_secret}` } });
      return { status: response.status, body: await response.text() };
    },
    { path, init },
  );
}

export const scenarios = {
  /** The flow: sign up, sign in, a task by chat, the tasks view, reload, complete from the widget, a second user. */
  async "chat-flow"({ step, newUser }) {
    const alice = await newUser();
    const page = await alice.newPage();
    const email = await step("alice signs up", () => signUp(page, "alice"));
    await step("alice signs out and signs in again", async () => {
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL("**/sign-in");
      await signIn(page, email);
      assert((await page.getByTestId("user-email").innerText()) === email, "the header does not show alice's email");
    });
    await step("the built-in chat takes over when ChatKit's script cannot load", async () => {
      await builtInChat(page);
      for (const label of ["Create a task", "List tasks", "Get help"]) {
        await page.getByRole("button", { name: label }).waitFor();
      }
    });
    const answer = await step("alice creates a task by chat", () => say(page, "Create a task to buy milk"));
    await step("the task appears in the tasks view", () => taskRow(page, /buy milk/i).waitFor());
    const threadId = await step("the conversation is listed with a title", async () => {
      const item = page.locator('[data-testid="thread-list"] li.active');
      await item.waitFor();
      return item.getAttribute("data-thread-id");
    });
    await step("after a reload the conversation is reopened", async () => {
      await page.reload();
      await builtInChat(page);
      await page.locator(".message.user", { hasText: "Create a task to buy milk" }).waitFor();
      await page.locator('.message[data-role="assistant"]', { hasText: answer.slice(0, 20) }).first().waitFor();
      await page.locator(`[data-testid="thread-list"] li.active[data-thread-id="${threadId}"]`).waitFor();
    });
    await step("asking for the list shows the task widget", async () => {
      await say(page, "What's on my list?");
      await page.locator('[data-role="widget"]', { hasText: /buy milk/i }).last().waitFor();
    });
    await step("a screenshot of the chat page is kept", async () => {
      const file = process.env.SCREENSHOT_PATH;
      if (!file) return;
      mkdirSync(path.dirname(file), { recursive: true });
      await page.screenshot({ path: file });
    });
    await step("the widget's Complete button completes the task", async () => {
      const widget = page.locator('[data-role="widget"]').last();
      await widget.getByRole("button", { name: /complete/i }).first().click();
      await taskRow(page, /buy milk/i).and(page.locator('[data-completed="true"]')).waitFor();
      await page.getByRole("button", { name: "Send" }).waitFor();
    });
    const aliceTask = await step("alice's task id is known", async () => {
      const id = await taskRow(page, /buy milk/i).first().getAttribute("data-task-id");
      assert(id, "no task id");
      return id;
    });

    const bob = await newUser();
    const bobPage = await bob.newPage();
    await step("bob signs up", () => signUp(bobPage, "bob"));
    await step("bob sees none of alice's tasks or conversations", async () => {
      await builtInChat(bobPage);
      await bobPage.locator('[data-testid="tasks"] li.empty').waitFor();
      assert((await bobPage.locator('[data-testid="tasks"] li[data-task-id]').count()) === 0, "bob sees tasks");
      assert((await bobPage.locator('[data-testid="thread-list"] li').count()) === 0, "bob sees conversations");
    });
    await step("bob cannot reach alice's task or thread by id", async () => {
      const task = await apiFromPage(bobPage, `/api/tasks/${aliceTask}`);
      assert(task.status === 404, `bob reading alice's task: HTTP ${task.status}`);
      const completed = await apiFromPage(bobPage, `/api/tasks/${aliceTask}`, { method: "DELETE" });
      assert(completed.status === 404, `bob deleting alice's task: HTTP ${completed.status}`);
      const thread = await apiFromPage(bobPage, "/api/chatkit", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ type: "threads.get_by_id", params: { thread_id: threadId } }),
      });
      assert(thread.status === 404, `bob reading alice's thread: HTTP ${thread.status}`);
    });
    await step("alice's task is still there", async () => {
      await page.reload();
      await taskRow(page, /buy milk/i).waitFor();
    });
  },

  /** Tasks by hand: add, complete, delete; the start screen's prompts. */
  async "tasks-by-hand"({ step, newUser }) {
    const page = await (await newUser()).newPage();
    await step("carol signs up", () => signUp(page, "carol"));
    await step("carol adds a task by hand", async () => {
      await page.getByLabel("New task").fill("Water the plants");
      await page.getByRole("button", { name: "Add", exact: true }).click();
      await taskRow(page, "Water the plants").waitFor();
    });
    await step("carol completes it", async () => {
      await page.getByLabel("Complete Water the plants").click();
      await taskRow(page, "Water the plants").and(page.locator('[data-completed="true"]')).waitFor();
    });
    await step("carol deletes it", async () => {
      await page.getByRole("button", { name: "Delete Water the plants" }).click();
      await page.locator('[data-testid="tasks"] li.empty').waitFor();
    });
    await step("an empty title is refused before it is sent", async () => {
      await page.getByLabel("New task").fill("   ");
      assert(await page.getByRole("button", { name: "Add", exact: true }).isDisabled(), "Add is enabled for a blank title");
    });
  },

  /** History in the built-in chat: a start-screen prompt opens a conversation; rename it, reload, delete it. */
  async history({ step, newUser }) {
    const page = await (await newUser()).newPage();
    page.on("dialog", (dialog) => dialog.accept());
    await step("kim signs up and asks for help from the start screen", async () => {
      await signUp(page, "kim");
      await builtInChat(page);
      await page.getByRole("button", { name: "Get help" }).click();
      await page.locator('.message[data-role="assistant"]').first().waitFor();
      await page.getByRole("button", { name: "Send" }).waitFor();
      await page.locator('[data-testid="thread-list"] li.active').waitFor();
    });
    await step("she renames the conversation and the name survives a reload", async () => {
      await page.getByRole("button", { name: "Rename conversation" }).click();
      await page.getByLabel("Conversation title").fill("Help with the app");
      await page.getByLabel("Conversation title").press("Enter");
      await page.locator('[data-testid="thread-list"] li', { hasText: "Help with the app" }).waitFor();
      await page.reload();
      await builtInChat(page);
      await page.locator('[data-testid="thread-list"] li.active', { hasText: "Help with the app" }).waitFor();
    });
    await step("she deletes it and is back at the start screen", async () => {
      await page.getByRole("button", { name: "Delete conversation" }).click();
      await page.getByRole("button", { name: "Create a task" }).waitFor();
      assert((await page.locator('[data-testid="thread-list"] li').count()) === 0, "the conversation is still listed");
      await page.reload();
      await builtInChat(page);
      await page.getByRole("button", { name: "Create a task" }).waitFor();
      assert((await page.locator('[data-testid="thread-list"] li').count()) === 0, "the conversation came back after a reload");
    });
  },

  /** @-mentions in the built-in chat: pick a task from the menu and ask to complete it. */
  async mentions({ step, newUser }) {
    const page = await (await newUser()).newPage();
    await step("judy signs up and adds a task by hand", async () => {
      await signUp(page, "judy");
      await builtInChat(page);
      await page.getByLabel("New task").fill("Water the plants");
      await page.getByRole("button", { name: "Add", exact: true }).click();
      await taskRow(page, "Water the plants").waitFor();
    });
    await step("typing @ offers her tasks and picking one puts it in the message", async () => {
      await page.getByLabel("Message").fill("complete @Wat");
      await page.getByTestId("mention-menu").getByRole("button", { name: /Water the plants/ }).click();
      const text = await page.getByLabel("Message").inputValue();
      assert(text === "complete @Water the plants ", `the composer holds "${text}"`);
    });
    await step("sending it completes that task", async () => {
      await page.getByLabel("Message").press("Enter");
      await page.locator(".message.user", { hasText: "@Water the plants" }).waitFor();
      await taskRow(page, "Water the plants").and(page.locator('[data-completed="true"]')).waitFor();
    });
  },

  /** A ChatKit script that loads but never defines the element: after the timeout, the built-in chat. */
  async "script-timeout"({ step, newUser }) {
    const page = await (await newUser({ cdn: "hang" })).newPage();
    await step("dave signs up", () => signUp(page, "dave"));
    await step("the page waits for ChatKit, then switches to the built-in chat", async () => {
      await page.locator('[data-chat-mode="loading"]').waitFor();
      await builtInChat(page);
    });
  },

  /** A stand-in ChatKit element records the options the page passes; its fetch must reach the API with the token. */
  async "chatkit-options"({ step, newUser }) {
    const context = await newUser({
      cdn: (route) =>
        route.fulfill({
          status: 200,
          contentType: "application/javascript",
          body: `customElements.define("openai-chatkit", class extends HTMLElement {
            setOptions(options) { window.__chatkitOptions = options; }
          });`,
        }),
    });
    const page = await context.newPage();
    await step("erin signs up", () => signUp(page, "erin"));
    const options = await step("the page hands ChatKit its options", async () => {
      await page.locator('[data-chat-mode="chatkit"] openai-chatkit').waitFor({ state: "attached" });
      await page.waitForFunction(() => window.__chatkitOptions);
      return page.evaluate(() => {
        const o = window.__chatkitOptions;
        return { api: { url: o.api.url, domainKey: o.api.domainKey }, theme: o.theme, prompts: o.startScreen.prompts, history: o.history };
      });
    });
    await step("api.url is the same-origin /api/chatkit and the domain key is configured", async () => {
      assert(options.api.url === new URL("/api/chatkit", page.url()).href, `api.url is ${options.api.url}`);
      assert(options.api.domainKey?.length > 0, "no domainKey");
      assert(options.theme.colorScheme === "light" && options.theme.color.accent.primary === "#2563eb", "wrong theme");
      assert(options.prompts.map((p) => p.label).join("|") === "Create a task|List tasks|Get help", "wrong prompts");
    });
    await step("ChatKit's fetch reaches the API with the session token", async () => {
      const result = await page.evaluate(async () => {
        const o = window.__chatkitOptions;
        const response = await o.api.fetch(o.api.url, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ type: "threads.list", params: { limit: 5, order: "desc" } }),
        });
        return { status: response.status, body: await response.json() };
      });
      assert(result.status === 200, `threads.list through ChatKit's fetch: HTTP ${result.status}`);
      assert(Array.isArray(result.body.data), "threads.list gave no page");
    });
    await step("a finished answer refreshes the tasks view", async () => {
      const created = await apiFromPage(page, "/api/tasks", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ title: "Made behind the page's back" }),
      });
      assert(created.status === 201 || created.status === 200, `creating a task: HTTP ${created.status}`);
      await page.evaluate(() => document.querySelector("openai-chatkit").dispatchEvent(new CustomEvent("chatkit.response.end")));
      await taskRow(page, "Made behind the page's back").waitFor();
    });
  },
  /**
   * An MCP client's authorization in the browser: the client registers, sends the signed-out person to sign in, the
   * consent page says who asks for what, Allow hands the client a code; its token adds a task over MCP, and the task
   * shows on the chat page.
   */
  async "mcp-consent"({ baseUrl, step, newUser }) {
    const page = await (await newUser()).newPage();
    const email = await step("frida signs up and signs out", async () => {
      const address = await signUp(page, "frida");
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL("**/sign-in");
      return address;
    });
    const redirectUri = "http://127.0.0.1:33419/callback";
    const client = await step("an MCP client registers itself", async () => {
      const response = await fetch(`${baseUrl}/api/auth/oauth2/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          client_name: "Notes Assistant", redirect_uris: [redirectUri], grant_types: ["authorization_code", "refresh_token"],
          response_types: ["code"], token_endpoint_auth_method: "none", application_type: "native",
        }),
      });
      if (!response.ok) throw new Error(`registration: HTTP ${response.status} ${await response.text()}`);
      return response.json();
    });
    const verifier = randomBytes(32).toString("base64url");
    let callback;
    await page.route(`${redirectUri}**`, (route) => {
      callback = new URL(route.request().url());
      return route.fulfill({ status: 200, contentType: "text/html", body: "<p>Connected.</p>" });
    });
    await step("the client sends her to sign in, then to the consent page", async () => {
      const query = new URLSearchParams({
        response_type: "code", client_id: client.client_id, redirect_uri: redirectUri, state: "s-1",
        scope: "openid offline_access tasks:read tasks:write", resource: `${baseUrl}/mcp`,
        code_challenge: createHash("sha256").update(verifier).digest("base64url"), code_challenge_method: "S256",
      });
      await page.goto(`/api/auth/oauth2/authorize?${query}`);
      await page.waitForURL("**/sign-in?**");
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      // Better Auth's client and the form both follow the answer's URL; the second navigation replaces the first.
      await page.getByRole("heading", { name: "Allow Notes Assistant to use your tasks?" }).waitFor();
      assert(new URL(page.url()).pathname === "/consent", `after sign-in: ${page.url()}`);
      const scopes = await page.locator(".consent-scopes li").allInnerTexts();
      for (const text of ["See your tasks", "Add, rename, complete and delete your tasks", "Stay connected until you revoke it (refresh tokens)"]) {
        assert(scopes.includes(text), `the consent page does not say "${text}": ${scopes.join(" | ")}`);
      }
      if (process.env.MCP_CONSENT_SCREENSHOT) await page.screenshot({ path: process.env.MCP_CONSENT_SCREENSHOT });
    });
    await step("she allows it and the client gets a code", async () => {
      const arrived = page.waitForRequest((request) => request.url().startsWith(redirectUri));
      await page.getByRole("button", { name: "Allow" }).click();
      callback = new URL((await arrived).url());
      assert(callback?.searchParams.get("code") && callback.searchParams.get("state") === "s-1", `callback: ${callback}`);
    });
    const token = await step("the client trades the code for an access token", async () => {
      const response = await fetch(`${baseUrl}/api/auth/oauth2/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "authorization_code", code: callback.searchParams.get("code"), redirect_uri: redirectUri,
          client_id: client.client_id, code_verifier: verifier, resource: `${baseUrl}/mcp`,
        }),
      });
      const body = await response.json();
      assert(response.ok && body.access_token && body.refresh_token, `token: HTTP ${response.status} ${JSON.stringify(body)}`);
      return body.access_token;
    });
    await step("the client adds a task over MCP", async () => {
      const call = async (id, method, params) => {
        const response = await fetch(`${baseUrl}/mcp`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${token}`, "content-type": "application/json",
            accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18",
          },
          body: JSON.stringify({ jsonrpc: "2.0", id, method, params }),
        });
        const text = await response.text();
        assert(response.ok, `${method}: HTTP ${response.status} ${text}`);
        return text;
      };
      await call(1, "initialize", { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "notes", version: "1" } });
      const added = await call(2, "tools/call", { name: "add_task", arguments: { title: "Call the plumber" } });
      assert(added.includes("created") && !added.includes('"isError":true'), `add_task: ${added}`);
    });
    await step("the task shows on her chat page", async () => {
      // A new tab of her browser (same session): the consent's tab may still be following the client's redirect, and
      // a navigation there can be interrupted by it.
      const chat = await page.context().newPage();
      await chat.goto("/chat");
      await taskRow(chat, "Call the plumber").waitFor();
    });
  },
};
