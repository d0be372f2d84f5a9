import { escapeHtml } from '../stripe/hosted/html.ts';
import type { WebhookDelivery } from '../core/webhook-dispatcher.ts';
import type { StoredEvent } from './paypal-state.ts';

/** The PayPal events raised, newest first, each with its deliveries' status: what a developer reads to see what was sent. */
export function renderEventsPage(events: StoredEvent[], deliveries: WebhookDelivery[]): string {
  const byEvent = new Map<string, WebhookDelivery[]>();
  for (const delivery of deliveries) if (delivery.provider === 'paypal') byEvent.set(delivery.eventId, [...(byEvent.get(delivery.eventId) ?? []), delivery]);
  const rows = [...events]
    .reverse()
    .map((event) => {
      const sent = byEvent.get(event.id) ?? [];
      const status = event.webhook_ids.length === 0 ? 'no webhook listens' : 'no longer in the delivery log';
      return `<tr><td>${escapeHtml(event.create_time)}</td><td>${escapeHtml(event.event_type)}</td><td><code>${escapeHtml(event.id)}</code></td><td>${sent.length === 0 ? escapeHtml(status) : sent.map((delivery) => `${escapeHtml(delivery.status)} (${delivery.attempts}x) ${escapeHtml(delivery.url)}`).join('<br>')}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PayPal webhooks - recur sandbox</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{padding:.3rem .6rem;border-bottom:1px solid #ddd;text-align:left;font-size:.9rem}</style>
</head><body>
<h1>PayPal webhooks</h1>
<p>Events the PayPal sandbox raised, newest first (JSON: <a href="/paypal/sandbox/events">/paypal/sandbox/events</a>).</p>
<table><thead><tr><th>time (sandbox clock)</th><th>event type</th><th>id</th><th>deliveries</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="4">No events yet.</td></tr>'}
</tbody></table>
</body></html>`;
}
