import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.ts';

const PROXY = '127.0.0.1';
const GUESSER = '198.51.100.30';
const SHOP = '203.0.113.40';

describe('failed API keys, counted per client address behind a proxy (TRUST_PROXY=127.0.0.1, 3 failures per 10 minutes)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pglite', { settings: { API_KEY_FAILURE_LIMIT: 3, TRUST_PROXY: [PROXY] } });
  });
  afterAll(() => t.close());

  const getPlans = (client: string, authorization?: string) =>
    t.app.inject({ method: 'GET', url: '/v1/plans', remoteAddress: PROXY, headers: { 'x-forwarded-for': client, ...(authorization ? { authorization } : {}) } });
  const wrongKey = 'Bearer rk_not_a_key_of_this_recur_000000000000';

  it('answers 429 with Retry-After after the limit, even for a right key from that address; other clients are unaffected', async () => {
    const tries = [];
    for (let i = 0; i < 3; i++) tries.push((await getPlans(GUESSER, wrongKey)).statusCode);
    expect(tries).toEqual([401, 401, 401]);

    const limited = await getPlans(GUESSER, wrongKey);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toEqual({ error: { code: 'rate_limited', message: expect.stringContaining('API key'), requestId: limited.headers['x-request-id'] } });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    // Locked out: not even a guess that happens to be right is checked.
    expect((await getPlans(GUESSER, t.auth)).statusCode).toBe(429);
    expect((await getPlans(GUESSER)).statusCode).toBe(429);

    expect((await getPlans(SHOP, t.auth)).statusCode).toBe(200);
    expect((await getPlans('198.51.100.31', wrongKey)).statusCode).toBe(401);
  });

  it('counts only failures: after 25 requests that authenticate, a client still has all 3 tries before 429', async () => {
    const client = '203.0.113.41';
    const answers = [];
    for (let i = 0; i < 25; i++) answers.push((await getPlans(client, t.auth)).statusCode);
    for (let i = 0; i < 4; i++) answers.push((await getPlans(client, wrongKey)).statusCode);
    expect(answers).toEqual([...Array(25).fill(200), 401, 401, 401, 429]);
  });
});
