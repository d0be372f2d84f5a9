import type { MonthFigures } from '../../../services/admin/read-overview-history.ts';
import { formatMoney } from './admin-format.ts';
import { plotChart, type PlottedChart } from './plot-chart.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Apr 2025` for the first month and every January, `May` for the others: twelve labels fit under a chart. */
function monthLabel(month: string, index: number): string {
  const [year, number] = month.split('-');
  const name = MONTHS[Number(number) - 1]!;
  return index === 0 || number === '01' ? `${name} ${year}` : name;
}

export const formatPercent = (share: number | null): string => (share === null ? '—' : `${(Math.round(share * 1000) / 10).toFixed(1)}%`);

const count = (value: number) => String(value);

/** The overview's charts, oldest month first: MRR per currency and active subscriptions at each month's end; churn, trial conversion and failed payments per month. */
export function overviewCharts(history: readonly MonthFigures[]): PlottedChart[] {
  const label = (month: MonthFigures, index: number) => monthLabel(month.month, index);
  const currencies = [...new Set(history.flatMap((month) => month.mrrAtEnd.map((total) => total.currency)))].sort();
  const mrr = currencies.map((currency) =>
    plotChart({
      id: `mrr-${currency}`,
      title: `Monthly recurring revenue (${currency}) at each month's end`,
      kind: 'line',
      points: history.map((month, index) => {
        const value = month.mrrAtEnd.find((total) => total.currency === currency)?.amount_minor ?? 0;
        return { label: label(month, index), value, display: formatMoney(value, currency) };
      }),
      tick: (value) => formatMoney(Math.round(value), currency),
    }),
  );
  return [
    ...mrr,
    plotChart({ id: 'active', title: "Active subscriptions at each month's end", kind: 'line', points: history.map((month, index) => ({ label: label(month, index), value: month.activeAtEnd, display: String(month.activeAtEnd) })), tick: count, whole: true }),
    plotChart({ id: 'churn', title: 'Churn per month (of those active at its start)', kind: 'bar', max: 1, points: history.map((month, index) => ({ label: label(month, index), value: month.churnRate ?? 0, display: formatPercent(month.churnRate) })), tick: formatPercent }),
    plotChart({ id: 'trial-conversion', title: 'Trial conversion per month (trials that ended in it)', kind: 'bar', max: 1, points: history.map((month, index) => ({ label: label(month, index), value: month.conversionRate ?? 0, display: formatPercent(month.conversionRate) })), tick: formatPercent }),
    plotChart({ id: 'failed-payments', title: 'Failed payments per month', kind: 'bar', points: history.map((month, index) => ({ label: label(month, index), value: month.failedPayments, display: String(month.failedPayments) })), tick: count, whole: true }),
  ];
}
