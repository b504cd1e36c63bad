-- The PostgreSQL statements of one new-thread turn (threads.create, "add buy milk"), as ours sends them: three
-- transactions (thread + user message; the agent's task; tool record + answer + thread update). For pgbench against a
-- bench cluster's conversationsdb after copying the tasks table into it (bench/README.md, "Profiling a target").
\set r random(1, 2000000000)
\set u random(1, 64)
BEGIN;
INSERT INTO threads (id, owner_id, title, status, metadata, created_at, updated_at, message_count) VALUES ('thr_' || :r, 'user-' || :u, 'buy milk', '{"type": "active"}', '{}', now(), now(), 1);
INSERT INTO thread_items (id, thread_id, owner_id, type, created_at, text, data) VALUES ('msg_u' || :r, 'thr_' || :r, 'user-' || :u, 'user_message', now(), 'add buy milk', '{"id": "msg_x","type": "user_message","thread_id": "thr_x","created_at": "2026-11-25T02:00:00.000000Z","content": [{"type": "input_text","text": "add buy milk"}],"attachments": [],"quoted_text": null,"inference_options": {"tool_choice": null,"model": null}}');
COMMIT;
INSERT INTO tasks (owner_id, title, description, completed, created_at, updated_at) VALUES ('user-' || :u, 'buy milk', NULL, false, now(), now()) RETURNING id;
BEGIN;
INSERT INTO thread_items (id, thread_id, owner_id, type, created_at, text, data) VALUES ('cr_' || :r, 'thr_' || :r, 'user-' || :u, 'hidden_context_item', now(), NULL, '{"id": "cr_x","type": "hidden_context_item","thread_id": "thr_x","created_at": "2026-11-25T02:00:00.000000Z","content": {"call_id": "call_1","name": "add_task","arguments": {"title": "buy milk"},"result": {"status": "created","task_id": 1,"title": "buy milk"}}}');
INSERT INTO thread_items (id, thread_id, owner_id, type, created_at, text, data) VALUES ('msg_a' || :r, 'thr_' || :r, 'user-' || :u, 'assistant_message', now(), 'Added buy milk to your list.', '{"id": "msg_x","type": "assistant_message","thread_id": "thr_x","created_at": "2026-11-25T02:00:00.000000Z","content": [{"type": "output_text","text": "Added buy milk to your list.","annotations": []}]}');
UPDATE threads SET updated_at = greatest(updated_at, now()), message_count = message_count + 1 WHERE id = 'thr_' || :r AND owner_id = 'user-' || :u;
COMMIT;
