import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ADAPTER_IMPORT = { group: ['**/providers/payments/*/**'], message: 'Use the PaymentProvider interface (src/providers/payments/*.ts) and ctx.payments, not an adapter.' };
const SANDBOX_IMPORT = { group: ['**/sandbox/**'], message: 'Production code never imports sandbox/ (only the CLI start-up does).' };

export default tseslint.config(
  { ignores: ['node_modules/', '.recur/', 'coverage/', 'dist/', 'packages/*/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // Configuration is parsed once in src/config/ and passed down; nothing else reads the environment.
    files: ['src/**/*.ts'],
    ignores: ['src/config/**', 'src/cli/**', 'src/cli.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read settings from the parsed Config, not process.env.' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/sandbox/**'], message: 'Production code never imports sandbox/ (only the CLI start-up does).' }] }] },
  },
  {
    // Later blocks replace the rule above for their folders, so each repeats the sandbox ban.
    // Dependencies point inward (DESIGN.md): the domain calls nothing; adapters never call services.
    files: ['src/domain/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['../*', '!../domain/*'], message: 'src/domain is pure: import only from src/domain.' }] }] },
  },
  {
    files: ['src/providers/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/services/**', '**/http/**', '**/runtime/**', '**/cli/**', '**/sandbox/**'], message: 'A provider adapter must not depend on services, HTTP, runtime or the sandbox.' }] }] },
  },
  {
    // Services, jobs, routes, control operations and the CLI speak to payment providers only through
    // src/providers/payments/*.ts (the interface) and ctx.payments; one place builds adapters
    // (src/runtime/build-payment-providers.ts). The files ignored here still use Stripe's own event
    // parsing and status rules (reconciliation's recovered events): see
    // docs/adr/0022-payment-provider-interface.md.
    files: ['src/services/**/*.ts', 'src/jobs/**/*.ts', 'src/http/**/*.ts', 'src/control/**/*.ts'],
    ignores: [
      'src/services/reconciliation/recover-missed-events.ts',
      'src/services/reconciliation/settle-recovered-event.ts',
      'src/services/reconciliation/repair-subscription.ts',
    ],
    rules: { 'no-restricted-imports': ['error', { patterns: [ADAPTER_IMPORT, SANDBOX_IMPORT] }] },
  },
  {
    files: ['src/cli/**/*.ts', 'src/cli.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [ADAPTER_IMPORT] }] },
  },
  {
    files: ['bin/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
