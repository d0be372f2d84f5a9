import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { SandboxProvider } from '../../../sandbox/core/sandbox-provider.ts';
import { startSandbox } from '../../../sandbox/core/start-sandbox.ts';

/** A provider that remembers posted notes, enough to see what the core saves and restores. */
function notesProvider(): SandboxProvider {
  let notes: string[] = [];
  return {
    name: 'twilio',
    register: (app: FastifyInstance) => {
      app.post('/twilio/notes', async (request) => {
        notes.push((request.body as { note: string }).note);
        return { notes };
      });
      app.get('/twilio/notes', async () => ({ notes }));
    },
    reset: () => {
      notes = [];
    },
    describe: () => ({}),
    nextDueAt: () => null,
    runDue: async () => {},
    snapshot: () => ({ notes }),
    restore: (snapshot) => {
      notes = [...(snapshot as { notes: string[] }).notes];
    },
  };
}

const postNote = (url: string, note: string) =>
  fetch(`${url}/twilio/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ note }) });

describe('sandbox state file', () => {
  it('keeps state and the clock across a restart', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'recur-sandbox-state-')), 'nested', 'state.json');
    const first = await startSandbox({ providers: [notesProvider], start: new Date('2026-01-01T00:00:00Z'), stateFile });
    await postNote(first.url, 'one');
    await postNote(first.url, 'two');
    await fetch(`${first.url}/sandbox/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ days: 40 }) });
    await first.stop();
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toEqual({ version: 1, clock: '2026-02-10T00:00:00.000Z', providers: { twilio: { notes: ['one', 'two'] } } });

    const second = await startSandbox({ providers: [notesProvider], start: new Date('2026-01-01T00:00:00Z'), stateFile });
    expect(await (await fetch(`${second.url}/twilio/notes`)).json()).toEqual({ notes: ['one', 'two'] });
    expect(second.ctx.clock.now().toISOString()).toBe('2026-02-10T00:00:00.000Z');
    await second.stop();
  });

  it('writes shortly after a change, before any stop', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'recur-sandbox-state-')), 'state.json');
    const sandbox = await startSandbox({ providers: [notesProvider], stateFile });
    await postNote(sandbox.url, 'crash-safe');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).providers.twilio).toEqual({ notes: ['crash-safe'] });
    await sandbox.stop();
  });

  it('refuses a file that is not a sandbox state, with a clear error', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'recur-sandbox-state-')), 'state.json');
    writeFileSync(stateFile, '{"version": 1,');
    await expect(startSandbox({ providers: [notesProvider], stateFile })).rejects.toThrow(/not valid JSON/);
    writeFileSync(stateFile, JSON.stringify({ version: 99, clock: '2026-01-01T00:00:00Z', providers: {} }));
    await expect(startSandbox({ providers: [notesProvider], stateFile })).rejects.toThrow(/format 99, expected 1/);
  });
});
