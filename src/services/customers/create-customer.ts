import { recordAudit } from '../../db/repositories/audit-log-repository.ts';
import { insertCustomer, type CustomerRecord, type NewCustomer } from '../../db/repositories/customer-repository.ts';
import { conflict, isUniqueViolation } from '../../shared/errors.ts';
import type { Actor, ServiceContext } from '../service-context.ts';
import { smsConsentChanges, smsConsentForPhone } from './update-customer.ts';
import { recordCustomerCreated } from '../../outgoing-events/record-customer-event.ts';

export type CustomerCreation = Omit<NewCustomer, 'smsConsentAt' | 'smsConsentWithdrawnAt'> & {
  /** true: the customer agreed to SMS at sign-up; false: they said no (recorded as a withdrawal). */
  smsConsent?: boolean;
};

export async function createCustomer(ctx: ServiceContext, input: CustomerCreation, actor: Actor): Promise<CustomerRecord> {
  const now = ctx.clock.now();
  const { smsConsent, ...fields } = input;
  const none = { smsConsentAt: null, smsConsentWithdrawnAt: null };
  const consent = smsConsentChanges(none, smsConsentForPhone(none, fields.phone, smsConsent), now);
  try {
    return await ctx.db.transaction(async (tx) => {
      const customer = await insertCustomer(tx, { ...fields, ...consent }, now);
      await recordAudit(tx, { at: now, actor, entity: 'customer', entityId: customer.id, action: 'create', before: null, after: customer });
      await recordCustomerCreated(tx, customer, now);
      return customer;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'customers_external_id_key')) throw conflict(`a customer with external_id "${input.externalId}" already exists`);
    throw error;
  }
}
