import type { FastifyInstance } from 'fastify';
import { createApiKey } from '../../src/services/api-keys/create-api-key.ts';
import type { ServiceContext } from '../../src/services/service-context.ts';
import type { OutgoingReceiver } from './outgoing-receiver-process.ts';

/**
 * Registers one endpoint per entry of `eventTypes` (`['*']` or a list of types) through the HTTP
 * API, as a shop's admin does, each posting to its own path on the receiver, and hands the
 * receiver the secrets the API answered with (shown once).
 */
export async function registerEndpoints(app: FastifyInstance, ctx: ServiceContext, receiver: OutgoingReceiver, eventTypes: string[][]): Promise<void> {
  const { key } = await createApiKey(ctx, 'outgoing webhook bench', 'bench');
  const secrets: string[] = [];
  for (const [index, types] of eventTypes.entries()) {
    const response = await app.inject({ method: 'POST', url: '/v1/webhook-endpoints', headers: { authorization: `Bearer ${key}` }, payload: { url: receiver.hookUrl(index), event_types: types } });
    if (response.statusCode !== 201) throw new Error(`POST /v1/webhook-endpoints answered ${response.statusCode}: ${response.body}`);
    secrets.push((response.json() as { secret: string }).secret);
  }
  await receiver.setSecrets(secrets);
}
