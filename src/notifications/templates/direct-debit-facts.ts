import type { NoticeLocale } from '../notice-catalogue.ts';
import type { Block } from './notice-template.ts';

type DebitValues = { mandate_reference: string; creditor_id: string; amount: string };

const WORDS = {
  nl: {
    intro: 'We schrijven dit bedrag af via SEPA-incasso, onder de machtiging die je ons gaf:',
    date: 'Datum van afschrijving',
    amount: 'Bedrag',
    mandate: 'Machtigingskenmerk',
    creditor: 'Incassant-ID',
  },
  en: {
    intro: 'We will collect this amount by SEPA Direct Debit, under the mandate you gave us:',
    date: 'Debit date',
    amount: 'Amount',
    mandate: 'Mandate reference',
    creditor: 'Creditor identifier',
  },
} as const;

/**
 * The pre-notification of a SEPA debit (SEPA rulebook): the date and amount of the debit, the
 * mandate it is taken under and the creditor who takes it. Nothing for a subscription that is not
 * paid by direct debit; the creditor line only when the shop set SEPA_CREDITOR_ID.
 */
export function directDebitBlocks(locale: NoticeLocale, values: DebitValues, debitDate: string): Block[] {
  if (!values.mandate_reference || !debitDate) return [];
  const words = WORDS[locale];
  const rows: [string, string][] = [
    [words.date, debitDate],
    [words.amount, values.amount],
    [words.mandate, values.mandate_reference],
  ];
  if (values.creditor_id) rows.push([words.creditor, values.creditor_id]);
  return [
    { kind: 'paragraph', text: words.intro },
    { kind: 'facts', rows },
  ];
}
