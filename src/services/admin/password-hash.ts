import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * scrypt from node:crypto (docs/adr/0033-admin-sign-in.md): memory-hard, in every Node 20, 22 and
 * 24, no native module to build. N = 2^15, r = 8 (32 MiB, some 90 ms per check on a 2-core machine) as OWASP
 * recommends for scrypt; the cost is stored with each hash, so raising it later leaves old hashes
 * readable.
 */
const COST = { N: 32_768, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

type StoredHash = { N: number; r: number; p: number; salt: Buffer; hash: Buffer };

function derive(password: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  // 128 * N * r bytes are needed; twice that leaves room for the rest.
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key))));
}

/** `scrypt$N$r$p$salt$hash` (base64url), with a fresh random salt per password. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

function parseStoredHash(stored: string): StoredHash | null {
  const [scheme, N, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !N || !r || !p || salt === undefined || hash === undefined) return null;
  return { N: Number(N), r: Number(r), p: Number(p), salt: Buffer.from(salt, 'base64url'), hash: Buffer.from(hash, 'base64url') };
}

/** Compares in constant time; a stored value recur cannot read matches nothing. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseStoredHash(stored);
  if (!parsed || parsed.hash.length !== KEY_BYTES) return false;
  const derived = await derive(password, parsed.salt, parsed);
  return timingSafeEqual(derived, parsed.hash);
}

/**
 * A hash of no one's password, checked when the username is unknown: an unknown name takes as long
 * to refuse as a wrong password, so the time of an answer does not tell which names exist.
 */
let decoy: Promise<string> | null = null;
export function decoyPasswordHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
}
