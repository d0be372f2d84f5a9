import { describe, expect, it } from 'vitest';
import { againIfDeadlocked } from '../../src/webhooks/process-inbox-event.ts';

const failing = (codes: (string | null)[]) => {
  let calls = 0;
  const work = async () => {
    const code = codes[calls++];
    if (code === undefined) return 'done';
    throw Object.assign(new Error(code ?? 'plain'), code ? { code } : {});
  };
  return { work, calls: () => calls };
};

describe('againIfDeadlocked', () => {
  it("runs a deadlock's or a serialization failure's victim again at once", async () => {
    const run = failing(['40P01', '40001']);
    expect(await againIfDeadlocked(run.work)).toBe('done');
    expect(run.calls()).toBe(3);
  });

  it('gives up after three tries, with the last error', async () => {
    const run = failing(['40P01', '40P01', '40P01', '40P01']);
    await expect(againIfDeadlocked(run.work)).rejects.toMatchObject({ code: '40P01' });
    expect(run.calls()).toBe(3);
  });

  it('never repeats any other failure', async () => {
    const run = failing(['23505']);
    await expect(againIfDeadlocked(run.work)).rejects.toMatchObject({ code: '23505' });
    const plain = failing([null]);
    await expect(againIfDeadlocked(plain.work)).rejects.toThrow('plain');
    expect([run.calls(), plain.calls()]).toEqual([1, 1]);
  });
});
