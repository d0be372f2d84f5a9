import { paypalEventDialect } from '../providers/payments/paypal/events/paypal-event-dialect.ts';
import { createProviderEventProcessor, type ProviderEventProcessorDeps } from '../services/sync/create-provider-event-processor.ts';
import type { PaypalEventEnvelope } from '../providers/payments/paypal/events/paypal-event-envelope.ts';
import type { EventProcessor } from '../webhooks/inbox-event.ts';

/** PayPal's webhook events -> recur's rows: the provider-neutral processor speaking PayPal's dialect. */
export function createPaypalEventProcessor(deps: Omit<ProviderEventProcessorDeps<PaypalEventEnvelope>, 'dialect'>): EventProcessor {
  return createProviderEventProcessor({ ...deps, dialect: paypalEventDialect });
}
