import { createRecurClient, verifyWebhook } from '@recur/client';

const recur = createRecurClient({ baseUrl: process.env.RECUR_URL!, apiKey: process.env.RECUR_API_KEY! });

// Sign-up: the customer in recur, then the hosted checkout to send their browser to.
export async function startSubscription(id: string, email: string): Promise<string> {
  await recur.POST('/v1/customers', { body: { external_id: id, email } });
  const { data, error } = await recur.POST('/v1/checkout', { body: { customer: id, plan: 'monthly', provider: 'stripe', return_url: 'https://shop.example/account' } });
  if (error) throw new Error(error.error.message);
  return data.url;
}

// POST /hooks/recur, with the body as received: recur pushes entitlement.changed when access starts or ends.
export function onRecurWebhook(rawBody: string, headers: Record<string, string>): { customer: string; entitled: boolean } | null {
  const event = verifyWebhook(rawBody, headers, process.env.RECUR_WEBHOOK_SECRET!);
  return event.type === 'entitlement.changed' ? { customer: event.data.customer, entitled: event.data.entitled } : null;
}

// Before serving the product: may this customer use it now?
export async function mayUse(id: string): Promise<boolean> {
  const { data } = await recur.GET('/v1/customers/{id}/entitlement', { params: { path: { id } } });
  return data?.entitled === true;
}
