import type Stripe from 'stripe';
import type { FastifyInstance } from 'fastify';
import { createBankRedirectPaymentMethod, IDEAL_BANKS, isBankRedirect, isDebitAccount, type BankRedirectType } from '../payments/bank-redirects.ts';
import { SEPA_TEST_ACCOUNTS } from '../payments/sepa-accounts.ts';
import type { StripeRuntime } from '../runtime.ts';
import { dueToday, type Form, payForm, redirectTo } from './checkout-page.ts';
import { completeCheckout } from './complete-checkout.ts';
import { escapeHtml, formatAmount, page } from './html.ts';
import { pageMethodsOf } from './payment-choices.ts';
import { acceptanceOf } from './sepa-debit-payment.ts';

/** The checkout page's `?error=` after the customer failed the payment on the bank page. */
export const BANK_DECLINED = 'bank_declined';
export const BANK_DECLINED_MESSAGE = 'Your bank did not authorize the payment. Choose a payment method and try again.';

const LABELS: Record<BankRedirectType, string> = { ideal: 'iDEAL', bancontact: 'Bancontact' };

/** Where the checkout page sends an iDEAL or Bancontact payment: the bank, with what the customer chose. */
export function bankPageUrl(rt: StripeRuntime, session: Stripe.Checkout.Session, method: BankRedirectType, form: Form): string {
  const query = new URLSearchParams({ method });
  if (method === 'ideal' && form.ideal_bank && IDEAL_BANKS[form.ideal_bank]) query.set('bank', form.ideal_bank);
  if (form.email) query.set('email', form.email);
  return `${rt.sandbox.baseUrl()}/stripe/bank/${session.id}?${query.toString()}`;
}

type Choice = { method: BankRedirectType; bank: string | null; email: string | null };

function choiceOf(session: Stripe.Checkout.Session, fields: Form): Choice | undefined {
  const method = fields.method ?? '';
  if (!isBankRedirect(method) || !pageMethodsOf(session).includes(method)) return undefined;
  const bank = method === 'ideal' && fields.bank && IDEAL_BANKS[fields.bank] ? fields.bank : null;
  return { method, bank, email: fields.email || null };
}

function bankForm(rt: StripeRuntime, session: Stripe.Checkout.Session, choice: Choice): string {
  const accounts = SEPA_TEST_ACCOUNTS.map((account, index) => `<option value="${account.iban}"${index === 0 ? ' selected' : ''}>${account.iban} - ${escapeHtml(account.label)}</option>`).join('');
  const bank = choice.bank ? `<tr><td>Bank</td><td>${escapeHtml(IDEAL_BANKS[choice.bank]!.name)}</td></tr>` : '';
  const hidden = Object.entries({ method: choice.method, bank: choice.bank ?? '', email: choice.email ?? '' })
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
    .join('');
  return page(
    `${LABELS[choice.method]} test payment`,
    `<p>This test payment page stands in for your bank's.</p>
<table><tr><td>Payment method</td><td>${LABELS[choice.method]}</td></tr>${bank}
<tr><td>Amount</td><td class="amount" id="bank-amount">${formatAmount(dueToday(rt, session), session.currency)}</td></tr></table>
<form method="post">${hidden}
<label for="debit-account">Later SEPA Direct Debits (sandbox)</label> <select id="debit-account" name="debit_account">${accounts}</select>
<p class="note">The sandbox saves a SEPA Direct Debit from this payment, as Stripe does; the test IBAN chosen here decides how renewals charged to it end.</p>
<button type="submit" name="action" value="authorize">Authorize test payment</button>
<button class="secondary" type="submit" name="action" value="fail">Fail test payment</button></form>`,
  );
}

/** GET/POST /stripe/bank/:session: the bank's page of an iDEAL or Bancontact payment, like Stripe's test redirect page. */
export function registerBankPage(scope: FastifyInstance, rt: StripeRuntime, afterAction: () => void): void {
  const notOpen = page('Bank', '<p>This Checkout Session is not open.</p>');
  scope.get<{ Params: { id: string }; Querystring: Form }>('/stripe/bank/:id', async (request, reply) => {
    const session = rt.state.checkoutSessions.get(request.params.id);
    if (!session || session.status !== 'open') return reply.status(404).type('text/html').send(notOpen);
    const choice = choiceOf(session, request.query);
    if (!choice) return reply.status(400).type('text/html').send(page('Bank', '<p>This session does not take that payment method.</p>'));
    return reply.type('text/html').send(bankForm(rt, session, choice));
  });

  scope.post<{ Params: { id: string }; Body: Form }>('/stripe/bank/:id', async (request, reply) => {
    const session = rt.state.checkoutSessions.get(request.params.id);
    if (!session || session.status !== 'open') return reply.status(404).type('text/html').send(notOpen);
    const form = request.body ?? {};
    const choice = choiceOf(session, form);
    if (!choice) return reply.status(400).type('text/html').send(page('Bank', '<p>This session does not take that payment method.</p>'));
    if (form.action !== 'authorize') return reply.status(303).header('location', `${rt.sandbox.baseUrl()}/stripe/checkout/${session.id}?error=${BANK_DECLINED}`).send();
    const debitIban = form.debit_account ?? SEPA_TEST_ACCOUNTS[0]!.iban;
    if (!isDebitAccount(debitIban)) return reply.status(400).type('text/html').send(bankForm(rt, session, choice));
    const paymentMethod = createBankRedirectPaymentMethod(rt, { type: choice.method, bank: choice.bank }, choice.email);
    const consent = { acceptance: acceptanceOf(request), debitIban, locale: session.locale };
    const outcome = completeCheckout(rt, session, { paymentMethod, email: choice.email ?? undefined, consent });
    afterAction();
    if (outcome.kind === 'declined') return reply.status(402).type('text/html').send(payForm(rt, session, outcome.error.message));
    return redirectTo(reply, session.success_url, session, 'Payment complete');
  });
}
