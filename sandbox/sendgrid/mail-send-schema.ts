import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { openApiAnnotationKeywords, standaloneSchema, type OpenApiDocument } from './openapi-schema.ts';
import type { SendgridError } from './sendgrid-errors.ts';

type JsonObject = { [key: string]: unknown };
type MailSendSpec = OpenApiDocument & {
  components: { requestBodies: { PostMailSend: { content: { 'application/json': { schema: JsonObject; examples?: Record<string, { value: unknown }> } } } } };
};

/** SendGrid's Mail Send v3 OpenAPI document, vendored unchanged from twilio/sendgrid-oai (MIT). */
export const mailSendSpec = JSON.parse(readFileSync(new URL('./spec/tsg_mail_v3.json', import.meta.url), 'utf8')) as MailSendSpec;

export const mailSendRequestBody = mailSendSpec.components.requestBodies.PostMailSend.content['application/json'];

/**
 * The request-body schema as the spec has it, with one correction: the spec types the top-level
 * `custom_args` as a string, while SendGrid (and its own Node SDK, which sends `customArgs` as an
 * object) takes an object of strings, exactly like `personalizations[].custom_args`.
 */
function correctedSchema(): JsonObject {
  const schema = structuredClone(mailSendRequestBody.schema) as { properties: Record<string, JsonObject> };
  schema.properties.custom_args = { ...schema.properties.custom_args, type: 'object', additionalProperties: { type: 'string' } };
  return standaloneSchema(mailSendSpec, schema as never) as JsonObject;
}

/** A validator for any schema of an OpenAPI 3.1 document (JSON Schema 2020-12 plus `nullable`). */
export function createSpecValidator(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
  addFormats.default(ajv, ['email', 'uri', 'date-time']);
  for (const keyword of openApiAnnotationKeywords) if (!ajv.getKeyword(keyword)) ajv.addKeyword(keyword);
  return ajv;
}

let compiledValidator: ValidateFunction | undefined;

/**
 * Compiled at the first Mail Send, not when the sandbox loads: compiling the spec's schema (and
 * Ajv's meta-schema) takes ~0.1 s of CPU, which every `npm start` paid before /readyz.
 */
function validateBody(): ValidateFunction {
  compiledValidator ??= createSpecValidator().compile(correctedSchema());
  return compiledValidator;
}

/** `/personalizations/0/to/0` plus a missing `email` -> `personalizations.0.to.0.email`, SendGrid's field notation. */
function fieldOf(error: ErrorObject): string | null {
  const parts = error.instancePath.split('/').filter(Boolean);
  if (error.keyword === 'required') parts.push(String((error.params as { missingProperty: string }).missingProperty));
  return parts.length > 0 ? parts.join('.') : null;
}

function messageOf(error: ErrorObject, field: string | null): string {
  if (error.keyword === 'format' && (error.params as { format: string }).format === 'email') return 'Does not contain a valid address.';
  if (error.keyword === 'required') {
    if (field === 'from') return 'The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.';
    if (field === 'from.email' || field?.endsWith('.email')) return 'The email parameter is required for every address object.';
    return `The ${field} field is required.`;
  }
  if (error.keyword === 'minLength' && field && /^content\.\d+\.value$/.test(field)) return 'The content value must be a string at least one character in length.';
  return `The ${field ?? 'request body'} ${error.message ?? 'is invalid'}.`;
}

/** Every way the body breaks the spec's schema, as SendGrid error entries (an empty list: valid). */
export function schemaErrors(body: unknown): SendgridError[] {
  const validate = validateBody();
  if (validate(body)) return [];
  return (validate.errors ?? []).map((error) => {
    const field = fieldOf(error);
    return { message: messageOf(error, field), field };
  });
}
