import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';

/**
 * PayPal's API hosts that serve webhook certificates, by mode; nothing else is ever fetched. PayPal's
 * PAYPAL-CERT-URL names `api.*`; `api-m.*` is the same API under the name PayPal now documents.
 */
export const PAYPAL_CERT_HOSTS: Readonly<Record<'live' | 'sandbox', readonly string[]>> = {
  live: ['api.paypal.com', 'api-m.paypal.com'],
  sandbox: ['api.sandbox.paypal.com', 'api-m.sandbox.paypal.com'],
};
export const CERT_PATH_PREFIX = '/v1/notifications/certs/';
/** The subject PayPal's webhook signing certificates carry. */
export const PAYPAL_CERT_SUBJECTS: readonly string[] = ['messageverificationcerts.paypal.com', 'messageverificationcerts.sandbox.paypal.com'];

const CERT_NAME = /^[A-Za-z0-9._-]{1,200}$/;
const MAX_CERT_BYTES = 64 * 1024;
const MAX_CHAIN_LENGTH = 5;
const FETCH_TIMEOUT_MS = 10_000;

export type CertificateSource = {
  mode: 'sandbox' | 'live';
  /** A local sandbox (loopback, sandbox mode): its API base, whose certs path is trusted, and the root its certificates chain to. */
  loopbackSandbox?: { apiBase: string; rootCa: X509Certificate } | undefined;
  /** Roots a PayPal-hosted certificate must chain to; default Node's bundled public roots. */
  trustAnchors?: readonly X509Certificate[];
  fetch?: typeof fetch;
};

/** A certificate chain that checked out, with when it is valid (every certificate of it at once). */
export type TrustedCertificate = { leaf: X509Certificate; validFrom: number; validTo: number };

/**
 * What a certificate URL gave: a trusted chain; `untrusted` (PayPal answered, with no certificate
 * or one that does not check out); `unavailable` (PayPal could not be reached or answered 5xx or
 * 429: nothing is known about the delivery, so it is refused in a way that makes PayPal send it again).
 */
export type CertificateLookup = { status: 'trusted'; certificate: TrustedCertificate } | { status: 'untrusted' } | { status: 'unavailable' };

/**
 * Where a webhook's certificate may come from: https from PayPal's own API host for the mode, under
 * /v1/notifications/certs/, one path segment, nothing else in the URL; or the local sandbox's own
 * certs path (http allowed: loopback). Anything else is refused before a request is made, so a forged
 * header cannot make recur fetch a URL of the forger's choosing.
 */
export function isAllowedCertUrl(text: string, source: CertificateSource): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  if (url.username || url.password || url.search || url.hash) return false;
  const rest = (prefix: string) => (url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : null);
  const sandbox = source.loopbackSandbox;
  if (sandbox) {
    const base = new URL(sandbox.apiBase);
    const name = rest(`${base.pathname.replace(/\/+$/, '')}${CERT_PATH_PREFIX}`);
    if (url.origin === base.origin && name !== null && CERT_NAME.test(name)) return true;
  }
  const name = rest(CERT_PATH_PREFIX);
  return url.protocol === 'https:' && PAYPAL_CERT_HOSTS[source.mode].includes(url.hostname) && url.port === '' && name !== null && CERT_NAME.test(name);
}

function commonNames(certificate: X509Certificate): string[] {
  return certificate.subject.split('\n').filter((line) => line.startsWith('CN=')).map((line) => line.slice(3));
}

function splitPem(text: string): X509Certificate[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.slice(0, MAX_CHAIN_LENGTH).map((block) => new X509Certificate(block));
}

/**
 * The leaf (first certificate) checked against the anchors: each certificate issued and signed by
 * the next one (from the served chain or an anchor), every issuer a CA, the leaf's subject PayPal's
 * signing name. Returns null when anything fails; never throws for a bad certificate.
 */
export function verifyCertificateChain(pemText: string, anchors: readonly X509Certificate[]): TrustedCertificate | null {
  let served: X509Certificate[];
  try {
    served = splitPem(pemText);
  } catch {
    return null;
  }
  const leaf = served[0];
  if (!leaf || leaf.ca || !commonNames(leaf).some((name) => PAYPAL_CERT_SUBJECTS.includes(name))) return null;
  let validFrom = Date.parse(leaf.validFrom);
  let validTo = Date.parse(leaf.validTo);
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN_LENGTH; depth++) {
    const anchor = anchors.find((candidate) => isIssuedBy(current, candidate));
    if (anchor) {
      validFrom = Math.max(validFrom, Date.parse(anchor.validFrom));
      validTo = Math.min(validTo, Date.parse(anchor.validTo));
      return { leaf, validFrom, validTo };
    }
    // A self-signed certificate that is not an anchor ends the chain untrusted.
    const issuer = served.find((candidate) => candidate !== current && isIssuedBy(current, candidate));
    if (!issuer) return null;
    validFrom = Math.max(validFrom, Date.parse(issuer.validFrom));
    validTo = Math.min(validTo, Date.parse(issuer.validTo));
    current = issuer;
  }
  return null;
}

function isIssuedBy(certificate: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return issuer.ca && certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

let publicRoots: X509Certificate[] | null = null;
function defaultAnchors(): X509Certificate[] {
  publicRoots ??= rootCertificates.map((pem) => new X509Certificate(pem));
  return publicRoots;
}

/**
 * Fetches and checks webhook certificates, keeping the last `maxEntries` good ones by URL (PayPal
 * signs with one certificate for months: a delivery costs no request). A failed download or chain is
 * not kept, so the next delivery tries again.
 */
export function createCertificateStore(source: CertificateSource, maxEntries = 16) {
  const cache = new Map<string, Promise<CertificateLookup>>();
  const fetchImpl = source.fetch ?? fetch;
  const anchorsFor = (url: string): readonly X509Certificate[] => {
    const sandbox = source.loopbackSandbox;
    if (sandbox && new URL(url).origin === new URL(sandbox.apiBase).origin) return [sandbox.rootCa];
    return source.trustAnchors ?? defaultAnchors();
  };

  const download = async (url: string): Promise<CertificateLookup> => {
    let text: string;
    try {
      const response = await fetchImpl(url, { redirect: 'error', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      if (response.status >= 500 || response.status === 429) return { status: 'unavailable' };
      if (!response.ok) return { status: 'untrusted' };
      text = await response.text();
    } catch {
      // Refused connection, DNS failure, timeout, reset: PayPal's side, not the sender's.
      return { status: 'unavailable' };
    }
    if (text.length > MAX_CERT_BYTES) return { status: 'untrusted' };
    const certificate = verifyCertificateChain(text, anchorsFor(url));
    return certificate ? { status: 'trusted', certificate } : { status: 'untrusted' };
  };

  return {
    /** What the certificate at `url` (already checked by `isAllowedCertUrl`) gave. */
    async get(url: string): Promise<CertificateLookup> {
      let entry = cache.get(url);
      if (entry) {
        // Most recently used last: the oldest entry is the first to go.
        cache.delete(url);
        cache.set(url, entry);
      } else {
        entry = download(url);
        cache.set(url, entry);
        while (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
      }
      const lookup = await entry;
      if (lookup.status !== 'trusted' && cache.get(url) === entry) cache.delete(url);
      return lookup;
    },
    get size() {
      return cache.size;
    },
  };
}
