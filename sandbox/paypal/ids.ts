import { randomBytes } from 'node:crypto';

const alphabet = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';

function code(length: number): string {
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

/** Ids in PayPal's forms: `PROD-…`, `P-…`, `I-…`, `WH-…`, 17-character captures and orders, `PP-D-…` disputes. */
export const paypalIds = {
  product: () => `PROD-${code(17)}`,
  plan: () => `P-${code(24)}`,
  subscription: () => `I-${code(12)}`,
  order: () => code(17),
  capture: () => code(17),
  refund: () => code(17),
  dispute: () => `PP-D-${Math.floor(10_000 + Math.random() * 89_999)}`,
  event: () => `WH-${code(17)}-${code(17)}`,
  webhook: () => code(17),
  transmission: () => `${randomBytes(4).toString('hex')}-${randomBytes(2).toString('hex')}-11ef-${randomBytes(2).toString('hex')}-${randomBytes(6).toString('hex')}`,
  token: () => `A21AA${randomBytes(40).toString('base64url')}`,
  payer: () => code(13),
  approvalToken: () => `EC-${code(17)}`,
  baToken: () => `BA-${code(17)}`,
};
