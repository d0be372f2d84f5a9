import { Ajv } from 'ajv';
import type twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../../sandbox/core/start-sandbox.ts';
import { openApiAnnotationKeywords, standaloneSchema, type OpenApiDocument } from '../../../sandbox/sendgrid/openapi-schema.ts';
import { defaultTwilioCredentials } from '../../../sandbox/twilio/twilio-sandbox.ts';
import { startMessagingSandbox, twilioClient } from './support/messaging-kit.ts';
import { readReference } from '../../support/reference.ts';

type Schema = { type?: string; properties?: Record<string, unknown> } & Record<string, unknown>;
type ListPath = { get: { responses: { 200: { content: { 'application/json': { schema: Schema; examples: Record<string, { value: { messages: unknown[] } }> } } } } } };

/** Twilio's own 2010-04-01 spec (OpenAPI 3.0: JSON schema draft 7 plus `nullable`). */
const spec = JSON.parse(readReference('twilio/twilio_api_v2010.json')) as OpenApiDocument & {
  components: { schemas: Record<string, Schema> };
  paths: Record<string, ListPath>;
};
const messageSchema = spec.components.schemas['api.v2010.account.message']!;
const listPath = spec.paths['/2010-04-01/Accounts/{AccountSid}/Messages.json']!.get.responses[200].content['application/json'];

// strictTypes off: the spec puts `format: uri-map` on an object, which JSON schema ignores.
const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
for (const keyword of openApiAnnotationKeywords) ajv.addKeyword(keyword);
ajv.addFormat('phone-number', /^(\+[1-9]\d{1,14}|\d{5,6}|[A-Za-z0-9 ]{1,11})$/);
ajv.addFormat('date-time-rfc-2822', /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
ajv.addFormat('currency', /^[A-Za-z]{3}$/);
ajv.addFormat('uri-map', true);
// Twilio's "uri" values are relative ("/2010-04-01/..."), as the spec's own examples show.
ajv.addFormat('uri', /^\/2010-04-01\/\S+$/);

/** Exactly the Message schema: every property present, no other property. */
const exactMessage = ajv.compile(
  standaloneSchema(spec, { ...messageSchema, required: Object.keys(messageSchema.properties ?? {}), additionalProperties: false } as never),
);
const listResponse = ajv.compile(standaloneSchema(spec, listPath.schema as never));

let sandbox: RunningSandbox;
let client: twilio.Twilio;

/** The body of the SDK's last answer, untouched by its camelCasing. */
function lastBody(): Record<string, unknown> {
  const body = client.httpClient.lastResponse?.body as unknown;
  return (typeof body === 'string' ? JSON.parse(body) : body) as Record<string, unknown>;
}

function expectExactMessage(message: unknown): void {
  expect(exactMessage(message), JSON.stringify(exactMessage.errors)).toBe(true);
}

beforeAll(async () => {
  sandbox = await startMessagingSandbox();
  client = twilioClient(sandbox.url, defaultTwilioCredentials.accountSid, defaultTwilioCredentials.authToken);
});
afterAll(() => sandbox.stop());

describe('Twilio sandbox against the 2010-04-01 spec', () => {
  it("accepts Twilio's own example messages with the strict validator (the validator itself is right)", () => {
    for (const example of Object.values(listPath.examples)) for (const message of example.value.messages) expectExactMessage(message);
  });

  it('returns messages with exactly the properties of api.v2010.account.message, from create, fetch, list and the inbox', async () => {
    const created = await client.messages.create({ to: '+31612345678', from: '+15005550006', body: 'Hallo 👋', statusCallback: 'http://127.0.0.1:9/none' });
    expectExactMessage(lastBody());
    await client.messages.create({ to: '+15005553008', messagingServiceSid: `MG${'b'.repeat(32)}`, body: 'x' });
    expectExactMessage(lastBody());
    await client.messages(created.sid).fetch();
    expectExactMessage(lastBody());

    await client.messages.page({ pageSize: 1 });
    const page = lastBody();
    expect(listResponse(page), JSON.stringify(listResponse.errors)).toBe(true);
    expect(Object.keys(page).sort()).toEqual(Object.keys(listPath.examples.readFullPage1!.value).sort());
    for (const message of page.messages as unknown[]) expectExactMessage(message);

    const inbox = (await (await fetch(`${sandbox.url}/sandbox/sms`)).json()) as { data: unknown[] };
    expect(inbox.data).toHaveLength(2);
    for (const message of inbox.data) expectExactMessage(message);
  });
});
