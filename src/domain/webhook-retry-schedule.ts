/** How long recur keeps trying one delivery before it is failed (about Stripe's three days). */
export const WEBHOOK_RETRY_WINDOW_MS = 3 * 24 * 60 * 60 * 1000;

const FIRST_DELAY_MS = 60 * 1000;
const LONGEST_DELAY_MS = 12 * 60 * 60 * 1000;
/** Each delay is moved by up to this share either way, so endpoints that failed together are not retried together. */
const JITTER = 0.2;

export type NextAttempt = { kind: 'retry'; at: Date } | { kind: 'give-up' };

/**
 * After the `attempts`-th failed attempt: the next one 1, 2, 4, 8 ... minutes later, at most 12
 * hours apart, jittered; the last at `giveUpAt` itself, and none after it. `random` is in [0, 1).
 */
export function nextWebhookAttempt(input: { attempts: number; now: Date; giveUpAt: Date; random: () => number }): NextAttempt {
  const { attempts, now, giveUpAt } = input;
  if (now.getTime() >= giveUpAt.getTime()) return { kind: 'give-up' };
  const exponential = Math.min(FIRST_DELAY_MS * 2 ** Math.max(0, attempts - 1), LONGEST_DELAY_MS);
  const jittered = exponential * (1 - JITTER + 2 * JITTER * input.random());
  return { kind: 'retry', at: new Date(Math.min(now.getTime() + Math.round(jittered), giveUpAt.getTime())) };
}
