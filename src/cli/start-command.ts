import type { Command } from 'commander';
import { configuredShopName, UNNAMED_SHOP } from '../config/shop-name.ts';
import { startService } from '../runtime/start-service.ts';
import { allowsPrivateWebhookTargets } from '../runtime/build-outgoing-webhooks.ts';
import { surviveDatabaseOutages } from '../runtime/survive-database-outage.ts';
import { systemClock } from '../shared/clock.ts';
import { loadConfigOrExit } from './cli-support.ts';
import { startDevSandbox } from './dev-sandbox.ts';
import { createServiceLogger } from './log-format.ts';
import { describeDatabaseFailure, describeListenFailure } from './start-failures.ts';
import { claimDataDir, planStart } from './start-preflight.ts';
import { formatSandboxBanner } from './sandbox-command.ts';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run the service: HTTP API, webhooks and jobs (migrates the database first)')
    .action(async () => {
      const configured = loadConfigOrExit();
      const { emulated, linkKey } = planStart(configured);
      // From the operator's settings, not from the sandbox's stand-in keys: `auto` allows loopback targets only key-less.
      const allowPrivateWebhookTargets = allowsPrivateWebhookTargets(configured);
      const logger = createServiceLogger(configured);
      surviveDatabaseOutages(logger);
      const lock = claimDataDir(configured, emulated, linkKey, logger);
      let dev;
      try {
        dev = await startDevSandbox(configured, emulated);
      } catch (error) {
        lock?.release();
        throw describeListenFailure(error, 'SANDBOX_PORT', configured.SANDBOX_PORT) ?? error;
      }
      const sandbox = dev?.sandbox ?? null;
      const config = dev?.config ?? configured;
      let service;
      try {
        // One clock: beside the sandbox, recur reads the sandbox's; with real providers, real time.
        service = await startService(config, sandbox?.clock ?? systemClock, logger, { lock, linkKey, allowPrivateWebhookTargets });
        await sandbox?.connect(service, logger);
      } catch (error) {
        await service?.stop();
        await sandbox?.stop();
        lock?.release();
        throw describeListenFailure(error, 'PORT', config.PORT) ?? describeDatabaseFailure(error, config) ?? error;
      }
      // The handlers come before the banner: whoever reads the banner may signal at once, and a
      // signal that arrives before its handler ends the process without a clean stop.
      let stoppingSince: number | null = null;
      const stop = async (signal: string) => {
        if (stoppingSince !== null) {
          // A terminal's Ctrl-C can reach us twice at once (through npm and directly); only a
          // second press a moment later means "stop now". Committed data is safe either way.
          if (Date.now() - stoppingSince > 2000) process.exit(130);
          return;
        }
        stoppingSince = Date.now();
        logger.info({ signal }, 'stopping');
        // Each part is stopped even when another fails, and a failure is said on one line.
        const failures: string[] = [];
        for (const [part, stopPart] of [
          ['service', () => service.stop()],
          ['sandbox', () => sandbox?.stop()],
          ['lock', () => lock?.release()],
        ] as const) {
          try {
            await stopPart();
          } catch (error) {
            logger.error({ err: error, part }, 'stop failed');
            failures.push(`${part}: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
        process.stderr.write(failures.length === 0 ? 'recur stopped.\n' : `recur: stopping failed (${failures.join('; ')})\n`);
        process.exit(failures.length === 0 ? 0 : 1);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
      const unnamedShop = configuredShopName(config) === null ? `no shop name set: notices are signed "${UNNAMED_SHOP}"; set SHOP_NAME (or notices.shop_name in recur.config.json)` : null;
      const lines = [
        `recur is running on ${service.url}`,
        `  database   ${service.databaseDescription}`,
        `  catalogue  ${config.catalogueSource}`,
        `  API        ${service.url}/v1   (Authorization: Bearer <key>; create one with \`recur keys create\`)`,
        `  docs       ${service.url}/docs   OpenAPI ${service.url}/openapi.json`,
        `  health     ${service.url}/healthz   ${service.url}/readyz   metrics ${config.METRICS_TOKEN ? `${service.url}/metrics (Authorization: Bearer <METRICS_TOKEN>)` : 'off (set METRICS_TOKEN)'}`,
        sandbox
          ? `${formatSandboxBanner(sandbox.url, sandbox.describe())}\n  (development: no keys configured for ${sandbox.emulated.join(', ')}: recur uses this sandbox for them, with its webhook endpoints registered there and the plans synced; SANDBOX=off turns it off)`
          : `  providers  ${config.STRIPE_SECRET_KEY ? `Stripe at ${config.STRIPE_API_BASE ?? 'Stripe itself'}` : 'no Stripe key'}; ${configured.SANDBOX === 'off' ? 'sandbox off (SANDBOX=off)' : 'no sandbox beside provider keys'}`,
        ...(unnamedShop ? [`  WARNING    ${unnamedShop}`] : []),
        'Press Ctrl-C to stop.',
      ];
      process.stderr.write(`${lines.join('\n')}\n`);
      if (unnamedShop) logger.warn({ setting: 'SHOP_NAME' }, unnamedShop);
      logger.info({ url: service.url }, 'recur started');
    });
}
