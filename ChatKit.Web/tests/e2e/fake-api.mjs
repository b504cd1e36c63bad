// A stand-in for the .NET API, for working on the web app alone (`npm run fake-api`, then start the app with API_URL=http://127.0.0.1:3901): the same routes and shapes as
// ChatKit.ApiService (session tokens from Better Auth JWTs checked against the web app's JWKS, the tasks API, the
// ChatKit protocol with a tiny rule-based assistant), all in memory. The real tests run against the real API.
import http from "node:http";
import { randomBytes } from "node:crypto";
import { createRemoteJWKSet, jwtVerify, SignJWT } from "jose";

const port = Number(process.env.FAKE_API_PORT ?? 3901);
const authUrl = process.env.BETTER_AUTH_URL ?? "http://localhost:3100";
const jwks = createRemoteJWKSet(new URL(`${authUrl}/api/auth/jwks`));
const sessionKey = new TextEncoder().encode("fake-api-session-key-0123456789abcdef");
const id = (prefix) => `${prefix}_${randomBytes(4).toString("hex")}`;
const now = () => new Date().toISOString();

const tasks = new Map(); // user -> task[]
const threads = new Map(); // thread id -> {user, meta, items[]}

async function userOf(req) {
  const token = (req.headers.authorization ?? "").replace(/^Bearer /, "");
  if (!token) return null;
  try {
    const { payload } = await jwtVerify(token, sessionKey);
    if (payload.type === "chatkit_session") return payload.sub;
  } catch {}
  try {
    const { payload } = await jwtVerify(token, jwks, { issuer: authUrl, audience: authUrl });
    return payload.sub;
  } catch {
    return null;
  }
}

const json = (res, status, body) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};
const readBody = async (req) => {
  let data = "";
  for await (const chunk of req) data += chunk;
  return data ? JSON.parse(data) : {};
};
const userTasks = (user) => tasks.get(user) ?? (tasks.set(user, []), tasks.get(user));
const publicThread = (t, items = []) => ({ ...t.meta, items: { data: items, has_more: false } });

function taskWidget(user) {
  const list = userTasks(user);
  return {
    type: "ListView",
    children: list.length
      ? list.map((t) => ({
          type: "ListViewItem",
          key: t.id,
          gap: 3,
          children: [
            { type: "Text", value: t.title, lineThrough: t.completed },
            { type: "Spacer" },
            t.completed
              ? { type: "Badge", label: "Done", color: "success" }
              : { type: "Button", label: "Complete", style: "primary", onClickAction: { type: "tasks.complete", payload: { task_id: t.id } } },
          ],
        }))
      : [{ type: "ListViewItem", children: [{ type: "Text", value: "No tasks yet." }] }],
  };
}

async function* respond(user, thread, text, tags = []) {
  const lower = text.toLowerCase();
  let answer;
  let widget = null;
  const tagged = tags.map((t) => userTasks(user).find((task) => `task_${task.id}` === t.id)).filter(Boolean);
  const create = /(?:create|add) a task to (.+)|remind me to (.+)/i.exec(text);
  if (tagged.length && /complete|done|finish/.test(lower)) {
    for (const task of tagged) task.completed = true;
    answer = `Marked ${tagged.map((t) => `“${t.title}”`).join(" and ")} as done.`;
  } else if (create) {
    const title = (create[1] ?? create[2]).trim().replace(/[.!]$/, "");
    yield { type: "progress_update", text: `Adding “${title}”…` };
    await new Promise((r) => setTimeout(r, 150));
    userTasks(user).push({ id: randomBytes(8).toString("hex"), title, completed: false, created_at: now(), updated_at: now() });
    answer = `Done! I added “${title}” to your list.`;
  } else if (/list|my tasks|what's on/.test(lower)) {
    yield { type: "progress_update", text: "Looking at your tasks…" };
    answer = `You have ${userTasks(user).filter((t) => !t.completed).length} open task(s).`;
    widget = taskWidget(user);
  } else {
    answer = "I can add, list, complete and delete your tasks. Try “create a task to buy milk”.";
  }
  const msg = { id: id("msg"), thread_id: thread.meta.id, created_at: now(), type: "assistant_message", content: [] };
  yield { type: "thread.item.added", item: msg };
  yield { type: "thread.item.updated", item_id: msg.id, update: { type: "assistant_message.content_part.added", content_index: 0, content: { type: "output_text", text: "", annotations: [] } } };
  for (const piece of answer.match(/.{1,12}/g)) {
    yield { type: "thread.item.updated", item_id: msg.id, update: { type: "assistant_message.content_part.text_delta", content_index: 0, delta: piece } };
  }
  const done = { ...msg, content: [{ type: "output_text", text: answer, annotations: [] }] };
  thread.items.push(done);
  yield { type: "thread.item.done", item: done };
  if (widget) {
    const item = { id: id("msg"), thread_id: thread.meta.id, created_at: now(), type: "widget", widget };
    thread.items.push(item);
    yield { type: "thread.item.done", item };
  }
}

