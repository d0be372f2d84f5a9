import { findCustomerByExternalId, type CustomerRecord } from '../../db/repositories/customer-repository.ts';
import { notFound } from '../../shared/errors.ts';
import type { ServiceContext } from '../service-context.ts';

export async function getCustomer(ctx: ServiceContext, externalId: string): Promise<CustomerRecord> {
  const customer = await findCustomerByExternalId(ctx.db, externalId);
  if (!customer) throw notFound('customer', externalId);
  return customer;
}
