import type { Queryable } from '../database.ts';

export type DeliveryTarget = { id: string; customerId: string | null; channel: 'email' | 'sms'; status: string; deliveryStatus: string | null; providerMessageId: string | null };

/** The row a callback is about: by the outbox id it carries, else by the provider's message id. */
export async function findDeliveryTarget(db: Queryable, input: { channel: 'email' | 'sms'; reference: string | null; providerMessageId: string | null }): Promise<DeliveryTarget | null> {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const byId = input.reference && uuid.test(input.reference);
  if (!byId && !input.providerMessageId) return null;
  const result = await db.query<{ id: string; customer_id: string | null; channel: 'email' | 'sms'; status: string; delivery_status: string | null; provider_message_id: string | null }>(
    byId
      ? 'SELECT id, customer_id, channel, status, delivery_status, provider_message_id FROM notification_outbox WHERE id = $1 AND channel = $2 FOR UPDATE'
      : 'SELECT id, customer_id, channel, status, delivery_status, provider_message_id FROM notification_outbox WHERE provider_message_id = $1 AND channel = $2 FOR UPDATE',
    [byId ? input.reference : input.providerMessageId, input.channel],
  );
  const row = result.rows[0];
  return row ? { id: row.id, customerId: row.customer_id, channel: row.channel, status: row.status, deliveryStatus: row.delivery_status, providerMessageId: row.provider_message_id } : null;
}

/** Writes a callback's outcome onto the row; `status` null leaves the row's status as it is. */
export async function recordDeliveryStatus(
  tx: Queryable,
  input: { id: string; status: string | null; deliveryStatus: string; detail: string | null; errorCode: string | null; providerMessageId: string | null; at: Date; now: Date },
): Promise<void> {
  await tx.query(
    `UPDATE notification_outbox
        SET status = COALESCE($2, status), delivery_status = $3, delivery_detail = $4, error_code = COALESCE($5, error_code),
            provider_message_id = COALESCE(provider_message_id, $6), sent_at = COALESCE(sent_at, $7), delivery_updated_at = $7, updated_at = $8
      WHERE id = $1`,
    [input.id, input.status, input.deliveryStatus, input.detail, input.errorCode, input.providerMessageId, input.at, input.now],
  );
}
