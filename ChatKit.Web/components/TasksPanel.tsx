"use client";

import { useCallback, useEffect, useState } from "react";
import { friendlyError } from "@/lib/errors";
import { HttpError, type TaskFilter, type TasksApi, type TodoTask } from "@/lib/tasks-api";
import { Icon } from "./Icon";

interface Props {
  api: TasksApi;
  /** Changes whenever an answer ends, so tasks the assistant made appear at once. */
  version: number;
}

/** The user's tasks beside the chat: refreshed after every answer; add, complete and delete by hand. */
export function TasksPanel({ api, version }: Props) {
  const [tasks, setTasks] = useState<TodoTask[] | null>(null);
  const [filter, setFilter] = useState<TaskFilter>("all");
  const [title, setTitle] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setTasks(await api.list(filter));
      setError(null);
    } catch (e) {
      setError(describe(e));
    }
  }, [api, filter]);

  useEffect(() => {
    void load();
  }, [load, version]);

  const act = async (work: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await work();
      await load();
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  };

  const pending = tasks?.filter((t) => !t.completed).length ?? 0;

  return (
    <aside className="tasks-panel" aria-label="Your tasks" data-testid="tasks-panel">
      <header>
        <h2>Your tasks</h2>
        <span className="count">{tasks ? `${pending} open` : ""}</span>
      </header>
      <form
        className="add-task"
        onSubmit={(e) => {
          e.preventDefault();
          const value = title.trim();
          if (!value) return;
          setTitle("");
          void act(() => api.create(value));
        }}
      >
        <input aria-label="New task" placeholder="Add a task…" value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} />
        <button type="submit" disabled={busy || !title.trim()}>Add</button>
      </form>
      <div className="filters" role="tablist">
        {(["all", "pending", "completed"] as const).map((f) => (
          <button key={f} type="button" role="tab" aria-selected={filter === f} className={filter === f ? "active" : ""} onClick={() => setFilter(f)}>
            {f === "all" ? "All" : f === "pending" ? "Open" : "Done"}
          </button>
        ))}
      </div>
      {error ? <div className="tasks-error" role="alert">{error}</div> : null}
      <ul className="tasks" data-testid="tasks">
        {tasks?.length === 0 ? <li className="empty">No tasks yet. Ask the assistant, or add one above.</li> : null}
        {tasks?.map((task) => (
          <li key={task.id} className={task.completed ? "done" : ""} data-task-id={task.id} data-completed={task.completed}>
            <input
              type="checkbox"
              aria-label={`Complete ${task.title}`}
              checked={task.completed}
              disabled={busy || task.completed}
              onChange={() => act(() => api.complete(task.id))}
            />
            <div className="task-text">
              <span className="task-title">{task.title}</span>
              {task.description ? <span className="task-description">{task.description}</span> : null}
            </div>
            <button type="button" className="icon" aria-label={`Delete ${task.title}`} title="Delete" disabled={busy} onClick={() => act(() => api.remove(task.id))}>
              <Icon name="x" size={14} />
            </button>
          </li>
        ))}
      </ul>
    </aside>
  );
}

function describe(error: unknown): string {
  if (error instanceof HttpError) return error.status === 400 && error.message ? error.message : friendlyError(error.status);
  if (error && typeof error === "object" && "status" in error && typeof error.status === "number") return friendlyError(error.status);
  return friendlyError(0);
}
