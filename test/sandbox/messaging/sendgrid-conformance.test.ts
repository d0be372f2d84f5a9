import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../../sandbox/core/start-sandbox.ts';
import { createSpecValidator } from '../../../sandbox/sendgrid/mail-send-schema.ts';
import { standaloneSchema } from '../../../sandbox/sendgrid/openapi-schema.ts';
import { createSendgridSandbox, defaultSendgridApiKey } from '../../../sandbox/sendgrid/sendgrid-sandbox.ts';
import { sendgridMail, startMessagingSandbox } from './support/messaging-kit.ts';
import { sendgridSpecText } from '../../support/reference.ts';

/** SendGrid's own Mail Send spec (test/reference/reference-copies.test.ts keeps it equal to the reference). */
const referenceText = sendgridSpecText();
const spec = JSON.parse(referenceText) as {
  paths: { '/v3/mail/send': { post: { responses: Record<string, { $ref?: string }> } } };
  components: {
    schemas: Record<string, never>;
    responses: Record<string, { content: { 'application/json': { schema: { $ref: string } } } }>;
    requestBodies: { PostMailSend: { content: { 'application/json': { examples: Record<string, { value: Record<string, unknown> }> } } } };
  };
};
const examples = Object.entries(spec.components.requestBodies.PostMailSend.content['application/json'].examples);
const validateError = createSpecValidator().compile(standaloneSchema(spec, { $ref: '#/components/schemas/ErrorResponse' }));

/** The spec's documented error schema for a status of POST /v3/mail/send. */
function documentedErrorSchema(status: number): string {
  const ref = spec.paths['/v3/mail/send'].post.responses[String(status)]?.$ref ?? '';
  const response = spec.components.responses[ref.split('/').pop() ?? ''];
  return response?.content['application/json'].schema.$ref ?? 'undocumented';
}

let sandbox: RunningSandbox;
let sendgrid: ReturnType<typeof sendgridMail>;

async function post(body: unknown, client = sendgrid.client): Promise<{ status: number; body: unknown }> {
  return client.request({ method: 'POST', url: '/v3/mail/send', body: body as object }).then(
    ([response]) => ({ status: response.statusCode, body: response.body }),
    (error: { code: number; response: { body: unknown } }) => ({ status: error.code, body: error.response.body }),
  );
}

beforeAll(async () => {
  sandbox = await startMessagingSandbox();
  sendgrid = sendgridMail(sandbox.url, defaultSendgridApiKey);
});
afterAll(() => sandbox.stop());

describe('SendGrid sandbox against the Mail Send v3 spec', () => {
  it.each(examples)('accepts the spec example %s with 202', async (_name, example) => {
    expect((await post(example.value)).status).toBe(202);
  });

  it.each([
    ['ip_pool_name shorter than 2', { ip_pool_name: 'x' }, 'ip_pool_name'],
    ['more than 10 categories', { categories: Array.from({ length: 11 }, (_, i) => `c${i}`) }, 'categories'],
    ['asm without group_id', { asm: { groups_to_display: [1] } }, 'asm.group_id'],
    ['an attachment without filename', { attachments: [{ content: 'aGk=' }] }, 'attachments.0.filename'],
    ['a from without email', { from: { name: 'Winkel' } }, 'from.email'],
  ])('refuses an example with %s (a rule only the spec states)', async (_name, change, field) => {
    const [, example] = examples.find(([name]) => name === 'MailSendNoTemplate')!;
    const answer = await post({ ...example.value, ...change });
    expect(answer.status).toBe(400);
    expect((answer.body as { errors: { field: string }[] }).errors.map((error) => error.field)).toContain(field);
  });

  it.each([
    [400, () => post({ personalizations: [] })],
    [401, () => post({}, sendgridMail(sandbox.url, 'SG.wrong.key').client)],
  ])('answers %i with the spec error schema', async (status, send) => {
    const answer = await send();
    expect(answer.status).toBe(status);
    expect(documentedErrorSchema(status)).toBe('#/components/schemas/ErrorResponse');
    expect(validateError(answer.body), JSON.stringify(validateError.errors)).toBe(true);
  });

  it('answers 413 with the spec error schema for a body over the size limit', async () => {
    const small = await startMessagingSandbox([createSendgridSandbox({ maxBodyBytes: 16 * 1024 })]);
    try {
      const [, example] = examples.find(([name]) => name === 'MailSendNoTemplate')!;
      const answer = await post({ ...example.value, content: [{ type: 'text/plain', value: 'x'.repeat(20_000) }] }, sendgridMail(small.url, defaultSendgridApiKey).client);
      expect(answer.status).toBe(413);
      expect(documentedErrorSchema(413)).toBe('#/components/schemas/ErrorResponse');
      expect(validateError(answer.body)).toBe(true);
    } finally {
      await small.stop();
    }
  });
});
