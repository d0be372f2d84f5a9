import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';

/** What a browser does in the portal, through app.inject: ask for a link, open it, keep its cookie. */
export type PortalVisit = {
  cookie: string;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, fields: Record<string, string>): Promise<LightMyRequestResponse>;
  /** The CSRF token in the page's forms. */
  csrfOf(html: string): string;
};

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

export async function requestPortalLink(app: FastifyInstance, auth: string, externalId: string, body: Record<string, unknown> = { return_url: 'https://shop.example/account' }) {
  const response = await app.inject({ method: 'POST', url: `/v1/customers/${externalId}/portal-sessions`, headers: { authorization: auth }, payload: body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { url: string; expires_at: string };
}

/** The link's path and query, as the browser requests them from recur. */
export const pathOf = (url: string): string => {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
};

export async function enterPortal(app: FastifyInstance, linkUrl: string): Promise<PortalVisit> {
  const entered = await app.inject({ method: 'GET', url: pathOf(linkUrl) });
  expect(entered.statusCode, entered.body).toBe(303);
  expect(entered.headers.location).toBe('/portal');
  const cookie = entered.cookies.find((candidate) => candidate.name === 'recur_portal')!;
  return visitWithCookie(app, cookie.value);
}

export function visitWithCookie(app: FastifyInstance, cookie: string): PortalVisit {
  return {
    cookie,
    get: (url) => app.inject({ method: 'GET', url, cookies: { recur_portal: cookie } }),
    post: (url, fields) => app.inject({ method: 'POST', url, headers: FORM, cookies: { recur_portal: cookie }, payload: new URLSearchParams(fields).toString() }),
    csrfOf: (html) => /name="csrf" value="([^"]+)"/.exec(html)![1]!,
  };
}
