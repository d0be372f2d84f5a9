/** Reads until `read` answers something other than null; fails after `timeoutMs` with what `explain` says then. */
export async function poll<T>(what: string, read: () => Promise<T | null>, timeoutMs = 60_000, explain: () => Promise<unknown> = async () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not seen within ${timeoutMs} ms; ${JSON.stringify(await explain())}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
