// PostgreSQL store for the peer, with the `pg` package: JSON blobs as the reference docs suggest
// (threads(id, user_id, created_at, data jsonb), items(...)), keyset paging on a sequence, every query scoped by user.
import pg from 'pg';
import { Store, StoreNotFoundError } from 'chatkit-node-backend-sdk';
import { newId, newItemId } from './ids.mjs';

const schema = `
create table if not exists peer_threads (
  seq bigserial primary key,
  id text not null unique,
  user_id text not null,
  created_at timestamptz not null default now(),
  data jsonb not null);
create index if not exists peer_threads_user_seq on peer_threads (user_id, seq);
create table if not exists peer_items (
  seq bigserial primary key,
  id text not null unique,
  thread_id text not null references peer_threads (id) on delete cascade,
  user_id text not null,
  created_at timestamptz not null default now(),
  data jsonb not null);
create index if not exists peer_items_thread_seq on peer_items (thread_id, seq);
create table if not exists peer_attachments (
  id text primary key,
  user_id text not null,
  data jsonb not null);`;

export class PgStore extends Store {
  constructor(pool) { super(); this.pool = pool; }

  static async open(url) {
    if (!url) throw new Error('PEER_PG_URL is required for PEER_STORE=pg');
    const pool = new pg.Pool({ connectionString: url, max: Number(process.env.PEER_PG_POOL ?? 16) });
    await pool.query(schema);
    return new PgStore(pool);
  }
  close() { return this.pool.end(); }

  generateThreadId() { return newId('thr'); }
  generateItemId(type) { return newItemId(type); }

  async loadThread(threadId, ctx) {
    const r = await this.pool.query({ name: 'load_thread', text: 'select data from peer_threads where id = $1 and user_id = $2', values: [threadId, ctx.userId] });
    if (r.rowCount === 0) throw new StoreNotFoundError(`Thread ${threadId} not found`);
    return r.rows[0].data;
  }
  async saveThread(thread, ctx) {
    const { items: _ignored, ...meta } = thread;
    await this.pool.query({
      name: 'save_thread',
      text: `insert into peer_threads (id, user_id, data) values ($1, $2, $3)
             on conflict (id) do update set data = excluded.data where peer_threads.user_id = excluded.user_id`,
      values: [thread.id, ctx.userId, meta],
    });
  }
  async deleteThread(threadId, ctx) {
    await this.pool.query({ name: 'delete_thread', text: 'delete from peer_threads where id = $1 and user_id = $2', values: [threadId, ctx.userId] });
  }
  // Keyset paging; separate statements with and without a cursor, so that each prepared plan uses the index.
  async loadThreads(limit, after, order, ctx) {
    const desc = order === 'desc';
    const dir = desc ? 'desc' : 'asc';
    const r = after
      ? await this.pool.query({
          name: `threads_${dir}_after`,
          text: `select id, data from peer_threads where user_id = $1
                   and seq ${desc ? '<' : '>'} (select seq from peer_threads where id = $2 and user_id = $1)
                 order by seq ${dir} limit $3`,
          values: [ctx.userId, after, limit + 1],
        })
      : await this.pool.query({
          name: `threads_${dir}`,
          text: `select id, data from peer_threads where user_id = $1 order by seq ${dir} limit $2`,
          values: [ctx.userId, limit + 1],
        });
    return toPage(r.rows, limit);
  }
  async loadThreadItems(threadId, after, limit, order, ctx) {
    const desc = order === 'desc';
    const dir = desc ? 'desc' : 'asc';
    const r = after
      ? await this.pool.query({
          name: `items_${dir}_after`,
          text: `select id, data from peer_items where thread_id = $1 and user_id = $2
                   and seq ${desc ? '<' : '>'} (select seq from peer_items where id = $3 and thread_id = $1)
                 order by seq ${dir} limit $4`,
          values: [threadId, ctx.userId, after, limit + 1],
        })
      : await this.pool.query({
          name: `items_${dir}`,
          text: `select id, data from peer_items where thread_id = $1 and user_id = $2 order by seq ${dir} limit $3`,
          values: [threadId, ctx.userId, limit + 1],
        });
    return toPage(r.rows, limit);
  }
  async addThreadItem(threadId, item, ctx) {
    await this.pool.query({
      name: 'add_item',
      text: 'insert into peer_items (id, thread_id, user_id, data) values ($1, $2, $3, $4)',
      values: [item.id, threadId, ctx.userId, item],
    });
  }
  async saveItem(threadId, item, ctx) {
    await this.pool.query({
      name: 'save_item',
      text: `insert into peer_items (id, thread_id, user_id, data) values ($1, $2, $3, $4)
             on conflict (id) do update set data = excluded.data where peer_items.user_id = excluded.user_id`,
      values: [item.id, threadId, ctx.userId, item],
    });
  }
  async loadItem(threadId, itemId, ctx) {
    const r = await this.pool.query({ name: 'load_item', text: 'select data from peer_items where id = $1 and thread_id = $2 and user_id = $3', values: [itemId, threadId, ctx.userId] });
    if (r.rowCount === 0) throw new StoreNotFoundError(`Item ${itemId} not found`);
    return r.rows[0].data;
  }
  async deleteThreadItem(threadId, itemId, ctx) {
    await this.pool.query({ name: 'delete_item', text: 'delete from peer_items where id = $1 and thread_id = $2 and user_id = $3', values: [itemId, threadId, ctx.userId] });
  }
  async saveAttachment(a, ctx) {
    await this.pool.query({
      name: 'save_attachment',
      text: `insert into peer_attachments (id, user_id, data) values ($1, $2, $3)
             on conflict (id) do update set data = excluded.data where peer_attachments.user_id = excluded.user_id`,
      values: [a.id, ctx.userId, a],
    });
  }
  async loadAttachment(id, ctx) {
    const r = await this.pool.query({ name: 'load_attachment', text: 'select data from peer_attachments where id = $1 and user_id = $2', values: [id, ctx.userId] });
    if (r.rowCount === 0) throw new StoreNotFoundError(`Attachment ${id} not found`);
    return r.rows[0].data;
  }
  async deleteAttachment(id, ctx) {
    await this.pool.query({ name: 'delete_attachment', text: 'delete from peer_attachments where id = $1 and user_id = $2', values: [id, ctx.userId] });
  }
}

function toPage(rows, limit) {
  const hasMore = rows.length > limit;
  const data = (hasMore ? rows.slice(0, limit) : rows).map((r) => r.data);
  return { data, has_more: hasMore, after: hasMore ? data[data.length - 1].id : null };
}
