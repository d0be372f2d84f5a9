import { webcrypto, X509Certificate } from 'node:crypto';

const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;

/**
 * The sandbox's own certificate authority: a root certificate (recur trusts it in development) and
 * the certificate PayPal-style webhooks are signed with, issued by it. Kept as PEM text in the
 * sandbox's state, so a restart signs with the same certificate and a trusted root stays trusted.
 */
export type SigningAuthority = {
  certId: string;
  rootCertificatePem: string;
  signingCertificatePem: string;
  /** PKCS#8 PEM of the signing certificate's private key (the root's key is not kept: it signed once). */
  signingKeyPem: string;
};

const day = 86_400_000;

function pem(label: string, der: ArrayBuffer): string {
  const base64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${base64.trimEnd()}\n-----END ${label}-----\n`;
}

/** A new root and signing certificate, valid from a day before `now` for ten (root) and five (signing) years. */
export async function createSigningAuthority(now: Date, certId: string): Promise<SigningAuthority> {
  // Loaded here, not at start-up: a restart finds the authority in the state file, and the
  // library (with its metadata polyfill) costs ~0.1-0.2 s to load.
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const rootKeys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const signingKeys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const notBefore = new Date(now.getTime() - day);
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=recur sandbox root CA, O=recur sandbox',
    notBefore,
    notAfter: new Date(now.getTime() + 3650 * day),
    signingAlgorithm: algorithm,
    keys: rootKeys,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  const signing = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: 'CN=messageverificationcerts.sandbox.paypal.com, O=recur sandbox',
    issuer: root.subject,
    notBefore,
    notAfter: new Date(now.getTime() + 1825 * day),
    signingAlgorithm: algorithm,
    publicKey: signingKeys.publicKey,
    signingKey: rootKeys.privateKey,
    extensions: [new x509.BasicConstraintsExtension(false, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
  });
  return {
    certId,
    rootCertificatePem: root.toString('pem') + '\n',
    signingCertificatePem: signing.toString('pem') + '\n',
    signingKeyPem: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', signingKeys.privateKey)),
  };
}

/** True when `authority` parses and its signing certificate was issued by its root. */
export function isConsistent(authority: SigningAuthority): boolean {
  try {
    const root = new X509Certificate(authority.rootCertificatePem);
    return new X509Certificate(authority.signingCertificatePem).verify(root.publicKey);
  } catch {
    return false;
  }
}
