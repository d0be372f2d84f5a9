import { z } from 'zod';
import { formatAmount, formatDate } from '../format-notice-values.ts';
import { defineAdminAlert, type AlertField } from './admin-alert-kit.ts';

/**
 * The admin alerts, one per incident. Their payloads are written by the code that decides the
 * alert: src/webhooks/record-dead-letter-alert.ts, src/services/risk/review-declined-charges.ts,
 * src/services/risk/apply-dispute-policy.ts, src/services/reconciliation/*, the job engine.
 */
const text = z.string();
const count = z.number().int().nonnegative();
const id = z.union([z.string(), z.number()]);
const asIs = (value: unknown) => String(value);

const field = (key: string, schema: z.ZodType, nl: string, en: string, extra: Partial<AlertField> = {}): AlertField => ({ key, schema, label: { nl, en }, ...extra });

const customerFields = [field('customer_id', text, 'Klant', 'Customer'), field('provider_customer_id', text, 'Klant bij de provider', 'Provider customer')];
const fraudFields = [
  ...customerFields,
  field('declined', count, 'Geweigerde betalingen', 'Declined charges'),
  field('window_days', count, 'Periode (dagen)', 'Window (days)'),
  field('threshold', count, 'Drempel', 'Threshold'),
];

export const deadWebhookAlert = defineAdminAlert({
  fields: [
    field('provider', text, 'Provider', 'Provider'),
    field('type', text, 'Soort event', 'Event type'),
    field('provider_event_id', text, 'Event-id', 'Event id'),
    field('inbox_id', id, 'Inbox-id', 'Inbox id', { format: asIs }),
    field('attempts', count, 'Pogingen', 'Attempts'),
    field('last_error', text, 'Laatste fout', 'Last error'),
  ],
  subject: {
    nl: (v) => `Webhook-event ${v.type} van ${v.provider} opgegeven na ${v.attempts} pogingen`,
    en: (v) => `Webhook event ${v.type} from ${v.provider} given up after ${v.attempts} attempts`,
  },
  intro: {
    nl: () => 'recur heeft een webhook-event na het maximale aantal pogingen opgegeven. Het staat als "dead" in de inbox; de wijziging die het meldde, is niet verwerkt.',
    en: () => 'recur gave up on a webhook event after the maximum number of attempts. It is marked "dead" in the inbox; the change it reported has not been applied.',
  },
  next: {
    nl: (v) => `Los de oorzaak op en bied het event opnieuw aan: recur events replay ${v.provider_event_id}`,
    en: (v) => `Fix the cause, then queue the event again: recur events replay ${v.provider_event_id}`,
  },
});

export const fraudBanAlert = defineAdminAlert({
  fields: [...fraudFields, field('canceled_subscriptions', count, 'Opgezegde abonnementen', 'Cancelled subscriptions'), field('refunded_charges', count, 'Terugbetaalde betalingen', 'Refunded charges')],
  subject: { nl: (v) => `Klant ${v.customer_id} geblokkeerd wegens vermoedelijke fraude`, en: (v) => `Customer ${v.customer_id} banned for suspected fraud` },
  intro: {
    nl: (v) => `${v.declined} geweigerde betalingen in ${v.window_days} dagen en nooit betaald: recur heeft de klant geblokkeerd, de abonnementen opgezegd en betalingen volgens het terugbetaalbeleid teruggestort.`,
    en: (v) => `${v.declined} declined charges in ${v.window_days} days and never paid: recur banned the customer, cancelled the subscriptions and refunded charges as the refund policy says.`,
  },
});

export const fraudSuspectAlert = defineAdminAlert({
  fields: fraudFields,
  subject: { nl: (v) => `Verdachte geweigerde betalingen bij klant ${v.customer_id}`, en: (v) => `Suspicious declined charges for customer ${v.customer_id}` },
  intro: {
    nl: (v) => `${v.declined} geweigerde betalingen in ${v.window_days} dagen, maar deze klant heeft eerder betaald. recur heeft niets geblokkeerd: beoordeel zelf of er iets moet gebeuren.`,
    en: (v) => `${v.declined} declined charges in ${v.window_days} days, but this customer has paid before. recur blocked nothing: please decide whether action is needed.`,
  },
});

const POLICY_WORDS = { nl: { accept: 'geaccepteerd (gesloten bij de provider)', hold: 'opengehouden voor bewijs' }, en: { accept: 'accepted (closed at the provider)', hold: 'held open for evidence' } };

