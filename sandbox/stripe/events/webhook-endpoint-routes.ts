import type Stripe from 'stripe';
import type { StripeRuntime } from '../runtime.ts';
import { newId, newWebhookSecret } from '../state/ids.ts';
import type { StoredWebhookEndpoint } from '../state/stripe-state.ts';
import { PAGINATION, type SpecOf } from '../wire/accepted-params.ts';
import { declareRoutes, type RouteTable } from '../wire/api-routes.ts';
import type { Params } from '../wire/form-body.ts';
import { listPage, newestFirst } from '../wire/list.ts';
import { mergeMetadata, nullableString, optionalBool, optionalString, optionalStringArray, requireString } from '../wire/params.ts';
import { stripeErrors } from '../wire/stripe-error.ts';

const EVENT_TYPE = /^(\*|[a-z_]+(\.[a-z_]+)*(\.\*)?)$/;

function enabledEvents(params: Params): string[] | undefined {
  const events = optionalStringArray(params, 'enabled_events');
  const invalid = events?.find((type) => !EVENT_TYPE.test(type));
  if (invalid) throw stripeErrors.invalidRequest(`Invalid enabled_events: ${invalid}`, 'enabled_events');
  return events;
}

function checkUrl(url: string): string {
  if (!/^https?:\/\/\S+$/.test(url)) throw stripeErrors.invalidRequest('Invalid URL: URL must be an http or https URL.', 'url', 'url_invalid');
  return url;
}

/** The secret is shown once, on create, as Stripe does; everything else answers without it. */
function withoutSecret(endpoint: StoredWebhookEndpoint) {
  const { secret: _secret, ...rest } = endpoint;
  return rest;
}

export function createWebhookEndpoint(rt: StripeRuntime, input: { url: string; enabledEvents: string[]; secret?: string; apiVersion?: string | null; description?: string | null; metadata?: Record<string, string> }): StoredWebhookEndpoint {
  return rt.state.webhookEndpoints.add({
    id: newId('we'),
    object: 'webhook_endpoint',
    api_version: input.apiVersion ?? null,
    application: null,
    created: rt.time.sharedNow(),
    description: input.description ?? null,
    enabled_events: input.enabledEvents,
    livemode: false,
    metadata: input.metadata ?? {},
    secret: input.secret ?? newWebhookSecret(),
    status: 'enabled',
    url: input.url,
  });
}

/** What each route accepts (besides `expand`); anything else is answered 400 `parameter_unknown`. */
const ACCEPTS = {
  'POST /webhook_endpoints': { api_version: true, description: true, enabled_events: true, metadata: true, url: true } satisfies SpecOf<Stripe.WebhookEndpointCreateParams>,
  'GET /webhook_endpoints/:id': {} satisfies SpecOf<Stripe.WebhookEndpointRetrieveParams>,
  'POST /webhook_endpoints/:id': { description: true, disabled: true, enabled_events: true, metadata: true, url: true } satisfies SpecOf<Stripe.WebhookEndpointUpdateParams>,
  'DELETE /webhook_endpoints/:id': {} satisfies SpecOf<Stripe.WebhookEndpointDeleteParams>,
  'GET /webhook_endpoints': { ...PAGINATION } satisfies SpecOf<Stripe.WebhookEndpointListParams>,
};

export function webhookEndpointRoutes(rt: StripeRuntime): RouteTable {
  const { state } = rt;
  return declareRoutes(ACCEPTS, {
    'POST /webhook_endpoints': ({ params }) => {
      const events = enabledEvents(params);
      if (!events || events.length === 0) throw stripeErrors.missingParam('enabled_events');
      return createWebhookEndpoint(rt, {
        url: checkUrl(requireString(params, 'url')),
        enabledEvents: events,
        apiVersion: optionalString(params, 'api_version') ?? null,
        description: optionalString(params, 'description') ?? null,
        metadata: mergeMetadata(null, params),
      });
    },
    'GET /webhook_endpoints/:id': ({ path }) => withoutSecret(state.webhookEndpoints.require(path.id!)),
    'POST /webhook_endpoints/:id': ({ path, params }) => {
      const endpoint = state.webhookEndpoints.require(path.id!);
      const url = optionalString(params, 'url');
      if (url !== undefined) endpoint.url = checkUrl(url);
      const events = enabledEvents(params);
      if (events) endpoint.enabled_events = events;
      const disabled = optionalBool(params, 'disabled');
      if (disabled !== undefined) endpoint.status = disabled ? 'disabled' : 'enabled';
      const description = nullableString(params, 'description');
      if (description !== undefined) endpoint.description = description;
      endpoint.metadata = mergeMetadata(endpoint.metadata, params);
      return withoutSecret(endpoint);
    },
    'DELETE /webhook_endpoints/:id': ({ path }) => {
      const endpoint = state.webhookEndpoints.require(path.id!);
      state.webhookEndpoints.remove(endpoint.id);
      return { id: endpoint.id, object: 'webhook_endpoint', deleted: true };
    },
    'GET /webhook_endpoints': ({ params }) => {
      const page = listPage(newestFirst(state.webhookEndpoints.all()), params, '/v1/webhook_endpoints');
      return { ...page, data: page.data.map(withoutSecret) };
    },
  });
}
