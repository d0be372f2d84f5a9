export { createRecurClient, type RecurClient, type RecurClientOptions } from './client.js';
export { verifyWebhook, RecurWebhookError, type WebhookHeaders } from './verify-webhook.js';
export { RECUR_EVENT_TYPES, isRecurEventType, type Customer, type Entitlement, type Payment, type RecurEvent, type RecurEventData, type RecurEventType, type Subscription } from './events.js';
export type { components, paths } from './schema.js';
