import type { LookupAddress } from 'node:dns';
import type { Clock } from '../../shared/clock.ts';
import type { ServiceContext } from '../service-context.ts';
import type { SigningSecretSealer } from './signing-secret-sealer.ts';
import type { WebhookDeliveryMetrics } from './webhook-delivery-metrics.ts';

/** Resolves a host name to every address it has (dns.lookup with `all`, in production). */
export type ResolveHost = (hostname: string) => Promise<LookupAddress[]>;

/** What the shop's webhook endpoints need beyond the service context, built once at start-up. */
export type OutgoingWebhooksContext = {
  /** Seals and opens the endpoints' signing secrets (the key lives outside the database). */
  sealer: SigningSecretSealer;
  /** Loopback, private, link-local and other special-purpose targets allowed (development beside the sandbox). */
  allowPrivateTargets: boolean;
  timeoutMs: number;
  defaultOverlapHours: number;
  resolveHost: ResolveHost;
  /**
   * The real time, even when recur's business clock is the sandbox's: written in `webhook-timestamp`
   * (receivers compare it with their own clock to refuse old messages), and the clock of the
   * delivery leases (how long a worker may hold a row is measured in seconds that really pass).
   */
  realClock: Clock;
  random: () => number;
  metrics: WebhookDeliveryMetrics;
  /** Asks this process's delivery worker to look for work soon (set once the worker runs). */
  wake?: () => void;
};

export type WebhookServiceContext = Pick<ServiceContext, 'db' | 'clock' | 'config'> & { outgoingWebhooks: OutgoingWebhooksContext };
