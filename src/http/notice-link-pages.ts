import type { CustomerRecord } from '../db/repositories/customer-repository.ts';
import type { SubscriptionRecord } from '../db/repositories/subscription-repository.ts';
import type { LinkTokenCheck } from '../notifications/link-token.ts';
import { formatDate } from '../notifications/format-notice-values.ts';
import { escapeHtml } from '../shared/escape-html.ts';
import { renderHtmlPage } from './render-html-page.ts';

/** The pages behind the links in notices (`/links/*`): their words in Dutch and English, and their HTML. */
export type LinkFailure = Extract<LinkTokenCheck, { ok: false }>['reason'];

export type LinkedSubscription = { subscription: SubscriptionRecord; customer: CustomerRecord; planName: string; defaultTimeZone: string };

const WORDS = {
  nl: {
    cancelTitle: 'Abonnement opzeggen',
    cancelAsk: (plan: string, end: string) => `Wil je je abonnement ${plan} opzeggen? Het loopt dan af op ${end}. Tot die dag kun je het gewoon gebruiken; daarna wordt er niets meer afgeschreven.`,
    cancelButton: 'Ja, zeg mijn abonnement op',
    canceledTitle: 'Je abonnement is opgezegd',
    canceled: (plan: string, end: string) => `Je abonnement ${plan} is opgezegd en loopt af op ${end}. Daarna wordt er niets meer afgeschreven.`,
    alreadyScheduled: (plan: string, end: string) => `Je abonnement ${plan} was al opgezegd en loopt af op ${end}. Je hoeft niets meer te doen.`,
    outdatedTitle: 'Deze link geldt niet meer',
    outdated: (plan: string) => `Je abonnement ${plan} is na het versturen van deze link weer voortgezet, dus deze link zegt het niet meer op. Er is niets veranderd. Wil je toch opzeggen? Gebruik de link in een recentere e-mail, of neem contact op met de winkel.`,
    paymentTitle: 'Betaalgegevens bijwerken',
    paymentAsk: (plan: string) => `Je gaat naar de beveiligde pagina van onze betaalprovider om de betaalgegevens van je abonnement ${plan} bij te werken.`,
    paymentButton: 'Naar de betaalpagina',
    endedTitle: 'Je abonnement is beëindigd',
    ended: (plan: string) => `Je abonnement ${plan} is al beëindigd. Je hoeft niets meer te doen.`,
    periodEnd: 'het einde van de huidige periode',
  },
  en: {
    cancelTitle: 'Cancel your subscription',
    cancelAsk: (plan: string, end: string) => `Do you want to cancel your ${plan} subscription? It will then end on ${end}. You can keep using it until that day; nothing is charged after it.`,
    cancelButton: 'Yes, cancel my subscription',
    canceledTitle: 'Your subscription is canceled',
    canceled: (plan: string, end: string) => `Your ${plan} subscription is canceled and ends on ${end}. Nothing is charged after that.`,
    alreadyScheduled: (plan: string, end: string) => `Your ${plan} subscription was already canceled and ends on ${end}. There is nothing more to do.`,
    outdatedTitle: 'This link no longer applies',
    outdated: (plan: string) => `Your ${plan} subscription was continued after this link was sent, so this link no longer cancels it. Nothing was changed. Still want to cancel? Use the link in a more recent e-mail, or contact the shop.`,
    paymentTitle: 'Update your payment details',
    paymentAsk: (plan: string) => `You will go to our payment provider's secure page to update the payment details of your ${plan} subscription.`,
    paymentButton: 'Go to the payment page',
    endedTitle: 'Your subscription has ended',
    ended: (plan: string) => `Your ${plan} subscription has already ended. There is nothing more to do.`,
    periodEnd: 'the end of the current period',
  },
} as const;

