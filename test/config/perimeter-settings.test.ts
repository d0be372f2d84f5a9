import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load-config.ts';

const load = (env: NodeJS.ProcessEnv) => loadConfig(env, mkdtempSync(join(tmpdir(), 'recur-config-')));

function configError(env: NodeJS.ProcessEnv): string {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('settings of the HTTP perimeter', () => {
  it('defaults: no proxy trusted, deadlines of 10 s for headers, 30 s for a request, 72 s keep-alive, metrics off', () => {
    expect(load({})).toMatchObject({ TRUST_PROXY: false, HTTP_HEADERS_TIMEOUT_SECONDS: 10, HTTP_REQUEST_TIMEOUT_SECONDS: 30, HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: 72, WEBHOOK_UNVERIFIED_LIMIT_PER_MINUTE: 60, API_KEY_FAILURE_LIMIT: 20 });
    expect(load({}).METRICS_TOKEN).toBeUndefined();
  });

  it.each([
    ['off', false],
    ['false', false],
    ['true', true],
    ['127.0.0.1', ['127.0.0.1']],
    ['10.0.0.0/8, 192.168.1.10 ,loopback', ['10.0.0.0/8', '192.168.1.10', 'loopback']],
    ['::1,fd00::/8,uniquelocal', ['::1', 'fd00::/8', 'uniquelocal']],
  ])('TRUST_PROXY=%s', (value, expected) => {
    expect(load({ TRUST_PROXY: value }).TRUST_PROXY).toEqual(expected);
  });

  it.each([
    ['2', /^TRUST_PROXY: a hop count cannot tell a proxy from a client; expected off, true, or/],
    ['10.0.0.0/33', /^TRUST_PROXY: expected off, true, or the proxies' addresses/],
    ['proxy.internal', /^TRUST_PROXY: expected/],
    ['300.1.1.1', /^TRUST_PROXY: expected/],
    ['yes', /^TRUST_PROXY: expected/],
  ])('refuses TRUST_PROXY=%s with one line', (value, message) => {
    const text = configError({ TRUST_PROXY: value });
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
  });

  it('refuses a header deadline longer than the request deadline, which covers the headers too', () => {
    expect(configError({ HTTP_HEADERS_TIMEOUT_SECONDS: '40', HTTP_REQUEST_TIMEOUT_SECONDS: '30' })).toMatch(/^HTTP_HEADERS_TIMEOUT_SECONDS: at most HTTP_REQUEST_TIMEOUT_SECONDS \(30\)/);
  });

  it('never echoes a metrics token that is too short', () => {
    const text = configError({ METRICS_TOKEN: 'short-but-secret' });
    expect(text).toMatch(/^METRICS_TOKEN: expected at least 32 characters .*\(got "<hidden>"\)$/);
    expect(text).not.toContain('short-but-secret');
  });
});
