import { installRequestFaults, type SandboxContext, type SandboxProvider, type SandboxProviderFactory } from '../core/sandbox-provider.ts';
import { installFormParser } from './form-body.ts';
import { MessageStore } from './message-store.ts';
import { registerMessagesRoutes } from './messages-routes.ts';
import { magicNumbers, sandboxFromNumber } from './phone-numbers.ts';
import { registerSmsInboxRoutes } from './sms-inbox-routes.ts';
import { installBasicAuth, type TwilioCredentials } from './twilio-auth.ts';
import { installTwilioErrorHandlers, sendTwilioFault } from './twilio-errors.ts';
import { restoreTwilio, snapshotTwilio } from './twilio-snapshot.ts';

/**
 * Fixed test credentials, so a developer's .env keeps working across sandbox restarts. They
 * have Twilio's form (AC + 32 hex, 32 hex) and open nothing but this local emulator.
 */
export const defaultTwilioCredentials: TwilioCredentials = {
  accountSid: 'AC5a4db0c0ffee5a4db0c0ffee5a4db0c0',
  authToken: 'f00dfacef00dfacef00dfacef00dface',
};

/** A Twilio emulator with other credentials than the defaults. */
export function createTwilioSandbox(overrides: Partial<TwilioCredentials> = {}): SandboxProviderFactory {
  const credentials: TwilioCredentials = { ...defaultTwilioCredentials, ...overrides };
  return (ctx: SandboxContext): SandboxProvider => {
    const store = new MessageStore();
    return {
      name: 'twilio',
      register: async (app) => {
        // The API lives under /twilio (the SDK's URL is rewritten there); faults and auth touch only it.
        await app.register(
          async (api) => {
            installRequestFaults(api, ctx, 'twilio', (reply, status) => sendTwilioFault(reply, status));
            installBasicAuth(api, credentials);
            installTwilioErrorHandlers(api);
            installFormParser(api);
            registerMessagesRoutes(api, ctx, store, credentials);
          },
          { prefix: '/twilio' },
        );
        registerSmsInboxRoutes(app, store);
      },
      reset: () => store.reset(),
      snapshot: () => snapshotTwilio(store),
      restore: (snapshot) => restoreTwilio(store, snapshot),
      // Status callbacks go out when a message is created (see deliver-message.ts): nothing waits on the clock.
      nextDueAt: () => null,
      runDue: async () => {},
      describe: (baseUrl) => ({
        baseUrl: `${baseUrl}/twilio`,
        accountSid: credentials.accountSid,
        authToken: credentials.authToken,
        fromNumber: sandboxFromNumber,
        inbox: { json: `${baseUrl}/sandbox/sms`, html: `${baseUrl}/sandbox/sms.html` },
        magicNumbers,
      }),
    };
  };
}

export const twilioSandbox: SandboxProviderFactory = createTwilioSandbox();
