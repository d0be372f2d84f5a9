import { findCustomerByExternalId } from '../../db/repositories/customer-repository.ts';
import { listPrepaidPeriodsOfCustomer, givingTime, type PrepaidPeriodRecord } from '../../db/repositories/prepaid-period-repository.ts';
import { coverageEnd } from '../../domain/prepaid-period.ts';
import { notFound } from '../../shared/errors.ts';
import type { ServiceContext } from '../service-context.ts';

export type PrepaidPeriodsAnswer = { periods: PrepaidPeriodRecord[]; paidUntil: Date | null };

/** The time a customer paid for once (one-time checkouts), oldest first, and where the running prepaid time ends. */
export async function listPrepaidPeriods(ctx: ServiceContext, externalId: string): Promise<PrepaidPeriodsAnswer> {
  const customer = await findCustomerByExternalId(ctx.db, externalId);
  if (!customer) throw notFound('customer', externalId);
  const periods = await listPrepaidPeriodsOfCustomer(ctx.db, customer.id);
  return { periods, paidUntil: coverageEnd(givingTime(periods), ctx.clock.now()) };
}
