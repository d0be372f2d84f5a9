import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { insertCustomer, type CustomerRecord, type NewCustomer } from '../../db/repositories/customer-repository.ts';
import { conflict, isUniqueViolation } from '../../shared/errors.ts';
import type { Actor, ServiceContext } from '../service-context.ts';

export async function createCustomer(ctx: ServiceContext, input: NewCustomer, actor: Actor): Promise<CustomerRecord> {
  const now = ctx.clock.now();
  try {
    return await ctx.db.transaction(async (tx) => {
      const customer = await insertCustomer(tx, input, now);
      await recordAudit(tx, { at: now, actor, entity: 'customer', entityId: customer.id, action: 'create', before: null, after: customer });
      return customer;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'customers_external_id_key')) throw conflict(`a customer with external_id "${input.externalId}" already exists`);
    throw error;
  }
}
