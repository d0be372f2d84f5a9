import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { settingNames } from '../../src/config/settings-schema.ts';

describe('.env.example', () => {
  const documented = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line))
    .map((line) => line.slice(0, line.indexOf('=')));

  it('lists every setting of the schema, and nothing else', () => {
    expect([...documented].sort()).toEqual([...settingNames].sort());
  });

  it('documents each setting with a comment line above it', () => {
    const lines = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8').split('\n');
    for (const name of documented) {
      const index = lines.findIndex((line) => line.startsWith(`${name}=`));
      expect(lines[index - 1], name).toMatch(/^# \S/);
    }
  });

  it('the example catalogue is the built-in default', async () => {
    const { loadConfig } = await import('../../src/config/load-config.ts');
    const { defaultCatalogue } = await import('../../src/config/catalogue-schema.ts');
    const config = loadConfig({ RECUR_CONFIG_FILE: 'recur.config.example.json' }, new URL('../..', import.meta.url).pathname);
    expect(config.catalogue).toEqual(defaultCatalogue);
  });
});
