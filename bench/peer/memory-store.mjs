// In-memory store for the peer: per user, threads in creation order; per thread, items in order.
import { Store, StoreNotFoundError } from 'chatkit-node-backend-sdk';
import { newId, newItemId } from './ids.mjs';

// Keyset paging without copying: `pos` finds the cursor in O(1) (every entry knows its index).
function page(list, after, limit, order, pos) {
  const n = list.length;
  const desc = order === 'desc';
  let start = 0; // position in the requested order
  if (after) {
    const i = pos(after);
    start = i < 0 ? n : (desc ? n - 1 - i : i) + 1;
  }
  const data = [];
  for (let k = start; k < n && data.length < limit; k++) data.push(list[desc ? n - 1 - k : k]);
  const hasMore = start + data.length < n;
  return { data, has_more: hasMore, after: hasMore ? data[data.length - 1].id : null };
}
const reindex = (list, index) => { index.clear(); list.forEach((x, i) => index.set(x.id, i)); };

export class MemoryStore extends Store {
  users = new Map(); // userId -> { threads: [], byId: Map(threadId -> { meta, items: [] }) }
  attachments = new Map();

  generateThreadId() { return newId('thr'); }
  generateItemId(type) { return newItemId(type); }

  user(ctx) {
    let u = this.users.get(ctx.userId);
    if (!u) this.users.set(ctx.userId, (u = { threads: [], byId: new Map(), threadPos: new Map() }));
    return u;
  }
  entry(threadId, ctx) {
    const t = this.user(ctx).byId.get(threadId);
    if (!t) throw new StoreNotFoundError(`Thread ${threadId} not found`);
    return t;
  }

  async loadThread(threadId, ctx) { return { ...this.entry(threadId, ctx).meta }; }
  async saveThread(thread, ctx) {
    const u = this.user(ctx);
    const { items: _ignored, ...meta } = thread;
    const existing = u.byId.get(thread.id);
    if (existing) existing.meta = meta;
    else {
      const t = { id: thread.id, meta, items: [], itemPos: new Map() };
      u.byId.set(thread.id, t);
      u.threadPos.set(thread.id, u.threads.length);
      u.threads.push(t);
    }
  }
  async deleteThread(threadId, ctx) {
    const u = this.user(ctx);
    u.byId.delete(threadId);
    u.threads = u.threads.filter((t) => t.id !== threadId);
    reindex(u.threads, u.threadPos);
  }
  async loadThreads(limit, after, order, ctx) {
    const u = this.user(ctx);
    const p = page(u.threads, after, limit, order, (id) => u.threadPos.get(id) ?? -1);
    return { ...p, data: p.data.map((t) => ({ ...t.meta })) };
  }
  async loadThreadItems(threadId, after, limit, order, ctx) {
    const t = this.entry(threadId, ctx);
    return page(t.items, after, limit, order, (id) => t.itemPos.get(id) ?? -1);
  }
  async addThreadItem(threadId, item, ctx) {
    const t = this.entry(threadId, ctx);
    t.itemPos.set(item.id, t.items.length);
    t.items.push(item);
  }
  async saveItem(threadId, item, ctx) {
    const t = this.entry(threadId, ctx);
    const i = t.itemPos.get(item.id) ?? -1;
    if (i < 0) { t.itemPos.set(item.id, t.items.length); t.items.push(item); } else t.items[i] = item;
  }
  async loadItem(threadId, itemId, ctx) {
    const t = this.entry(threadId, ctx);
    const item = t.items[t.itemPos.get(itemId) ?? -1];
    if (!item) throw new StoreNotFoundError(`Item ${itemId} not found`);
    return item;
  }
  async deleteThreadItem(threadId, itemId, ctx) {
    const t = this.entry(threadId, ctx);
    t.items = t.items.filter((x) => x.id !== itemId);
    reindex(t.items, t.itemPos);
  }
  async saveAttachment(a, ctx) { this.attachments.set(`${ctx.userId}/${a.id}`, a); }
  async loadAttachment(id, ctx) {
    const a = this.attachments.get(`${ctx.userId}/${id}`);
    if (!a) throw new StoreNotFoundError(`Attachment ${id} not found`);
    return a;
  }
  async deleteAttachment(id, ctx) { this.attachments.delete(`${ctx.userId}/${id}`); }
}