async function chatkit(req, res, user) {
  const { type, params = {} } = await readBody(req);
  const thread = params.thread_id ? threads.get(params.thread_id) : null;
  if (params.thread_id && (!thread || thread.user !== user)) return json(res, 404, { error: "not found" });
  const stream = async (events) => {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    for await (const e of events) res.write(`data: ${JSON.stringify(e)}\n\n`);
    res.end();
  };
  const userMessage = (t) => {
    const item = { id: id("msg"), thread_id: t.meta.id, created_at: now(), type: "user_message", content: params.input.content, attachments: [], inference_options: {} };
    t.items.push(item);
    return item;
  };
  switch (type) {
    case "threads.create": {
      const t = { user, meta: { id: id("thr"), created_at: now(), status: { type: "active" }, metadata: {} }, items: [] };
      threads.set(t.meta.id, t);
      return stream((async function* () {
        yield { type: "thread.created", thread: publicThread(t) };
        const item = userMessage(t);
        yield { type: "thread.item.done", item };
        yield { type: "stream_options", stream_options: { allow_cancel: true } };
        yield* respond(user, t, item.content.map((c) => c.text).join(""), item.content.filter((c) => c.type === "input_tag"));
        t.meta.title = item.content.map((c) => c.text).join("").slice(0, 40);
        yield { type: "thread.updated", thread: publicThread(t) };
      })());
    }
    case "threads.add_user_message":
      return stream((async function* () {
        const item = userMessage(thread);
        yield { type: "thread.item.done", item };
        yield { type: "stream_options", stream_options: { allow_cancel: true } };
        yield* respond(user, thread, item.content.map((c) => c.text).join(""), item.content.filter((c) => c.type === "input_tag"));
      })());
    case "threads.custom_action":
      return stream((async function* () {
        yield { type: "stream_options", stream_options: { allow_cancel: true } };
        const task = userTasks(user).find((t) => t.id === params.action?.payload?.task_id);
        if (task) task.completed = true;
        const item = thread.items.find((i) => i.id === params.item_id);
        if (item) {
          item.widget = taskWidget(user);
          yield { type: "thread.item.updated", item_id: item.id, update: { type: "widget.root.updated", widget: item.widget } };
        }
      })());
    case "threads.list":
      return json(res, 200, { data: [...threads.values()].filter((t) => t.user === user).reverse().map((t) => publicThread(t)), has_more: false });
    case "threads.get_by_id":
      return json(res, 200, publicThread(thread, thread.items));
    case "items.list":
      return json(res, 200, { data: thread.items, has_more: false });
    case "threads.update":
      thread.meta.title = params.title;
      return json(res, 200, publicThread(thread));
    case "threads.delete":
      threads.delete(params.thread_id);
      return json(res, 200, {});
    default:
      return json(res, 400, { error: `unknown type ${type}` });
  }
}

http
  .createServer(async (req, res) => {
    const url = new URL(req.url, "http://x");
    const user = await userOf(req);
    if (url.pathname === "/health") return json(res, 200, { status: "Healthy" });
    if (!user) return json(res, 401, { title: "Unauthorized" });
    if (url.pathname === "/api/chatkit/session" || url.pathname === "/api/chatkit/refresh") {
      const exp = Math.floor(Date.now() / 1000) + 1800;
      const client_secret = await new SignJWT({ type: "chatkit_session", user_id: user }).setProtectedHeader({ alg: "HS256" }).setSubject(user).setIssuedAt().setExpirationTime(exp).sign(sessionKey);
      return json(res, 200, { client_secret, user_id: user, expires_at: new Date(exp * 1000).toISOString() });
    }
    if (url.pathname === "/api/chatkit") return chatkit(req, res, user);
    if (url.pathname === "/api/chatkit/entities/search") {
      const q = (url.searchParams.get("q") ?? "").toLowerCase();
      return json(res, 200, { entities: userTasks(user).filter((t) => t.title.toLowerCase().includes(q)).map((t) => ({ id: `task_${t.id}`, title: t.title, group: "Open tasks", interactive: false, data: { task_id: t.id } })) });
    }
    const match = /^\/api\/tasks(?:\/([^/]+))?(\/complete)?$/.exec(url.pathname);
    if (match) {
      const list = userTasks(user);
      const task = match[1] ? list.find((t) => t.id === match[1]) : null;
      if (match[1] && !task) return json(res, 404, { title: "Not Found" });
      if (req.method === "GET" && !task) {
        const status = url.searchParams.get("status") ?? "all";
        const data = list.filter((t) => status === "all" || (status === "completed") === t.completed).slice().reverse();
        return json(res, 200, { tasks: data, has_more: false });
      }
      if (req.method === "POST" && !task) {
        const body = await readBody(req);
        if (!body.title?.trim()) return json(res, 400, { title: "Validation failed", errors: { title: ["A title is required."] } });
        const created = { id: randomBytes(8).toString("hex"), title: body.title.trim(), description: body.description ?? null, completed: false, created_at: now(), updated_at: now() };
        list.push(created);
        return json(res, 201, created);
      }
      if (req.method === "POST" && match[2]) return (task.completed = true), json(res, 200, task);
      if (req.method === "DELETE") return list.splice(list.indexOf(task), 1), res.writeHead(204).end();
      return json(res, 200, task);
    }
    json(res, 404, { title: "Not Found" });
  })
  .listen(port, "127.0.0.1", () => console.log(`fake API on http://127.0.0.1:${port}`));
