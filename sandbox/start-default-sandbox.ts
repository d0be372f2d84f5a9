import { startSandbox, type RunningSandbox } from './core/start-sandbox.ts';
import { sendgridSandbox } from './sendgrid/sendgrid-sandbox.ts';
import { paypalSandbox } from './paypal/paypal-sandbox.ts';
import { stripeSandbox } from './stripe/stripe-sandbox.ts';
import { twilioSandbox } from './twilio/twilio-sandbox.ts';

/** Every emulated provider on one port: what `recur sandbox` and a key-less `recur start` run. */
export function startDefaultSandbox(options: { port: number; host: string; start?: Date; stateFile?: string }): Promise<RunningSandbox> {
  return startSandbox({ ...options, providers: [stripeSandbox, paypalSandbox, sendgridSandbox, twilioSandbox] });
}
