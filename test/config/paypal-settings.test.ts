import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolvePaypalApiBase } from '../../src/config/paypal-api-base.ts';
import { ConfigError, loadConfig } from '../../src/config/load-config.ts';
import { createTestCertificates } from '../paypal/paypal-test-certificates.ts';

const emptyDir = () => mkdtempSync(join(tmpdir(), 'recur-paypal-config-'));
const credentials = { PAYPAL_CLIENT_ID: 'AcmeClientId123', PAYPAL_CLIENT_SECRET: 'EFsecret-very-secret', PAYPAL_WEBHOOK_ID: '8PT597110X687430LKGECATA' };

function configError(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env, emptyDir());
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a configuration error');
}

describe('PayPal settings', () => {
  it('default to sandbox mode, PayPal\'s sandbox API, 10 requests a second and offline verification', () => {
    const config = loadConfig({}, emptyDir());
    expect(config).toMatchObject({ PAYPAL_MODE: 'sandbox', PAYPAL_MAX_REQUESTS_PER_SECOND: 10, PAYPAL_WEBHOOK_VERIFICATION: 'offline' });
    expect(config.PAYPAL_CLIENT_ID).toBeUndefined();
    expect(resolvePaypalApiBase(config)).toBe('https://api-m.sandbox.paypal.com');
    expect(resolvePaypalApiBase(loadConfig({ PAYPAL_MODE: 'live' }, emptyDir()))).toBe('https://api-m.paypal.com');
  });

  it('read a complete set, and a configured API base wins over the mode', () => {
    const config = loadConfig({ ...credentials, PAYPAL_MODE: 'live', PAYPAL_API_BASE: 'https://paypal.internal.example/', PAYPAL_WEBHOOK_VERIFICATION: 'offline-then-postback', PAYPAL_MAX_REQUESTS_PER_SECOND: '40' }, emptyDir());
    expect(config).toMatchObject({ ...credentials, PAYPAL_MODE: 'live', PAYPAL_WEBHOOK_VERIFICATION: 'offline-then-postback', PAYPAL_MAX_REQUESTS_PER_SECOND: 40 });
    expect(resolvePaypalApiBase(config)).toBe('https://paypal.internal.example');
  });

  it.each([
    [{ PAYPAL_CLIENT_ID: credentials.PAYPAL_CLIENT_ID, PAYPAL_WEBHOOK_ID: credentials.PAYPAL_WEBHOOK_ID }, /^PAYPAL_CLIENT_SECRET: required with PAYPAL_CLIENT_ID \(missing\)$/],
    [{ PAYPAL_CLIENT_SECRET: credentials.PAYPAL_CLIENT_SECRET, PAYPAL_WEBHOOK_ID: credentials.PAYPAL_WEBHOOK_ID }, /^PAYPAL_CLIENT_ID: required with PAYPAL_CLIENT_SECRET \(missing\)$/],
    [{ PAYPAL_CLIENT_ID: credentials.PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET: credentials.PAYPAL_CLIENT_SECRET }, /^PAYPAL_WEBHOOK_ID: required with PAYPAL_CLIENT_ID/],
    [{ PAYPAL_MODE: 'production' }, /^PAYPAL_MODE: .*"production"/],
    [{ PAYPAL_API_BASE: 'http://paypal.example.com' }, /^PAYPAL_API_BASE: expected an https URL, or http on loopback/],
    [{ PAYPAL_API_BASE: 'not a url' }, /^PAYPAL_API_BASE: /],
    [{ PAYPAL_MAX_REQUESTS_PER_SECOND: '0' }, /^PAYPAL_MAX_REQUESTS_PER_SECOND: expected a whole number from 1 to 1000/],
    [{ PAYPAL_WEBHOOK_VERIFICATION: 'none' }, /^PAYPAL_WEBHOOK_VERIFICATION: /],
    [{ PAYPAL_SANDBOX_ROOT_CA_FILE: '/tmp/ca.pem' }, /^PAYPAL_SANDBOX_ROOT_CA_FILE: only with PAYPAL_MODE=sandbox and a loopback PAYPAL_API_BASE/],
    [{ PAYPAL_SANDBOX_ROOT_CA_FILE: '/tmp/ca.pem', PAYPAL_MODE: 'live', PAYPAL_API_BASE: 'http://127.0.0.1:12111/paypal' }, /^PAYPAL_SANDBOX_ROOT_CA_FILE: only with PAYPAL_MODE=sandbox/],
    [{ PAYPAL_SANDBOX_ROOT_CA_FILE: '/nonexistent/ca.pem', PAYPAL_API_BASE: 'http://127.0.0.1:12111/paypal' }, /^PAYPAL_SANDBOX_ROOT_CA_FILE: cannot read \/nonexistent\/ca\.pem \(ENOENT\)$/],
  ])('name the setting that is wrong: %o', (env, message) => {
    expect(configError(env)).toMatch(message);
  });

  it('accept http only on loopback', () => {
    for (const base of ['http://127.0.0.1:12111/paypal', 'http://localhost:9000', 'http://[::1]:9000']) {
      expect(loadConfig({ PAYPAL_API_BASE: base }, emptyDir()).PAYPAL_API_BASE).toBe(base);
    }
  });

  it('never echo the client secret', () => {
    const text = configError({ ...credentials, PAYPAL_CLIENT_SECRET: 'short' });
    expect(text).toMatch(/^PAYPAL_CLIENT_SECRET: /);
    expect(text).not.toContain('short');
  });

  it('accept the sandbox root certificate beside a loopback sandbox, and refuse a file that is not a CA certificate', async () => {
    const { root, leaf } = await createTestCertificates();
    const dir = emptyDir();
    writeFileSync(join(dir, 'root.pem'), root.pem);
    writeFileSync(join(dir, 'leaf.pem'), leaf.pem);
    const env = { PAYPAL_API_BASE: 'http://127.0.0.1:12111/paypal' };
    const config = loadConfig({ ...env, PAYPAL_SANDBOX_ROOT_CA_FILE: join(dir, 'root.pem') }, emptyDir());
    expect(new X509Certificate(root.pem).ca).toBe(true);
    expect(config.PAYPAL_SANDBOX_ROOT_CA_FILE).toBe(join(dir, 'root.pem'));
    expect(configError({ ...env, PAYPAL_SANDBOX_ROOT_CA_FILE: join(dir, 'leaf.pem') })).toMatch(/^PAYPAL_SANDBOX_ROOT_CA_FILE: .*leaf\.pem is not a PEM CA certificate \(not a CA certificate\)$/);
  });
});
