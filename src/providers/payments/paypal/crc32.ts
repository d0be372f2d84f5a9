import * as zlib from 'node:zlib';

let table: Uint32Array | null = null;

/** CRC-32 (IEEE 802.3, the one zlib and PayPal use) by a 256-entry table: for a Node without `zlib.crc32` (before 20.15 / 22.2). */
export function crc32ByTable(bytes: Uint8Array): number {
  table ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let crc = 0xffffffff;
  for (const byte of bytes) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

/** The unsigned CRC-32 of the bytes, as PayPal puts it (in decimal) into the signed webhook message. */
export const crc32: (bytes: Uint8Array) => number = native ? (bytes) => native(bytes) >>> 0 : crc32ByTable;
export const crc32Implementation: 'zlib' | 'table' = native ? 'zlib' : 'table';
