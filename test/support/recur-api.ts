export type ApiAnswer = { status: number; body: Record<string, unknown> };

/**
 * recur's HTTP API as a shop's backend calls it: a bearer key, JSON, and retries of what a client
 * retries (a connection cut by a killed process, 502/503 from a balancer or a provider storm).
 * A POST is retried too; a test asserts that nothing happened twice.
 */
export function recurApi(baseUrl: () => string, apiKey: string, options: { attempts?: number } = {}) {
  const attempts = options.attempts ?? 30;
  return async function call(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
    let last = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const response = await fetch(`${baseUrl()}${path}`, {
          method,
          headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(20_000),
        });
        const text = await response.text();
        last = `${response.status} ${text.slice(0, 300)}`;
        if (response.status === 502 || response.status === 503 || response.status === 500) {
          await new Promise((resolve) => setTimeout(resolve, Math.min(200 * attempt, 2000)));
          continue;
        }
        return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
        await new Promise((resolve) => setTimeout(resolve, Math.min(200 * attempt, 2000)));
      }
    }
    throw new Error(`${method} ${path}: no answer after ${attempts} attempts; last: ${last}`);
  };
}

export type RecurCall = ReturnType<typeof recurApi>;

/** Every row of a paged list (newest first, `starting_after`). */
export async function listAll<T extends { id: string | number }>(call: RecurCall, path: string): Promise<T[]> {
  const rows: T[] = [];
  let after: string | number | null = null;
  for (;;) {
    const separator = path.includes('?') ? '&' : '?';
    const answer = await call('GET', `${path}${separator}limit=100${after === null ? '' : `&starting_after=${after}`}`);
    if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    const page = answer.body as { data: T[]; has_more: boolean };
    rows.push(...page.data);
    if (!page.has_more || page.data.length === 0) return rows;
    after = page.data[page.data.length - 1]!.id;
  }
}
