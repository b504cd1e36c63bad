/** The API's /api/tasks, through the same-origin proxy, with the session token. */
export interface TodoTask {
  id: string;
  title: string;
  description?: string | null;
  completed: boolean;
  created_at: string;
  updated_at: string;
}

export type TaskFilter = "all" | "pending" | "completed";

export class TasksApi {
  constructor(private readonly fetchImpl: typeof fetch, private readonly baseUrl = "") {}

  async list(status: TaskFilter = "all", limit = 100): Promise<TodoTask[]> {
    const response = await this.fetchImpl(`${this.baseUrl}/api/tasks?status=${status}&limit=${limit}`);
    await ensureOk(response);
    const body = await response.json();
    return (Array.isArray(body) ? body : body.tasks ?? []) as TodoTask[];
  }

  async create(title: string, description?: string): Promise<TodoTask> {
    const response = await this.fetchImpl(`${this.baseUrl}/api/tasks`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ title, description: description || undefined }),
    });
    await ensureOk(response);
    return response.json();
  }

  async complete(id: string): Promise<void> {
    await ensureOk(await this.fetchImpl(`${this.baseUrl}/api/tasks/${encodeURIComponent(id)}/complete`, { method: "POST" }));
  }

  async remove(id: string): Promise<void> {
    await ensureOk(await this.fetchImpl(`${this.baseUrl}/api/tasks/${encodeURIComponent(id)}`, { method: "DELETE" }));
  }
}

export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function ensureOk(response: Response) {
  if (response.ok) return;
  let detail = "";
  try {
    const body = await response.json();
    detail = body.detail ?? body.title ?? "";
    if (body.errors) detail = Object.values(body.errors).flat().join(" ");
  } catch {
    // no JSON body
  }
  throw new HttpError(response.status, detail);
}
