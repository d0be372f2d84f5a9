import { createRequire } from 'node:module';
import type TwilioSdk from 'twilio';

const require = createRequire(import.meta.url);
let loaded: typeof TwilioSdk | undefined;

/**
 * The official twilio SDK, loaded at its first use rather than when recur starts: it costs ~0.2 s
 * of CPU and ~30 MB to load, and a start (the key-less `npm start` included) sends no SMS and
 * checks no status callback before it is ready.
 */
export function twilioSdk(): typeof TwilioSdk {
  loaded ??= require('twilio') as typeof TwilioSdk;
  return loaded;
}