export const disputeAlert = defineAdminAlert({
  fields: [
    field('dispute', text, 'Geschil', 'Dispute'),
    field('charge', text, 'Betaling', 'Charge'),
    field('amount_minor', z.number().int(), 'Bedrag', 'Amount', {
      placeholder: 'amount',
      format: (value, payload, context) => (typeof payload.currency === 'string' ? formatAmount(value as number, payload.currency, context.locale) : String(value)),
    }),
    field('currency', z.string().regex(/^[A-Z]{3}$/), 'Valuta', 'Currency', { hidden: true }),
    field('reason', text, 'Reden', 'Reason'),
    ...customerFields.slice(0, 1),
    field('subscription_id', text, 'Abonnement', 'Subscription'),
    field('policy', z.enum(['accept', 'hold']), 'Beleid', 'Policy', { format: (value, _payload, context) => POLICY_WORDS[context.locale][value as 'accept' | 'hold'] }),
    field('evidence_due_by', z.iso.datetime({ offset: true }), 'Bewijs indienen vóór', 'Evidence due by', { format: (value, _payload, context) => formatDate(value as string, context.locale, context.timeZone) }),
  ],
  subject: { nl: (v) => `Nieuw geschil over ${v.amount} (${v.dispute})`, en: (v) => `New dispute over ${v.amount} (${v.dispute})` },
  intro: {
    nl: (_v, payload) =>
      [
        'Een klant heeft een betaling betwist.',
        payload.policy === 'accept' ? 'Volgens het beleid is het geschil geaccepteerd.' : 'Het geschil staat open, zodat je bewijs kunt indienen.',
        payload.subscription_id ? 'Het abonnement dat met deze betaling is betaald, is opgezegd.' : '',
      ].join(' ').trim(),
    en: (_v, payload) =>
      [
        'A customer disputed a payment.',
        payload.policy === 'accept' ? 'As the policy says, the dispute was accepted.' : 'The dispute is held open so you can submit evidence.',
        payload.subscription_id ? 'The subscription the payment paid for has been cancelled.' : '',
      ].join(' ').trim(),
  },
});

export const severalLiveSubscriptionsAlert = defineAdminAlert({
  fields: [
    field('provider', text, 'Provider', 'Provider'),
    ...customerFields,
    field('subscriptions', z.array(z.object({ id: z.string(), status: z.string() })), 'Abonnementen', 'Subscriptions', {
      format: (value) => (value as { id: string; status: string }[]).map((subscription) => `${subscription.id} (${subscription.status})`).join('\n'),
    }),
    field('run_id', id, 'Reconciliatierun', 'Reconciliation run', { format: asIs }),
  ],
  subject: { nl: (v) => `Meerdere lopende abonnementen voor klant ${v.provider_customer_id} bij ${v.provider}`, en: (v) => `Several live subscriptions for customer ${v.provider_customer_id} at ${v.provider}` },
  intro: {
    nl: () => 'De reconciliatie vond meer dan één lopend abonnement voor één klant: die betaalt mogelijk dubbel. recur zegt niets op; beslis zelf welk abonnement blijft en of je iets terugbetaalt.',
    en: () => 'Reconciliation found more than one live subscription for one customer, who may be paying twice. recur cancels nothing: decide which subscription stays and whether to refund.',
  },
});

export const missingAtProviderAlert = defineAdminAlert({
  fields: [
    field('provider', text, 'Provider', 'Provider'),
    field('provider_subscription_id', text, 'Abonnement bij de provider', 'Provider subscription'),
    field('subscription_id', text, 'Abonnement', 'Subscription'),
    field('customer_id', text, 'Klant', 'Customer'),
    field('previous_status', text, 'Status tot nu toe', 'Status until now'),
    field('run_id', id, 'Reconciliatierun', 'Reconciliation run', { format: asIs }),
  ],
  subject: { nl: (v) => `Abonnement ${v.provider_subscription_id} bestaat niet bij ${v.provider}: beëindigd`, en: (v) => `Subscription ${v.provider_subscription_id} does not exist at ${v.provider}: ended` },
  intro: {
    nl: (v) =>
      `Dit abonnement bestaat niet (meer) bij ${v.provider}, dus betaalt niemand ervoor. recur heeft het beëindigd: de klant heeft er geen toegang meer door, en de klant is niet gemaild. Het kwam van een vervalst event, is bij ${v.provider} verwijderd, of recur praat met een ander account dan vroeger.`,
    en: (v) =>
      `This subscription does not exist (any more) at ${v.provider}, so nobody pays for it. recur ended it: it no longer entitles the customer, and the customer was not e-mailed. It came from a forged event, was deleted at ${v.provider}, or recur now talks to another account than before.`,
  },
  next: {
    nl: (v) => `Controleer de klant en de sleutels van ${v.provider}. Verschijnt het abonnement weer bij ${v.provider}, dan herstelt de volgende reconciliatie het.`,
    en: (v) => `Check the customer and ${v.provider}'s keys. If the subscription shows up at ${v.provider} again, the next reconciliation restores it.`,
  },
});

