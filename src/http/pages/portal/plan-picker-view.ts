import { getPlanName } from '../../../domain/plan.ts';
import type { ProviderId } from '../../../domain/provider.ts';
import { formatAmount, formatFrequency } from '../../../notifications/format-notice-values.ts';
import type { SignupOffers } from '../../../services/portal/signup-offers.ts';
import type { PageLocale } from '../../render-html-page.ts';
import { fill } from './portal-text.ts';
import { PROVIDER_CHOICES, signupText, type SignupWords } from './signup-text.ts';

/** One plan's form in the picker: its price, saving, terms in sentences, the ways to pay, and an error when it was sent back. */
export type OfferView = {
  planId: string;
  planName: string;
  price: string;
  saving: string | null;
  terms: string[];
  digest: string;
  providers: { id: ProviderId; label: string; checked: boolean }[];
  error: string | null;
  choose: string;
};

export type PlanPickerView = { text: SignupWords; csrf: string; offers: OfferView[] };

export type PickerProblem = { planId: string; kind: 'consent_missing' | 'terms_changed'; provider?: ProviderId };

/** The picker as the template shows it; `problem` marks the plan whose form came back and why. */
export function viewPlanPicker(offers: Extract<SignupOffers, { kind: 'offers' }>, locale: PageLocale, csrf: string, problem: PickerProblem | null = null): PlanPickerView {
  const text = signupText(locale);
  return {
    text,
    csrf,
    offers: offers.offers.map(({ plan, stated, yearlySaving }) => {
      const planName = getPlanName(plan, locale);
      const sentBack = problem?.planId === plan.id ? problem : null;
      const chosen = sentBack?.provider && offers.providers.includes(sentBack.provider) ? sentBack.provider : offers.providers[0];
      return {
        planId: plan.id,
        planName,
        price: fill(text.price, { amount: formatAmount(plan.amountMinor, plan.currency, locale), frequency: formatFrequency(plan.interval, locale) }),
        saving: yearlySaving ? fill(text.yearlySaving, { amount: formatAmount(yearlySaving.amountMinor, yearlySaving.currency, locale) }) : null,
        terms: stated.sentences,
        digest: stated.digest,
        providers: offers.providers.map((id) => ({ id, label: PROVIDER_CHOICES[locale][id], checked: id === chosen })),
        error: sentBack ? fill(sentBack.kind === 'consent_missing' ? text.consentMissing : text.termsChanged, { plan: planName }) : null,
        choose: fill(text.choose, { plan: planName }),
      };
    }),
  };
}
