import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * recur's own pages (notice links, the checkout return's errors) are plain markup with inline
 * styles: nothing to load, forms that post to themselves, and never inside another site's frame
 * (a cancel button under someone else's page).
 */
const PAGE_POLICY = {
  defaultSrc: ["'none'"],
  styleSrc: ["'unsafe-inline'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
};

/** The docs (swagger-ui) load their scripts, styles and the OpenAPI document from recur itself. */
export const DOCS_CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/**
 * One set of security headers on every answer (JSON and HTML alike): the page policy above,
 * X-Frame-Options DENY, nosniff, no referrer. No HSTS: TLS ends at the proxy in front of recur,
 * and whether a whole domain is HTTPS-only is that proxy's decision.
 */
export async function installSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: PAGE_POLICY },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: false,
  });
}
