import { readFileSync } from 'node:fs';

/** Reads a file of the providers' published material vendored under test/reference/. */
export function readReference(path: string): string {
  return readFileSync(new URL(`../reference/${path}`, import.meta.url), 'utf8');
}

export const sendgridSpecText = (): string => readFileSync(new URL('../../sandbox/sendgrid/spec/tsg_mail_v3.json', import.meta.url), 'utf8');
