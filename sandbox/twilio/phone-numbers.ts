import type { TwilioRefusal } from './twilio-errors.ts';

const e164 = /^\+[1-9]\d{6,14}$/;
const shortCode = /^\d{5,6}$/;
const alphanumericSender = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;

export function isE164(number: string): boolean {
  return e164.test(number);
}

export function isValidSender(from: string): boolean {
  return e164.test(from) || shortCode.test(from) || alphanumericSender.test(from);
}

/**
 * Twilio's own magic numbers for test credentials, answered the way Twilio documents them
 * (https://www.twilio.com/docs/iam/test-credentials): they fail at creation with these codes.
 */
export const magicFromNumbers: Record<string, (from: string) => TwilioRefusal> = {
  '+15005550001': (from) => ({ code: 21212, message: `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.` }),
  '+15005550007': (from) => ({ code: 21606, message: `The 'From' phone number provided (${from}) is not a valid message-capable Twilio phone number for this destination.` }),
  '+15005550008': () => ({ code: 21611, message: "This 'From' number has exceeded the maximum number of queued messages" }),
};

export const magicToNumbers: Record<string, (to: string) => TwilioRefusal> = {
  '+15005550001': (to) => ({ code: 21211, message: `The 'To' number ${to} is not a valid phone number.` }),
  '+15005550002': (to) => ({ code: 21612, message: `The 'To' phone number: ${to}, is not currently reachable via SMS.` }),
  '+15005550003': (to) => ({ code: 21408, message: `Permission to send an SMS has not been enabled for the region indicated by the 'To' number: ${to}.` }),
  '+15005550004': () => ({ code: 21610, message: 'Attempt to send to unsubscribed recipient' }),
  '+15005550009': () => ({ code: 21614, message: "'To' number is not a valid mobile number" }),
};

/** Twilio's number for "a valid From" with test credentials; the sandbox suggests it as its sender. */
export const sandboxFromNumber = '+15005550006';

export type DeliveryFailure = { status: 'undelivered' | 'failed'; errorCode: number; errorMessage: string };

/**
 * The sandbox's own numbers (Twilio has none for this): accepted at creation, then failing at
 * the carrier, reported through the status callback as `+150055530NN` -> error 300NN.
 */
export const failingToNumbers: Record<string, DeliveryFailure> = {
  '+15005553003': { status: 'undelivered', errorCode: 30003, errorMessage: 'Unreachable destination handset' },
  '+15005553005': { status: 'undelivered', errorCode: 30005, errorMessage: 'Unknown destination handset' },
  '+15005553006': { status: 'undelivered', errorCode: 30006, errorMessage: 'Landline or unreachable carrier' },
  '+15005553007': { status: 'undelivered', errorCode: 30007, errorMessage: 'Message filtered' },
  '+15005553008': { status: 'failed', errorCode: 30008, errorMessage: 'Unknown error' },
};

/** For describe(): what each magic number does. */
export const magicNumbers = {
  from: { '+15005550006': 'valid sender', '+15005550001': '21212 invalid From', '+15005550007': '21606 not your number', '+15005550008': '21611 queue full' },
  to: {
    '+15005550001': '21211 invalid To',
    '+15005550002': '21612 cannot route',
    '+15005550003': '21408 no permission for the region',
    '+15005550004': '21610 opted out (as after STOP)',
    '+15005550009': '21614 not a mobile number',
    ...Object.fromEntries(Object.entries(failingToNumbers).map(([number, failure]) => [number, `accepted, then ${failure.status} with ${failure.errorCode}`])),
  },
  optOut: 'POST /sandbox/sms/opt-out {"number"} makes any number answer 21610, as after STOP; POST /sandbox/sms/opt-in undoes it',
};
