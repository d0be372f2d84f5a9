import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NoticeLocale, NoticeTemplate } from '../../src/notifications/notice-catalogue.ts';
import { renderEmail } from '../../src/notifications/render-notice.ts';
import { scheduleDueNotices } from '../../src/notifications/schedule-due-notices.ts';
import type { ProviderSubscription } from '../../src/providers/payments/provider-objects.ts';
import { recordProviderSubscription } from '../../src/services/sync/record-provider-subscription.ts';
import { seedCustomer, seedSubscription } from '../support/seed.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { entitlementPolicyOf } from '../../src/services/entitlement/entitlement-policy.ts';

const DAY = 86_400_000;
type OutboxRow = { template: NoticeTemplate; locale: NoticeLocale; payload: unknown; recipient: string };

/** The default catalogue names `monthly` "Maandelijks" for Dutch readers and "Monthly" for everyone else. */
describe.each(testDatabaseKinds)("plan names in the customer's locale (%s)", (kind) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp(kind);
  });
  afterEach(async () => {
    await t.close();
  });

  const emailsOf = async (template: NoticeTemplate) => {
    const rows = (await t.ctx.db.query<OutboxRow>("SELECT template, locale, payload, recipient FROM notification_outbox WHERE template = $1 AND channel = 'email' ORDER BY recipient", [template])).rows;
    const links = { cancel: 'https://recur.example/links/cancel?token=t', payment_method: 'https://recur.example/links/payment-method?token=t' };
    const shop = { name: 'Sportwinkel De Vries', support_email: null };
    return rows.map((row) => ({ recipient: row.recipient, ...renderEmail({ template: row.template, locale: row.locale, timeZone: 'Europe/Amsterdam', payload: row.payload, links, shop, overrides: {} }) }));
  };

  it("names the plan in the enrolment confirmation as each customer's locale does", async () => {
    const signUp = t.clock.now();
    const trialEnd = new Date(signUp.getTime() + 30 * DAY);
    for (const [externalId, locale] of [['sanne', 'nl'], ['sam', 'en']] as const) {
      const customerId = await seedCustomer(t, externalId, { locale });
      const subscription: ProviderSubscription = {
        id: `sub_${externalId}`,
        providerCustomerId: `cus_${externalId}`,
        status: 'trialing',
        priceId: 'price_monthly',
        priceLookupKey: 'recur_monthly',
        signedUpAt: signUp,
        trialEnd,
        currentPeriodStart: signUp,
        currentPeriodEnd: trialEnd,
        cancelAtPeriodEnd: false,
        canceledAt: null,
        metadata: {},
      };
      await t.ctx.db.transaction((tx) => recordProviderSubscription(tx, { provider: 'stripe', customerId, subscription, version: signUp, plans: t.ctx.config.catalogue.plans, entitlementPolicy: entitlementPolicyOf(t.ctx.config), now: signUp, actor: 'test' }));
    }
    const [sam, sanne] = await emailsOf('enrolment-confirmation');
    expect(sanne!.subject).toBe('Bevestiging van je abonnement Maandelijks bij Sportwinkel De Vries');
    expect(sanne!.text).not.toContain('Monthly');
    expect(sam!.subject).toBe('Confirmation of your Monthly subscription with Sportwinkel De Vries');
  });

  it("names the plan in the trial reminder as each customer's locale does", async () => {
    const trialEnd = new Date(t.clock.now().getTime() + 30 * DAY);
    for (const [externalId, locale] of [['sanne', 'nl'], ['sam', 'en']] as const) {
      const customerId = await seedCustomer(t, externalId, { locale });
      await seedSubscription(t, customerId, { status: 'trialing', providerStatus: 'trialing', trialEnd, currentPeriodEnd: trialEnd });
    }
    await scheduleDueNotices(t.ctx, new Date(trialEnd.getTime() - 7 * DAY));
    const [sam, sanne] = await emailsOf('trial-reminder');
    expect(sanne!.subject).toBe('Herinnering: op 31 maart 2026 betaal je €\u00a029,99 voor Maandelijks');
    expect(sanne!.text).toContain('je abonnement Maandelijks automatisch verder');
    expect(sam!.subject).toBe('Reminder: on 31 March 2026 you will pay €29.99 for Monthly');
  });
});
