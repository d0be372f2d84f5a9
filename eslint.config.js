import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.recur/', 'coverage/', 'dist/'] },
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
    files: ['bin/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
