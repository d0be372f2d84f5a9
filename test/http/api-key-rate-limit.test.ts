import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/services/api-keys/create-api-key.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';

// A burst of 3, then 1 a second: the limiter counts on the process's monotonic clock (a network
// matter, like the failed-key counter), so the test waits the one second a token takes to come back.
const BURST = 3;

describe.each(testDatabaseKinds)('the rate limit per API key on %s (API_RATE_LIMIT_BURST=3, API_RATE_LIMIT_PER_SECOND=1)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, { settings: { API_RATE_LIMIT_PER_SECOND: 1, API_RATE_LIMIT_BURST: BURST } });
  });
  afterAll(() => t.close());

  const newKey = async (name: string) => `Bearer ${(await createApiKey(t.ctx, name, 'test', 'read')).key}`;
  const getPlans = (auth: string) => t.app.inject({ method: 'GET', url: '/v1/plans', headers: { authorization: auth } });
  const rateFields = (answer: Awaited<ReturnType<typeof getPlans>>) => ({
    limit: answer.headers['ratelimit-limit'],
    remaining: answer.headers['ratelimit-remaining'],
    reset: answer.headers['ratelimit-reset'],
  });

  it('answers the burst with what is left, then 429 with Retry-After and the RateLimit fields; another key is not affected; a second later the key is heard again', async () => {
    const runaway = await newKey('runaway loop');
    const calm = await newKey('calm backend');

    const answers = [];
    for (let i = 0; i <= BURST; i++) answers.push(await getPlans(runaway));
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200, 429]);
    expect(answers.slice(0, BURST).map(rateFields)).toEqual([
      { limit: '3', remaining: '2', reset: '1' },
      { limit: '3', remaining: '1', reset: '2' },
      { limit: '3', remaining: '0', reset: '3' },
    ]);

    const limited = answers[BURST]!;
    expect(limited.json()).toEqual({ error: { code: 'rate_limited', message: expect.stringContaining('this API key sent more than 3 requests'), requestId: limited.headers['x-request-id'] } });
    expect(limited.headers['retry-after']).toBe('1');
    expect(rateFields(limited)).toEqual({ limit: '3', remaining: '0', reset: '3' });

    const other = await getPlans(calm);
    expect(other.statusCode).toBe(200);
    expect(rateFields(other)).toMatchObject({ remaining: '2' });

    // A refused request costs nothing: asking again while waiting does not push the time back.
    await expect.poll(async () => (await getPlans(runaway)).statusCode, { interval: 100, timeout: 3000 }).toBe(200);
    expect((await getPlans(runaway)).statusCode).toBe(429);
  });

  it('counts a request refused for its scope too (a loop of 403s is still a loop), before the scope check', async () => {
    const reader = await newKey('reader that writes');
    const answers = [];
    for (let i = 0; i <= BURST; i++) answers.push((await t.app.inject({ method: 'POST', url: '/v1/customers', headers: { authorization: reader }, payload: {} })).statusCode);
    expect(answers).toEqual([403, 403, 403, 429]);
  });

  it('never limits requests without a valid key by key (the per-address failure counter does)', async () => {
    const answers = [];
    for (let i = 0; i <= BURST + 1; i++) answers.push(await getPlans(`Bearer rk_${'Z'.repeat(43)}`));
    expect(answers.map((answer) => answer.statusCode)).toEqual(Array(BURST + 2).fill(401));
    expect(answers[0]!.headers['ratelimit-limit']).toBeUndefined();
  });
});

describe('the rate limit switched off (API_RATE_LIMIT_PER_SECOND=0)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pglite', { settings: { API_RATE_LIMIT_PER_SECOND: 0, API_RATE_LIMIT_BURST: 1 } });
  });
  afterAll(() => t.close());

  it('answers every request, without RateLimit fields', async () => {
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await t.app.inject({ method: 'GET', url: '/v1/plans', headers: { authorization: t.auth } }));
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(answers[4]!.headers['ratelimit-remaining']).toBeUndefined();
  });
});
