import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readReference, sendgridSpecText } from '../support/reference.ts';

const shared = new URL('../../../shared/reference/', import.meta.url);

// On a clean clone there is no shared folder beside the repository; the vendored copies are then
// the material itself. Where it is present (the project's own machines), they must not drift.
describe.runIf(existsSync(shared))('vendored provider material equals the reference folder', () => {
  const sharedText = (path: string) => readFileSync(new URL(path, shared), 'utf8');

  it('Stripe fixtures3.json and every trigger fixture', () => {
    expect(readReference('stripe/fixtures3.json')).toBe(sharedText('stripe/fixtures3.json'));
    const triggers = readdirSync(new URL('stripe/triggers/', shared)).sort();
    expect(readdirSync(new URL('stripe/triggers/', new URL('./', import.meta.url))).sort()).toEqual(triggers);
    for (const file of triggers) expect(readReference(`stripe/triggers/${file}`), file).toBe(sharedText(`stripe/triggers/${file}`));
  });

  it('Twilio 2010-04-01 and SendGrid Mail Send specifications', () => {
    expect(readReference('twilio/twilio_api_v2010.json')).toBe(sharedText('twilio/twilio_api_v2010.json'));
    expect(sendgridSpecText()).toBe(sharedText('sendgrid/tsg_mail_v3.json'));
  });

  it("PayPal's OpenAPI specifications", () => {
    const files = readdirSync(new URL('paypal/', shared)).sort();
    expect(readdirSync(new URL('paypal/', new URL('./', import.meta.url))).sort()).toEqual(files);
    for (const file of files) expect(readReference(`paypal/${file}`), file).toBe(sharedText(`paypal/${file}`));
  });
});
