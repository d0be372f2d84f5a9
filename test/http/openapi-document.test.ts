import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.ts';

type Media = { schema?: { $ref?: string }; example?: unknown; examples?: Record<string, unknown> };
type Response = { description: string; content?: Record<string, Media>; headers?: Record<string, unknown> };
type Operation = { responses: Record<string, Response>; requestBody?: { content: Record<string, Media> } };
type OpenApi = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

const hasExample = (media: Media) => media.example !== undefined || Object.keys(media.examples ?? {}).length > 0;

/**
 * Keeps /docs true for every route: what each answers when it works (a schema and an example, or
 * a redirect with its Location), the one error shape when it does not, and an example of every
 * request body. A route added without them fails here.
 */
describe('the OpenAPI document at /openapi.json', () => {
  let t: TestApp;
  let doc: OpenApi;
  beforeAll(async () => {
    t = await startTestApp('pglite');
    doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as OpenApi;
  });
  afterAll(() => t.close());

  const operations = () => Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, operation })));

  it('lists every route a client or provider calls', () => {
    expect(operations().map((op) => op.name)).toEqual(
      expect.arrayContaining([
        'GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /checkout/stripe/return', 'GET /links/cancel', 'POST /links/cancel', 'GET /links/payment-method', 'POST /links/payment-method', 'GET /links/done',
        'POST /webhooks/{provider}', 'POST /webhooks/sendgrid', 'POST /webhooks/twilio', 'POST /v1/customers', 'GET /v1/plans', 'POST /v1/checkout', 'GET /v1/subscriptions',
      ]),
    );
  });

  it('describes the one error shape once, as a component', () => {
    expect(doc.components.schemas['Error']).toMatchObject({ type: 'object', required: ['error'] });
  });

  it('gives every operation a described success with a schema and an example (or a redirect with its Location), and the shared error', () => {
    const problems: string[] = [];
    for (const { name, operation } of operations()) {
      const entries = Object.entries(operation.responses);
      const successes = entries.filter(([status]) => /^[23]\d\d$/.test(status));
      if (successes.length === 0) problems.push(`${name}: no success response`);
      for (const [status, response] of successes) {
        if (!response.description || response.description === 'Default Response') problems.push(`${name} ${status}: no description`);
        if (status.startsWith('3')) {
          if (!response.headers?.['location']) problems.push(`${name} ${status}: a redirect without its Location header`);
          continue;
        }
        const media = Object.values(response.content ?? {});
        if (media.length === 0 || media.some((m) => !m.schema)) problems.push(`${name} ${status}: no response schema`);
        if (media.some((m) => !hasExample(m))) problems.push(`${name} ${status}: no example`);
      }
      const errors = entries.filter(([status]) => /^[45]\d\d$/.test(status));
      if (!errors.some(([, response]) => response.content?.['application/json']?.schema?.$ref === '#/components/schemas/Error')) problems.push(`${name}: no error response in the shared Error shape`);
      for (const [type, media] of Object.entries(operation.requestBody?.content ?? {})) {
        if (!hasExample(media)) problems.push(`${name}: request body (${type}) without an example`);
      }
    }
    expect(problems).toEqual([]);
  });
});
