import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Stripe from 'stripe';
import { startSandbox, type RunningSandbox } from '../../sandbox/core/start-sandbox.ts';
import { paypalSandbox } from '../../sandbox/paypal/paypal-sandbox.ts';
import { sendgridSandbox } from '../../sandbox/sendgrid/sendgrid-sandbox.ts';
import { signatureHeader } from '../../sandbox/stripe/events/sign-payload.ts';
import { stripeSandbox } from '../../sandbox/stripe/stripe-sandbox.ts';
import { twilioSandbox } from '../../sandbox/twilio/twilio-sandbox.ts';
import { runRecur, startRecur, type RunningRecur } from '../fixtures/recur-process.ts';
import { startHttpProxy, type ProxiedRequest, type RunningProxy } from './http-proxy.ts';

export const SANDBOX_STRIPE_KEY = 'sk_test_recur_sandbox';
export const SANDBOX_WEBHOOK_SECRET = 'whsec_recur_sandbox_0000000000000000';

/** Polls `check` until it holds; fails after `timeoutMs` with what `describe` says then. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000, describe: () => Promise<unknown> = async () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms; ${JSON.stringify(await describe())}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export type FaultSettings = {
  seed: number;
  requests?: { provider: 'stripe'; route?: string; errorRate: number; errorStatus: 429 | 500 | 503; retryAfterSeconds?: number; latencyMs?: number }[];
  webhooks?: { provider: 'stripe' | 'paypal'; duplicateRate?: number; duplicateCopies?: number; dropRate?: number; shuffle?: boolean; dropEventTypes?: string[] }[];
};

/**
 * The emulated providers as a separate party, with what a test needs around them: a recorder in
 * front of the sandbox (recur's outgoing Stripe calls, with their idempotency keys), and the
 * sandbox's control routes. The sandbox clock stands still unless moved.
 */
export type Lab = {
  sandbox: RunningSandbox;
  stripe: Stripe;
  /** Where recur is told Stripe, SendGrid and Twilio are: the recorder in front of the sandbox. */
  providerBase: string;
  /** Every request recur sent to the Stripe API, with the answer's status. */
  stripeCalls: ProxiedRequest[];
  control<T = Record<string, unknown>>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T>;
  setFaults(settings: FaultSettings): Promise<void>;
  clearFaults(): Promise<void>;
  /**
   * Moves the sandbox clock `days` ahead and recur's processes with it (see shiftedClockEnv):
   * recur's clock first, so every event of the move is dated before recur receives it.
   */
  advanceDays(days: number): Promise<void>;
  advanceHours(hours: number): Promise<void>;
  /** How far recur's clock runs ahead of the wall clock, in ms. */
  clockOffsetMs(): number;
  /** The settings that put a recur process on the lab's shifted clock. */
  shiftedClockEnv: Record<string, string>;
  flushWebhooks(): Promise<void>;
  deliveries(): Promise<{ eventId: string; status: string; attempts: number }[]>;
  /** Registers `url` as a Stripe webhook endpoint for every event. */
  addWebhookEndpoint(url: string): Promise<void>;
  stop(): Promise<void>;
};

