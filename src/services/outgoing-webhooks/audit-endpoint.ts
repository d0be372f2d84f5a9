import type { Queryable } from '../../db/database.ts';
import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import type { WebhookEndpointRecord } from '../../db/repositories/webhook-endpoint-repository.ts';
import type { Actor } from '../service-context.ts';

/** What the audit log keeps of an endpoint: never its secrets. */
export const auditedEndpoint = (endpoint: WebhookEndpointRecord) => ({ url: endpoint.url, event_types: endpoint.eventTypes, description: endpoint.description, enabled: endpoint.enabled });

export function auditEndpoint(tx: Queryable, input: { actor: Actor; endpointId: string; action: string; before?: unknown; after?: unknown; now: Date }): Promise<void> {
  return recordAudit(tx, { at: input.now, actor: input.actor, entity: 'webhook_endpoint', entityId: input.endpointId, action: input.action, before: input.before, after: input.after });
}
