import type { NoticeOverrides } from '../../../src/config/catalogue-schema.ts';
import { ADMIN_NOTICES, type NoticeLocale, type NoticeTemplate } from '../../../src/notifications/notice-catalogue.ts';
import type { RenderRequest } from '../../../src/notifications/render-notice.ts';
import { sampleLinks, samplePayload } from '../../../src/notifications/sample-notices.ts';

export const isAdminNotice = (template: NoticeTemplate) => (ADMIN_NOTICES as readonly string[]).includes(template);

/** A render request with the sample payload of `template`, in Amsterdam, for the shop "Koffieclub". */
export function sampleRequest(template: NoticeTemplate, locale: NoticeLocale, change: { payload?: unknown; overrides?: NoticeOverrides; timeZone?: string } = {}): RenderRequest {
  return {
    template,
    locale,
    timeZone: change.timeZone ?? 'Europe/Amsterdam',
    payload: 'payload' in change ? change.payload : samplePayload(template),
    links: isAdminNotice(template) ? null : sampleLinks,
    shop: { name: 'Koffieclub', support_email: 'hallo@koffieclub.example' },
    overrides: change.overrides ?? {},
  };
}

/** The sample payload of `template` with some fields replaced. */
export function samplePayloadWith(template: NoticeTemplate, fields: Record<string, unknown>): unknown {
  return { ...(samplePayload(template) as Record<string, unknown>), ...fields };
}
