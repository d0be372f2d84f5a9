import type { Command } from 'commander';
import { startService } from '../runtime/start-service.ts';
import { systemClock } from '../shared/clock.ts';
import { createLogger } from '../shared/logger.ts';
import { loadConfigOrExit } from './cli-support.ts';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run the service: HTTP API, webhooks and jobs (migrates the database first)')
    .action(async () => {
      const config = loadConfigOrExit();
      const logger = createLogger(config.LOG_LEVEL);
      const service = await startService(config, systemClock, logger);
      const lines = [
        `recur is running on ${service.url}`,
        `  database   ${service.databaseDescription}`,
        `  catalogue  ${config.catalogueSource}`,
        `  API        ${service.url}/v1   (Authorization: Bearer <key>; create one with \`recur keys create\`)`,
        `  docs       ${service.url}/docs   OpenAPI ${service.url}/openapi.json`,
        `  health     ${service.url}/healthz   ${service.url}/readyz   metrics ${service.url}/metrics`,
        'Press Ctrl-C to stop.',
      ];
      process.stderr.write(`${lines.join('\n')}\n`);
      logger.info({ url: service.url }, 'recur started');

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
        try {
          await service.stop();
          process.stderr.write('recur stopped.\n');
          process.exit(0);
        } catch (error) {
          logger.error({ err: error }, 'stop failed');
          process.exit(1);
        }
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
    });
}
