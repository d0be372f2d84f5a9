import { describe, expect, it } from 'vitest';
import type { SandboxProvider, SandboxProviderFactory } from '../../../sandbox/core/sandbox-provider.ts';
import { startSandbox, type RunningSandbox } from '../../../sandbox/core/start-sandbox.ts';

const START = new Date('2026-01-01T00:00:00Z');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A provider with work at given offsets (seconds) from START; `done` records the clock at each piece. */
function agenda(offsetsSeconds: number[], done: string[]): SandboxProviderFactory {
  const due = offsetsSeconds.map((seconds) => new Date(START.getTime() + seconds * 1000));
  return (ctx): SandboxProvider => ({
    name: 'twilio',
    register: () => {},
    reset: () => {},
    describe: () => ({}),
    snapshot: () => ({}),
    restore: () => {},
    nextDueAt: () => due[0] ?? null,
    runDue: async (now) => {
      while (due[0] && due[0].getTime() <= now.getTime()) {
        due.shift();
        done.push(ctx.clock.now().toISOString());
      }
    },
  });
}

const advanceOverHttp = (sandbox: RunningSandbox, body: unknown) =>
  fetch(`${sandbox.url}/sandbox/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('moving the sandbox clock', () => {
  it('stays frozen unless asked to follow real time; then keeps the offset an explicit move made', async () => {
    const done: string[] = [];
    const sandbox = await startSandbox({ providers: [agenda([1], done)], start: START });
    try {
      await sleep(1300);
      expect(sandbox.ctx.clock.now()).toEqual(START);
      expect(done).toEqual([]);

      const errors: unknown[] = [];
      sandbox.followRealTime((error) => errors.push(error));
      await sleep(2300);
      const followed = sandbox.ctx.clock.now().getTime() - START.getTime();
      expect(followed).toBeGreaterThanOrEqual(1000);
      expect(followed).toBeLessThanOrEqual(3000);
      // The work due one second in ran when real time reached it, at its own moment.
      expect(done).toEqual(['2026-01-01T00:00:01.000Z']);

      const moved = await advanceOverHttp(sandbox, { days: 10 });
      expect(moved.status).toBe(200);
      const afterMove = sandbox.ctx.clock.now().getTime();
      await sleep(2300);
      expect(sandbox.ctx.clock.now().getTime() - afterMove).toBeGreaterThanOrEqual(1000);
      expect(sandbox.ctx.clock.now().getTime() - START.getTime()).toBeGreaterThan(10 * 86_400_000);
      expect(errors).toEqual([]);
    } finally {
      await sandbox.stop();
    }
  });

  it('tells listeners of each explicit move once its due work is done, one move at a time', async () => {
    const done: string[] = [];
    const sandbox = await startSandbox({ providers: [agenda([3600, 7200, 10_800], done)], start: START });
    try {
      const heard: { from: string; to: string; doneSoFar: number }[] = [];
      sandbox.onClockMoved((move) => heard.push({ from: move.from.toISOString(), to: move.to.toISOString(), doneSoFar: done.length }));
      // Two moves of two hours at once: they run one after the other and make four hours.
      const moves = await Promise.all([advanceOverHttp(sandbox, { seconds: 7200 }), advanceOverHttp(sandbox, { seconds: 7200 })]);
      expect(moves.map((move) => move.status)).toEqual([200, 200]);
      expect(done).toEqual(['2026-01-01T01:00:00.000Z', '2026-01-01T02:00:00.000Z', '2026-01-01T03:00:00.000Z']);
      expect(heard).toEqual([
        { from: '2026-01-01T00:00:00.000Z', to: '2026-01-01T02:00:00.000Z', doneSoFar: 2 },
        { from: '2026-01-01T02:00:00.000Z', to: '2026-01-01T04:00:00.000Z', doneSoFar: 3 },
      ]);
      expect(sandbox.ctx.clock.now().toISOString()).toBe('2026-01-01T04:00:00.000Z');
    } finally {
      await sandbox.stop();
    }
  });

  it('answers 400 to a move into the past, whoever moved the clock meanwhile', async () => {
    const sandbox = await startSandbox({ providers: [agenda([], [])], start: START });
    try {
      await sandbox.advance(new Date('2026-01-02T00:00:00Z'));
      const back = await advanceOverHttp(sandbox, { to: '2026-01-01T12:00:00Z' });
      expect(back.status).toBe(400);
      expect(((await back.json()) as { error: { message: string } }).error.message).toMatch(/cannot go back/);
    } finally {
      await sandbox.stop();
    }
  });
});
