import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';

const BLOCK = 512;

function readText(header: Buffer, start: number, length: number): string {
  const field = header.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString('utf8');
}

function readOctal(header: Buffer, start: number, length: number): number {
  const text = readText(header, start, length).trim();
  return text === '' ? 0 : Number.parseInt(text, 8);
}

/**
 * Writes the directories and regular files of a (ustar) tar archive under `target`. Enough for
 * the archives PGlite writes of a data directory; links and special files are refused, and so is
 * any name that would land outside `target`.
 */
export function extractTar(archive: Buffer, target: string): void {
  mkdirSync(target, { recursive: true, mode: 0o700 });
  for (let offset = 0; offset + BLOCK <= archive.length; ) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) break;
    const prefix = readText(header, 345, 155);
    const name = (prefix ? `${prefix}/` : '') + readText(header, 0, 100);
    const size = readOctal(header, 124, 12);
    const type = String.fromCharCode(header[156] ?? 0);
    const relative = normalize(name.replace(/^\/+/, ''));
    if (relative === '..' || relative.startsWith(`..${sep}`)) throw new Error(`tar entry outside the target: ${name}`);
    const path = join(target, relative);
    const body = offset + BLOCK;
    if (type === '5') mkdirSync(path, { recursive: true, mode: 0o700 });
    else if (type === '0' || type === '\0') {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeFileSync(path, archive.subarray(body, body + size), { mode: 0o600 });
    } else throw new Error(`tar entry of type "${type}" is not supported: ${name}`);
    offset = body + Math.ceil(size / BLOCK) * BLOCK;
  }
}
