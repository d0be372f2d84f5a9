import { z } from 'zod';
import { formatAmount, formatCount, formatMonth } from '../format-notice-values.ts';
import type { MoneyTotal, MonthlyReportPayload, NoticeLocale } from '../notice-catalogue.ts';
import { defineAdminNotice, type Block } from './notice-template.ts';
import { currencyCode, minorUnits } from './subscription-facts.ts';

const moneyTotals = z.array(z.object({ currency: currencyCode, amount_minor: minorUnits }));

const reportSchema = z.object({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a month such as 2026-03'),
  active: z.number().int().nonnegative(),
  trialing: z.number().int().nonnegative(),
  past_due: z.number().int().nonnegative(),
  new: z.number().int().nonnegative(),
  churned: z.number().int().nonnegative(),
  revenue: moneyTotals,
  mrr: moneyTotals,
}) satisfies z.ZodType<MonthlyReportPayload>;

const LABELS = {
  nl: { head: ['', 'Aantal / bedrag'], active: 'Actief', trialing: 'Proefperiode', past_due: 'Betaling achterstallig', new: 'Nieuw', churned: 'Opgezegd', revenue: 'Omzet', mrr: 'MRR (maandelijks terugkerend)' },
  en: { head: ['', 'Count / amount'], active: 'Active', trialing: 'Trialing', past_due: 'Past due', new: 'New', churned: 'Churned', revenue: 'Revenue', mrr: 'MRR (monthly recurring)' },
} as const;

/** One amount per currency, joined; never a sum across currencies. */
const writeTotals = (totals: readonly MoneyTotal[], locale: NoticeLocale) => (totals.length === 0 ? '-' : totals.map((total) => formatAmount(total.amount_minor, total.currency, locale)).join(' + '));

const PLACEHOLDERS = ['shop_name', 'month', 'active', 'trialing', 'past_due', 'new', 'churned', 'revenue', 'mrr'] as const;
const ROWS = ['active', 'trialing', 'past_due', 'new', 'churned', 'revenue', 'mrr'] as const;
type ReportValues = Readonly<Record<(typeof PLACEHOLDERS)[number], string>>;

/** On the first of the month, to the admins: the month's figures in a small table. */
export const monthlyReport = defineAdminNotice({
  schema: reportSchema,
  placeholders: PLACEHOLDERS,
  values: (report, context) => ({
    shop_name: context.shop.name,
    month: formatMonth(report.month, context.locale),
    active: formatCount(report.active, context.locale),
    trialing: formatCount(report.trialing, context.locale),
    past_due: formatCount(report.past_due, context.locale),
    new: formatCount(report.new, context.locale),
    churned: formatCount(report.churned, context.locale),
    revenue: writeTotals(report.revenue, context.locale),
    mrr: writeTotals(report.mrr, context.locale),
  }),
  copy: {
    nl: (v) => ({
      subject: `[${v.shop_name}] Maandoverzicht ${v.month}`,
      blocks: [
        { kind: 'paragraph', text: `De cijfers van ${v.month} (UTC):` },
        writeTable(v, 'nl'),
        { kind: 'paragraph', text: `Omzet is het totaal van geslaagde betalingen min terugbetalingen; MRR is de stand aan het eind van de maand. Verstuurd door recur voor ${v.shop_name}.` },
      ],
    }),
    en: (v) => ({
      subject: `[${v.shop_name}] Monthly report ${v.month}`,
      blocks: [
        { kind: 'paragraph', text: `The figures for ${v.month} (UTC):` },
        writeTable(v, 'en'),
        { kind: 'paragraph', text: `Revenue is succeeded payments less refunds; MRR is as at the end of the month. Sent by recur for ${v.shop_name}.` },
      ],
    }),
  },
});

function writeTable(values: ReportValues, locale: NoticeLocale): Block {
  const labels = LABELS[locale];
  return { kind: 'table', head: labels.head, rows: ROWS.map((key) => [labels[key], values[key]]) };
}
