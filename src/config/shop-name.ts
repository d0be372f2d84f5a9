import type { Settings } from './settings-schema.ts';

/** What notices are signed with while the shop has not named itself: the warning's subject. */
export const UNNAMED_SHOP = 'recur';

/** The shop's name in notices: SHOP_NAME, else recur.config.json's notices.shop_name; null: not set. */
export function configuredShopName(config: { SHOP_NAME?: string | undefined; catalogue: { notices: { shop_name?: string | undefined } } }): string | null {
  return config.SHOP_NAME ?? config.catalogue.notices.shop_name ?? null;
}

export const shopNameOf = (config: Parameters<typeof configuredShopName>[0]): string => configuredShopName(config) ?? UNNAMED_SHOP;

const isLoopback = (url: string | undefined) => url !== undefined && ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);

/**
 * Whether notices reach real people: SendGrid or Twilio configured against the provider itself.
 * An API base on loopback is an emulator (the sandbox), whose inbox only a developer reads.
 */
export function messagingReachesCustomers(settings: Pick<Settings, 'SENDGRID_API_KEY' | 'SENDGRID_API_BASE' | 'TWILIO_ACCOUNT_SID' | 'TWILIO_API_BASE'>): boolean {
  return (settings.SENDGRID_API_KEY !== undefined && !isLoopback(settings.SENDGRID_API_BASE)) || (settings.TWILIO_ACCOUNT_SID !== undefined && !isLoopback(settings.TWILIO_API_BASE));
}
