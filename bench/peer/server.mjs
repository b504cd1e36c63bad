// Peer server for the benchmark: the npm package chatkit-node-backend-sdk (a Node port of the reference ChatKit
// server), unmodified, behind a plain node:http endpoint, with a scripted answer instead of a model.
//
//   PEER_STORE=memory|pg   which store (pg needs PEER_PG_URL, a postgres:// URL)
//   PORT                   loopback port to listen on
//   PEER_ANSWER            the scripted assistant text (same length as ours; the bench script passes ours)
//   PEER_CHUNKS            how many text_delta events the answer is cut into (same count as ours)
//   PEER_TITLE=1           set the thread title on the first turn (thread.updated), as ours does
//   PEER_PIECES            the answer's text deltas as a JSON array of strings (instead of PEER_ANSWER cut in PEER_CHUNKS)
//   PEER_FIRST_TOKEN_MS    respond() waits this long before the first text delta, like a hosted model (crowd; default 0)
//   PEER_DELTA_GAP_MS      and this long between two text deltas (crowd; default 0)
//   PEER_SECRET            verify every request's bearer token as an HS256 session token (a ChatKit client secret)
//                          signed with this key, and its exp; 401 otherwise (the peer-pg-verify target)
//   PEER_HISTORY           respond() first loads the thread's last N items, as a real integration does to build the
//                          model's prompt (the peer-pg-verify target: 40, our history window)
//   PEER_MARKS=1           record when respond() emits each turn's first text delta, keyed by the user message text;
//                          GET /bench/marks answers {text: epoch ms} and forgets them (crowd)
//
// Without PEER_SECRET the user is the token's `sub`, read from the bearer token without verifying it, as the package's
// README does with an x-user-id header: that peer does no token check, no persistence (memory) and no agent hop.
import http from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ChatKitServer } from 'chatkit-node-backend-sdk';
import { MemoryStore } from './memory-store.mjs';
import { PgStore } from './pg-store.mjs';

const port = Number(process.env.PORT ?? 4101);
const storeKind = process.env.PEER_STORE ?? 'memory';
const answer = process.env.PEER_ANSWER ?? 'Added “buy milk” to your list. You now have 1 open task.';
const chunks = Math.max(1, Number(process.env.PEER_CHUNKS ?? 15));
const setTitle = (process.env.PEER_TITLE ?? '1') === '1';
const firstTokenMs = Number(process.env.PEER_FIRST_TOKEN_MS ?? 0);
const deltaGapMs = Number(process.env.PEER_DELTA_GAP_MS ?? 0);
const recordMarks = process.env.PEER_MARKS === '1';
const secret = process.env.PEER_SECRET ? Buffer.from(process.env.PEER_SECRET, 'utf8') : null;
const historyItems = Number(process.env.PEER_HISTORY ?? 0);
const marks = new Map();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
// The same clock as ckbench's: wall-clock milliseconds since the Unix epoch, sub-millisecond.
const nowMs = () => performance.timeOrigin + performance.now();

const silentLogger = { info() {}, debug() {}, warn() {}, error(m, e) { console.error(m, e?.error ?? ''); } };

function splitAnswer(text, n) {
  const parts = [];
  const size = Math.ceil(text.length / n);
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return parts;
}
const pieces = process.env.PEER_PIECES ? JSON.parse(process.env.PEER_PIECES) : splitAnswer(answer, chunks);
const fullText = pieces.join('');

class ScriptedServer extends ChatKitServer {
  async *respond(thread, input, context) {
    if (!input) return;
    if (historyItems > 0) {
      // The prompt a model would get: the thread's newest items (the store's own keyset page).
      const history = await this.store.loadThreadItems(thread.id, null, historyItems, 'desc', context);
      context.historyLength = history.data.length;
    }
    const id = this.store.generateItemId('message', thread, context);
    const createdAt = new Date().toISOString();
    yield { type: 'thread.item.added', item: { type: 'assistant_message', id, thread_id: thread.id, created_at: createdAt, content: [] } };
    yield { type: 'thread.item.updated', item_id: id, update: { type: 'assistant_message.content_part.added', content_index: 0, content: { type: 'output_text', text: '', annotations: [] } } };
    const key = recordMarks ? input.content.filter((c) => c.type === 'input_text').map((c) => c.text).join('').trim() : null;
    for (let i = 0; i < pieces.length; i++) {
      const wait = i === 0 ? firstTokenMs : deltaGapMs;
      if (wait > 0) await sleep(wait);
      if (i === 0 && key !== null) marks.set(key, nowMs());
      yield { type: 'thread.item.updated', item_id: id, update: { type: 'assistant_message.content_part.text_delta', content_index: 0, delta: pieces[i] } };
    }
    const content = { type: 'output_text', text: fullText, annotations: [] };
    yield { type: 'thread.item.updated', item_id: id, update: { type: 'assistant_message.content_part.done', content_index: 0, content } };
    yield { type: 'thread.item.done', item: { type: 'assistant_message', id, thread_id: thread.id, created_at: createdAt, content: [content] } };
    if (setTitle && !thread.title) {
      const text = input.content.filter((c) => c.type === 'input_text').map((c) => c.text).join(' ');
      thread.title = text.slice(0, 50);
    }
  }
}

const store = storeKind === 'pg' ? await PgStore.open(process.env.PEER_PG_URL) : new MemoryStore();
const server = new ScriptedServer(store, undefined, silentLogger);

function userOf(req) {
  const auth = req.headers.authorization ?? '';
  if (!auth.startsWith('Bearer ')) return null;
  const parts = auth.slice(7).split('.');
  if (parts.length !== 3) return null;
  try {
    if (secret) {
      const expected = createHmac('sha256', secret).update(parts[0] + '.' + parts[1]).digest();
      const given = Buffer.from(parts[2], 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      if (JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')).alg !== 'HS256') return null;
    }
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (secret && !(typeof claims.exp === 'number' && claims.exp * 1000 > Date.now())) return null;
    const sub = claims.sub;
    return typeof sub === 'string' && sub.length > 0 ? sub : null;
  } catch {
    return null;
  }
}

const httpServer = http.createServer(async (req, res) => {
  if (req.method === 'GET' && req.url === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('Healthy');
    return;
  }
  if (req.method === 'GET' && req.url === '/bench/marks') {
    const json = JSON.stringify(Object.fromEntries(marks));
    marks.clear();
    res.writeHead(200, { 'content-type': 'application/json' }).end(json);
    return;
  }
  if (req.method !== 'POST' || req.url !== '/api/chatkit') {
    res.writeHead(404).end();
    return;
  }
  const userId = userOf(req);
  if (!userId) {
    res.writeHead(401).end();
    return;
  }
  const body = [];
  for await (const chunk of req) body.push(chunk);
  let result;
  try {
    result = await server.process(Buffer.concat(body), { userId });
  } catch (e) {
    // The package lets bad JSON and missing threads escape (the reference server answers 500 too).
    res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(e?.message ?? e) }));
    return;
  }
  if (result.isStreaming) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    try {
      for await (const chunk of result) res.write(chunk);
    } catch (e) {
      console.error('stream failed', e?.message ?? e);
    }
    res.end();
  } else {
    const json = result.toString();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) }).end(json);
  }
});
httpServer.keepAliveTimeout = 65_000;
httpServer.listen(port, '127.0.0.1', () => console.log(`peer (${storeKind}) listening on http://127.0.0.1:${port}`));

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, async () => {
    httpServer.close();
    await store.close?.();
    process.exit(0);
  });
}