/** `paypal`: the PayPal emulator too (under `<sandbox url>/paypal`, reached directly: its webhook certificates are served from its own origin). */
export async function startLab(options: { paypal?: boolean } = {}): Promise<Lab> {
  const sandbox = await startSandbox({
    providers: [stripeSandbox, ...(options.paypal ? [paypalSandbox] : []), sendgridSandbox, twilioSandbox],
    start: new Date(),
    // About a minute of retries in all: longer than any outage the tests cause.
    webhookRetryDelaysMs: [250, 500, 1000, 2000, 4000, 8000, 8000, 8000, 8000, 8000],
  });
  const stripeCalls: ProxiedRequest[] = [];
  const recorder = await startHttpProxy({
    targets: () => [sandbox.url],
    record: (request) => {
      if (request.path.startsWith('/v1/')) stripeCalls.push(request);
    },
  });
  const base = new URL(sandbox.url);
  const stripe = new Stripe(SANDBOX_STRIPE_KEY, { host: base.hostname, port: Number(base.port), protocol: 'http', maxNetworkRetries: 5 });
  const dir = mkdtempSync(join(tmpdir(), 'recur-lab-'));
  const offsetFile = join(dir, 'clock-offset-ms');
  let offsetMs = 0;
  writeFileSync(offsetFile, '0');
  const control = async <T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${sandbox.url}${path}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const advance = async (ms: number) => {
    const { now } = await control<{ now: string }>('GET', '/sandbox/clock');
    const target = new Date(Math.max(Date.parse(now), Date.now() + offsetMs) + ms);
    offsetMs = target.getTime() - Date.now();
    // Written aside and renamed into place: a recur process reading it meanwhile sees the old
    // offset or the new one, never an empty file (which it would read as no offset at all).
    writeFileSync(`${offsetFile}.next`, String(offsetMs));
    renameSync(`${offsetFile}.next`, offsetFile);
    await control('POST', '/sandbox/clock/advance', { to: target.toISOString() });
  };
  return {
    sandbox,
    stripe,
    providerBase: recorder.url,
    stripeCalls,
    control,
    setFaults: async (settings) => void (await control('PUT', '/sandbox/faults', settings)),
    clearFaults: async () => void (await control('PUT', '/sandbox/faults', {})),
    advanceDays: (days) => advance(days * 86_400_000),
    advanceHours: (hours) => advance(hours * 3_600_000),
    clockOffsetMs: () => offsetMs,
    shiftedClockEnv: { NODE_OPTIONS: `--import ${fileURLToPath(new URL('./shifted-clock.mjs', import.meta.url))}`, RECUR_TEST_CLOCK_OFFSET_FILE: offsetFile },
    flushWebhooks: async () => void (await control('POST', '/sandbox/webhooks/flush')),
    deliveries: async () => (await control<{ data: { eventId: string; status: string; attempts: number }[] }>('GET', '/sandbox/webhooks/deliveries')).data,
    addWebhookEndpoint: async (url) => void (await control('POST', '/sandbox/stripe/webhook-endpoints', { url })),
    async stop() {
      await recorder.stop();
      await sandbox.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A round-robin balancer in front of recur's processes. It signs each Stripe delivery again at
 * the moment it passes on recur's clock: the sandbox signs with its own, which stands still
 * between moves while recur's runs on (a signature older than 300 s is refused).
 */
export function startBalancer(lab: Lab, targets: () => string[], record?: (request: ProxiedRequest) => void): Promise<RunningProxy> {
  return startHttpProxy({
    targets,
    ...(record ? { record } : {}),
    rewrite: ({ path, headers, body }) =>
      path.startsWith('/webhooks/stripe') ? { ...headers, 'stripe-signature': signatureHeader(body.toString('utf8'), SANDBOX_WEBHOOK_SECRET, Math.floor((Date.now() + lab.clockOffsetMs()) / 1000)) } : headers,
  });
}

/** The settings of a `recur start` against the lab's providers, on `databaseUrl`. */
export function recurEnv(lab: Lab, databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: '0',
    SANDBOX: 'off',
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    STRIPE_SECRET_KEY: SANDBOX_STRIPE_KEY,
    STRIPE_API_BASE: lab.providerBase,
    STRIPE_WEBHOOK_SECRET: SANDBOX_WEBHOOK_SECRET,
    SENDGRID_API_KEY: 'SG.recur-sandbox.key',
    SENDGRID_FROM: 'Fietsenwinkel <billing@fietsenwinkel.test>',
    SENDGRID_API_BASE: `${lab.providerBase}/sendgrid`,
    TWILIO_ACCOUNT_SID: 'AC5a4db0c0ffee5a4db0c0ffee5a4db0c0',
    TWILIO_AUTH_TOKEN: 'f00dfacef00dfacef00dfacef00dface',
    TWILIO_FROM: '+15005550006',
    TWILIO_API_BASE: `${lab.providerBase}/twilio`,
    SMS_QUIET_HOURS: 'off',
    LINK_SIGNING_SECRET: 'the link-signing key of the fault tests, 32+ characters',
    PUBLIC_BASE_URL: 'http://127.0.0.1:9',
    JOB_POLL_INTERVAL_SECONDS: '0.5',
    WEBHOOK_CLAIM_LEASE_SECONDS: '10',
    RECONCILE_CRON: 'off',
    // Time-driven notices would depend on when a 5-minute tick falls; the ones events cause remain.
    NOTICES_CRON: 'off',
    WEBHOOK_RATE_LIMIT_PER_MINUTE: '0',
    ...lab.shiftedClockEnv,
    ...extra,
  };
}

/** Several `recur start` processes on one database, each killed and restarted at will. */
export class RecurFleet {
  readonly processes: (RunningRecur | null)[];
  readonly cwd = mkdtempSync(join(tmpdir(), 'recur-fleet-'));
  restarts = 0;

  constructor(
    private readonly env: Record<string, string>,
    size: number,
  ) {
    this.processes = Array.from({ length: size }, () => null);
  }

  async startAll(): Promise<void> {
    // Together, as replicas start (the database is migrated before).
    await Promise.all(this.processes.map((_, index) => this.start(index)));
  }

  async start(index: number): Promise<void> {
    this.processes[index] = await startRecur({ cwd: this.cwd, env: this.env, timeoutMs: 90_000 });
  }

  /** SIGKILL: no shutdown, claims and transactions cut off mid-way. */
  async kill(index: number): Promise<void> {
    const running = this.processes[index];
    this.processes[index] = null;
    if (running) await running.stop('SIGKILL');
  }

  async killAndRestart(index: number): Promise<void> {
    await this.kill(index);
    await this.start(index);
    this.restarts += 1;
  }

  /**
   * Kills one running process (picked by `random`) with SIGKILL every `everyMs` and starts it
   * again in the background, until `stop`, which waits for the restarts under way and leaves
   * every process running.
   */
  chaos(everyMs: number, random: () => number): { stop(): Promise<void> } {
    let running = true;
    let wake: () => void = () => {};
    const restarts: Promise<void>[] = [];
    const loop = (async () => {
      while (running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, everyMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        // Never the last one standing: a balancer with no process left only answers 502.
        const up = this.processes.flatMap((process, index) => (process ? [index] : []));
        if (!running || up.length < 2) continue;
        const victim = up[Math.floor(random() * up.length)]!;
        await this.kill(victim);
        this.restarts += 1;
        restarts.push(this.start(victim));
      }
    })();
    return {
      stop: async () => {
        running = false;
        wake();
        await loop;
        await Promise.all(restarts);
        for (let index = 0; index < this.processes.length; index++) if (!this.processes[index]) await this.start(index);
      },
    };
  }

  urls(): string[] {
    return this.processes.flatMap((running) => (running ? [running.url] : []));
  }

  any(): RunningRecur {
    const running = this.processes.find((candidate) => candidate !== null);
    if (!running) throw new Error('no recur process is running');
    return running;
  }

  cli(args: string[], timeoutMs = 60_000) {
    return runRecur(args, { cwd: this.cwd, env: this.env, timeoutMs });
  }

  async stopAll(): Promise<void> {
    for (let index = 0; index < this.processes.length; index++) {
      const running = this.processes[index];
      this.processes[index] = null;
      if (running) await running.stop('SIGTERM');
    }
    rmSync(this.cwd, { recursive: true, force: true });
  }
}