// Pages a customer may reach without a valid token say everything in both languages.
const BILINGUAL: Record<LinkFailure | 'error' | 'done', { title: string; nl: string; en: string }> = {
  malformed: { title: 'Deze link werkt niet · This link does not work', nl: 'Deze link is onvolledig of beschadigd. Er is niets veranderd. Kopieer de hele link uit de e-mail, of neem contact op met de winkel.', en: 'This link is incomplete or damaged. Nothing was changed. Copy the whole link from the e-mail, or contact the shop.' },
  'bad-signature': { title: 'Deze link werkt niet · This link does not work', nl: 'Deze link is niet geldig. Er is niets veranderd.', en: 'This link is not valid. Nothing was changed.' },
  'wrong-purpose': { title: 'Deze link werkt niet · This link does not work', nl: 'Deze link hoort bij een andere pagina. Er is niets veranderd.', en: 'This link belongs to another page. Nothing was changed.' },
  expired: { title: 'Deze link is verlopen · This link has expired', nl: 'Deze link is verlopen. Er is niets veranderd. Gebruik de link uit een recentere e-mail, of neem contact op met de winkel.', en: 'This link has expired. Nothing was changed. Use the link in a more recent e-mail, or contact the shop.' },
  error: { title: 'Dat lukte niet · That did not work', nl: 'Dit kon nu niet worden afgerond. Er is niets veranderd; probeer het later opnieuw of neem contact op met de winkel.', en: 'This could not be completed just now. Nothing was changed; try again later or contact the shop.' },
  done: { title: 'Bedankt · Thank you', nl: 'Je bent terug van de betaalpagina. Je kunt dit venster sluiten.', en: 'You are back from the payment page. You can close this window.' },
};

export function bilingualPage(kind: keyof typeof BILINGUAL, reference: string | null): string {
  const words = BILINGUAL[kind];
  const note = reference ? `<p style="color: #777; font-size: 0.9rem">Referentie / Reference: <code>${escapeHtml(reference)}</code></p>` : '';
  return renderHtmlPage('nl', words.title, [
    { lang: 'nl', title: words.title.split(' · ')[0]!, paragraphs: [words.nl] },
    { lang: 'en', title: words.title.split(' · ')[1] ?? words.title, paragraphs: [words.en] },
  ], note);
}

function describe({ subscription, customer, planName, defaultTimeZone }: LinkedSubscription) {
  const locale = customer.locale;
  const endsAt = subscription.currentPeriodEnd ?? subscription.trialEnd;
  return { locale, words: WORDS[locale], plan: planName, end: endsAt ? formatDate(endsAt, locale, customer.timeZone ?? defaultTimeZone) : WORDS[locale].periodEnd };
}

/** A page for a subscription that is canceled or set to cancel; null while it runs on. */
export function settledPage(target: LinkedSubscription, justCanceled: boolean): string | null {
  const { locale, words, plan, end } = describe(target);
  if (target.subscription.status === 'canceled') return renderHtmlPage(locale, words.endedTitle, [{ lang: locale, title: words.endedTitle, paragraphs: [words.ended(plan)] }]);
  if (!target.subscription.cancelAtPeriodEnd) return null;
  const text = justCanceled ? words.canceled(plan, end) : words.alreadyScheduled(plan, end);
  return renderHtmlPage(locale, words.canceledTitle, [{ lang: locale, title: words.canceledTitle, paragraphs: [text] }]);
}

// A relative action keeps a path prefix in PUBLIC_BASE_URL; only the POST does anything.
const buttonForm = (action: string, token: string, label: string) =>
  `<form method="post" action="${action}"><input type="hidden" name="token" value="${escapeHtml(token)}"><button type="submit" style="font-size: 1rem; padding: 0.6rem 1.2rem">${escapeHtml(label)}</button></form>`;

export function cancelQuestionPage(target: LinkedSubscription, token: string): string {
  const { locale, words, plan, end } = describe(target);
  return renderHtmlPage(locale, words.cancelTitle, [{ lang: locale, title: words.cancelTitle, paragraphs: [words.cancelAsk(plan, end)] }], buttonForm('cancel', token, words.cancelButton));
}

/** A cancel link issued before the subscription was resumed: it says so, with no button. */
export function outdatedCancelPage(target: LinkedSubscription): string {
  const { locale, words, plan } = describe(target);
  return renderHtmlPage(locale, words.outdatedTitle, [{ lang: locale, title: words.outdatedTitle, paragraphs: [words.outdated(plan)] }]);
}

/** The payment-method link's page: where the button leads (opening the page starts no portal session). */
export function paymentMethodPage(target: LinkedSubscription, token: string): string {
  const { locale, words, plan } = describe(target);
  return renderHtmlPage(locale, words.paymentTitle, [{ lang: locale, title: words.paymentTitle, paragraphs: [words.paymentAsk(plan)] }], buttonForm('payment-method', token, words.paymentButton));
}
