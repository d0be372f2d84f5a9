import { afterEach, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/db/repositories/audit-log-repository.ts';
import { runTimeDrivenJobsNow } from '../../src/jobs/run-time-driven-jobs-now.ts';
import { deliverDueNotifications } from '../../src/notifications/deliver-due-notifications.ts';
import { makeNoticeLinks } from '../../src/notifications/link-token.ts';
import { scheduleDueNotices } from '../../src/notifications/schedule-due-notices.ts';
import { reconcileProvider } from '../../src/services/reconciliation/reconcile-provider.ts';
import { cancelScheduledSubscriptions } from '../../src/services/subscription-changes/cancel-scheduled-subscriptions.ts';
import { endScheduledCancels } from '../../src/services/subscription-changes/end-scheduled-cancels.ts';
import { accessToken, paypalCall } from '../sandbox/paypal/paypal-kit.ts';
import { poll } from '../support/poll.ts';
import { testDatabaseKinds } from '../support/test-database.ts';
import { onDay, PAYS, paymentRows, startPaypalRecur, subscriptionRow, type PaypalRecur } from './events/paypal-events-kit.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const CANCEL_ROUTE = 'paypal POST /paypal/v1/billing/subscriptions/:id/cancel';
const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

/** recur's API, the sandbox's request counts and PayPal's own word, around one subscription. */
function kitOf(recur: PaypalRecur) {
  const api = (method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) => recur.t.app.inject({ method, url, headers: { authorization: recur.t.auth }, ...(payload ? { payload } : {}) });
  const ours = async (paypalId: string) =>
    (await recur.t.ctx.db.query<{ id: string; external_id: string }>("SELECT s.id, c.external_id FROM subscriptions s JOIN customers c ON c.id = s.customer_id WHERE s.provider = 'paypal' AND s.provider_subscription_id = $1", [paypalId])).rows[0]!;
  const cancelCalls = async () => ((await (await fetch(`${recur.sandbox.url}/sandbox/requests`)).json()) as { counts: Record<string, number> }).counts[CANCEL_ROUTE] ?? 0;
  const atPaypal = async (paypalId: string) => (await paypalCall(recur.sandbox.url, await accessToken(recur.sandbox.url), 'GET', `/v1/billing/subscriptions/${paypalId}`)).body as { status: string; billing_info?: { next_billing_time?: string } };
  const entitlement = async (externalId: string) => (await api('GET', `/v1/customers/${externalId}/entitlement`)).json() as { entitled: boolean; reason: string };
  const runJob = () => cancelScheduledSubscriptions(recur.t.ctx, recur.t.ctx.clock.now());
  const moveTo = async (at: Date) => {
    await recur.sandbox.advance(at);
    await recur.settle();
  };
  const sync = () => reconcileProvider(recur.t.ctx, { provider: 'paypal', trigger: 'cli' });
  /** The job as `recur start` runs it after the clock moved: queued on the job engine; done when the subscription is canceled in recur. */
  const runTimeDrivenJobs = async (paypalId: string) => {
    await runTimeDrivenJobsNow(recur.t.ctx.jobs!);
    await poll('the job ended it in recur', async () => ((await subscriptionRow(recur.t, paypalId))?.status === 'canceled' ? true : null));
  };
  const cancellationNotices = async (id: string) => (await recur.t.ctx.db.query("SELECT 1 FROM notification_outbox WHERE subscription_id = $1 AND template = 'cancellation-confirmation'", [id])).rows.length;
  /** PayPal's BILLING.SUBSCRIPTION.CANCELLED of this subscription processed once more (an admin's replay): answers the replay's status code. */
  const processCancelledAgain = async (paypalId: string) => {
    const inbox = await recur.t.ctx.db.query<{ id: string }>(
      "UPDATE webhook_inbox SET status = 'ignored' WHERE provider = 'paypal' AND type = 'BILLING.SUBSCRIPTION.CANCELLED' AND payload->'resource'->>'id' = $1 AND status = 'processed' RETURNING id::text",
      [paypalId],
    );
    if (inbox.rows.length !== 1) throw new Error(`expected one processed CANCELLED event, found ${inbox.rows.length}`);
    const replayed = await api('POST', `/v1/webhook-events/${inbox.rows[0]!.id}/replay`);
    await recur.settle();
    const row = await recur.t.ctx.db.query<{ status: string }>('SELECT status FROM webhook_inbox WHERE id = $1', [inbox.rows[0]!.id]);
    return { statusCode: replayed.statusCode, inboxStatus: row.rows[0]!.status };
  };
  const faultCancels = async (errorRate: number) => {
    const rules = errorRate > 0 ? [{ provider: 'paypal', route: `POST ${CANCEL_ROUTE.split(' ')[2]}`, errorRate, errorStatus: 503, retryAfterSeconds: 0 }] : [];
    const response = await fetch(`${recur.sandbox.url}/sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ requests: rules }) });
    if (!response.ok) throw new Error(`faults refused: ${response.status} ${await response.text()}`);
  };
  return { api, ours, cancelCalls, atPaypal, entitlement, runJob, moveTo, sync, faultCancels, runTimeDrivenJobs, cancellationNotices, processCancelledAgain };
}

describe.each(testDatabaseKinds)('a PayPal subscription cancelled at the end of its paid period by recur on %s', (kind) => {
  let recur: PaypalRecur | undefined;
  afterEach(async () => {
    await recur?.close();
    recur = undefined;
  }, 120_000);

  it('is recorded by recur and cancelled at PayPal at once, survives reconciliation, and access and status last until the period end', async () => {
    recur = await startPaypalRecur(kind);
    const k = kitOf(recur);
    const { subscriptionId: paypalId, customerId } = await recur.subscribe(PAYS.replace('@', '+later@'));
    await recur.moveToDay(40);
    const { id, external_id: externalId } = await k.ours(paypalId);
    const nextBilling = new Date((await k.atPaypal(paypalId)).billing_info!.next_billing_time!);

    const scheduled = await k.api('POST', `/v1/subscriptions/${id}/cancel`, {});
    expect(scheduled.statusCode, scheduled.body).toBe(200);
    // PayPal is asked at once, so nothing more can be billed; recur shows it running until the end, as Stripe does.
    expect(scheduled.json()).toMatchObject({ status: 'active', provider_status: 'CANCELLED', cancel_at_period_end: true, current_period_end: nextBilling.toISOString(), canceled_at: onDay(40).toISOString() });
    expect(await k.cancelCalls()).toBe(1);
    expect((await k.atPaypal(paypalId)).status).toBe('CANCELLED');
    const again = await k.api('POST', `/v1/subscriptions/${id}/cancel`, {});
    expect([again.statusCode, again.json().error.code]).toEqual([409, 'conflict']);
    const audit = await listAuditEntries(recur.t.ctx.db, 'subscription', id);
    expect(audit.filter((entry) => entry.action === 'cancel_scheduled')).toEqual([expect.objectContaining({ actor: expect.stringMatching(/^api_key:/), after: expect.objectContaining({ at: 'period_end', ends_at: nextBilling.toISOString(), scheduled_by: 'recur' }) })]);
    const confirmations = await recur.t.ctx.db.query<{ payload: { ends_at: string } }>("SELECT payload FROM notification_outbox WHERE subscription_id = $1 AND template = 'cancellation-confirmation'", [id]);
    expect(confirmations.rows.map((row) => row.payload.ends_at)).toEqual([nextBilling.toISOString()]);

    // A reconciliation run reads PayPal's CANCELLED and finds recur's row right; the job has nothing to ask again.
    const run = await k.sync();
    expect(run).toMatchObject({ status: 'succeeded', counts: {} });
    expect((await k.api('GET', `/v1/subscriptions/${id}`)).json()).toMatchObject({ status: 'active', cancel_at_period_end: true });
    const runs = await Promise.all([k.runJob(), k.runJob()]);
    expect(runs).toEqual([{ canceled: [], failed: [] }, { canceled: [], failed: [] }]);
    expect(await k.cancelCalls()).toBe(1);
    await k.moveTo(new Date(nextBilling.getTime() - HOUR / 2));

    // PayPal's BILLING.SUBSCRIPTION.CANCELLED is applied: until the period end recur shows it as Stripe would,
    // active and set to cancel (PayPal's own word kept beside it), and access goes on.
    await recur.settle();
    expect(await subscriptionRow(recur.t, paypalId)).toMatchObject({ status: 'active', provider_status: 'CANCELLED', canceled_at: onDay(40), current_period_end: nextBilling });
    const lastHalfHour = { status: 'active', provider_status: 'CANCELLED', cancel_at_period_end: true, current_period_end: nextBilling.toISOString(), canceled_at: onDay(40).toISOString() };
    expect((await k.api('GET', `/v1/subscriptions/${id}`)).json()).toMatchObject(lastHalfHour);
    const listed = (await k.api('GET', `/v1/subscriptions?customer=${externalId}`)).json() as { data: { id: string; status: string }[] };
    expect(listed.data.map((item) => [item.id, item.status])).toEqual([[id, 'active']]);
    expect((await k.api('GET', `/v1/subscriptions?status=canceled&customer=${externalId}`)).json().data).toEqual([]);
    expect(await k.entitlement(externalId)).toMatchObject({ entitled: true, reason: 'active' });
    expect(await k.sync()).toMatchObject({ status: 'succeeded', counts: {} });
    const auditBefore = (await listAuditEntries(recur.t.ctx.db, 'subscription', id)).length;
    expect(await k.processCancelledAgain(paypalId)).toEqual({ statusCode: 200, inboxStatus: 'processed' });
    expect((await k.api('GET', `/v1/subscriptions/${id}`)).json()).toMatchObject(lastHalfHour);
    expect(await listAuditEntries(recur.t.ctx.db, 'subscription', id)).toHaveLength(auditBefore);
    expect(await k.runJob()).toEqual({ canceled: [], failed: [] });
    expect(await k.cancelCalls()).toBe(1);
    const resume = await k.api('POST', `/v1/subscriptions/${id}/resume`, {});
    expect([resume.statusCode, resume.json().error.code]).toEqual([409, 'conflict']);
    expect(resume.json().error.message).toContain('cannot be resumed');
    const askedAgain = await k.api('POST', `/v1/subscriptions/${id}/cancel`, {});
    expect([askedAgain.statusCode, askedAgain.json().error.code]).toEqual([409, 'conflict']);
    expect(askedAgain.json().error.message).toContain('already canceled at PayPal');

    // At the period end access stops, even before a run; the first run after it ends the subscription
    // in recur, canceled at the period end: nothing charged, one confirmation in all, one call.
    const paymentsBefore = await paymentRows(recur.t, customerId);
    await k.moveTo(nextBilling);
    expect(await k.entitlement(externalId)).toMatchObject({ entitled: false, reason: 'canceled' });
    await k.moveTo(new Date(nextBilling.getTime() + 2 * 86_400_000));
    await k.runTimeDrivenJobs(paypalId);
    expect((await k.api('GET', `/v1/subscriptions/${id}`)).json()).toMatchObject({ status: 'canceled', provider_status: 'CANCELLED', cancel_at_period_end: true, canceled_at: nextBilling.toISOString(), current_period_end: nextBilling.toISOString() });
    expect(await paymentRows(recur.t, customerId)).toEqual(paymentsBefore);
    expect(await k.entitlement(externalId)).toMatchObject({ entitled: false, reason: 'canceled' });
    const ended = (await listAuditEntries(recur.t.ctx.db, 'subscription', id)).filter((entry) => entry.action === 'ended');
    expect(ended).toEqual([expect.objectContaining({ actor: 'system:scheduled-cancel', after: expect.objectContaining({ status: 'canceled', ended_at: nextBilling.toISOString() }) })]);
    expect(await endScheduledCancels(recur.t.ctx, recur.t.ctx.clock.now())).toEqual({ ended: [], failed: [] });
    expect(await k.sync()).toMatchObject({ status: 'succeeded', counts: {} });
    expect(await k.processCancelledAgain(paypalId)).toEqual({ statusCode: 200, inboxStatus: 'processed' });
    expect(await subscriptionRow(recur.t, paypalId)).toMatchObject({ status: 'canceled', canceled_at: nextBilling, current_period_end: nextBilling });
    expect(await k.cancelCalls()).toBe(1);
    await recur.settle();
    expect(await k.cancellationNotices(id)).toBe(1);
  }, 120_000);

  it("the trial reminder's cancel link works for a trialing subscription, also while PayPal refuses the cancel; resume undoes it until PayPal cancelled; the job asks again", async () => {
    recur = await startPaypalRecur(kind, null, { messaging: true });
    const running = recur;
    const k = kitOf(running);
    const email = 'proefperiode@example.nl';
    const { subscriptionId: paypalId, customerId } = await running.subscribe(PAYS.replace('@', '+trial@'), { email, name: 'Tess de Vries', locale: 'nl' });
    await running.settle();
    const { id, external_id: externalId } = await k.ours(paypalId);
    const trialEnd = new Date((await k.atPaypal(paypalId)).billing_info!.next_billing_time!);
    expect((await k.api('GET', `/v1/subscriptions/${id}`)).json()).toMatchObject({ status: 'trialing', trial_end: trialEnd.toISOString() });

    // The trial reminder goes out a week before the first charge, with the signed cancel link.
    await running.moveToDay(23);
    await scheduleDueNotices(running.t.ctx, running.t.ctx.clock.now());
    await deliverDueNotifications({ ...running.t.ctx, messaging: running.t.ctx.messaging!, random: () => 0.5 });
    const mails = ((await (await fetch(`${running.sandbox.url}/sandbox/mail?to=${encodeURIComponent(email)}`)).json()) as { data: { text: string | null; categories: string[] }[] }).data;
    const reminder = mails.find((mail) => mail.categories[0] === 'trial-reminder');
    const link = reminder?.text?.match(/https?:\/\/\S+\/links\/cancel\?token=[A-Za-z0-9._~%-]+/)?.[0];
    expect(link, 'a cancel link in the trial reminder').toBeDefined();
    const token = new URL(link!).searchParams.get('token')!;

    // The customer opens it (nothing changes) and presses the button while PayPal answers 503 to the cancel:
    // the request is recorded all the same (set to cancel when the trial ends), and PayPal still bills nothing yet.
    await k.faultCancels(1);
    const question = await fetch(link!, { headers: HTML });
    expect(question.status).toBe(200);
    expect(await question.text()).toContain('Ja, zeg mijn abonnement op');
    expect((await k.api('GET', `/v1/subscriptions/${id}`)).json()).toMatchObject({ cancel_at_period_end: false });
    const pressed = await fetch(new URL('/links/cancel', link!), { method: 'POST', headers: { ...HTML, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }).toString() });
    expect(pressed.status).toBe(200);
    expect(await pressed.text()).toContain('Je abonnement is opgezegd');
    expect((await k.api('GET', `/v1/subscriptions/${id}`)).json()).toMatchObject({ status: 'trialing', cancel_at_period_end: true, current_period_end: trialEnd.toISOString(), trial_end: trialEnd.toISOString() });
    const byLink = await listAuditEntries(running.t.ctx.db, 'subscription', id);
    expect(byLink.filter((entry) => entry.action === 'cancel_scheduled').map((entry) => entry.actor)).toEqual([`link:${id}`]);
    expect(await k.entitlement(externalId)).toMatchObject({ entitled: true, reason: 'trialing' });
    expect((await k.atPaypal(paypalId)).status).toBe('ACTIVE');

    // Resume an hour later: PayPal never cancelled, so recur alone undoes it; the old link no longer applies.
    await k.moveTo(new Date(onDay(23).getTime() + HOUR));
    const resumed = await k.api('POST', `/v1/subscriptions/${id}/resume`, {});
    expect(resumed.statusCode, resumed.body).toBe(200);
    expect(resumed.json()).toMatchObject({ status: 'trialing', cancel_at_period_end: false, canceled_at: null });
    expect((await fetch(link!, { headers: HTML })).status).toBe(409);
    expect(await k.runJob()).toEqual({ canceled: [], failed: [] });

    // Asked again through the API, PayPal still refusing: a run fails too, the next one after PayPal recovers cancels.
    expect((await k.api('POST', `/v1/subscriptions/${id}/cancel`, { at: 'period_end' })).json()).toMatchObject({ cancel_at_period_end: true });
    await k.moveTo(new Date(trialEnd.getTime() - HOUR / 2));
    const failing = await k.runJob();
    expect(failing.canceled).toEqual([]);
    expect(failing.failed).toHaveLength(1);
    const tried = await k.cancelCalls();
    expect(tried).toBeGreaterThanOrEqual(1);
    expect((await k.atPaypal(paypalId)).status).toBe('ACTIVE');
    await k.faultCancels(0);
    expect(await k.runJob()).toEqual({ canceled: [id], failed: [] });
    expect(await k.cancelCalls()).toBe(tried + 1);
    await running.settle();
    expect(await subscriptionRow(running.t, paypalId)).toMatchObject({ status: 'trialing', provider_status: 'CANCELLED', current_period_end: trialEnd });
    expect((await k.api('GET', `/v1/subscriptions/${id}`)).json()).toMatchObject({ status: 'trialing', cancel_at_period_end: true, current_period_end: trialEnd.toISOString(), trial_end: trialEnd.toISOString() });
    expect(await k.entitlement(externalId)).toMatchObject({ entitled: true, reason: 'trialing' });
    expect(await k.sync()).toMatchObject({ status: 'succeeded', counts: {} });
    // The cancel page (a link issued now) says it ends with the trial, not that it has ended.
    const freshLink = makeNoticeLinks(running.t.ctx.messaging!, id, running.t.ctx.clock.now()).cancel;
    const lastHalfHour = await fetch(freshLink, { headers: HTML });
    expect(lastHalfHour.status).toBe(200);
    const lastHalfHourText = await lastHalfHour.text();
    expect(lastHalfHourText).toContain('was al opgezegd en loopt af op');
    expect(lastHalfHourText).not.toContain('beëindigd');

    // The trial ends with nothing charged, and access with it; the subscription is canceled at the trial's end.
    await k.moveTo(new Date(trialEnd.getTime() + DAY));
    await k.runTimeDrivenJobs(paypalId);
    expect(await subscriptionRow(running.t, paypalId)).toMatchObject({ status: 'canceled', canceled_at: trialEnd, current_period_end: trialEnd });
    expect(await paymentRows(running.t, customerId)).toEqual([]);
    expect(await k.entitlement(externalId)).toMatchObject({ entitled: false, reason: 'canceled' });
    expect(await k.cancellationNotices(id)).toBe(2);
    expect(await (await fetch(freshLink, { headers: HTML })).text()).toContain('is al beëindigd');
  }, 120_000);

  it('when PayPal billed before its cancel got through (PayPal unreachable until then), the customer keeps the period just paid for', async () => {
    recur = await startPaypalRecur(kind);
    const k = kitOf(recur);
    const { subscriptionId: paypalId, customerId } = await recur.subscribe(PAYS.replace('@', '+late@'));
    await recur.moveToDay(40);
    const { id, external_id: externalId } = await k.ours(paypalId);
    const nextBilling = new Date((await k.atPaypal(paypalId)).billing_info!.next_billing_time!);
    await k.faultCancels(1);
    expect((await k.api('POST', `/v1/subscriptions/${id}/cancel`, {})).json()).toMatchObject({ cancel_at_period_end: true });
    const refused = await k.cancelCalls();
    const paid = (await paymentRows(recur.t, customerId)).length;

    // PayPal refuses every cancel until an hour after the billing time, and charged the next month meanwhile.
    await k.moveTo(new Date(nextBilling.getTime() + HOUR));
    await k.faultCancels(0);
    expect(await paymentRows(recur.t, customerId)).toHaveLength(paid + 1);
    const paidUntil = new Date((await k.atPaypal(paypalId)).billing_info!.next_billing_time!);
    expect(paidUntil.getTime()).toBeGreaterThan(nextBilling.getTime());
    expect((await k.api('GET', `/v1/subscriptions/${id}`)).json()).toMatchObject({ status: 'active', cancel_at_period_end: true });

    // This time the job runs as `recur start` runs it: queued when the clock moved, on the job engine.
    await runTimeDrivenJobsNow(recur.t.ctx.jobs!);
    const running = recur;
    await poll('the job cancelled it', async () => ((await subscriptionRow(running.t, paypalId))?.provider_status === 'CANCELLED' ? true : null));
    expect(await k.cancelCalls()).toBe(refused + 1);
    await recur.settle();
    expect(await subscriptionRow(recur.t, paypalId)).toMatchObject({ status: 'active', provider_status: 'CANCELLED', canceled_at: onDay(40), current_period_end: paidUntil });
    const audit = await listAuditEntries(recur.t.ctx.db, 'subscription', id);
    expect(audit.find((entry) => entry.action === 'canceled')).toMatchObject({ actor: 'system:scheduled-cancel', after: expect.objectContaining({ ends_at: paidUntil.toISOString(), billed_before_cancel: true }) });
    expect(await k.entitlement(externalId)).toMatchObject({ entitled: true, reason: 'active' });
    await k.moveTo(new Date(paidUntil.getTime() + DAY));
    await k.runTimeDrivenJobs(paypalId);
    expect(await subscriptionRow(recur.t, paypalId)).toMatchObject({ status: 'canceled', canceled_at: paidUntil, current_period_end: paidUntil });
    expect(await paymentRows(recur.t, customerId)).toHaveLength(paid + 1);
    expect(await k.entitlement(externalId)).toMatchObject({ entitled: false, reason: 'canceled' });
  }, 120_000);

  it('a run that died holding the cancel blocks resume and other runs until its lease ends; the next run then cancels once', async () => {
    recur = await startPaypalRecur(kind);
    const k = kitOf(recur);
    const { subscriptionId: paypalId } = await recur.subscribe(PAYS.replace('@', '+crash@'));
    await recur.moveToDay(40);
    const { id } = await k.ours(paypalId);
    const nextBilling = new Date((await k.atPaypal(paypalId)).billing_info!.next_billing_time!);
    // PayPal unreachable when the customer asks: the request stands for the job.
    await k.faultCancels(1);
    expect((await k.api('POST', `/v1/subscriptions/${id}/cancel`, {})).json()).toMatchObject({ cancel_at_period_end: true });
    await k.faultCancels(0);
    const refused = await k.cancelCalls();
    const claimedAt = new Date(nextBilling.getTime() - 50 * 60_000);
    await k.moveTo(claimedAt);

    // What a run leaves behind when its process dies after claiming (before or after asking PayPal).
    await recur.t.ctx.db.query('UPDATE subscriptions SET recur_cancel_claimed_at = $2 WHERE id = $1', [id, claimedAt]);
    const resume = await k.api('POST', `/v1/subscriptions/${id}/resume`, {});
    expect([resume.statusCode, resume.json().error.code]).toEqual([409, 'conflict']);
    expect(resume.json().error.message).toContain('can no longer be resumed');
    const now = await k.api('POST', `/v1/subscriptions/${id}/cancel`, { at: 'now' });
    expect([now.statusCode, now.json().error.code]).toEqual([409, 'conflict']);
    expect(await k.runJob()).toEqual({ canceled: [], failed: [] });

    // Ten minutes on, the claim has lapsed: one run takes it over and cancels, before the next billing.
    await k.moveTo(new Date(claimedAt.getTime() + 11 * 60_000));
    expect(await k.runJob()).toEqual({ canceled: [id], failed: [] });
    expect(await k.cancelCalls()).toBe(refused + 1);
    await recur.settle();
    expect(await subscriptionRow(recur.t, paypalId)).toMatchObject({ status: 'active', provider_status: 'CANCELLED', current_period_end: nextBilling });
    await k.moveTo(new Date(nextBilling.getTime() + HOUR));
    expect(await endScheduledCancels(recur.t.ctx, recur.t.ctx.clock.now())).toEqual({ ended: [id], failed: [] });
    expect(await subscriptionRow(recur.t, paypalId)).toMatchObject({ status: 'canceled', canceled_at: nextBilling });
  }, 120_000);
});
