import { RecurError } from '../../shared/errors.ts';
import type { ServiceContext } from '../service-context.ts';

export function requireStripe(ctx: ServiceContext): NonNullable<ServiceContext['stripe']> {
  if (!ctx.stripe) throw new RecurError('not_ready', 'Stripe is not configured (set STRIPE_SECRET_KEY, or run with the sandbox)');
  return ctx.stripe;
}
