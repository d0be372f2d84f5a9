import type { NoticeLocale } from '../notice-catalogue.ts';
import type { Block } from './notice-template.ts';

type LetterValues = { customer_name: string; shop_name: string; support_email: string; cancel_url: string; portal_url?: string };

const WORDS = {
  nl: {
    greeting: (name: string) => (name ? `Hallo ${name},` : 'Hallo,'),
    closing: (shop: string) => `Met vriendelijke groet,\n${shop}`,
    support: (email: string) => `Vragen? Mail ons op ${email}.`,
    cancel: 'Opzeggen kan altijd online, net zo eenvoudig als aanmelden:',
    canceled: 'Je opzegging online bekijken:',
    manage: 'Je abonnement bekijken of beheren? Vraag hier een link aan om in te loggen:',
  },
  en: {
    greeting: (name: string) => (name ? `Hello ${name},` : 'Hello,'),
    closing: (shop: string) => `Kind regards,\n${shop}`,
    support: (email: string) => `Questions? Email us at ${email}.`,
    cancel: 'You can cancel online at any time, as easily as you signed up:',
    canceled: 'View your cancellation online:',
    manage: 'See or manage your subscription? Ask for a link to sign in here:',
  },
} as const;

/**
 * The frame of every customer notice: greeting, the notice's own blocks, sign-off, and a footer
 * with the online cancel link. The footer is here, not in each template, because the card
 * networks and Dutch law want that link in every reminder and receipt: no template can forget it.
 */
export function writeCustomerLetter(locale: NoticeLocale, values: LetterValues, blocks: Block[], footer: 'cancel' | 'canceled' = 'cancel'): Block[] {
  const words = WORDS[locale];
  const letter: Block[] = [{ kind: 'paragraph', text: words.greeting(values.customer_name) }, ...blocks];
  if (values.support_email) letter.push({ kind: 'paragraph', text: words.support(values.support_email) });
  letter.push({ kind: 'paragraph', text: words.closing(values.shop_name) });
  letter.push({ kind: 'paragraph', text: words[footer], link: values.cancel_url });
  if (values.portal_url) letter.push({ kind: 'paragraph', text: words.manage, link: values.portal_url });
  return letter;
}
