import { hasAdapter, PROVIDER_KEY_SETTINGS, providerName, type ProviderId } from '../domain/provider.ts';
import type { PaymentProvider } from '../providers/payments/payment-provider.ts';
import { capabilityWording, type Capability } from '../providers/payments/provider-capabilities.ts';
import { RecurError } from '../shared/errors.ts';
import type { ServiceContext } from './service-context.ts';

/** A configured provider, with recur's public URL its hosted pages send customers back to. */
export type ConfiguredProvider = PaymentProvider & { publicBaseUrl: string };

/** The provider, or 503 not_ready (configured later, the same request succeeds); 409 when recur has no adapter for it. */
export function requirePaymentProvider(ctx: Pick<ServiceContext, 'payments'>, id: ProviderId): ConfiguredProvider {
  if (!hasAdapter(id)) throw new RecurError('not_supported_by_provider', `recur has no ${providerName(id)} integration yet; use ${ctx.payments?.configured().map(providerName).join(' or ') || 'another provider'}`);
  const provider = ctx.payments?.get(id);
  if (!ctx.payments || !provider) throw new RecurError('not_ready', `${providerName(id)} is not configured (set ${PROVIDER_KEY_SETTINGS[id]}, or run with the sandbox)`);
  return { ...provider, publicBaseUrl: ctx.payments.publicBaseUrl };
}

/** 409 not_supported_by_provider, saying what the provider cannot do, when it lacks `capability`. */
export function requireCapability(provider: Pick<PaymentProvider, 'name' | 'capabilities'>, capability: Capability): void {
  if (!provider.capabilities[capability]) throw new RecurError('not_supported_by_provider', `${provider.name} cannot ${capabilityWording[capability]}`);
}
