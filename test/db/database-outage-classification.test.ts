import { describe, expect, it } from 'vitest';
import { isLostDatabaseConnection } from '../../src/runtime/survive-database-outage.ts';

describe('which unhandled rejections a database outage explains', () => {
  const withCode = (code: string) => Object.assign(new Error('x'), { code });
  it('a refused or cut connection, and PostgreSQL shutting down', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', '57P01', '57P03', '08006']) expect(isLostDatabaseConnection(withCode(code)), code).toBe(true);
    expect(isLostDatabaseConnection(new Error('Connection terminated unexpectedly'))).toBe(true);
  });
  it('nothing else: a bug still ends the process', () => {
    for (const reason of [new TypeError('undefined is not a function'), withCode('23505'), 'ECONNREFUSED', null]) expect(isLostDatabaseConnection(reason)).toBe(false);
  });
});
