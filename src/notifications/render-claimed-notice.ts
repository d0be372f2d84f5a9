import type { ClaimedNotice } from '../db/repositories/notification-delivery-repository.ts';
import type { MessagingContext, ServiceContext } from '../services/service-context.ts';
import { makeNoticeLinks } from './link-token.ts';
import { isNoticeTemplate, type NoticeTemplate } from './notice-catalogue.ts';
import { renderEmail, renderSms, type RenderRequest } from './render-notice.ts';
import { shopNameOf } from '../config/shop-name.ts';
import { portalEntryToken, portalEntryUrl } from './portal-entry-link.ts';

/** The portal-link notice's one-time link, from its business key (portal-entry-link.ts). */
const portalEntryOf = (messaging: MessagingContext, notice: ClaimedNotice): { portal_entry?: string } =>
  notice.template === 'portal-link' ? { portal_entry: portalEntryUrl(messaging.publicBaseUrl, portalEntryToken(messaging.linkSecret, notice.businessKey)) } : {};

export type RenderedNotice = { channel: 'email'; subject: string; text: string; html: string } | { channel: 'sms'; body: string };

/**
 * Renders an outbox row as it is sent. Links are signed from the row's creation time, so the same
 * row renders to the same text every time: the SMS body is how a send lost in a crash is found again.
 */
export function renderClaimedNotice(ctx: Pick<ServiceContext, 'config'> & { messaging: MessagingContext }, notice: ClaimedNotice, timeZone: string): RenderedNotice {
  if (!isNoticeTemplate(notice.template)) throw new Error(`unknown template "${notice.template}"`);
  const notices = ctx.config.catalogue.notices;
  const request: RenderRequest = {
    template: notice.template as NoticeTemplate,
    locale: notice.locale,
    timeZone,
    payload: notice.payload,
    links: notice.subscriptionId ? { ...makeNoticeLinks(ctx.messaging, notice.subscriptionId, notice.createdAt), ...portalEntryOf(ctx.messaging, notice) } : null,
    shop: { name: shopNameOf(ctx.config), support_email: notices.support_email ?? null, sepa_creditor_id: ctx.config.SEPA_CREDITOR_ID ?? null },
    overrides: notices.templates,
  };
  if (notice.channel === 'sms') return { channel: 'sms', body: renderSms(request) };
  return { channel: 'email', ...renderEmail(request) };
}
