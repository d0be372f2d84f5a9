import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * Services, jobs, routes, control operations and the CLI reach payment providers only through the
 * interface in src/providers/payments/*.ts and ctx.payments (eslint.config.js). The real
 * configuration lints a file as if it stood at each of those places.
 */
const ADAPTER_IMPORT = "import { createStripeGateway } from '../../providers/payments/stripe/create-stripe-gateway.ts';\nexport const gateway = createStripeGateway;\n";
const INTERFACE_IMPORT = "import type { PaymentProvider } from '../../providers/payments/payment-provider.ts';\nexport type Provider = PaymentProvider;\n";

async function restrictedImportsOf(code: string, filePath: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: process.cwd() });
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('the payment-adapter boundary (ESLint)', () => {
  it.each(['src/services/checkout/some-service.ts', 'src/jobs/some/some-job.ts', 'src/http/routes/some-route.ts', 'src/control/some/some-operation.ts'])('refuses an adapter import in %s', async (filePath) => {
    expect(await restrictedImportsOf(ADAPTER_IMPORT, filePath)).toEqual([expect.stringContaining('Use the PaymentProvider interface')]);
  });

  it('refuses it in the CLI too', async () => {
    const code = ADAPTER_IMPORT.replace('../../providers', '../providers');
    expect(await restrictedImportsOf(code, 'src/cli/some-command.ts')).toEqual([expect.stringContaining('Use the PaymentProvider interface')]);
  });

  it('allows the interface, and the adapter where providers are built', async () => {
    expect(await restrictedImportsOf(INTERFACE_IMPORT, 'src/services/checkout/some-service.ts')).toEqual([]);
    expect(await restrictedImportsOf(ADAPTER_IMPORT.replace('../../providers', '../providers'), 'src/runtime/some-builder.ts')).toEqual([]);
  });
});
