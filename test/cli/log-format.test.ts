import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { chooseLogFormat, createServiceLogger } from '../../src/cli/log-format.ts';

/** A stdout stand-in: what the logger wrote, and whether it claims to be a terminal. */
function captureOutput(isTTY: boolean): Writable & { isTTY: boolean; text(): string } {
  let text = '';
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  return Object.assign(output, { isTTY, text: () => text });
}

describe('LOG_FORMAT', () => {
  it.each<['auto' | 'json' | 'pretty', boolean, 'json' | 'pretty']>([
    ['auto', true, 'pretty'],
    ['auto', false, 'json'],
    ['json', true, 'json'],
    ['pretty', false, 'pretty'],
  ])('%s with a terminal: %s -> %s', (setting, isTTY, expected) => {
    expect(chooseLogFormat(setting, { isTTY })).toBe(expected);
  });

  it('writes readable lines on a terminal, request lines in their own words, secrets redacted', () => {
    const output = captureOutput(true);
    const logger = createServiceLogger({ LOG_LEVEL: 'info', LOG_FORMAT: 'auto' }, output, { NO_COLOR: '1' });
    logger.info({ method: 'GET', route: '/v1/plans', path: '/v1/plans', status: 200, ms: 3, requestId: 'req-1' }, 'request');
    logger.warn({ apiKey: 'rk_live_secret', setting: 'SHOP_NAME' }, 'shop name not set');
    logger.error({ err: new Error('boom') }, 'job failed');
    const lines = output.text().split('\n');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d INFO {2}GET \/v1\/plans 200 3 ms {2}requestId=req-1$/);
    expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d WARN {2}shop name not set {2}apiKey=\[redacted\] setting=SHOP_NAME$/);
    expect(lines[2]).toMatch(/^\d\d:\d\d:\d\d ERROR job failed$/);
    expect(lines[3]).toBe('    Error: boom');
    expect(output.text()).not.toContain('rk_live_secret');
    expect(output.text()).not.toContain('{"level"');
    expect(output.text()).not.toContain('\u001b[');
  });

  it('colours the level on a terminal unless NO_COLOR is set', () => {
    const output = captureOutput(true);
    createServiceLogger({ LOG_LEVEL: 'info', LOG_FORMAT: 'pretty' }, output, {}).warn('careful');
    expect(output.text()).toContain('\u001b[33mWARN \u001b[0m careful');
  });

  it('keeps JSON lines off a terminal, secrets redacted', () => {
    const output = captureOutput(false);
    createServiceLogger({ LOG_LEVEL: 'info', LOG_FORMAT: 'auto' }, output, {}).info({ token: 'tok_secret', method: 'GET' }, 'hello');
    expect(JSON.parse(output.text())).toMatchObject({ level: 30, msg: 'hello', token: '[redacted]', method: 'GET', service: 'recur' });
    expect(output.text()).not.toContain('tok_secret');
  });
});