export const reconciliationAlert = defineAdminAlert({
  fields: [
    field('provider', text, 'Provider', 'Provider'),
    field('run_id', id, 'Run', 'Run', { format: asIs }),
    field('findings', count, 'Afwijkingen', 'Findings'),
    field('kinds', z.record(z.string(), z.number()), 'Soorten', 'Kinds', {
      format: (value) => Object.entries(value as Record<string, number>).map(([kind, n]) => `${kind}: ${n}`).join('\n'),
    }),
  ],
  subject: { nl: (v) => `Reconciliatie met ${v.provider}: ${v.findings} afwijkingen`, en: (v) => `Reconciliation with ${v.provider}: ${v.findings} findings` },
  intro: {
    nl: (v) => `Een reconciliatierun vond verschillen tussen recur en ${v.provider} en heeft recur hersteld waar dat kon.`,
    en: (v) => `A reconciliation run found differences between recur and ${v.provider} and repaired recur where it could.`,
  },
  next: {
    nl: (v) => `Het volledige rapport: GET /v1/reconciliation/runs/${v.run_id}`,
    en: (v) => `The full report: GET /v1/reconciliation/runs/${v.run_id}`,
  },
});

export const jobFailureAlert = defineAdminAlert({
  fields: [field('job', text, 'Job', 'Job'), field('job_id', id, 'Job-id', 'Job id', { format: asIs }), field('attempts', count, 'Pogingen', 'Attempts'), field('error', text, 'Fout', 'Error')],
  subject: { nl: (v) => `Job ${v.job} mislukt na ${v.attempts} pogingen`, en: (v) => `Job ${v.job} failed after ${v.attempts} attempts` },
  intro: {
    nl: () => 'Een achtergrondtaak is na alle pogingen mislukt en wordt niet opnieuw geprobeerd.',
    en: () => 'A background job failed on every attempt and will not be retried.',
  },
});

export const webhookFailedAlert = defineAdminAlert({
  fields: [
    field('host', text, 'Endpoint', 'Endpoint'),
    field('endpoint_id', text, 'Endpoint-id', 'Endpoint id'),
    field('type', text, 'Soort event', 'Event type'),
    field('event_id', text, 'Event-id', 'Event id'),
    field('attempts', count, 'Pogingen', 'Attempts'),
    field('last_error', text, 'Laatste fout', 'Last error'),
    field('disabled', z.boolean(), 'Uitgeschakeld', 'Disabled', { format: (value, _payload, context) => (value ? { nl: 'ja', en: 'yes' } : { nl: 'nee', en: 'no' })[context.locale] }),
  ],
  subject: {
    nl: (v, payload) => (payload.disabled ? `Webhook-endpoint ${v.host} uitgeschakeld na dagen zonder succesvolle levering` : `Levering van webhooks aan ${v.host} opgegeven na 3 dagen`),
    en: (v, payload) => (payload.disabled ? `Webhook endpoint ${v.host} disabled after days without a successful delivery` : `Webhook delivery to ${v.host} given up after 3 days`),
  },
  intro: {
    nl: (_v, payload) => `recur kreeg drie dagen lang geen 2xx-antwoord van dit endpoint en heeft de levering opgegeven.${payload.disabled ? ' Het endpoint is uitgeschakeld: er gaan geen events meer heen.' : ''}`,
    en: (_v, payload) => `recur got no 2xx answer from this endpoint for three days and gave up the delivery.${payload.disabled ? ' The endpoint is disabled: no more events go to it.' : ''}`,
  },
  next: {
    nl: (v) => `Herstel de ontvanger, zet het endpoint aan (PATCH /v1/webhook-endpoints/${v.endpoint_id} {"enabled": true}) en speel de gemiste events opnieuw af (POST /v1/webhook-endpoints/${v.endpoint_id}/replay).`,
    en: (v) => `Fix the receiver, enable the endpoint (PATCH /v1/webhook-endpoints/${v.endpoint_id} {"enabled": true}) and replay what it missed (POST /v1/webhook-endpoints/${v.endpoint_id}/replay).`,
  },
});
