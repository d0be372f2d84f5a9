import { z } from 'zod';
import { seededRandom } from './seeded-random.ts';

export const providerNames = ['stripe', 'paypal', 'sendgrid', 'twilio'] as const;
export type SandboxProviderName = (typeof providerNames)[number];

/** One rule: which requests it touches, and what it does to them. */
export const faultRuleSchema = z
  .object({
    provider: z.enum(providerNames),
    /** A route pattern as registered (e.g. "/v1/customers/:id"), a method plus pattern ("POST /v1/customers"), or "*" */
    route: z.string().min(1).default('*'),
    errorRate: z.number().min(0).max(1).default(0),
    errorStatus: z.union([z.literal(500), z.literal(429), z.literal(503)]).default(500),
    retryAfterSeconds: z.number().int().min(0).max(3600).default(1),
    latencyMs: z.number().int().min(0).max(30_000).default(0),
  })
  .strict();

export const webhookFaultSchema = z
  .object({
    provider: z.enum(providerNames),
    duplicateRate: z.number().min(0).max(1).default(0),
    /** How many times in all a duplicated webhook is sent. */
    duplicateCopies: z.number().int().min(2).max(5).default(2),
    dropRate: z.number().min(0).max(1).default(0),
    /** Event types never delivered at all (PayPal is known to lose BILLING.SUBSCRIPTION.CANCELLED). */
    dropEventTypes: z.array(z.string().min(1)).default([]),
    /** Deliver each batch of pending webhooks in a random order. */
    shuffle: z.boolean().default(false),
  })
  .strict();

export const faultSettingsSchema = z
  .object({
    seed: z.number().int().default(1),
    requests: z.array(faultRuleSchema).default([]),
    webhooks: z.array(webhookFaultSchema).default([]),
  })
  .strict();

export type FaultRule = z.output<typeof faultRuleSchema>;
export type WebhookFault = z.output<typeof webhookFaultSchema>;
export type FaultSettings = z.output<typeof faultSettingsSchema>;

export type RequestFault = { latencyMs: number; error: { status: 500 | 429 | 503; retryAfterSeconds: number } | null };

/** Off by default; reliability tests and benchmarks switch faults on through /sandbox/faults. */
export class FaultInjector {
  private settings: FaultSettings = faultSettingsSchema.parse({});
  private random = seededRandom(1);
  /** Provider requests seen, by "provider METHOD route": what a client cost, counted where it arrives. */
  private readonly seen = new Map<string, number>();

  configure(settings: FaultSettings): void {
    this.settings = settings;
    this.random = seededRandom(settings.seed);
  }

  current(): FaultSettings {
    return this.settings;
  }

  reset(): void {
    this.configure(faultSettingsSchema.parse({}));
  }

  forRequest(provider: SandboxProviderName, method: string, route: string): RequestFault {
    const key = `${provider} ${method} ${route}`;
    this.seen.set(key, (this.seen.get(key) ?? 0) + 1);
    const rules = this.settings.requests.filter(
      (rule) => rule.provider === provider && (rule.route === '*' || rule.route === route || rule.route === `${method} ${route}`),
    );
    let latencyMs = 0;
    let error: RequestFault['error'] = null;
    for (const rule of rules) {
      latencyMs = Math.max(latencyMs, rule.latencyMs);
      if (!error && rule.errorRate > 0 && this.random() < rule.errorRate) error = { status: rule.errorStatus, retryAfterSeconds: rule.retryAfterSeconds };
    }
    return { latencyMs, error };
  }

  /** Requests counted since the start or the last `clearRequestCounts`. */
  requestCounts(): Record<string, number> {
    return Object.fromEntries([...this.seen].sort(([a], [b]) => a.localeCompare(b)));
  }

  clearRequestCounts(): void {
    this.seen.clear();
  }

  forWebhook(provider: SandboxProviderName, eventType?: string): { copies: number; shuffle: boolean } {
    const rule = this.settings.webhooks.find((candidate) => candidate.provider === provider);
    if (!rule) return { copies: 1, shuffle: false };
    if (eventType !== undefined && rule.dropEventTypes.includes(eventType)) return { copies: 0, shuffle: rule.shuffle };
    if (rule.dropRate > 0 && this.random() < rule.dropRate) return { copies: 0, shuffle: rule.shuffle };
    const copies = rule.duplicateRate > 0 && this.random() < rule.duplicateRate ? rule.duplicateCopies : 1;
    return { copies, shuffle: rule.shuffle };
  }

  shufflesWebhooks(provider: SandboxProviderName): boolean {
    return this.settings.webhooks.some((rule) => rule.provider === provider && rule.shuffle);
  }

  shuffle<T>(items: T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy;
  }
}
