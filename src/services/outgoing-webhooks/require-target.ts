import { RecurError } from '../../shared/errors.ts';
import { checkWebhookTarget } from './check-webhook-target.ts';
import type { OutgoingWebhooksContext } from './outgoing-webhooks-context.ts';

/** An endpoint's URL is saved only when its target may be posted to now. */
export async function requireAllowedTarget(hooks: OutgoingWebhooksContext, url: string): Promise<void> {
  const check = await checkWebhookTarget(hooks, url);
  if (!check.ok) throw new RecurError(check.code, check.message);
}
